"""``skdigits search``: grid search over the network's settings, here or on a Dask cluster."""

import os

from ._common import (
    UsageError,
    check_output_file,
    check_output_folder,
    load_labelled_data,
    quiet_tensorflow,
)
from ._options import (
    add_command,
    at_least_two,
    data_home_options,
    dropout_rate,
    labelled_data_options,
    layer_sizes,
    positive_float,
    positive_int,
    random_state_options,
)


def add_parser(subparsers):
    """Add ``skdigits search``."""
    parser = add_command(
        subparsers,
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
        '\n--scheduler needs the distributed extra: pip install "skdigits[distributed]"',
        parents=[labelled_data_options("sample"), data_home_options(), random_state_options()],
    )
    parser.add_argument(
        "--hidden",
        type=layer_sizes,
        nargs="+",
        default=[(1024, 128, 64)],
        metavar="SIZES",
        help="layer-size lists to try, e.g. 128 1024,128,64",
    )
    parser.add_argument(
        "--epochs",
        type=positive_int,
        nargs="+",
        default=[10],
        metavar="N",
        help="epochs values to try; several share one training run per fold",
    )
    parser.add_argument("--batch-size", type=positive_int, nargs="+", metavar="N")
    parser.add_argument("--dropout", type=dropout_rate, nargs="+", metavar="RATE")
    parser.add_argument("--learning-rate", type=positive_float, nargs="+", metavar="RATE")
    parser.add_argument("--cv", type=at_least_two, default=3, help="folds (default: %(default)s)")
    parser.add_argument("--n-jobs", type=int, help="parallel fits on this machine (default: 1)")
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the fits on a Dask cluster: a scheduler address such as "
        "tcp://host:8786, or 'local' for worker processes on this machine",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="worker processes for --scheduler local (default: one per core)",
    )
    parser.add_argument(
        "--connect-timeout",
        type=positive_float,
        default=30.0,
        metavar="S",
        help="seconds to wait for the scheduler, and for a first worker (default: %(default)s)",
    )
    parser.add_argument(
        "--max-samples",
        type=positive_int,
        metavar="N",
        help="search on a stratified subset of N digits",
    )
    parser.add_argument(
        "--out",
        default="skdigits-search",
        metavar="DIR",
        help="folder for search_results.csv and best_model.skdigits (default: %(default)s)",
    )
    return parser


def _check_folds(y, args):
    """Every class needs a digit in each fold: say so instead of scikit-learn's traceback."""
    import numpy as np

    labels, counts = np.unique(y, return_counts=True)
    if counts.min() < args.cv:
        rarest = labels[np.argmin(counts)]
        raise UsageError(
            f"--cv {args.cv} needs at least {args.cv} digits of each class, but class "
            f"{rarest} has {counts.min()}: use fewer folds or more data (--max-samples)"
        )


