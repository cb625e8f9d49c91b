"""DigitClassifier: parameters, training, labels, errors."""

import keras
import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone, is_classifier
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.utils import get_tags

from skdigits import DigitClassifier

pytestmark = pytest.mark.filterwarnings("ignore::skdigits.exceptions.AlreadyScaledWarning")


def tiny(**params):
    defaults = dict(hidden_layer_sizes=(16,), epochs=2, batch_size=32, random_state=0)
    return DigitClassifier(**{**defaults, **params})


@pytest.fixture(scope="module")
def vectors(small_split):
    X_train, X_test, y_train, y_test = small_split
    flat = lambda X: X.reshape(len(X), -1).astype(np.float32) / 255  # noqa: E731
    return flat(X_train), flat(X_test), y_train, y_test


@pytest.fixture(scope="module")
def fitted(vectors):
    X, _, y, _ = vectors
    return tiny(validation_split=0.2).fit(X, y)


def test_is_a_scikit_learn_classifier():
    clf = DigitClassifier()
    assert is_classifier(clf)
    tags = get_tags(clf)
    assert tags.estimator_type == "classifier"
    assert tags.target_tags.required
    assert not tags.input_tags.sparse


def test_parameters_are_reachable_without_prefix():
    params = DigitClassifier().get_params()
    assert params["hidden_layer_sizes"] == (1024, 128, 64)
    assert params["epochs"] == 10 and params["batch_size"] == 64
    assert params["shuffle"] is True and params["optimizer"] == "adam"
    assert not any("__" in name for name in params)


def test_init_stores_parameters_untouched():
    sizes = [10, 5]
    clf = DigitClassifier(sizes, dropout=(0.1, 0.0))
    assert clf.hidden_layer_sizes is sizes
    assert clone(clf).get_params()["dropout"] == (0.1, 0.0)


def test_set_params_refuses_unknown_names():
    with pytest.raises(ValueError, match="Invalid parameter 'epoch'"):
        DigitClassifier().set_params(epoch=3)


def test_repr_is_scikit_learns():
    assert repr(DigitClassifier(epochs=3)) == "DigitClassifier(epochs=3)"


