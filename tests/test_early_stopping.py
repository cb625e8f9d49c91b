"""DigitClassifier's early stopping and training record (MLPClassifier's knobs and attributes)."""

import numpy as np
import pytest
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import InvalidParameterError

from skdigits import DigitClassifier, load_model, save_model

pytestmark = pytest.mark.filterwarnings("ignore::skdigits.exceptions.AlreadyScaledWarning")


def tiny(**params):
    defaults = dict(hidden_layer_sizes=(32, 16), epochs=30, batch_size=32, random_state=0)
    return DigitClassifier(**{**defaults, **params})


@pytest.fixture(scope="module")
def vectors(small_split):
    X_train, X_test, y_train, y_test = small_split
    flat = lambda X: X.reshape(len(X), -1).astype(np.float32) / 255  # noqa: E731
    return flat(X_train), flat(X_test), y_train, y_test


@pytest.fixture(scope="module")
def stopped(vectors):
    """A fit that early stopping ends well before its 30 epochs."""
    X, _, y, _ = vectors
    return tiny(early_stopping=True, n_iter_no_change=2, validation_fraction=0.2).fit(X, y)


@pytest.fixture
def validation_sets(monkeypatch):
    """The held-out labels (one-hot) of each in-graph fit, as fit_in_graph receives them."""
    import skdigits.model._classifier as classifier_module

    seen = []
    original = classifier_module.fit_in_graph

    def recording(*args, validation=None, **kwargs):
        seen.append(None if validation is None else validation[1].argmax(axis=1))
        return original(*args, validation=validation, **kwargs)

    monkeypatch.setattr(classifier_module, "fit_in_graph", recording)
    return seen


def test_defaults_are_mlp_classifiers():
    from sklearn.neural_network import MLPClassifier

    ours, theirs = DigitClassifier().get_params(), MLPClassifier().get_params()
    for name in ("early_stopping", "validation_fraction", "n_iter_no_change", "tol"):
        assert ours[name] == theirs[name]


@pytest.mark.parametrize(
    "params",
    [
        {"validation_fraction": 1.5},
        {"validation_fraction": 0.0},
        {"n_iter_no_change": 0},
        {"tol": -1.0},
        {"early_stopping": "yes"},
    ],
)
def test_bad_values_get_scikit_learns_parameter_errors(vectors, params):
    X, _, y, _ = vectors
    name = next(iter(params))
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of DigitClassifier"):
        tiny(**{"early_stopping": True, **params}).fit(X[:100], y[:100])


