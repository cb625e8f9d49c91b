"""The ``skdigits`` command line.

Only :mod:`argparse` and the small command modules (which import nothing
heavy at their top) load at start-up, so ``skdigits --help`` answers at once;
scikit-learn and TensorFlow load when a command runs.
"""

import argparse
import os
import sys
import warnings

from .._version import __version__
from ..exceptions import ClusterError
from . import _datasets, _evaluate, _predict, _train
from ._common import _DATASET_NAMES, UsageError

_TRAIN_EXAMPLES = """\
examples:
  skdigits train                          # full MNIST if on this machine, else the sample
  skdigits train --download               # fetch full MNIST first if it is missing
  skdigits train --sample --epochs 3 --out model.skdigits --report report/
  skdigits train --hidden 256,64 --random-state 1
  skdigits train --preset best --out best.skdigits
"""

_DOWNLOAD_EXAMPLES = """\
examples:
  skdigits download mnist
  skdigits download fashion-mnist --data-home ~/data
"""

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


def _number(text, kind, check, expected):
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not check(value):
        raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}")
    return value


def _dropout(text):
    return _number(text, float, lambda v: 0.0 <= v < 1.0, "a dropout rate in [0, 1)")


def _probability(text):
    return _number(text, float, lambda v: 0.0 <= v <= 1.0, "a probability in [0, 1]")


def _positive_float(text):
    return _number(text, float, lambda v: 0 < v < float("inf"), "a positive number")


def _seed(text):
    return _number(text, int, lambda v: 0 <= v < 2**32, "a seed from 0 to 4294967295")


def _at_least_two(text):
    return _number(text, int, lambda v: v >= 2, "an integer of at least 2")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