def test_fitted_attributes(fitted, vectors):
    X, X_test, y, _ = vectors
    np.testing.assert_array_equal(fitted.classes_, np.arange(10))
    assert fitted.n_classes_ == 10
    assert fitted.n_features_in_ == 784
    assert isinstance(fitted.model_, keras.Model)
    proba = fitted.predict_proba(X_test[:5])
    assert proba.shape == (5, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(fitted.predict(X_test[:5]), proba.argmax(axis=1))


def test_history_holds_per_epoch_metrics(fitted):
    assert set(fitted.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 2 for values in fitted.history_.values())


def test_string_labels_round_trip(vectors):
    X, _, y, _ = vectors
    names = np.array(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
    clf = tiny().fit(X[:300], names[y[:300]])
    assert set(clf.predict(X[:10])) <= set(names)
    np.testing.assert_array_equal(clf.classes_, np.sort(names))


def test_two_classes_use_two_softmax_units(vectors):
    X, _, y, _ = vectors
    mask = y < 2
    clf = tiny().fit(X[mask], y[mask])
    assert clf.predict_proba(X[:3]).shape == (3, 2)


def test_same_random_state_gives_identical_predictions(vectors):
    X, X_test, y, _ = vectors
    first = tiny().fit(X, y).predict_proba(X_test)
    second = tiny().fit(X, y).predict_proba(X_test)
    np.testing.assert_array_equal(first, second)


def test_one_hot_targets_are_refused_with_a_hint(vectors):
    X, _, y, _ = vectors
    one_hot = keras.utils.to_categorical(y[:50])
    with pytest.raises(ValueError, match=r"one-hot.*integer labels.*argmax"):
        tiny().fit(X[:50], one_hot)


def test_column_vector_target_warns_as_scikit_learn_does(vectors):
    X, _, y, _ = vectors
    with pytest.warns(DataConversionWarning):
        tiny(epochs=1).fit(X[:100], y[:100].reshape(-1, 1))


def test_single_class_is_refused(vectors):
    X, _, _, _ = vectors
    with pytest.raises(ValueError, match="at least 2 classes.*1 class"):
        tiny().fit(X[:20], np.full(20, 3))


def test_continuous_targets_are_refused(vectors):
    X, _, _, _ = vectors
    with pytest.raises(ValueError, match="Unknown label type"):
        tiny().fit(X[:20], np.linspace(0, 1, 20))


def test_wrong_feature_count_at_predict(fitted):
    with pytest.raises(ValueError, match="64 features.*784"):
        fitted.predict(np.zeros((2, 64)))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_refused(fitted, bad):
    X = np.zeros((2, 784))
    X[0, 0] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        fitted.predict(X)


def test_images_must_be_flattened_first(vectors):
    X, _, y, _ = vectors
    with pytest.raises(ValueError, match="Expected 2D|3"):
        tiny().fit(X[:50].reshape(50, 28, 28), y[:50])


def test_sparse_and_text_and_empty_input_are_refused(fitted):
    with pytest.raises(TypeError, match="dense"):
        fitted.predict(sparse.csr_matrix(np.zeros((2, 784))))
    with pytest.raises(ValueError, match="string|convert"):
        fitted.predict(np.full((2, 784), "x"))
    with pytest.raises(ValueError, match="0 sample"):
        fitted.predict(np.zeros((0, 784)))


def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        DigitClassifier().predict(np.zeros((1, 784)))


def test_invalid_parameters_are_explained(vectors):
    X, _, y, _ = vectors
    with pytest.raises(ValueError, match="not a Keras optimizer name"):
        tiny(optimizer="adamx").fit(X[:50], y[:50])
    with pytest.raises(ValueError, match="learning_rate"):
        tiny(learning_rate=-1.0).fit(X[:50], y[:50])
    with pytest.raises(ValueError, match="activations has 2 entries"):
        tiny(activations=("relu", "tanh")).fit(X[:50], y[:50])


def test_early_stopping_callback_stops_training(vectors):
    X, _, y, _ = vectors
    stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=10.0, patience=0)
    clf = tiny(epochs=20, callbacks=[stop]).fit(X[:200], y[:200])
    assert len(clf.history_["loss"]) < 20


def test_class_weight_and_sample_weight_are_accepted(vectors):
    X, _, y, _ = vectors
    weights = np.ones(200)
    clf = tiny(class_weight="balanced").fit(X[:200], y[:200], sample_weight=weights)
    assert clf.predict(X[:5]).shape == (5,)
    assert (weights == 1).all()


def test_warm_start_keeps_training_the_same_network(vectors):
    X, _, y, _ = vectors
    clf = tiny(warm_start=True).fit(X[:200], y[:200])
    network = clf.model_
    clf.fit(X[:200], y[:200])
    assert clf.model_ is network


def test_partial_fit_with_all_classes_announced(vectors):
    X, X_test, y, _ = vectors
    first = y < 5
    clf = tiny().partial_fit(X[first], y[first], classes=np.arange(10))
    clf.partial_fit(X[~first], y[~first])
    np.testing.assert_array_equal(clf.classes_, np.arange(10))
    assert clf.predict_proba(X_test[:3]).shape == (3, 10)
    assert len(clf.history_["loss"]) == 2


def test_refit_on_other_labels_learns_the_new_classes(vectors):
    X, _, y, _ = vectors
    clf = tiny().fit(X[:200], y[:200])
    clf.fit(X[:200], y[:200] + 10)
    np.testing.assert_array_equal(clf.classes_, np.arange(10, 20))


def test_seeded_fit_leaves_tensorflow_op_determinism_off(vectors):
    """scikeras' seeding left op determinism on, breaking later unseeded fits."""
    from tensorflow.python.framework import config

    X, _, y, _ = vectors
    tiny(random_state=3).fit(X[:100], y[:100])
    assert not config.is_op_determinism_enabled()


def test_fast_predictions_equal_keras_predict(fitted, vectors):
    _, X_test, _, _ = vectors
    np.testing.assert_allclose(
        fitted.predict_proba(X_test), fitted.model_.predict(X_test, verbose=0), atol=1e-5
    )
    np.testing.assert_allclose(
        fitted.predict_proba(X_test[:1]), fitted.model_.predict(X_test[:1], verbose=0), atol=1e-5
    )


def test_predictions_follow_further_training(vectors):
    X, X_test, y, _ = vectors
    clf = tiny(warm_start=True).fit(X[:200], y[:200])
    before = clf.predict_proba(X_test[:20])
    clf.fit(X[:200], y[:200])
    after = clf.predict_proba(X_test[:20])
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, clf.model_.predict(X_test[:20], verbose=0), atol=1e-5)


