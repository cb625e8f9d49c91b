"""``skdigits inspect``: a .skdigits file's manifest, without loading the model."""

from ._common import UsageError
from ._options import add_command


def add_parser(subparsers):
    """Add ``skdigits inspect``."""
    parser = add_command(
        subparsers,
        "inspect",
        help="print the manifest of a .skdigits model file without loading it",
        description="Print what a .skdigits model file holds (format version, the versions "
        "that wrote it, the pipeline's steps, parameters and fitted state) as JSON, "
        "without loading the model or running anything from it.",
        epilog="examples:\n  skdigits inspect skdigits-model.skdigits",
    )
    parser.add_argument("model", help="a .skdigits model file")
    return parser


def run(args):
    """Print the manifest as JSON."""
    import json

    from ..persistence import inspect_model

    try:
        manifest = inspect_model(args.model)
    except (FileNotFoundError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    print(json.dumps(manifest, indent=2))
    return 0
