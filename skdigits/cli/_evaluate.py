"""``skdigits evaluate``, ``skdigits report`` and ``skdigits search``."""

import os

from ._common import (
    UsageError,
    check_output_file,
    check_output_folder,
    load_model_file,
    load_labelled_data,
    print_evaluation,
    quiet_tensorflow,
)


def _check_images(model, X, description):
    expected = getattr(model, "n_features_in_", None)
    if expected is not None and X[0].size != expected:
        raise UsageError(
            f"the model takes images of {expected} pixels but {description} has images of "
            f"{'x'.join(map(str, X.shape[1:]))} pixels"
        )


def _read_pictures(model, files, labels):
    """Read labelled picture files as ``skdigits predict`` does.

    Returns the model without its normaliser, one result per picture (as
    :func:`read_digit` makes it, with ``label``) and the 28x28 images the
    model saw (None where a picture could not be read).
    """
    from .._default_model import raw_image_pipeline
    from ._predict import read_digit

    pipeline = raw_image_pipeline(model)
    normalizer, rest = pipeline.named_steps["normalize"], pipeline[1:]
    results, seen = [], []
    for file, label in zip(files, labels):
        result, _, normalized = read_digit(normalizer, rest, file)
        result["label"] = int(label)
        results.append(result)
        seen.append(normalized)
    return normalizer, rest, results, seen


def _misread(results):
    return [r for r in results if "error" in r or r["digit"] != r["label"]]


def _thumbnail(picture, size=160):
    import numpy as np
    from PIL import Image

    image = Image.fromarray(picture)
    image.thumbnail((size, size))
    return np.asarray(image)


def _evaluate_pictures(model, files, y, description, args):
    from ._predict import _picture_name, _save_side_by_side, read_picture

    if args.show:
        check_output_folder(args.show, "pictures")
    normalizer, _, results, _ = _read_pictures(model, files, y)
    print(f"Model: {args.model}\nData: {description}, read through the normaliser")
    readable = [r for r in results if "error" not in r]
    if readable:
        print_evaluation([r["label"] for r in readable], [r["digit"] for r in readable])
    failed = len(results) - len(readable)
    if failed:
        correct = sum(r["digit"] == r["label"] for r in readable)
        print(f"{failed} of {len(results)} pictures gave no digit; counting them as misread, "
              f"the accuracy is {correct / len(results):.4f} ({correct}/{len(results)}).")
    misread, used = _misread(results), set()
    if misread:
        print(f"\nMisread pictures ({len(misread)}; label -> read as, probability):")
    for r in misread:
        if "error" in r:
            print(f"  {r['file']}: {r['label']} -> no digit ({r['error']})")
            continue
        line = f"  {r['file']}: {r['label']} -> {r['digit']} (p={r['probability']:.2f})"
        if args.show:
            picture, normalized, _ = read_picture(normalizer, r["file"])
            line += "  -> " + _save_side_by_side(
                os.path.join(args.show, f"{r['label']}-" + _picture_name(r["file"], used)),
                picture, normalized, r["digit"], r["probability"],
                title=f"labelled {r['label']}",
            )
        print(line)
    return 0


def evaluate(args):
    """Print accuracy, classification report and confusion matrix of a saved model."""
    model = load_model_file(args.model, args.allow_pickle)
    X, y, description = load_labelled_data(args.data, "test", args.data_home, pictures=True)
    if X.dtype == object:
        return _evaluate_pictures(model, X, y, description, args)
    if getattr(args, "show", None):
        raise UsageError("--show saves misread pictures: use it with --data FOLDER, a folder "
                         "of pictures laid out as <label>/<image>")
    _check_images(model, X, description)
    print(f"Model: {args.model}\nData: {description}")
    print_evaluation(y, model.predict(X))
    return 0