def run(args):
    """Grid search over the network's settings; print, save the table and the best model."""
    if args.workers is not None and args.scheduler != "local":
        raise UsageError(
            "--workers sets the size of a local cluster: use it with --scheduler local"
        )
    if args.scheduler and args.n_jobs is not None:
        raise UsageError(
            "--n-jobs is for fits on this machine; with --scheduler the cluster's "
            "workers run the fits (size a local one with --workers)"
        )
    if args.scheduler:
        try:
            from ..distributed import connect, fit_on_cluster
        except ImportError as exc:
            raise UsageError(str(exc)) from None
    quiet_tensorflow()
    check_output_folder(args.out, "the search results")
    best_path = check_output_file(os.path.join(args.out, "best_model.skdigits"))

    import pandas as pd
    from sklearn.model_selection import GridSearchCV, ParameterGrid

    from ..model import make_digit_pipeline
    from ..model_selection import EpochGridSearchCV
    from ..persistence import save_model
    from ..utils import atomic_open

    X, y, description = load_labelled_data(args.data, "train", args.data_home)
    if args.max_samples and args.max_samples < len(y):
        n_classes = len(set(y.tolist()))
        if args.max_samples < n_classes * args.cv:
            raise UsageError(
                f"--max-samples {args.max_samples} is too few for --cv {args.cv}: each of the "
                f"{n_classes} classes needs at least {args.cv} digits, so at least "
                f"{n_classes * args.cv} in all"
            )
        from sklearn.model_selection import train_test_split

        X, _, y, _ = train_test_split(
            X, y, train_size=args.max_samples, stratify=y, random_state=args.random_state
        )
        description += f", stratified subset of {len(y):,}"
    _check_folds(y, args)
    grid = {"classifier__hidden_layer_sizes": args.hidden, "classifier__epochs": args.epochs}
    for option, name in (
        ("batch_size", "batch_size"),
        ("dropout", "dropout"),
        ("learning_rate", "learning_rate"),
    ):
        if getattr(args, option):
            grid[f"classifier__{name}"] = getattr(args, option)
    n_candidates = len(ParameterGrid(grid))
    where = (
        f"on the Dask cluster {args.scheduler}" if args.scheduler else f"n_jobs={args.n_jobs or 1}"
    )
    print(
        f"Data: {description}\nSearching {n_candidates} candidates x {args.cv} folds = "
        f"{n_candidates * args.cv} fits ({where}).",
        flush=True,
    )
    # several epochs values: one training run per fold for all of them
    shares_runs = len(set(args.epochs)) > 1
    search = (EpochGridSearchCV if shares_runs else GridSearchCV)(
        make_digit_pipeline(random_state=args.random_state),
        grid,
        cv=args.cv,
        n_jobs=args.n_jobs or 1,
        # per-fit lines are printed where the fit runs: here, or in the workers' logs
        verbose=1 if args.scheduler else 3,
        error_score="raise",
    )
    if args.scheduler:
        timeout = args.connect_timeout
        with connect(args.scheduler, n_workers=args.workers, timeout=timeout) as client:
            workers = client.scheduler_info()["workers"].values()
            print(
                f"Cluster: {client.scheduler.address}, {len(workers)} worker(s), "
                f"{sum(w['nthreads'] for w in workers)} thread(s); progress below, "
                "the final refit on all the data runs here.",
                flush=True,
            )
            fit_on_cluster(search, X, y, client=client, verbose=10, timeout=timeout)
    else:
        search.fit(X, y)
    if shares_runs:
        trained, saved = search.epochs_trained_, search.epochs_saved_
        print(
            f"\nEpochs: {trained} epochs trained instead of {trained + saved} ({saved} saved): "
            "each fold trains once, to the largest epochs value, and mean_fit_s is each "
            "candidate's share of that run."
        )
    results = pd.DataFrame(search.cv_results_)
    table = pd.DataFrame({"rank": results["rank_test_score"]})
    for key in grid:
        table[key.removeprefix("classifier__")] = results[f"param_{key}"].astype(str)
    table["mean_score"] = results["mean_test_score"].round(4)
    table["std_score"] = results["std_test_score"].round(4)
    table["mean_fit_s"] = results["mean_fit_time"].round(2)
    table = table.sort_values("rank").reset_index(drop=True)
    print("\n" + table.to_string(index=False))
    csv_path = os.path.join(os.path.dirname(best_path), "search_results.csv")
    # the model first, then the table, each written whole or not at all: a
    # table in the folder means the search finished and its best model is there
    save_model(search.best_estimator_, best_path)
    with atomic_open(csv_path, "w", encoding="utf-8") as handle:
        table.to_csv(handle, index=False, lineterminator="\n")
    print(
        f"\nBest: {search.best_params_} (mean CV accuracy {search.best_score_:.4f}).\n"
        f"Saved the table to {csv_path} and the best pipeline, refitted on all the data, "
        f"to {best_path}."
    )
    return 0
