"""Pictures as the model sees them, for predict, evaluate and report.

Reading a picture file through the normaliser, reading its digit, reading a
folder of labelled pictures, and saving a picture beside what the model saw.
"""

import os


def read_picture(normalizer, picture):
    """The picture as the model sees it: read in colour, reduced, normalised.

    Returns ``(picture, normalized, info)``: what was read (RGB or grey),
    the 28x28 image and what the normaliser found (see
    ``DigitImageNormalizer.normalize_one(..., details=True)``). Raises
    ImageError for a picture that cannot be read or holds no ink.
    """
    from ..images import READ_PIXELS, read_image

    picture_array = read_image(picture, color=normalizer.color, max_pixels=READ_PIXELS)
    normalized, info = normalizer.normalize_one(picture_array, name=picture, details=True)
    return picture_array, normalized, info


def read_digit(normalizer, rest, file, min_probability=0.0):
    """Read the digit in one picture file: the result ``skdigits predict`` prints.

    Returns ``(result, picture, normalized)``; ``result`` is a dict with
    ``file`` and either ``error`` or ``digit``, ``probability``,
    ``runner_up``, ``runner_up_probability``, ``unsure`` and, when unsure,
    ``unsure_because`` (the reasons, in words). ``picture`` and
    ``normalized`` are None after an error.
    """
    import numpy as np

    from ..exceptions import ImageError

    try:
        picture, normalized, info = read_picture(normalizer, file)
    except ImageError as exc:
        return {"file": file, "error": str(exc)}, None, None
    proba = rest.predict_proba(normalized[None])[0]
    order = np.argsort(proba)[::-1]
    classes = rest.classes_
    result = {
        "file": file,
        "digit": classes[order[0]].item(),
        "probability": round(float(proba[order[0]]), 4),
        "runner_up": classes[order[1]].item() if len(order) > 1 else None,
        "runner_up_probability": round(float(proba[order[1]]), 4) if len(order) > 1 else None,
    }
    reasons = []
    if proba[order[0]] < min_probability:
        reasons.append(f"probability {proba[order[0]]:.2f} is under {min_probability:.2f}")
    if info.get("hard_to_find"):
        reasons.append("the ink was hard to find (faint, or other marks nearly as strong)")
    result["unsure"] = bool(reasons)
    if reasons:
        result["unsure_because"] = reasons
    return result, picture, normalized


def read_labelled_pictures(model, files, labels):
    """Read labelled picture files as ``skdigits predict`` does.

    Returns the model's normaliser, the model without it, one result per
    picture (as :func:`read_digit` makes it, with ``label``) and the 28x28
    images the model saw (None where a picture could not be read).
    """
    from ..images import raw_image_pipeline

    pipeline = raw_image_pipeline(model)
    normalizer, rest = pipeline.named_steps["normalize"], pipeline[1:]
    results, seen = [], []
    for file, label in zip(files, labels):
        result, _, normalized = read_digit(normalizer, rest, file)
        result["label"] = int(label)
        results.append(result)
        seen.append(normalized)
    return normalizer, rest, results, seen


def misread(results):
    """The results of :func:`read_labelled_pictures` that gave no digit or a wrong one."""
    return [r for r in results if "error" in r or r["digit"] != r["label"]]


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