def _report_pictures(model, files, y, description, out):
    """The report of a folder of pictures: on what the model saw, with the misread ones."""
    import numpy as np

    from .._report import build_report
    from ._predict import read_picture

    normalizer, rest, results, seen = _read_pictures(model, files, y)
    keep = [i for i, r in enumerate(results) if "error" not in r]
    if not keep:
        raise UsageError(f"none of the {len(results)} pictures in {description} could be read "
                         f"as a digit: {results[0]['error']}")
    misread = []
    for r in _misread(results):
        entry = {"file": r["file"], "label": r["label"], "read_as": r.get("digit"),
                 "probability": r.get("probability"), "error": r.get("error")}
        if "error" not in r:
            picture, entry["seen"], _ = read_picture(normalizer, r["file"])
            entry["picture"] = _thumbnail(picture)
        misread.append(entry)
    return build_report(
        rest, np.stack([seen[i] for i in keep]), y[keep], out,
        dataset=f"{description}, read through the normaliser", misread_pictures=misread,
    )


def report(args):
    """Write the HTML report and metrics.json of a saved model."""
    from .._report import build_report

    model = load_model_file(args.model, args.allow_pickle)
    check_output_folder(args.out, "the report")
    X, y, description = load_labelled_data(args.data, "test", args.data_home, pictures=True)
    if X.dtype == object:
        path = _report_pictures(model, X, y, description, args.out)
    else:
        _check_images(model, X, description)
        path = build_report(model, X, y, args.out, dataset=description)
    print(f"Wrote {path} and {os.path.join(args.out, 'metrics.json')}.")
    return 0


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


def search(args):
    """Grid search over the network's settings; print, save the table and the best model."""
    if args.workers is not None and args.scheduler != "local":
        raise UsageError("--workers sets the size of a local cluster: use it with --scheduler local")
    if args.scheduler and args.n_jobs is not None:
        raise UsageError("--n-jobs is for fits on this machine; with --scheduler the cluster's "
                         "workers run the fits (size a local one with --workers)")
    if args.scheduler:
        try:
            from ..distributed import connect, fit_on_cluster
        except ImportError as exc:
            raise UsageError(str(exc)) from None
    quiet_tensorflow()
    check_output_folder(args.out, "the search results")
    best_path = check_output_file(os.path.join(args.out, "best_model.skdigits"))

    import pandas as pd
    from sklearn.model_selection import GridSearchCV

    from .._persistence import save_model
    from .._pipeline import make_digit_pipeline
    from .._search import EpochGridSearchCV

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
    for option, name in (("batch_size", "batch_size"), ("dropout", "dropout"),
                         ("learning_rate", "learning_rate")):
        if getattr(args, option):
            grid[f"classifier__{name}"] = getattr(args, option)
    n_candidates = 1
    for values in grid.values():
        n_candidates *= len(values)
    where = (f"on the Dask cluster {args.scheduler}" if args.scheduler
             else f"n_jobs={args.n_jobs or 1}")
    print(
        f"Data: {description}\nSearching {n_candidates} candidates x {args.cv} folds = "
        f"{n_candidates * args.cv} fits ({where}).", flush=True,
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
                "the final refit on all the data runs here.", flush=True,
            )
            fit_on_cluster(search, X, y, client=client, verbose=10, timeout=timeout)
    else:
        search.fit(X, y)
    if shares_runs:
        trained, saved = search.epochs_trained_, search.epochs_saved_
        print(f"\nEpochs: {trained} epochs trained instead of {trained + saved} ({saved} saved): "
              "each fold trains once, to the largest epochs value, and mean_fit_s is each "
              "candidate's share of that run.")
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
    table.to_csv(csv_path, index=False)
    save_model(search.best_estimator_, best_path)
    print(
        f"\nBest: {search.best_params_} (mean CV accuracy {search.best_score_:.4f}).\n"
        f"Saved the table to {csv_path} and the best pipeline, refitted on all the data, "
        f"to {best_path}."
    )
    return 0
