"""``skdigits evaluate``: accuracy, classification report and confusion matrix of a model."""

import os

from ._common import (
    UsageError,
    check_images,
    check_output_folder,
    evaluation_data,
    load_model_file,
    print_evaluation,
)
from ._options import (
    add_command,
    allow_pickle_options,
    data_home_options,
    evaluation_data_options,
    model_options,
)
from ._pictures import picture_name, save_side_by_side


def add_parser(subparsers):
    """Add ``skdigits evaluate``."""
    parser = add_command(
        subparsers,
        "evaluate",
        help="print accuracy, classification report and confusion matrix of a saved model",
        description="Evaluate a saved pipeline on labelled digits (the test split of a "
        "data set, or the whole embedded sample) and print the accuracy, the "
        "classification report and the confusion matrix. Never downloads.",
        epilog="examples:\n  skdigits evaluate skdigits-model.skdigits --data mnist\n"
        "  skdigits evaluate model.skdigits --data ./my-digits\n"
        "  skdigits evaluate model.skdigits --data ./my-photos --show misread/   "
        "# my-photos/3/IMG_0042.jpg ...\n"
        "  skdigits evaluate old-model.joblib --allow-pickle   # only a file you trust",
        parents=[
            model_options(),
            allow_pickle_options(),
            evaluation_data_options(),
            data_home_options(),
        ],
    )
    parser.add_argument(
        "--show",
        metavar="DIR",
        help="with a folder of pictures: save each misread picture beside "
        "what the model saw in DIR",
    )
    return parser


def _evaluate_pictures(model, files, y, description, args):
    import numpy as np

    from ..images import DigitReader

    if args.show:
        check_output_folder(args.show, "pictures")
    reader = DigitReader(model)
    readings = reader.read_all(files, y, keep_pictures="misread" if args.show else False)
    print(f"Model: {args.model}\nData: {description}, read through the normaliser")
    readable = [i for i, r in enumerate(readings) if r.error is None]
    if readable:
        seen = np.stack([readings[i].seen for i in readable])
        print_evaluation(reader.classifier, seen, y[readable])
    failed = len(readings) - len(readable)
    if failed:
        correct = sum(readings[i].digit == readings[i].label for i in readable)
        print(
            f"{failed} of {len(readings)} pictures gave no digit; counting them as misread, "
            f"the accuracy is {correct / len(readings):.4f} ({correct}/{len(readings)})."
        )
    wrong, used = [r for r in readings if r.misread], set()
    if wrong:
        print(f"\nMisread pictures ({len(wrong)}; label -> read as, probability):")
    for r in wrong:
        if r.error is not None:
            print(f"  {r.name}: {r.label} -> no digit ({r.error})")
            continue
        probability = r.as_dict()["probability"]
        line = f"  {r.name}: {r.label} -> {r.digit} (p={probability:.2f})"
        if args.show:
            line += "  -> " + save_side_by_side(
                os.path.join(args.show, f"{r.label}-" + picture_name(r.name, used)),
                r.picture,
                r.seen,
                r.digit,
                probability,
                title=f"labelled {r.label}",
            )
        print(line)
    return 0


def run(args):
    """Print accuracy, classification report and confusion matrix of a saved model."""
    model = load_model_file(args.model, args.allow_pickle)
    X, y, description = evaluation_data(args)
    if X.dtype == object:
        return _evaluate_pictures(model, X, y, description, args)
    if args.show:
        raise UsageError(
            "--show saves misread pictures: use it with --data FOLDER, a folder "
            "of pictures laid out as <label>/<image>"
        )
    check_images(model, X, description)
    print(f"Model: {args.model}\nData: {description}")
    print_evaluation(model, X, y)
    return 0
