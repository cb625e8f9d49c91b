"""Showing pictures as the model saw them, for predict and evaluate ``--show``.

Pictures are read by :class:`skdigits.images.DigitReader`; this module
names and saves each picture beside the 28x28 image the model saw, with the
normaliser's steps between them when it is given the normaliser.
"""

import os

# How the normaliser's other views are titled in a --show picture.
_VIEW_TITLES = {"sauvola": "view with Sauvola's threshold", "grey": "view in grey"}


def picture_name(file, used):
    """``<stem>-seen.png``, numbered when another picture of the run has the same stem."""
    stem = os.path.splitext(os.path.basename(file))[0]
    name, number = f"{stem}-seen.png", 1
    while name in used:
        number += 1
        name = f"{stem}-{number}-seen.png"
    used.add(name)
    return name


def step_pictures(picture, normalizer):
    """The normaliser's steps on one picture, as ``(title, image)`` pairs to show.

    The picture is normalised again with ``normalizer``'s settings, each
    step recorded: the ink once the light is flattened, and the ink found
    with the ruled lines removed marked in red and the digit kept in white
    (grey: ink left out), for the whole picture and for the digit's region
    read again; then the normaliser's other views of the digit, which a
    reader averages the model over. Returns an empty list when the picture
    holds no ink.
    """
    import numpy as np

    from ..exceptions import ImageError
    from ..images import normalize_picture

    record, found = {}, None
    try:
        found = normalize_picture(picture, normalizer, steps=record)
    except ImageError:
        pass
    pictures = []
    for key, where in (("find", "whole picture"), ("read", "digit's region")):
        steps = record.get(key) or {}
        if "light" in steps:
            light = steps["light"]
            pictures.append((f"{where}: light flattened", light / max(float(light.max()), 1e-6)))
        if "digit" in steps:
            shown = np.zeros((*steps["threshold"].shape, 3))
            shown[steps["threshold"]] = 0.45
            shown[steps["lines"]] = (0.9, 0.1, 0.1)
            shown[steps["digit"]] = 1.0
            pictures.append((f"{where}: lines (red) removed, digit", shown))
    if found is not None:
        for view, image in zip(found.view_names[1:], found.views[1:]):
            pictures.append((f"also read: the {_VIEW_TITLES[view]}", image))
    return pictures


def save_side_by_side(path, gray, normalized, label, probability, title=None, normalizer=None):
    """Save the picture beside the 28x28 image the model saw, titled with its answer.

    With ``normalizer`` (the model's :class:`~skdigits.DigitImageNormalizer`),
    the normaliser's steps are shown between them (:func:`step_pictures`):
    the picture after light flattening and after line removal.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [] if normalizer is None else step_pictures(gray, normalizer)
    panels = [(title or "your picture", gray), *steps]
    panels.append((f"what the model saw: {label} ({probability:.2f})", normalized))
    fig, axes = plt.subplots(1, len(panels), figsize=(3 * len(panels), 3.2))
    for ax, (name, image) in zip(axes, panels):
        ax.imshow(image, cmap="gray", vmin=0, vmax=255 if image.dtype == "uint8" else 1)
        ax.set_title(name, fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def save_number(path, reading, picture=None):
    """Save a picture of a number with each digit's box drawn, and each digit as the model saw it.

    ``reading`` is a :class:`~skdigits.images.NumberReading`; ``picture`` the
    picture as read (by default the one the reading kept).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    picture = reading.picture if picture is None else picture
    digits = reading.digits
    columns = max(1, len(digits))
    height, width = picture.shape[:2]
    fig = plt.figure(figsize=(max(6.0, 1.1 * columns), 2.2 + 5.0 * height / max(width, 1)))
    grid = fig.add_gridspec(2, columns, height_ratios=[5.0 * height / max(width, 1) + 0.8, 1.2])
    top = fig.add_subplot(grid[0, :])
    top.imshow(picture, cmap="gray", vmin=0, vmax=255)
    for i, digit in enumerate(digits):
        y0, x0, y1, x1 = digit.box
        colour = "orange" if digit.unsure else "lime"
        top.add_patch(
            Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, lw=1.5, ec=colour)
        )
        top.text(x0, y0 - 2, str(i + 1), color=colour, fontsize=8, va="bottom")
    text = reading.text if reading.text else "no digits"
    top.set_title(f"read: {text}  (p={reading.probability or 0:.2f})", fontsize=10)
    top.axis("off")
    for i, digit in enumerate(digits):
        ax = fig.add_subplot(grid[1, i])
        ax.imshow(digit.seen, cmap="gray", vmin=0, vmax=255)
        ax.set_title(f"{i + 1}: {digit.digit} ({digit.probability:.2f})", fontsize=8)
        ax.axis("off")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
