"""What the commands' parsers share: parent parsers for repeated options, value types.

Each ``*_options`` function returns a fresh parent parser for
``add_parser(..., parents=[...])``, so an option several commands take
(``--data-home``, ``--allow-pickle``, ...) is written once, in one wording.
The value types turn a bad value into argparse's one-line error (exit
status 2). Only :mod:`argparse` and the standard library load here.
"""

import argparse
import shutil
import textwrap

DATA_HELP = (
    "sample, mnist, fashion-mnist, a folder/.npz that load_mnist(path=...) reads, or a "
    "folder of your own pictures laid out as <label>/<image>, read through the "
    "normaliser as skdigits predict reads them (default: %(default)s)"
)


def add_command(subparsers, name, *, help, description, epilog=None, parents=(), aliases=()):
    """Add a subcommand; its description is wrapped, its epilog (examples) kept as written."""
    width = max(shutil.get_terminal_size().columns - 2, 20)  # as argparse wraps help
    return subparsers.add_parser(
        name,
        aliases=list(aliases),
        help=help,
        description=textwrap.fill(description, width),
        epilog=epilog,
        parents=list(parents),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _parent():
    return argparse.ArgumentParser(add_help=False)


def data_home_options():
    """``--data-home DIR``: where data sets live."""
    parser = _parent()
    parser.add_argument(
        "--data-home",
        metavar="DIR",
        help="where data sets live (default: $SKDIGITS_DATA, else ~/skdigits_data)",
    )
    return parser


def allow_pickle_options():
    """``--allow-pickle``: also load joblib/pickle model files."""
    parser = _parent()
    parser.add_argument(
        "--allow-pickle",
        action="store_true",
        help="also load a joblib/pickle model file; loading a pickle can run any code it "
        "holds, so use this only for files you made or trust",
    )
    return parser


def model_options(*, optional=False):
    """The ``model`` file argument (``optional``: the default model when left out)."""
    parser = _parent()
    help = "a model file saved by skdigits train or save_model"
    parser.add_argument(
        "model",
        nargs="?" if optional else None,
        help=help + (" (default: the default model)" if optional else ""),
    )
    return parser


def labelled_data_options(default):
    """``--data``: the labelled digits to evaluate or search on."""
    parser = _parent()
    parser.add_argument("--data", default=default, help=DATA_HELP)
    return parser


def evaluation_data_options():
    """``--data`` (default: what ``train`` would test on) and ``--include-training-data``."""
    parser = _parent()
    parser.add_argument(
        "--data",
        default=None,
        help=DATA_HELP.replace(
            "(default: %(default)s)",
            "(default: mnist's test set when full MNIST is on this machine, else the "
            "part of the sample the model did not train on, as skdigits train chooses)",
        ),
    )
    parser.add_argument(
        "--include-training-data",
        action="store_true",
        help="also score digits the model file says it was trained on (the embedded "
        "sample is MNIST training digits): otherwise they are left out, or refused "
        "when there is nothing else",
    )
    return parser


def random_state_options():
    """``--random-state SEED``: the seed of the data split and the network."""
    parser = _parent()
    parser.add_argument(
        "--random-state",
        type=seed,
        default=0,
        metavar="SEED",
        help="seed of the split and the network (default: %(default)s)",
    )
    return parser


def _number(text, kind, check, expected):
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not check(value):
        raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}")
    return value


def layer_sizes(text):
    """Parse "1024,128,64" into (1024, 128, 64)."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive layer sizes such as 1024,128,64; got {text!r}"
        )
    return sizes


def fraction(text):
    """A number strictly between 0 and 1."""
    return _number(text, float, lambda v: 0.0 < v < 1.0, "a number between 0 and 1")


def dropout_rate(text):
    """A dropout rate in [0, 1)."""
    return _number(text, float, lambda v: 0.0 <= v < 1.0, "a dropout rate in [0, 1)")


def probability(text):
    """A probability in [0, 1]."""
    return _number(text, float, lambda v: 0.0 <= v <= 1.0, "a probability in [0, 1]")


def positive_float(text):
    """A finite positive number."""
    return _number(text, float, lambda v: 0 < v < float("inf"), "a positive number")


def positive_int(text):
    """An integer of at least 1."""
    return _number(text, int, lambda v: v >= 1, "a positive integer")


def at_least_two(text):
    """An integer of at least 2."""
    return _number(text, int, lambda v: v >= 2, "an integer of at least 2")


def seed(text):
    """A random seed NumPy accepts."""
    return _number(text, int, lambda v: 0 <= v < 2**32, "a seed from 0 to 4294967295")