def test_the_split_is_stratified_and_reproducible(vectors, validation_sets):
    X, _, y, _ = vectors
    for seed in (0, 0, 1):
        tiny(epochs=1, early_stopping=True, random_state=seed).fit(X, y)
    first, again, other = validation_sets
    assert len(first) == 100  # validation_fraction=0.1 of 1,000
    np.testing.assert_array_equal(np.bincount(first), np.bincount(y) // 10)  # stratified
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_early_stopping_stops_on_a_plateau_and_not_before_n_iter_no_change(vectors):
    X, _, y, _ = vectors
    # a learning rate too small to move the validation accuracy: one plateau
    flat = tiny(early_stopping=True, n_iter_no_change=3, learning_rate=1e-9).fit(X, y)
    assert flat.n_iter_ == 3 + 2  # the first epoch, then 3 + 1 epochs without improvement
    assert flat.best_epoch_ == 1
    # improvements, but none by more than tol: the same count
    strict = tiny(early_stopping=True, n_iter_no_change=4, tol=1.0).fit(X, y)
    assert strict.n_iter_ == 4 + 2
    # never a plateau of n_iter_no_change: epochs is reached
    patient = tiny(epochs=6, early_stopping=True, n_iter_no_change=10).fit(X, y)
    assert patient.n_iter_ == 6


def test_the_kept_weights_are_those_of_the_best_epoch(stopped, vectors):
    X, X_test, y, _ = vectors
    assert stopped.best_epoch_ < stopped.n_iter_ < 30
    scores = stopped.validation_scores_
    assert stopped.best_epoch_ == int(np.argmax(scores)) + 1
    assert stopped.best_validation_score_ == max(scores)
    # the documented split, trained for exactly best_epoch_ epochs with the same seed
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    exact = tiny(epochs=stopped.best_epoch_).fit(X_train, y_train)
    np.testing.assert_allclose(
        stopped.predict_proba(X_test), exact.predict_proba(X_test), rtol=1e-5, atol=1e-6
    )
    assert exact.n_iter_ == stopped.best_epoch_ and exact.validation_scores_ is None


def test_the_attributes_lengths_match_n_iter(stopped):
    n_iter = stopped.n_iter_
    assert len(stopped.loss_curve_) == len(stopped.validation_scores_) == n_iter
    assert all(len(values) == n_iter for values in stopped.history_.values())
    assert set(stopped.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert stopped.loss_curve_ == stopped.history_["loss"]
    assert stopped.validation_scores_ == stopped.history_["val_accuracy"]
    assert stopped.t_ == n_iter * 800 and stopped.best_loss_ is None


def test_without_early_stopping_the_record_is_mlp_classifiers(vectors):
    X, _, y, _ = vectors
    clf = tiny(epochs=3).fit(X, y)
    assert clf.n_iter_ == len(clf.loss_curve_) == 3 and clf.t_ == 3 * 1000
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert clf.best_epoch_ is None


def test_validation_split_still_works_holding_out_the_last_rows_without_stopping(vectors):
    # Keras' validation_split is kept, not deprecated, because it is not
    # validation_fraction (docs/mlp.rst): the last rows as given, scored after
    # every epoch, no stopping, the last epoch's weights, no MLPClassifier record.
    X, _, y, _ = vectors
    X, y = X[:500], y[:500]
    clf = tiny(epochs=3, validation_split=0.2).fit(X, y)
    assert clf.n_iter_ == 3 and clf.t_ == 3 * 400
    assert len(clf.history_["val_loss"]) == len(clf.history_["val_accuracy"]) == 3
    assert clf.validation_scores_ is None and clf.best_epoch_ is None
    # the held-out rows are the last 100, scored with the final weights
    assert clf.history_["val_accuracy"][-1] == pytest.approx(clf.score(X[400:], y[400:]))
    assert clf.history_["val_accuracy"][-1] != pytest.approx(clf.score(X[:100], y[:100]))


def test_history_grows_across_warm_starts_and_partial_fits(vectors):
    X, _, y, _ = vectors
    clf = tiny(epochs=2, warm_start=True).fit(X, y)
    first = list(clf.history_["loss"])
    clf.fit(X, y)
    assert clf.history_["loss"][:2] == first and clf.n_iter_ == len(clf.loss_curve_) == 4
    clf.partial_fit(X, y)
    assert clf.n_iter_ == len(clf.history_["loss"]) == 5 and clf.t_ == 5 * 1000
    # a fresh fit starts a new record
    clf.set_params(warm_start=False).fit(X, y)
    assert clf.n_iter_ == 2


def test_warm_start_with_early_stopping_continues_the_record_and_its_best(vectors):
    X, _, y, _ = vectors
    clf = tiny(early_stopping=True, warm_start=True, n_iter_no_change=2).fit(X, y)
    n_first, best = clf.n_iter_, clf.best_validation_score_
    clf.fit(X, y)
    assert clf.n_iter_ > n_first
    assert len(clf.validation_scores_) == len(clf.loss_curve_) == clf.n_iter_
    assert clf.best_validation_score_ >= best
    assert clf.validation_scores_[clf.best_epoch_ - 1] == clf.best_validation_score_


def test_partial_fit_follows_mlp_classifiers_contract(vectors):
    X, _, y, _ = vectors
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        tiny().partial_fit(X, y)
    clf = tiny().partial_fit(X[y < 5], y[y < 5], classes=np.arange(10))
    with pytest.raises(ValueError, match="is not the same as on last call"):
        clf.partial_fit(X, y, classes=np.arange(12))
    clf.partial_fit(X, y, sample_weight=np.ones(len(y)))
    assert clf.n_iter_ == 2 and clf.t_ == int((y < 5).sum()) + len(y)
    # after a fit, classes are known
    fitted = tiny(epochs=1, early_stopping=True).fit(X, y)
    fitted.partial_fit(X, y)  # one epoch on all it is given, no split
    assert fitted.n_iter_ == 2 and len(fitted.validation_scores_) == 1
    assert fitted.t_ == 900 + 1000 and fitted.best_epoch_ is None


def test_early_stopping_works_with_augment_and_weights_in_the_compiled_loop(vectors):
    X, _, y, _ = vectors
    clf = tiny(epochs=3, early_stopping=True, augment="affine", class_weight="balanced").fit(
        X, y, sample_weight=np.linspace(0.5, 1.5, len(y))
    )
    assert clf.n_iter_ == 3 and len(clf.validation_scores_) == 3


@pytest.mark.parametrize(
    "params", [{"validation_split": 0.2}, {"training_loop": "keras"}, {"callbacks": []}]
)
def test_early_stopping_refuses_keras_own_loop(vectors, params):
    import keras

    X, _, y, _ = vectors
    if "callbacks" in params:
        params = {"callbacks": [keras.callbacks.TerminateOnNaN()]}
    with pytest.raises(ValueError, match="early_stopping runs inside the in-graph training loop"):
        tiny(epochs=1, early_stopping=True, **params).fit(X[:200], y[:200])


def test_a_too_small_split_is_explained(vectors):
    X, _, y, _ = vectors
    with pytest.raises(ValueError, match="early_stopping=True holds out validation_fraction"):
        tiny(epochs=1, early_stopping=True).fit(X[:15], y[:15])


def test_the_record_is_saved_and_loaded(stopped, vectors, tmp_path):
    X, _, y, _ = vectors
    path = save_model(stopped, tmp_path / "stopped.skdigits")
    loaded = load_model(path)
    for name in (
        "loss_curve_",
        "validation_scores_",
        "best_validation_score_",
        "best_loss_",
        "best_epoch_",
        "n_iter_",
        "t_",
    ):
        assert getattr(loaded, name) == getattr(stopped, name), name
    assert loaded.history_ == stopped.history_
    loaded.partial_fit(X, y)
    assert loaded.n_iter_ == stopped.n_iter_ + 1 == len(loaded.history_["loss"])


def test_plot_history_marks_the_kept_epoch(stopped):
    import matplotlib

    matplotlib.use("Agg")
    from skdigits import plot_history

    fig = plot_history(stopped)
    for ax in fig.axes:
        labels = [line.get_label() for line in ax.get_lines()]
        assert labels == ["training", "validation", f"kept: epoch {stopped.best_epoch_}"]


def test_the_report_says_where_training_stopped(stopped, vectors, tmp_path):
    from skdigits import build_report

    _, X_test, _, y_test = vectors
    path = build_report(stopped, X_test, y_test, tmp_path / "report")
    page = open(path, encoding="utf-8").read()
    assert (
        f"Early stopping ended the training after epoch {stopped.n_iter_} of at most 30 "
        f"and kept the weights of epoch {stopped.best_epoch_}"
    ) in page


def test_train_command_with_early_stopping(tmp_path, capsys, empty_data_home):
    from skdigits.cli import main

    out = tmp_path / "model.skdigits"
    argv = ["train", "--early-stopping", "--epochs", "2", "--hidden", "32", "--out", str(out)]
    assert main([*argv, "--verbose", "0"]) == 0
    printed = capsys.readouterr().out
    assert "early stopping on a stratified 400 held out" in printed
    assert "kept the weights of epoch" in printed
    classifier = load_model(out)["classifier"]
    assert classifier.early_stopping and len(classifier.validation_scores_) == classifier.n_iter_
