"""Showing pictures as the model saw them, for predict and evaluate ``--show``.

Pictures are read by :class:`skdigits.images.DigitReader`; this module only
names and saves each picture beside the 28x28 image the model saw.
"""

import os


def picture_name(file, used):
    """``<stem>-seen.png``, numbered when another picture of the run has the same stem."""
    stem = os.path.splitext(os.path.basename(file))[0]
    name, number = f"{stem}-seen.png", 1
    while name in used:
        number += 1
        name = f"{stem}-{number}-seen.png"
    used.add(name)
    return name


def save_side_by_side(path, gray, normalized, label, probability, title=None):
    """Save the picture beside the 28x28 image the model saw, titled with its answer."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3.2))
    left.imshow(gray, cmap="gray", vmin=0, vmax=255)
    left.set_title(title or "your picture", fontsize=9)
    right.imshow(normalized, cmap="gray", vmin=0, vmax=255)
    right.set_title(f"what the model saw: {label} ({probability:.2f})", fontsize=9)
    for ax in (left, right):
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
