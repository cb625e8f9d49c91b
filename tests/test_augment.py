"""Training-time augmentation, learning-rate schedules, label smoothing and presets."""

import numpy as np
import pytest

from skdigits import DigitClassifier, make_digit_pipeline


@pytest.fixture(scope="module")
def digits(mnist_sample):
    X, y = mnist_sample
    return X.reshape(len(X), -1).astype(np.float32) / 255.0, y


def _distort(augment, X, seed=(1, 2), shape=(28, 28)):
    import tensorflow as tf

    from skdigits.model._augment import make_augmenter, resolve_augment

    distort = make_augmenter(resolve_augment(augment), shape)
    return np.asarray(distort(tf.constant(X), tf.constant(seed, tf.int32)))


# -- the distortions ---------------------------------------------------------------
@pytest.mark.parametrize("augment", ["affine", "elastic", {"rotation": 20, "elastic": (34, 4)}])
def test_distortions_are_seeded_and_change_with_the_seed(digits, augment):
    X = digits[0][:16]
    first, again, other = _distort(augment, X), _distort(augment, X), _distort(augment, X, (3, 4))
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    assert first.shape == X.shape and 0 <= first.min() and first.max() <= 1 + 1e-6


def test_no_ranges_leave_the_images_unchanged(digits):
    X = digits[0][:16]
    np.testing.assert_array_equal(_distort({}, X), X)


def test_a_shift_moves_the_ink(digits):
    X = digits[0][:1]
    moved = _distort({"shift": 3}, X, seed=(5, 6)).reshape(28, 28)
    original = X.reshape(28, 28)
    rows, cols = np.indices(original.shape)
    centre = lambda image: (np.sum(rows * image) / image.sum(), np.sum(cols * image) / image.sum())  # noqa: E731
    shift = np.subtract(centre(moved), centre(original))
    assert 0.1 < np.abs(shift).max() <= 3.5


@pytest.mark.parametrize(
    "augment, message",
    [
        ("wobbly", "'augment' parameter of DigitClassifier must be None, a str among"),
        ({"spin": 3}, r"unknown keys \['spin'\]"),
        ({"rotation": -1}, "between 0 and 180"),
        ({"scale": (1.2, 0.8)}, "0 < low <= high"),
        ({"elastic": (34,)}, r"\(alpha, sigma\)"),
        ({"shift": float("nan")}, "finite number"),
        (["affine"], "'augment' parameter of DigitClassifier must be None"),
    ],
)
def test_bad_augment_settings_are_clear_errors(digits, augment, message):
    from skdigits.model._augment import resolve_augment

    if isinstance(augment, dict):
        with pytest.raises(ValueError, match=message):
            resolve_augment(augment)
    X, y = digits
    with pytest.raises(ValueError, match=message):
        DigitClassifier(hidden_layer_sizes=(8,), epochs=1, augment=augment).fit(X[:100], y[:100])


# -- in training ---------------------------------------------------------------------
def _fit(X, y, **params):
    defaults = dict(hidden_layer_sizes=(32,), epochs=2, random_state=0)
    return DigitClassifier(**{**defaults, **params}).fit(X, y)


