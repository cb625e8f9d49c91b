"""The ``skdigits`` command line: the table of commands and :func:`main`.

Each command is a module with ``add_parser(subparsers)`` and ``run(args)``;
options several commands share are parent parsers in ``_options``. Only
:mod:`argparse` and those small modules (which import nothing heavy at
their top) load at start-up, so ``skdigits --help`` answers at once;
scikit-learn and TensorFlow load when a command runs.
"""

import argparse
import os
import sys
import warnings

from .._version import __version__
from ..exceptions import ClusterError
from . import (
    _data,
    _download,
    _draw,
    _evaluate,
    _inspect,
    _predict,
    _report,
    _search,
    _train,
)
from ._common import UsageError, terminal_safe

# in the order ``skdigits --help`` lists them
COMMANDS = (_train, _download, _data, _evaluate, _report, _search, _predict, _inspect, _draw)


def build_parser():
    """Return the argument parser of the ``skdigits`` command."""
    parser = argparse.ArgumentParser(
        prog="skdigits",
        description="Handwritten digit recognition with a scikit-learn pipeline around Keras.",
    )
    parser.add_argument("--version", action="version", version=f"skdigits {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(subparsers).set_defaults(run=command.run)
    return parser


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings (a scaled-looking picture, a checksum mismatch) as one line, like errors."""
    text = terminal_safe(message, keep_newlines=True)
    print(f"skdigits: warning: {text}", file=sys.stderr if file is None else file)


def main(argv=None):
    """Run the ``skdigits`` command; return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            return args.run(args)
    except (UsageError, ClusterError) as exc:
        print(f"skdigits: error: {terminal_safe(exc, keep_newlines=True)}", file=sys.stderr)
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
