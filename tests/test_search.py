"""EpochGridSearchCV: GridSearchCV's results from one training run per fold and setting."""

import os
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skdigits import DigitClassifier, EpochGridSearchCV, make_digit_pipeline

GRID = {"classifier__epochs": [1, 2, 3]}


@pytest.fixture(scope="module")
def digits(mnist_sample):
    X, y = mnist_sample
    return X[:300], y[:300]


def pipeline(**params):
    return make_digit_pipeline(**{"hidden_layer_sizes": (16,), "random_state": 0, **params})


def assert_same_search(ours, theirs):
    """Same cv_results_ (all but the times), best candidate and refitted model."""
    assert sorted(ours.cv_results_) == sorted(theirs.cv_results_)
    for key, value in theirs.cv_results_.items():
        if key.endswith("_time"):
            continue
        if key == "params":
            assert ours.cv_results_[key] == value
        elif np.asarray(value).dtype.kind == "f":
            np.testing.assert_allclose(ours.cv_results_[key], value, rtol=1e-6, err_msg=key)
        else:
            assert list(ours.cv_results_[key]) == list(value), key
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_index_ == theirs.best_index_


@pytest.fixture(scope="module")
def searches(digits):
    """The same 3-epochs grid searched both ways, with the search's wall time."""
    start = time.perf_counter()
    ours = EpochGridSearchCV(pipeline(), GRID, cv=2).fit(*digits)
    seconds = time.perf_counter() - start
    theirs = GridSearchCV(pipeline(), GRID, cv=2).fit(*digits)
    return ours, theirs, seconds


# -- equality with GridSearchCV ------------------------------------------------------
def test_scores_and_best_candidate_equal_grid_search(searches):
    ours, theirs, _ = searches
    assert_same_search(ours, theirs)
    assert ours.best_score_ == pytest.approx(theirs.best_score_)


def test_refitted_best_estimator_predicts_as_grid_search(searches, digits):
    ours, theirs, _ = searches
    X, _ = digits
    np.testing.assert_array_equal(ours.predict_proba(X), theirs.predict_proba(X))
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.best_estimator_[-1].epochs == ours.best_params_["classifier__epochs"]


def test_one_run_per_fold_trains_the_largest_epochs_only(searches):
    ours, _, _ = searches
    assert ours.epochs_trained_ == 2 * 3  # 2 folds x 3 epochs
    assert ours.epochs_saved_ == 2 * (1 + 2 + 3) - 2 * 3


def test_fit_times_are_shares_of_the_run(searches):
    ours, _, seconds = searches
    results = ours.cv_results_
    assert (results["mean_fit_time"] > 0).all() and (results["mean_score_time"] > 0).all()
    # The shares of a run add up to the run: together, within the search's time.
    spent = 2 * (results["mean_fit_time"].sum() + results["mean_score_time"].sum())
    assert spent < seconds - ours.refit_time_
    # The first share builds the network (and traces its training function).
    assert results["mean_fit_time"][0] > results["mean_fit_time"][1]


def test_several_metrics_refit_by_name_and_train_scores_equal_grid_search(digits):
    options = dict(
        scoring=["accuracy", "f1_macro"], refit="f1_macro", cv=2, return_train_score=True
    )
    grid = {"classifier__epochs": [1, 3]}
    ours = EpochGridSearchCV(pipeline(), grid, **options).fit(*digits)
    theirs = GridSearchCV(pipeline(), grid, **options).fit(*digits)
    assert_same_search(ours, theirs)
    assert "split1_train_f1_macro" in ours.cv_results_ and "rank_test_accuracy" in ours.cv_results_
    assert ours.multimetric_ and ours.best_score_ == pytest.approx(theirs.best_score_)
    assert set(ours.scorer_) == {"accuracy", "f1_macro"}