def test_augmented_training_is_reproducible_and_differs_from_plain(digits):
    X, y = digits[0][:600], digits[1][:600]
    one, two = _fit(X, y, augment="affine"), _fit(X, y, augment="affine")
    plain = _fit(X, y)
    for a, b in zip(one.model_.get_weights(), two.model_.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(one.model_.get_weights()[0], plain.model_.get_weights()[0])


def test_identity_ranges_train_exactly_as_without_augment(digits):
    X, y = digits[0][:600], digits[1][:600]
    identity, plain = _fit(X, y, augment={}), _fit(X, y)
    assert identity.history_["loss"] == plain.history_["loss"]


def test_augment_is_off_when_predicting(digits):
    X, y = digits[0][:600], digits[1][:600]
    clf = _fit(X, y, augment="elastic")
    with_augment = clf.predict_proba(X[:50])
    clf.set_params(augment=None)
    np.testing.assert_array_equal(clf.predict_proba(X[:50]), with_augment)


@pytest.mark.slow
def test_distorted_digits_still_read_as_themselves(digits):
    X, y = digits
    clf = _fit(X[:4000], y[:4000], hidden_layer_sizes=(256,), epochs=8, augment="affine")
    clean = clf.score(X[4000:], y[4000:])
    distorted = clf.score(_distort("affine", X[4000:], seed=(9, 9)), y[4000:])
    assert clean > 0.9 and distorted > clean - 0.05


def test_augment_needs_the_in_graph_loop(digits):
    X, y = digits[0][:200], digits[1][:200]
    with pytest.raises(ValueError, match="augment runs inside the in-graph training loop"):
        _fit(X, y, augment="affine", validation_split=0.2)


def test_augment_needs_an_image_shape(digits):
    X, y = digits[0][:200, :700], digits[1][:200]
    with pytest.raises(ValueError, match="700 features are not a square image"):
        _fit(X, y, augment="affine")
    with pytest.raises(ValueError, match=r"image_shape=\(20, 20\) does not hold the 700"):
        _fit(X, y, augment="affine", image_shape=(20, 20))
    assert _fit(X, y, augment="affine", image_shape=(28, 25), epochs=1).n_features_in_ == 700


def test_augment_through_the_pipeline_and_a_grid(digits, mnist_sample):
    from sklearn.model_selection import GridSearchCV

    X, y = mnist_sample
    grid = GridSearchCV(
        make_digit_pipeline(hidden_layer_sizes=(16,), epochs=1, random_state=0),
        {"classifier__augment": [None, "affine"]},
        cv=2,
    )
    grid.fit(X[:300], y[:300])
    assert list(grid.cv_results_["param_classifier__augment"]) == [None, "affine"]


# -- learning-rate schedules and label smoothing --------------------------------------
@pytest.mark.parametrize("schedule, final", [("cosine", 0.0), ("exponential", 1e-5), (None, 1e-3)])
def test_learning_rate_schedules_span_the_fit(digits, schedule, final):
    X, y = digits[0][:320], digits[1][:320]
    clf = _fit(X, y, learning_rate_schedule=schedule, batch_size=32, epochs=2)
    optimizer = clf.model_.optimizer
    assert int(optimizer.iterations) == 20
    assert float(optimizer.learning_rate) == pytest.approx(final, abs=1e-7)


def test_label_smoothing_changes_the_loss_in_both_loops(digits):
    X, y = digits[0][:300], digits[1][:300]
    plain = _fit(X, y, epochs=1).history_["loss"][0]
    smoothed = _fit(X, y, epochs=1, label_smoothing=0.2).history_["loss"][0]
    keras_loop = _fit(X, y, epochs=1, label_smoothing=0.2, training_loop="keras").history_["loss"][
        0
    ]
    assert smoothed > plain
    assert keras_loop == pytest.approx(smoothed, rel=0.05)


def test_a_scheduled_model_saves_and_loads(tmp_path, digits):
    from skdigits import load_model, save_model

    X, y = digits[0][:300], digits[1][:300]
    clf = _fit(
        X, y, epochs=1, learning_rate_schedule="cosine", augment="affine", label_smoothing=0.1
    )
    restored = load_model(save_model(clf, tmp_path / "clf.skdigits"))
    assert restored.get_params() == clf.get_params()
    np.testing.assert_allclose(restored.predict_proba(X), clf.predict_proba(X), atol=1e-6)


# -- presets -----------------------------------------------------------------------
def test_best_preset_and_overrides():
    best = make_digit_pipeline(preset="best")["classifier"]
    assert best.augment == "affine" and best.learning_rate_schedule == "cosine"
    assert best.hidden_layer_sizes == (1024, 128, 64)
    assert make_digit_pipeline(preset="best", epochs=3)["classifier"].epochs == 3
    reference = make_digit_pipeline(preset="reference")["classifier"]
    assert reference.get_params() == make_digit_pipeline()["classifier"].get_params()
    with pytest.raises(ValueError, match="preset='fast' is not a known preset"):
        make_digit_pipeline(preset="fast")