_ALLOW_PICKLE_HELP = (
    "also load a joblib/pickle model file; loading a pickle can run any code it holds, "
    "so use this only for files you made or trust"
)


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
            "report and the confusion matrix, and save the fitted pipeline as a .skdigits "
            "model file (a format that cannot run code when loaded). "
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
        "--out", default="skdigits-model.skdigits", metavar="PATH",
        help="where to save the fitted pipeline (default: %(default)s; a name ending in "
        ".joblib writes a pickle instead, which loads only with --allow-pickle)",
    )
    train.add_argument(
        "--preset", choices=("reference", "best"), default="reference",
        help="reference: the classic tutorial's network and training; best: the same "
        "network, 40 epochs on randomly distorted digits with a cosine learning-rate "
        "decay (about 99.3%% on MNIST, minutes on two cores) (default: %(default)s)",
    )
    train.add_argument(
        "--hidden", type=_layer_sizes, default=None, metavar="SIZES",
        help="hidden layer sizes, comma-separated (default: 1024,128,64)",
    )
    train.add_argument("--epochs", type=_positive_int, default=None,
                       help="default: 10, or 40 with --preset best")
    train.add_argument(
        "--batch-size", type=_positive_int, default=64, help="default: %(default)s"
    )
    train.add_argument(
        "--test-size", type=_fraction, default=0.2, metavar="FRACTION",
        help="fraction of the sample held out for evaluation, stratified; full MNIST "
        "uses its own 10,000 test digits (default: %(default)s)",
    )
    train.add_argument(
        "--random-state", type=_seed, default=0, metavar="SEED",
        help="seed of the split and the network (default: %(default)s)",
    )
    train.add_argument(
        "--verbose", type=int, choices=(0, 1, 2), default=None,
        help="Keras progress: 0 silent, 1 progress bar, 2 one line per epoch "
        "(default: 1 on a terminal, else 2)",
    )
    train.add_argument(
        "--report", metavar="DIR",
        help="also write an HTML report and metrics.json about the trained model to DIR",
    )
    train.set_defaults(handler=_train.train)

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
        "--timeout", type=_positive_float, default=30.0, metavar="SECONDS",
        help="give up on a silent server after this long (default: %(default)s)",
    )
    download.set_defaults(handler=_datasets.download)

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
        data.set_defaults(handler=_datasets.data)
    _add_evaluation_commands(commands)
    inspect = commands.add_parser(
        "inspect",
        help="print the manifest of a .skdigits model file without loading it",
        description="Print what a .skdigits model file holds (format version, the versions "
        "that wrote it, the pipeline's steps, parameters and fitted state) as JSON, "
        "without loading the model or running anything from it.",
        epilog="examples:\n  skdigits inspect skdigits-model.skdigits",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    inspect.add_argument("model", help="a .skdigits model file")
    inspect.set_defaults(handler=_inspect)
    _add_draw_command(commands)
    return parser


def _add_evaluation_commands(commands):
    data_help = (
        "sample, mnist, fashion-mnist, a folder/.npz that load_mnist(path=...) reads, or a "
        "folder of your own pictures laid out as <label>/<image>, read through the "
        "normaliser as skdigits predict reads them (default: %(default)s)"
    )
    evaluate = commands.add_parser(
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
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report = commands.add_parser(
        "report",
        help="write a self-contained HTML report and metrics.json about a saved model",
        description="Write DIR/report.html (self-contained: images embedded) and "
        "DIR/metrics.json for a saved pipeline evaluated on labelled digits.",
        epilog="examples:\n  skdigits report skdigits-model.skdigits --data mnist --out report/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for sub in (evaluate, report):
        sub.add_argument("model", help="a model file saved by skdigits train or save_model")
        sub.add_argument("--allow-pickle", action="store_true", help=_ALLOW_PICKLE_HELP)
        sub.add_argument("--data", default="mnist", help=data_help)
        sub.add_argument("--data-home", metavar="DIR", help="where to look for data sets")
    report.add_argument("--out", default="skdigits-report", metavar="DIR",
                        help="output folder (default: %(default)s)")
    evaluate.add_argument("--show", metavar="DIR",
                          help="with a folder of pictures: save each misread picture beside "
                          "what the model saw in DIR")
    evaluate.set_defaults(handler=_evaluate.evaluate)
    report.set_defaults(handler=_evaluate.report)

    search = commands.add_parser(
        "search",
        help="grid search over layer sizes, epochs and more; save the table and best model",
        description="Run scikit-learn's GridSearchCV over the network's settings on the "
        "training split of a data set, print the ranked results (mean and std of the "
        "CV accuracy, fit time), save them as CSV and save the best pipeline. With several "
        "--epochs values, skdigits' EpochGridSearchCV trains each fold once, to the largest "
        "value, and scores the others on the way (same results).",
        epilog="examples:\n  skdigits search --hidden 128 1024,128,64 --epochs 5 10 --cv 3 "
        "--data sample\n  skdigits search --hidden 256,64 --epochs 3 --dropout 0 0.2 "
        "--learning-rate 0.001 0.003 --data mnist --max-samples 10000\n"
        "  skdigits search --hidden 128 256 --epochs 5 --scheduler local --workers 4\n"
        "  skdigits search --hidden 128 256 --epochs 5 --scheduler tcp://10.0.0.5:8786\n"
        "\n--scheduler needs the distributed extra: pip install \"skdigits[distributed]\"",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    search.add_argument("--hidden", type=_layer_sizes, nargs="+", default=[(1024, 128, 64)],
                        metavar="SIZES", help="layer-size lists to try, e.g. 128 1024,128,64")
    search.add_argument("--epochs", type=_positive_int, nargs="+", default=[10], metavar="N",
                        help="epochs values to try; several share one training run per fold")
    search.add_argument("--batch-size", type=_positive_int, nargs="+", metavar="N")
    search.add_argument("--dropout", type=_dropout, nargs="+", metavar="RATE")
    search.add_argument("--learning-rate", type=_positive_float, nargs="+", metavar="RATE")
    search.add_argument("--cv", type=_at_least_two, default=3, help="folds (default: %(default)s)")
    search.add_argument("--n-jobs", type=int, help="parallel fits on this machine (default: 1)")
    search.add_argument("--scheduler", metavar="ADDRESS",
                        help="run the fits on a Dask cluster: a scheduler address such as "
                        "tcp://host:8786, or 'local' for worker processes on this machine")
    search.add_argument("--workers", type=_positive_int, metavar="N",
                        help="worker processes for --scheduler local (default: one per core)")
    search.add_argument("--connect-timeout", type=_positive_float, default=30.0, metavar="S",
                        help="seconds to wait for the scheduler, and for a first worker "
                        "(default: %(default)s)")
    search.add_argument("--data", default="sample", help=data_help)
    search.add_argument("--data-home", metavar="DIR", help="where to look for data sets")
    search.add_argument("--max-samples", type=_positive_int, metavar="N",
                        help="search on a stratified subset of N digits")
    search.add_argument("--random-state", type=_seed, default=0, metavar="SEED")
    search.add_argument("--out", default="skdigits-search", metavar="DIR",
                        help="folder for search_results.csv and best_model.skdigits "
                        "(default: %(default)s)")
    search.set_defaults(handler=_evaluate.search)

    predict = commands.add_parser(
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
        "  skdigits predict photo.jpg --show seen/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    predict.add_argument("inputs", nargs="+", metavar="[MODEL] IMAGE",
                         help="an optional .skdigits model file, then image files or folders "
                         "of images")
    predict.add_argument("--model", metavar="FILE", help="the model file to use")
    predict.add_argument("--allow-pickle", action="store_true", help=_ALLOW_PICKLE_HELP)
    predict.add_argument("--json", action="store_true", help="print the results as JSON")
    predict.add_argument("--show", metavar="DIR",
                         help="save each picture beside what the model saw (28x28) in DIR")
    predict.add_argument("--min-probability", type=_probability, default=0.6, metavar="P",
                         help="flag answers whose probability is under P as unsure, as well "
                         "as pictures whose ink was hard to find; 0 flags only those "
                         "(default: %(default)s)")
    predict.set_defaults(handler=_predict.predict)


def _add_draw_command(commands):
    from . import _draw

    draw = commands.add_parser(
        "draw",
        help="draw a digit in a local web page and watch the model read it",
        description="Serve a page where you draw a digit with the mouse, a finger or a pen "
        "(or drop a photo) and see, after each stroke, the digit the model reads, its ten "
        "probabilities and the 28x28 image it saw. The page talks to a small server on "
        "this machine (POST /predict takes PNG or JPEG bytes and answers JSON); it "
        "listens on 127.0.0.1 only unless --host says otherwise. Without a model, the "
        "model that ships with skdigits (trained on full MNIST) is used.",
        epilog="examples:\n  skdigits draw\n"
        "  skdigits draw skdigits-model.skdigits --port 8000\n"
        "  skdigits draw --no-browser --port 0",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    draw.add_argument("model", nargs="?", help="a model file saved by skdigits train or "
                      "save_model (default: the default model)")
    draw.add_argument("--port", type=_draw.port_number, metavar="N",
                      help=f"port to listen on; 0 picks a free one (default: {_draw.DEFAULT_PORT}, "
                      "or a free one when it is taken)")
    draw.add_argument("--host", default="127.0.0.1",
                      help="interface to listen on (default: %(default)s, this machine only); "
                      "0.0.0.0 lets anyone on the network use the page")
    draw.add_argument("--no-browser", action="store_true",
                      help="do not open the page in a browser; just print its address")
    draw.add_argument("--allow-pickle", action="store_true",
                      help="load a joblib/pickle model file (it can run code: only files you trust)")
    draw.set_defaults(handler=_draw.draw)


def _inspect(args):
    import json

    from .._persistence import inspect_model

    try:
        manifest = inspect_model(args.model)
    except (FileNotFoundError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    print(json.dumps(manifest, indent=2))
    return 0


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings (a scaled-looking picture, a checksum mismatch) as one line, like errors."""
    print(f"skdigits: warning: {message}", file=sys.stderr if file is None else file)


def main(argv=None):
    """Run the ``skdigits`` command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            return args.handler(args)
    except (UsageError, ClusterError) as exc:
        print(f"skdigits: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("skdigits: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `skdigits data | head`): stop quietly, as
        # Python's documentation advises, without a traceback at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
