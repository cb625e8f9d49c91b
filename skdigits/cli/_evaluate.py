"""``skdigits evaluate``: accuracy, classification report and confusion matrix of a model."""

import os

from ._common import (
    UsageError,
    check_images,
    check_output_folder,
    load_labelled_data,
    load_model_file,
    print_evaluation,
)
from ._options import (
    add_command,
    allow_pickle_options,
    data_home_options,
    labelled_data_options,
    model_options,
)
from ._pictures import (
    misread,
    picture_name,
    read_labelled_pictures,
    read_picture,
    save_side_by_side,
)


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
            labelled_data_options("mnist"),
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

    if args.show:
        check_output_folder(args.show, "pictures")
    normalizer, rest, results, seen = read_labelled_pictures(model, files, y)
    print(f"Model: {args.model}\nData: {description}, read through the normaliser")
    readable = [i for i, r in enumerate(results) if "error" not in r]
    if readable:
        print_evaluation(rest, np.stack([seen[i] for i in readable]), y[readable])
    failed = len(results) - len(readable)
    if failed:
        correct = sum(results[i]["digit"] == results[i]["label"] for i in readable)
        print(
            f"{failed} of {len(results)} pictures gave no digit; counting them as misread, "
            f"the accuracy is {correct / len(results):.4f} ({correct}/{len(results)})."
        )
    wrong, used = misread(results), set()
    if wrong:
        print(f"\nMisread pictures ({len(wrong)}; label -> read as, probability):")
    for r in wrong:
        if "error" in r:
            print(f"  {r['file']}: {r['label']} -> no digit ({r['error']})")
            continue
        line = f"  {r['file']}: {r['label']} -> {r['digit']} (p={r['probability']:.2f})"
        if args.show:
            picture, normalized, _ = read_picture(normalizer, r["file"])
            line += "  -> " + save_side_by_side(
                os.path.join(args.show, f"{r['label']}-" + picture_name(r["file"], used)),
                picture,
                normalized,
                r["digit"],
                r["probability"],
                title=f"labelled {r['label']}",
            )
        print(line)
    return 0


def run(args):
    """Print accuracy, classification report and confusion matrix of a saved model."""
    model = load_model_file(args.model, args.allow_pickle)
    X, y, description = load_labelled_data(args.data, "test", args.data_home, pictures=True)
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
