"""ImageReshaper: flattening and restoring image stacks of any size."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.datasets import load_digits

from skdigits import ImageReshaper


def test_flattens_mnist_images_without_copying():
    X = np.zeros((4, 28, 28), dtype=np.uint8)
    Xt = ImageReshaper().fit_transform(X)
    assert Xt.shape == (4, 784) and Xt.dtype == np.uint8
    assert np.shares_memory(X, Xt)


def test_flattens_sklearn_8x8_digits_and_restores_them():
    images = load_digits().images
    reshaper = ImageReshaper().fit(images)
    flat = reshaper.transform(images)
    assert flat.shape == (len(images), 64)
    assert reshaper.input_shape_ == (8, 8) and reshaper.output_shape_ == (64,)
    np.testing.assert_array_equal(reshaper.inverse_transform(flat), images)


def test_vectors_to_images_with_target_shape():
    X = np.arange(2 * 784).reshape(2, 784)
    Xt = ImageReshaper(target_shape=(28, 28)).fit_transform(X)
    assert Xt.shape == (2, 28, 28)
    np.testing.assert_array_equal(Xt[1, 0], np.arange(784, 812))


def test_already_flat_input_passes_through():
    reshaper = ImageReshaper().fit(np.zeros((2, 28, 28)))
    assert reshaper.transform(np.ones((3, 784))).shape == (3, 784)


def test_wrong_image_size_at_transform_names_both_shapes():
    reshaper = ImageReshaper().fit(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match=r"\(28, 28\) \(784 pixels\).*\(8, 8\) \(64 pixels\)"):
        reshaper.transform(np.zeros((2, 8, 8)))


def test_same_pixel_count_in_another_shape_is_refused():
    reshaper = ImageReshaper().fit(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match=r"fitted on images of shape \(28, 28\).*\(14, 56\)"):
        reshaper.transform(np.zeros((2, 14, 56)))
    with pytest.raises(ValueError, match=r"\(28, 28, 1\)"):
        reshaper.transform(np.zeros((2, 28, 28, 1)))


def test_single_image_is_refused_with_a_hint():
    reshaper = ImageReshaper().fit(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match=r"single image of shape \(28, 28\).*X\[None\]"):
        reshaper.transform(np.zeros((28, 28)))
    assert reshaper.transform(np.zeros((28, 28))[None]).shape == (1, 784)


def test_wrong_row_length_names_the_fitted_image_shape():
    reshaper = ImageReshaper().fit(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match=r"64 features.*784.*\(28, 28\)"):
        reshaper.transform(np.zeros((2, 64)))


def test_inverse_transform_checks_the_output_shape():
    reshaper = ImageReshaper(target_shape=(28, 28)).fit(np.zeros((2, 784)))
    with pytest.raises(ValueError, match=r"\(28, 28\).*\(14, 56\)"):
        reshaper.inverse_transform(np.zeros((2, 14, 56)))
    assert reshaper.inverse_transform(np.zeros((2, 28, 28))).shape == (2, 784)


@pytest.mark.parametrize(
    "target_shape, message",
    [
        ((28, 27), "sizes differ"),
        ((-1, 5), "not a multiple"),
        ((-1, -1), "at most one -1"),
        ((0,), "positive"),
        ("flat", "target_shape"),
    ],
)
def test_incompatible_target_shapes_are_explained(target_shape, message):
    with pytest.raises(ValueError, match=message):
        ImageReshaper(target_shape=target_shape).fit(np.zeros((2, 28, 28)))


def test_empty_input_is_refused():
    with pytest.raises(ValueError, match="0 sample"):
        ImageReshaper().fit(np.zeros((0, 28, 28)))


def test_dataframe_columns_become_feature_names():
    df = pd.DataFrame(np.zeros((2, 3)), columns=["a", "b", "c"])
    reshaper = ImageReshaper().fit(df)
    assert list(reshaper.get_feature_names_out()) == ["a", "b", "c"]


@settings(max_examples=50, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(1, 4), st.integers(1, 7), st.integers(1, 7)),
        elements=st.floats(-10, 10, width=32),
    )
)
def test_property_flatten_and_inverse_round_trip(images):
    reshaper = ImageReshaper().fit(images)
    flat = reshaper.transform(images)
    n, h, w = images.shape
    assert flat.shape == (n, h * w) and flat.dtype == images.dtype
    np.testing.assert_array_equal(reshaper.inverse_transform(flat), images)


def test_a_pipeline_with_pandas_output_takes_rows_and_refuses_stacks_clearly():
    from sklearn.pipeline import make_pipeline

    from skdigits import PixelScaler

    X = np.random.default_rng(0).integers(0, 256, size=(6, 28, 28)).astype(float)
    pipe = make_pipeline(PixelScaler(), ImageReshaper()).set_output(transform="pandas")
    assert pipe.fit_transform(X.reshape(6, -1)).shape == (6, 784)
    with pytest.raises(ValueError, match="PixelScaler.transform cannot give a pandas DataFrame"):
        pipe.fit_transform(X)
    back = ImageReshaper(target_shape=(28, 28)).set_output(transform="pandas")
    with pytest.raises(ValueError, match="ImageReshaper.transform cannot give"):
        back.fit_transform(X.reshape(6, -1))
