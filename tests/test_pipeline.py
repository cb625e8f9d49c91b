"""The digit pipeline inside scikit-learn's tools."""

import io
import pickle

import joblib
import matplotlib
import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_digits
from sklearn.ensemble import VotingClassifier
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sklearn.model_selection import (
    GridSearchCV,
    cross_val_predict,
    cross_val_score,
    train_test_split,
)

import skdigits

from .conftest import small_pipeline

matplotlib.use("Agg")


def test_pipeline_steps_and_parameters():
    pipe = skdigits.make_digit_pipeline(epochs=5, random_state=0)
    assert list(pipe.named_steps) == ["scaler", "reshape", "classifier"]
    assert isinstance(pipe["scaler"], skdigits.PixelScaler)
    assert isinstance(pipe["reshape"], skdigits.ImageReshaper)
    assert isinstance(pipe["classifier"], skdigits.DigitClassifier)
    assert pipe.get_params()["classifier__epochs"] == 5
    assert is_classifier(pipe)


def test_unknown_classifier_parameter_is_refused():
    with pytest.raises(TypeError, match="hidden_layers"):
        skdigits.make_digit_pipeline(hidden_layers=(10,))


def test_clone_gives_an_unfitted_equal_pipeline(fitted_pipeline):
    copy = clone(fitted_pipeline)
    assert not hasattr(copy["classifier"], "model_")
    assert copy.get_params()["classifier__hidden_layer_sizes"] == (64,)


def test_predicts_digits_from_raw_images(fitted_pipeline, small_split):
    _, X_test, _, y_test = small_split
    y_pred = fitted_pipeline.predict(X_test)
    assert y_pred.shape == y_test.shape
    assert fitted_pipeline.score(X_test, y_test) > 0.7
    report = classification_report(y_test, y_pred, output_dict=True)
    assert set(map(str, range(10))) <= set(report)


def test_also_takes_flattened_rows(fitted_pipeline, small_split):
    _, X_test, _, _ = small_split
    np.testing.assert_array_equal(
        fitted_pipeline.predict(X_test[:20]),
        fitted_pipeline.predict(X_test[:20].reshape(20, 784)),
    )


def test_one_image_goes_through_every_check(fitted_pipeline, small_split):
    _, X_test, _, _ = small_split
    one = X_test[:1]
    expected = fitted_pipeline.predict_proba(one)
    np.testing.assert_array_equal(fitted_pipeline.predict_proba(one.astype(np.float64)), expected)
    np.testing.assert_array_equal(fitted_pipeline.predict_proba(one.tolist()), expected)
    for value, message in [
        (np.nan, "contains NaN"),
        (np.inf, "contains infinity"),
        (300.0, "expects pixel values in"),
        (-1.0, "Negative values"),
    ]:
        bad = one.astype(np.float64)
        bad[0, 5, 5] = value
        with pytest.raises(ValueError, match=message):
            fitted_pipeline.predict(bad)


def test_confusion_matrix_display_from_estimator(fitted_pipeline, small_split):
    _, X_test, _, y_test = small_split
    display = ConfusionMatrixDisplay.from_estimator(fitted_pipeline, X_test, y_test)
    assert display.confusion_matrix.shape == (10, 10)
    assert display.confusion_matrix.sum() == len(y_test)


@pytest.mark.parametrize("dump, load", [(pickle.dumps, pickle.loads), ("joblib", "joblib")])
def test_pickle_and_joblib_round_trips_keep_predictions(fitted_pipeline, small_split, dump, load):
    _, X_test, _, _ = small_split
    if dump == "joblib":
        buffer = io.BytesIO()
        joblib.dump(fitted_pipeline, buffer)
        buffer.seek(0)
        restored = joblib.load(buffer)
    else:
        restored = load(dump(fitted_pipeline))
    np.testing.assert_array_equal(
        restored.predict_proba(X_test), fitted_pipeline.predict_proba(X_test)
    )


