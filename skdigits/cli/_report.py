"""``skdigits report``: a self-contained HTML report and metrics.json about a model."""

import os

from ._common import (
    UsageError,
    check_images,
    check_output_folder,
    evaluation_data,
    load_model_file,
)
from ._options import (
    add_command,
    allow_pickle_options,
    data_home_options,
    evaluation_data_options,
    model_options,
)


def add_parser(subparsers):
    """Add ``skdigits report``."""
    parser = add_command(
        subparsers,
        "report",
        help="write a self-contained HTML report and metrics.json about a saved model",
        description="Write DIR/report.html (self-contained: images embedded) and "
        "DIR/metrics.json for a saved pipeline evaluated on labelled digits.",
        epilog="examples:\n  skdigits report skdigits-model.skdigits --data mnist --out report/",
        parents=[
            model_options(),
            allow_pickle_options(),
            evaluation_data_options(),
            data_home_options(),
        ],
    )
    parser.add_argument(
        "--out",
        default="skdigits-report",
        metavar="DIR",
        help="output folder (default: %(default)s)",
    )
    return parser


def _report_pictures(model, files, y, description, out):
    """The report of a folder of pictures: on what the model saw, with the misread ones."""
    import numpy as np

    from ..images import DigitReader
    from ..reporting import build_report

    reader = DigitReader(model)
    readings = reader.read_all(files, y, keep_pictures="misread", picture_size=160)
    keep = [i for i, r in enumerate(readings) if r.error is None]
    if not keep:
        raise UsageError(
            f"none of the {len(readings)} pictures in {description} could be read "
            f"as a digit: {readings[0].error}"
        )
    return build_report(
        reader.classifier,
        np.stack([readings[i].seen for i in keep]),
        y[keep],
        out,
        dataset=f"{description}, read through the normaliser",
        misread_pictures=[r for r in readings if r.misread],
    )


def run(args):
    """Write the HTML report and metrics.json of a saved model."""
    from ..reporting import build_report

    model = load_model_file(args.model, args.allow_pickle)
    check_output_folder(args.out, "the report")
    X, y, description = evaluation_data(args)
    if X.dtype == object:
        path = _report_pictures(model, X, y, description, args.out)
    else:
        check_images(model, X, description)
        path = build_report(model, X, y, args.out, dataset=description)
    print(f"Wrote {path} and {os.path.join(args.out, 'metrics.json')}.")
    return 0
