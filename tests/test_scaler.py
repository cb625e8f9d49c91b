"""PixelScaler: fixed and learnt ranges, shapes, dtypes, bad input."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import sparse

from skdigits import PixelScaler
from skdigits.exceptions import AlreadyScaledWarning, PixelRangeWarning


def test_default_divides_by_255_without_fitting():
    X = np.array([[0, 51, 255]], dtype=np.uint8)
    np.testing.assert_allclose(PixelScaler().transform(X), [[0.0, 0.2, 1.0]])


def test_output_is_float32_and_keeps_3d_shape(mnist_sample):
    X = mnist_sample[0][:10]
    Xt = PixelScaler().fit_transform(X)
    assert Xt.dtype == np.float32
    assert Xt.shape == (10, 28, 28)
    assert Xt.min() == 0.0 and Xt.max() == 1.0


def test_does_not_modify_float32_input():
    X = np.full((2, 4), 100.0, dtype=np.float32)
    PixelScaler().fit_transform(X)
    assert (X == 100.0).all()


def test_transform_does_not_modify_its_input():
    scaler = PixelScaler().fit(np.zeros((1, 4), dtype=np.float32))
    X = np.full((2, 4), 100.0, dtype=np.float32)
    np.testing.assert_allclose(scaler.transform(X), 100 / 255)
    assert (X == 100.0).all()


def test_fixed_range_learns_nothing_from_data():
    scaler = PixelScaler().fit(np.full((3, 4), 100))
    assert (scaler.data_min_, scaler.data_max_) == (0.0, 255.0)
    assert scaler.transform([[255, 0, 0, 0]])[0, 0] == 1.0


def test_fit_range_learns_global_min_and_max():
    X = np.array([[10, 20], [30, 110]])
    scaler = PixelScaler(pixel_range="fit").fit(X)
    assert (scaler.data_min_, scaler.data_max_) == (10.0, 110.0)
    np.testing.assert_allclose(scaler.transform(X), [[0.0, 0.1], [0.2, 1.0]])


def test_fit_range_requires_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        PixelScaler(pixel_range="fit").transform([[1, 2]])


def test_feature_range_and_inverse_transform():
    X = np.array([[0, 127.5, 255]])
    scaler = PixelScaler(feature_range=(-1, 1))
    Xt = scaler.fit_transform(X)
    np.testing.assert_allclose(Xt, [[-1.0, 0.0, 1.0]])
    np.testing.assert_allclose(scaler.inverse_transform(Xt), X, rtol=1e-6)


def test_clip_clips_out_of_range_pixels():
    Xt = PixelScaler(clip=True).fit_transform(np.array([[-10.0, 300.0, 51.0]]))
    np.testing.assert_allclose(Xt, [[0.0, 1.0, 0.2]])


def test_fit_range_clip_limits_new_data_to_feature_range():
    scaler = PixelScaler(pixel_range="fit", clip=True).fit([[0, 100]])
    np.testing.assert_allclose(scaler.transform([[-50, 200]]), [[0.0, 1.0]])


@pytest.mark.parametrize("bad", [-1, 256, 1000.5])
def test_out_of_range_pixels_are_refused(bad):
    with pytest.raises(ValueError, match=r"expects pixel values in \[0, 255\].*clip=True"):
        PixelScaler().fit_transform(np.array([[0, bad]]))


def test_already_scaled_images_warn():
    with pytest.warns(AlreadyScaledWarning, match="divided by 255 twice"):
        PixelScaler().fit_transform(np.full((2, 3), 0.5))


def test_raw_pixels_do_not_warn(mnist_sample):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PixelScaler().fit_transform(mnist_sample[0][:5])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_refused(bad):
    with pytest.raises(ValueError, match="NaN|infinity"):
        PixelScaler().fit([[0.0, bad]])


@pytest.mark.parametrize(
    "bad, message",
    [
        (
            np.full((2, 3, 3), np.nan),
            r"contains NaN: 18 pixel\(s\) in 2 sample\(s\), the first in sample 0",
        ),
        (
            np.array([[0.0, 1.0], [2.0, np.inf]]),
            r"contains infinity: 1 pixel\(s\) in 1 sample\(s\), the first in sample 1",
        ),
        (np.array([[1, "a"]], dtype=object), "expects numeric pixel values; could not convert"),
        (np.zeros((2, 3, 3), complex), "Complex data not supported: PixelScaler expects real"),
        (np.zeros(784), r"got a 1-D array of shape \(784,\).*X\[None\]"),
        (
            [np.zeros((28, 28)), np.zeros((14, 14))],
            r"images of several shapes \(\(14, 14\), \(28, 28\)\)",
        ),
        (["photo.jpg"], r"file paths, use make_digit_pipeline\(raw_images=True\)"),
    ],
)
def test_bad_input_gets_a_one_line_message(bad, message):
    with pytest.raises((TypeError, ValueError), match=message) as info:
        PixelScaler().fit(bad)
    assert "\n" not in str(info.value)


def test_strings_are_refused():
    with pytest.raises((TypeError, ValueError), match="numeric|string"):
        PixelScaler().fit(np.array([["a", "b"]]))


def test_empty_array_is_refused():
    with pytest.raises(ValueError, match="0 sample"):
        PixelScaler().fit(np.empty((0, 28, 28)))


def test_sparse_input_is_refused():
    with pytest.raises(TypeError, match="dense"):
        PixelScaler().fit(sparse.csr_matrix(np.ones((2, 3))))


def test_wrong_number_of_pixels_at_transform():
    scaler = PixelScaler().fit(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match=r"\(28, 28\) \(784 pixels\).*\(8, 8\) \(64 pixels\)"):
        scaler.transform(np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match=r"64 features.*784.*\(28, 28\)"):
        scaler.transform(np.zeros((2, 64)))


def test_image_shape_is_remembered_and_another_refused():
    scaler = PixelScaler().fit(np.zeros((2, 28, 28)))
    assert scaler.input_shape_ == (28, 28)
    with pytest.raises(ValueError, match=r"fitted on images of shape \(28, 28\).*\(14, 56\)"):
        scaler.transform(np.zeros((2, 14, 56)))
    with pytest.raises(ValueError, match=r"\(14, 56\)"):
        scaler.inverse_transform(np.zeros((2, 14, 56)))
    assert scaler.transform(np.zeros((2, 784))).shape == (2, 784)


def test_single_image_is_refused_with_a_hint():
    scaler = PixelScaler().fit(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match=r"single image of shape \(28, 28\).*X\[None\]"):
        scaler.transform(np.zeros((28, 28)))


def test_unfitted_fixed_range_scaler_takes_any_shape():
    assert PixelScaler().transform(np.zeros((2, 14, 56))).shape == (2, 14, 56)


def test_pixels_in_a_small_part_of_the_range_warn():
    from sklearn.datasets import load_digits

    images = load_digits().images[:50]
    with pytest.warns(PixelRangeWarning, match=r"\[0, 16\].*pixel_range=\(0, 16\).*'fit'"):
        PixelScaler().fit(images)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PixelScaler(pixel_range=(0, 16)).fit_transform(images)
        PixelScaler(pixel_range="fit").fit_transform(images)
        PixelScaler(warn_scaled=False).fit_transform(images)
        PixelScaler().fit_transform(np.zeros((2, 3)))  # blank images say nothing


def test_invalid_ranges_are_reported():
    with pytest.raises(ValueError, match="low < high"):
        PixelScaler(pixel_range=(255, 0)).fit([[1]])
    with pytest.raises(ValueError, match="pair of numbers"):
        PixelScaler(feature_range=(0, "x")).fit([[1]])


def test_dataframe_in_and_pandas_out():
    df = pd.DataFrame({"pixel0": [0, 255], "pixel1": [51, 102]})
    scaler = PixelScaler().set_output(transform="pandas")
    out = scaler.fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["pixel0", "pixel1"]
    assert list(scaler.get_feature_names_out()) == ["pixel0", "pixel1"]
    np.testing.assert_allclose(out.to_numpy(), [[0.0, 0.2], [1.0, 0.4]])


@settings(max_examples=50, deadline=None)
@given(
    arrays(
        np.uint8,
        st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6)),
    )
)
def test_property_shape_dtype_range_and_round_trip(images):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlreadyScaledWarning)
        warnings.simplefilter("ignore", PixelRangeWarning)
        scaler = PixelScaler().fit(images)
        Xt = scaler.transform(images)
    assert Xt.shape == images.shape
    assert Xt.dtype == np.float32
    assert Xt.min() >= 0.0 and Xt.max() <= 1.0
    np.testing.assert_allclose(scaler.inverse_transform(Xt), images, atol=1e-3)


@settings(max_examples=50, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.integers(1, 8)),
        elements=st.floats(-1e3, 1e3),
    ),
    st.tuples(st.floats(-5, 0), st.floats(0.5, 5)),
)
def test_property_fit_range_maps_onto_feature_range(X, feature_range):
    scaler = PixelScaler(pixel_range="fit", feature_range=feature_range)
    Xt = scaler.fit_transform(X)
    low, high = feature_range
    tolerance = 1e-4 * (high - low)
    assert Xt.min() >= low - tolerance and Xt.max() <= high + tolerance
    np.testing.assert_allclose(scaler.inverse_transform(Xt), X, atol=1e-3 * max(1.0, np.ptp(X)))


def test_default_equals_the_tutorials_division_by_255(mnist_sample):
    X = mnist_sample[0][:50]
    np.testing.assert_array_equal(
        PixelScaler().fit_transform(X), X.astype(np.float32) / np.float32(255)
    )


def test_pandas_output_of_an_image_stack_says_to_pass_rows_instead():
    pytest.importorskip("pandas")
    X = np.random.default_rng(0).integers(0, 256, size=(6, 28, 28)).astype(float)
    scaler = PixelScaler().set_output(transform="pandas")
    with pytest.raises(
        ValueError, match=r"cannot give a pandas DataFrame.*X\.reshape\(len\(X\), -1\)"
    ):
        scaler.fit_transform(X)
    rows = scaler.fit_transform(X.reshape(6, -1))
    assert rows.shape == (6, 784) and list(rows.columns[:2]) == ["x0", "x1"]
