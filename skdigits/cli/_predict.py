"""``skdigits predict``: read digits from users' own pictures."""

import json
import os

from ._common import (
    UsageError,
    check_output_folder,
    load_model_file,
    terminal_safe,
)
from ._options import add_command, allow_pickle_options, probability
from ._pictures import picture_name, save_side_by_side

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
    among downloaded files is never taken for a model. Such a model comes
    back as the :class:`~skdigits.persistence.ModelFile` that sniffed it, which
    ``load_model_file`` reads without opening the file again.
    """
    from ..persistence import ModelFile

    inputs = list(args.inputs)
    if args.model:
        return args.model, inputs
    if inputs and os.path.isfile(inputs[0]):
        try:
            first = ModelFile(inputs[0])
        except OSError:  # unreadable: reported as a picture that cannot be read
            return None, inputs
        if first.kind == "skdigits":
            return first, inputs[1:]
        first.close()
    return None, inputs


def add_parser(subparsers):
    """Add ``skdigits predict``."""
    parser = add_command(
        subparsers,
        "predict",
        help="read the digit in your own pictures (photos, scans, drawings)",
        description="Print, for each picture, the digit, its probability and the runner-up. "
        "Pictures are made MNIST-like first (DigitImageNormalizer). The model is --model "
        "FILE, or the first argument when that file is a .skdigits model (recognised by "
        "its content, never by its name); without one, the model that ships with skdigits "
        "(trained on full MNIST) is used at once.",
        epilog="examples:\n  skdigits predict photo.jpg drawing.png\n"
        "  skdigits predict skdigits-model.skdigits digits/ --json\n"
        "  skdigits predict --model old-model.joblib --allow-pickle photo.jpg\n"
        "  skdigits predict photo.jpg --show seen/\n"
        "  skdigits predict --number meter.jpg --json",
        parents=[allow_pickle_options()],
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="[MODEL] IMAGE",
        help="an optional .skdigits model file, then image files or folders of images",
    )
    parser.add_argument("--model", metavar="FILE", help="the model file to use")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--number",
        action="store_true",
        help="each picture holds a number of several digits (one line of writing): print "
        "the number, with each digit's probability; --json adds each digit's box",
    )
    parser.add_argument(
        "--show", metavar="DIR", help="save each picture beside what the model saw (28x28) in DIR"
    )
    parser.add_argument(
        "--min-probability",
        type=probability,
        default=0.6,
        metavar="P",
        help="flag answers whose probability is under P as unsure, as well "
        "as pictures whose ink was hard to find; 0 flags only those "
        "(default: %(default)s)",
    )
    return parser


def run(args):
    """Print the digit in each picture; exit 1 when some pictures failed."""
    model_path, inputs = _split_model(args)
    if not inputs:
        raise UsageError("no pictures given: skdigits predict [--model MODEL] IMAGE|FOLDER ...")
    if args.show:
        check_output_folder(args.show, "pictures")
    from ..images import DigitReader, list_image_files
    from ..pretrained import load_default_model

    files = list_image_files(inputs)
    if not files:
        raise UsageError(f"no image files in {', '.join(inputs)}")
    log = (lambda message: None) if args.json else print
    if model_path:
        model = load_model_file(model_path, args.allow_pickle)
    else:
        try:
            model = load_default_model(log=log)
        except (FileNotFoundError, ValueError) as exc:
            raise UsageError(str(exc)) from None
    if args.number:
        return _run_number(args, model, files)

    def show(path, reading, result):
        return save_side_by_side(
            path(),
            reading.picture,
            reading.seen,
            result["digit"],
            result["probability"],
            normalizer=reader.normalizer,
        )

    reader = DigitReader(model, min_probability=args.min_probability)
    results = _read_each(reader, files, args.show, show)
    _print_results(
        results,
        args.json,
        lambda r: (
            f"{r['digit']}  (p={r['probability']:.2f}; "
            f"runner-up {r['runner_up']}, p={r['runner_up_probability']:.2f})"
        ),
    )
    failed = sum("error" in r for r in results)
    unsure = sum(r.get("unsure", False) for r in results)
    if unsure and len(results) > 1 and not args.json:
        print(
            f"{unsure} of {len(results)} answers are unsure: check those pictures "
            "(--show DIR saves what the model saw)."
        )
    if failed and not args.json:
        print(f"{failed} of {len(results)} pictures could not be read as a digit.")
    return 1 if failed else 0


def _read_each(reader, files, show_folder, show):
    """Each picture's reading as a dict, in order; ``show(path, reading, result)`` for --show.

    A model or pickle file among the pictures gets its hint instead of a
    reading. With ``show_folder``, ``show`` is called for each picture read
    without error, with ``path()`` giving a fresh file name in that folder;
    it returns the path it wrote, or None when it wrote nothing.
    """
    from ..persistence import sniff

    results, used_names = [], set()
    for file in files:
        kind = sniff(file) if os.path.isfile(file) else None
        if kind in _MODEL_HINTS:
            results.append({"file": file, "error": _MODEL_HINTS[kind]})
            continue
        reading = reader.read(file, keep_picture=bool(show_folder))
        result = reading.as_dict()
        if show_folder and reading.error is None:

            def path(file=file):
                return os.path.join(show_folder, picture_name(file, used_names))

            saved = show(path, reading, result)
            if saved is not None:
                result["picture"] = saved
        results.append(result)
    return results


def _print_results(results, as_json, describe):
    """Print one line per picture (``describe(result)`` after its name), or the JSON list.

    Names and labels come from outside (file names, a model file's
    ``classes_``): shown terminal-safe, they cannot forge a line or drive the
    terminal.
    """
    if as_json:
        print(json.dumps(results, indent=2))
        return
    names = [terminal_safe(r["file"]) for r in results]
    width = max(len(name) for name in names)
    for name, r in zip(names, results):
        if "error" in r:
            line = f"{name:<{width}}  error: {r['error']}"
        else:
            line = f"{name:<{width}}  {describe(r)}"
            if r["unsure"]:
                line += "  UNSURE: " + "; ".join(r["unsure_because"])
            line += f"  -> {r['picture']}" if "picture" in r else ""
        print(terminal_safe(line))


def _run_number(args, model, files):
    """``--number``: print the number in each picture; exit 1 when some pictures failed."""
    from ..images import NumberReader
    from ._pictures import save_number

    reader = NumberReader(model, min_probability=args.min_probability)

    def show(path, reading, result):
        return save_number(path(), reading) if reading.digits else None

    results = _read_each(reader, files, args.show, show)
    for i, (file, result) in enumerate(zip(files, results)):
        if "error" not in result and not result["digits"]:  # a picture without ink
            results[i] = {"file": file, "error": result["unsure_because"][0]}
    _print_results(
        results,
        args.json,
        lambda r: (
            f"{r['number']}  (p={r['probability']:.2f}; "
            + ", ".join(f"{d['digit']} p={d['probability']:.2f}" for d in r["digits"])
            + ")"
        ),
    )
    failed = sum("error" in r for r in results)
    if failed and not args.json:
        print(f"{failed} of {len(results)} pictures could not be read as a number.")
    return 1 if failed else 0