@pytest.mark.slow
def test_two_layer_settings_share_runs_separately_and_equal_grid_search(digits):
    grid = {
        "classifier__hidden_layer_sizes": [(16,), (8, 8)],
        "classifier__epochs": [1, 2, 3],
        "classifier__dropout": [0.0, 0.2],
    }
    ours = EpochGridSearchCV(pipeline(), grid, cv=2).fit(*digits)
    theirs = GridSearchCV(pipeline(), grid, cv=2).fit(*digits)
    assert_same_search(ours, theirs)
    assert ours.epochs_trained_ == 2 * 2 * 2 * 3


@pytest.mark.slow
def test_bare_classifier_and_a_list_of_grids_equal_grid_search(digits):
    X, y = digits
    X = X.reshape(len(X), -1) / 255.0
    grid = [{"epochs": [2, 1], "batch_size": [32]}, {"epochs": [2], "shuffle": [False]}]
    classifier = DigitClassifier(hidden_layer_sizes=(16,), random_state=0)
    ours = EpochGridSearchCV(classifier, grid, cv=2).fit(X, y)
    theirs = GridSearchCV(classifier, grid, cv=2).fit(X, y)
    assert_same_search(ours, theirs)
    assert ours.epochs_saved_ == 2 * 1


@pytest.mark.slow
def test_parallel_runs_equal_the_sequential_search(searches, digits):
    ours, _, _ = searches
    parallel = EpochGridSearchCV(pipeline(), GRID, cv=2, n_jobs=2).fit(*digits)
    assert_same_search(parallel, ours)


def test_without_refit_it_reports_each_fold_and_epochs_value(digits, capsys):
    search = EpochGridSearchCV(
        pipeline(), {"classifier__epochs": [1, 2]}, cv=2, refit=False, verbose=3
    ).fit(*digits)
    printed = capsys.readouterr().out
    assert "totalling 4 fits, in 2 training runs (4 epochs instead of 6)" in printed
    assert printed.count("(shared run)") == 4 and "classifier__epochs=2;, score=" in printed
    assert not hasattr(search, "best_estimator_") and "classifier__epochs" in search.best_params_
    assert search.cv_results_["rank_test_score"].shape == (2,)


@pytest.mark.slow
def test_sample_weights_are_split_with_the_folds_as_in_grid_search(digits):
    X, y = digits
    weights = np.where(np.asarray(y) % 2 == 0, 2.0, 0.5)
    grid = {"classifier__epochs": [1, 2]}
    ours = EpochGridSearchCV(pipeline(), grid, cv=2).fit(X, y, classifier__sample_weight=weights)
    theirs = GridSearchCV(pipeline(), grid, cv=2).fit(X, y, classifier__sample_weight=weights)
    assert_same_search(ours, theirs)
    unweighted = EpochGridSearchCV(pipeline(), grid, cv=2).fit(X, y)
    assert not np.allclose(
        unweighted.cv_results_["mean_test_score"], ours.cv_results_["mean_test_score"]
    )


