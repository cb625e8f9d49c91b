"""``skdigits download``: fetch a data set into the data home and verify it."""

from ._common import DATASET_NAMES, UsageError
from ._options import add_command, data_home_options, positive_float


def add_parser(subparsers):
    """Add ``skdigits download``."""
    parser = add_command(
        subparsers,
        "download",
        help="download a data set into the data home and verify it",
        description="Download the four IDX files of a data set into <data home>/<name>/, "
        "with a progress bar, a timeout and checksum verification. Files already present "
        "and verified are kept; an interrupted download leaves nothing behind.",
        epilog="examples:\n  skdigits download mnist\n"
        "  skdigits download fashion-mnist --data-home ~/data\n",
        parents=[data_home_options()],
    )
    parser.add_argument("dataset", choices=DATASET_NAMES, help="the data set")
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        metavar="SECONDS",
        help="give up on a silent server after this long (default: %(default)s)",
    )
    return parser


def run(args):
    """Fetch a data set into the data home and report whether it verifies."""
    from ..datasets import dataset_status, download_dataset
    from ..exceptions import DownloadError

    try:
        folder = download_dataset(args.dataset, data_home=args.data_home, timeout=args.timeout)
    except DownloadError as exc:
        raise UsageError(str(exc)) from None
    status = dataset_status(args.dataset, data_home=args.data_home)
    state = "verified" if status["verified"] else "present but NOT verified"
    print(f"{args.dataset}: {state} in {folder}")
    return 0 if status["verified"] else 1