def test_wrong_image_size_is_explained(fitted_pipeline):
    with pytest.raises(ValueError, match=r"fitted on images of shape \(28, 28\).*\(8, 8\)"):
        fitted_pipeline.predict(np.zeros((2, 8, 8), dtype=np.uint8))


def test_same_pixel_count_in_another_shape_is_refused(fitted_pipeline):
    with pytest.raises(ValueError, match=r"fitted on images of shape \(28, 28\).*\(14, 56\)"):
        fitted_pipeline.predict(np.zeros((2, 14, 56), dtype=np.uint8))


def test_single_image_gets_a_hint(fitted_pipeline, small_split):
    image = small_split[1][0]
    with pytest.raises(ValueError, match=r"single image of shape \(28, 28\).*X\[None\]"):
        fitted_pipeline.predict(image)
    assert fitted_pipeline.predict(image[None]).shape == (1,)


def test_out_of_range_pixels_are_explained(fitted_pipeline):
    with pytest.raises(ValueError, match=r"\[0, 255\]"):
        fitted_pipeline.predict(np.full((1, 28, 28), 300))


def test_works_on_scikit_learns_8x8_digits():
    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.images, digits.target, test_size=0.25, stratify=digits.target, random_state=0
    )
    pipe = small_pipeline(pixel_range=(0, 16), epochs=10).fit(X_train, y_train)
    assert pipe["reshape"].input_shape_ == (8, 8)
    assert pipe.score(X_test, y_test) > 0.85


def test_cross_val_score(small_split):
    X, _, y, _ = small_split
    scores = cross_val_score(small_pipeline(epochs=2), X, y, cv=3)
    assert scores.shape == (3,) and (scores > 0.5).all()


def test_cross_val_predict_probabilities(small_split):
    X, _, y, _ = small_split
    proba = cross_val_predict(small_pipeline(epochs=2), X, y, cv=3, method="predict_proba")
    assert proba.shape == (len(y), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


def test_soft_voting_classifier(small_split):
    X_train, X_test, y_train, y_test = small_split
    voting = VotingClassifier(
        [("wide", small_pipeline()), ("deep", small_pipeline(hidden_layer_sizes=(32, 16)))],
        voting="soft",
    ).fit(X_train, y_train)
    assert voting.predict_proba(X_test).shape == (len(y_test), 10)
    assert voting.score(X_test, y_test) > 0.6


@pytest.mark.slow
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_grid_search_over_layer_sizes_and_epochs(small_split, n_jobs):
    X, _, y, _ = small_split
    grid = GridSearchCV(
        small_pipeline(),
        {"classifier__hidden_layer_sizes": [(32,), (64, 32, 16)], "classifier__epochs": [1, 2]},
        cv=3,
        n_jobs=n_jobs,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_params_["classifier__hidden_layer_sizes"] in [(32,), (64, 32, 16)]
    assert grid.best_estimator_.predict(X[:5]).shape == (5,)


@pytest.mark.slow
def test_reference_pipeline_reaches_93_percent_on_the_sample(mnist_sample):
    """The reference network, 10 epochs, 20 % stratified hold-out of the sample."""
    X, y = mnist_sample
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    pipe = skdigits.make_digit_pipeline(random_state=0).fit(X_train, y_train)
    assert pipe.score(X_test, y_test) >= 0.93


def test_permutation_importance_works_on_rows_of_pixels(fitted_pipeline, small_split):
    # scikit-learn's inspection tools take 2-D tables only ("Found array with
    # dim 3"); the pipeline takes the same images as rows of pixels
    from sklearn.inspection import permutation_importance

    _, X_test, _, y_test = small_split
    rows = X_test[:60].reshape(60, -1)
    with pytest.raises(ValueError, match="dim 3"):
        permutation_importance(fitted_pipeline, X_test[:60], y_test[:60], n_repeats=1)
    result = permutation_importance(
        fitted_pipeline, rows, y_test[:60], n_repeats=1, random_state=0, max_samples=1.0
    )
    assert result.importances_mean.shape == (784,)