# -- grids that share nothing: GridSearchCV's own fit ----------------------------------
def test_grid_without_epochs_is_fitted_as_grid_search(digits):
    grid = {"classifier__batch_size": [32, 64]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing to share is no reason to warn
        search = EpochGridSearchCV(pipeline(epochs=1), grid, cv=2).fit(*digits)
    assert search.epochs_trained_ == 2 * 2 and search.epochs_saved_ == 0
    assert list(search.cv_results_["param_classifier__batch_size"]) == [32, 64]


def test_epochs_on_the_classifier_default_only_are_its_epochs(digits):
    X, y = digits
    X = X.reshape(len(X), -1) / 255.0
    grid = {"hidden_layer_sizes": [(8,), (16,)]}
    search = EpochGridSearchCV(DigitClassifier(epochs=2, random_state=0), grid, cv=2).fit(X, y)
    assert search.epochs_trained_ == 2 * 2 * 2 and search.epochs_saved_ == 0
    assert search.best_estimator_.epochs == 2


# -- what cannot be shared ---------------------------------------------------------------
def test_non_skdigits_estimator_is_refused_with_a_clear_message(digits):
    X, y = digits
    with pytest.raises(
        TypeError,
        match="DigitClassifier or a pipeline ending in one.*"
        "LogisticRegression.*Use sklearn.model_selection",
    ):
        EpochGridSearchCV(LogisticRegression(), {"C": [1, 2]}).fit(X.reshape(300, -1), y)


def test_a_learning_rate_schedule_over_the_total_epochs_is_fitted_separately(digits):
    grid = {"classifier__epochs": [1, 2]}
    with pytest.warns(UserWarning, match="separately.*learning_rate_schedule='cosine'"):
        search = EpochGridSearchCV(pipeline(learning_rate_schedule="cosine"), grid, cv=2).fit(
            *digits
        )
    assert search.epochs_saved_ == 0


@pytest.mark.slow
def test_augmented_training_equals_grid_search(digits):
    grid = {"classifier__epochs": [1, 3]}
    ours = EpochGridSearchCV(pipeline(augment="affine"), grid, cv=2).fit(*digits)
    theirs = GridSearchCV(pipeline(augment="affine"), grid, cv=2).fit(*digits)
    assert_same_search(ours, theirs)
    assert ours.epochs_saved_ == 2


def test_warm_start_candidates_are_fitted_separately_with_one_warning(digits):
    with pytest.warns(UserWarning, match=r"fits 2 candidate\(s\) separately.*warm_start") as caught:
        search = EpochGridSearchCV(
            pipeline(warm_start=True), {"classifier__epochs": [1, 2]}, cv=2
        ).fit(*digits)
    assert len([w for w in caught if "separately" in str(w.message)]) == 1
    assert search.epochs_saved_ == 0 and search.epochs_trained_ == 2 * 3


@pytest.mark.slow
@pytest.mark.parametrize(
    "params, reason",
    [
        ({"training_loop": "keras"}, "training_loop='keras'"),
        ({"validation_split": 0.2}, "validation_split"),
        ({"early_stopping": True, "validation_fraction": 0.2}, "early_stopping"),
    ],
)
def test_keras_training_loop_candidates_are_fitted_separately(digits, params, reason):
    grid = {"classifier__epochs": [1, 2]}
    with pytest.warns(UserWarning, match=f"separately.*{reason}"):
        ours = EpochGridSearchCV(pipeline(**params), grid, cv=2).fit(*digits)
    theirs = GridSearchCV(pipeline(**params), grid, cv=2).fit(*digits)
    assert_same_search(ours, theirs)
    assert ours.epochs_saved_ == 0


def test_a_failing_run_scores_its_candidates_as_error_score(digits):
    grid = {"classifier__dropout": [0.0, 1.5], "classifier__epochs": [1, 2]}
    with pytest.warns(Warning, match="4 fits failed out of a total of 8"):
        search = EpochGridSearchCV(pipeline(), grid, cv=2, error_score=-1.0).fit(*digits)
    scores = search.cv_results_["mean_test_score"]
    assert (scores[2:] == -1.0).all() and (scores[:2] > 0.1).all()
    with pytest.raises(ValueError, match="dropout"):
        EpochGridSearchCV(pipeline(), grid, cv=2, error_score="raise").fit(*digits)


# -- where it is used ---------------------------------------------------------------------
def test_cli_search_says_how_many_epochs_it_saved(tmp_path, capsys, empty_data_home):
    from skdigits.cli import main

    assert (
        main(
            [
                "search",
                "--hidden",
                "16",
                "--epochs",
                "1",
                "2",
                "--cv",
                "2",
                "--data",
                "sample",
                "--max-samples",
                "300",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "4 epochs trained instead of 6 (2 saved)" in printed
    assert list(tmp_path.glob("best_model.*"))  # the refitted best pipeline


@pytest.mark.slow
def test_runs_on_a_dask_cluster_equal_the_local_search(searches, digits):
    pytest.importorskip("distributed", reason="the distributed extra is not installed")
    from distributed import get_task_stream

    from skdigits.distributed import connect, fit_on_cluster

    ours, _, _ = searches
    search = EpochGridSearchCV(pipeline(), GRID, cv=2)
    with connect("local", n_workers=2) as client, get_task_stream(client) as stream:
        fit_on_cluster(search, *digits, client=client)
    assert_same_search(search, ours)
    # the workers ran the shared runs: one per fold, none of the candidates alone
    keys = [str(task["key"]) for task in stream.data]
    assert keys and all("_fit_and_score_epochs" in key for key in keys), keys


@pytest.mark.slow
def test_search_benchmark_runs_and_finds_the_same_results():
    script = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks", "search.py"
    )
    result = subprocess.run(
        [sys.executable, script, "--tiny", "--repeats", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "| ratio |" in result.stdout and "| same | same |" in result.stdout


# -- the one answer to "can this fit be observed per epoch?" ------------------------------
@pytest.mark.parametrize(
    "params, reason",
    [
        ({"warm_start": True}, "warm_start=True continues the previous fit"),
        ({"learning_rate_schedule": "exponential"}, "learning_rate_schedule='exponential'"),
        ({"training_loop": "keras"}, "training_loop='keras' trains through Keras' Model.fit"),
        ({"callbacks": [object()]}, "callbacks (early stopping"),
        ({"validation_split": 0.1}, "validation_split trains through Keras' Model.fit"),
        ({"early_stopping": True}, "early_stopping=True chooses its own epoch"),
    ],
)
def test_epoch_observation_says_why_a_fit_cannot_stand_for_shorter_ones(params, reason):
    from skdigits.model import epoch_observation

    assert epoch_observation(DigitClassifier()) == (True, None)
    observable, why = epoch_observation(DigitClassifier(**params))
    assert not observable and why.startswith(reason)


def test_observing_epochs_reports_each_epoch_of_the_in_graph_loop_only(digits):
    from skdigits.model import observing_epochs

    X, y = digits
    X = X[:64].reshape(64, -1) / 255.0
    classifier = DigitClassifier(hidden_layer_sizes=(8,), epochs=2, random_state=0)
    seen = []
    with observing_epochs(
        classifier, lambda done: seen.append((done, classifier.score(X, y[:64])))
    ):
        classifier.fit(X, y[:64])
    assert [done for done, _ in seen] == [1, 2]
    assert seen[-1][1] == classifier.score(X, y[:64])  # the last epoch's weights are the fit's
    assert not hasattr(classifier, "_epoch_observer")
    keras_loop = classifier.set_params(training_loop="keras")
    with observing_epochs(keras_loop, seen.append), pytest.raises(ValueError, match="in-graph"):
        keras_loop.fit(X, y[:64])


def test_the_search_hook_takes_this_threads_next_search_only(digits):
    from sklearn.model_selection import _search as sklearn_search

    from skdigits._compat import _search_fits_through

    X, y = digits
    X = X.reshape(len(X), -1)[:, ::8] / 255.0
    original = sklearn_search.Parallel
    handed = []

    def run_fits(calls, parallel):
        handed.append([call[2]["candidate_progress"][0] for call in calls])
        return parallel(calls)

    def search():
        return GridSearchCV(LogisticRegression(max_iter=50), {"C": [0.1, 1.0]}, cv=2).fit(X, y)

    with _search_fits_through(run_fits):
        hooked = search()
        after = search()  # the next search of the thread runs as it always does
    assert handed == [[0, 0, 1, 1]] and sklearn_search.Parallel is original
    np.testing.assert_array_equal(
        hooked.cv_results_["mean_test_score"], after.cv_results_["mean_test_score"]
    )


def test_without_the_hook_it_fits_as_grid_search_and_says_so(digits, monkeypatch):
    import contextlib

    import skdigits.model_selection._search as search_module

    monkeypatch.setattr(search_module, "_search_fits_through", lambda _: contextlib.nullcontext())
    with pytest.warns(UserWarning, match="could not share training runs"):
        search = EpochGridSearchCV(pipeline(), {"classifier__epochs": [1, 2]}, cv=2).fit(*digits)
    assert search.epochs_saved_ == 0 and search.epochs_trained_ == 2 * 3
    assert search.verbose == 0 and search.cv_results_["mean_test_score"].shape == (2,)
