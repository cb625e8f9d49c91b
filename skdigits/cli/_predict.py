"""``skdigits predict``: read digits from users' own pictures."""

import json
import os

from ._common import UsageError, check_output_folder, load_model_file, quiet_tensorflow

_MODEL_HINTS = {
    "skdigits": "a model file, not a picture: to use it as the model, put it first or "
    "pass --model FILE",
    "pickle": "a pickle (joblib) file, not a picture; it was not loaded. To use it as the "
    "model: --model FILE --allow-pickle (a pickle can run any code: only files you trust)",
}


def _split_model(args):
    """The model file and the pictures: ``--model``, else a first input that is a .skdigits file.

    The first input counts as the model only by its content (a zip with a
    skdigits manifest), never by its name, so a pickle named ``model.pkl``
    among downloaded files is never taken for a model.
    """
    from .._model_format import is_model_file

    inputs = list(args.inputs)
    if args.model:
        return args.model, inputs
    if inputs and os.path.isfile(inputs[0]) and is_model_file(inputs[0]):
        return inputs[0], inputs[1:]
    return None, inputs


def _picture_name(file, used):
    """``<stem>-seen.png``, numbered when another picture of the run has the same stem."""
    stem = os.path.splitext(os.path.basename(file))[0]
    name, number = f"{stem}-seen.png", 1
    while name in used:
        number += 1
        name = f"{stem}-{number}-seen.png"
    used.add(name)
    return name


def _save_side_by_side(path, gray, normalized, label, probability, title=None):
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


def read_picture(normalizer, picture):
    """The picture as the model sees it: read in colour, reduced, normalised.

    Returns ``(picture, normalized, info)``: what was read (RGB or grey),
    the 28x28 image and what the normaliser found (see
    ``DigitImageNormalizer.normalize_one(..., details=True)``). Raises
    ImageError for a picture that cannot be read or holds no ink.
    """
    from .._images import read_image
    from .._normalize import READ_PIXELS

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


def predict(args):
    """Print the digit in each picture; exit 1 when some pictures failed."""
    model_path, inputs = _split_model(args)
    if not inputs:
        raise UsageError("no pictures given: skdigits predict [--model MODEL] IMAGE|FOLDER ...")
    if args.show:
        check_output_folder(args.show, "pictures")
    quiet_tensorflow()
    from .._default_model import load_default_model, raw_image_pipeline
    from .._images import list_image_files
    from .._model_format import sniff

    files = list_image_files(inputs)
    if not files:
        raise UsageError(f"no image files in {', '.join(inputs)}")
    log = (lambda message: None) if args.json else print
    if model_path:
        model = raw_image_pipeline(load_model_file(model_path, args.allow_pickle))
    else:
        try:
            model = load_default_model(log=log)
        except (FileNotFoundError, ValueError) as exc:
            raise UsageError(str(exc)) from None
    normalizer = model.named_steps["normalize"]
    rest = model[1:]
    results, used_names = [], set()
    for file in files:
        kind = sniff(file) if os.path.isfile(file) else None
        if kind in _MODEL_HINTS:
            results.append({"file": file, "error": _MODEL_HINTS[kind]})
            continue
        result, picture, normalized = read_digit(normalizer, rest, file, args.min_probability)
        if args.show and "error" not in result:
            result["picture"] = _save_side_by_side(
                os.path.join(args.show, _picture_name(file, used_names)),
                picture, normalized, result["digit"], result["probability"],
            )
        results.append(result)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        width = max(len(r["file"]) for r in results)
        for r in results:
            if "error" in r:
                print(f"{r['file']:<{width}}  error: {r['error']}")
            else:
                line = (f"{r['file']:<{width}}  {r['digit']}  (p={r['probability']:.2f}; "
                        f"runner-up {r['runner_up']}, p={r['runner_up_probability']:.2f})")
                if r["unsure"]:
                    line += "  UNSURE: " + "; ".join(r["unsure_because"])
                print(line + (f"  -> {r['picture']}" if "picture" in r else ""))
    failed = sum("error" in r for r in results)
    unsure = sum(r.get("unsure", False) for r in results)
    if unsure and len(results) > 1 and not args.json:
        print(f"{unsure} of {len(results)} answers are unsure: check those pictures "
              "(--show DIR saves what the model saw).")
    if failed and not args.json:
        print(f"{failed} of {len(results)} pictures could not be read as a digit.")
    return 1 if failed else 0