@pytest.mark.parametrize("activation", ["sigmoid", "silu", "swish"])
def test_fast_predictions_of_large_negative_pre_activations(vectors, activation):
    """exp(-z) overflows float32 below z = -88.7: the logistic function must not."""
    import warnings

    X, _, y, _ = vectors
    clf = tiny(activations=activation, epochs=1).fit(X[:100], y[:100])
    far = np.full((2, X.shape[1]), -1000.0, dtype=np.float32)
    far[1, ::2] = 1000.0
    kernel, bias = clf.model_.layers[0].get_weights()
    assert (far @ kernel + bias).min() < -500  # e^500 is far beyond float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        proba = clf.predict_proba(far)
    np.testing.assert_allclose(proba, clf.model_.predict(far, verbose=0), rtol=1e-4, atol=1e-5)


def test_predict_checks_plain_arrays_as_validate_data_does(fitted, vectors):
    """NumPy rows take a quicker route through the input checks: same checks, same results."""
    _, X_test, _, _ = vectors
    rows = X_test[:5]
    expected = fitted.predict_proba(rows.tolist())  # a list: scikit-learn's validate_data
    np.testing.assert_array_equal(fitted.predict_proba(rows), expected)
    np.testing.assert_array_equal(fitted.predict_proba(rows.astype(np.float64)), expected)
    bad = rows.copy()
    bad[2, 7] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        fitted.predict(bad)
    large = rows.astype(np.float64)
    large[2, 7] = 1e300  # finite in float64, infinite in the network's float32
    with pytest.raises(ValueError, match="Input X contains infinity"):
        fitted.predict(large)
    with pytest.raises(
        ValueError, match="X has 783 features, but DigitClassifier is expecting 784"
    ):
        fitted.predict(rows[:, 1:])
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        fitted.predict(rows[0])


def test_restore_gives_the_state_fit_leaves_without_training(fitted, vectors):
    from collections import defaultdict

    X, X_test, y, _ = vectors
    network = keras.models.clone_model(fitted.model_)
    network.set_weights(fitted.model_.get_weights())
    network.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    clf = clone(fitted)._restore(
        network, classes=fitted.classes_, n_features_in=X.shape[1], history=fitted.history_
    )
    assert clf.model_ is network and "_build_keras_model" not in vars(clf)
    np.testing.assert_array_equal(clf.predict_proba(X_test), fitted.predict_proba(X_test))
    assert (clf.n_classes_, clf.n_features_in_, clf.target_encoder_.n_classes_) == (10, 784, 10)
    assert isinstance(clf.history_, defaultdict) and clf.history_ == fitted.history_
    clf.partial_fit(X[:100], y[:100])  # trains the network it was given, on its own history
    assert len(clf.history_["loss"]) == len(fitted.history_["loss"]) + 1
    names = np.array([f"px{i}" for i in range(X.shape[1])], dtype=object)
    named = clone(fitted)._restore(
        network, classes=fitted.classes_, n_features_in=X.shape[1], feature_names_in=names
    )
    assert named.feature_names_in_ is names and not hasattr(named, "history_")
