"""Input validation shared by the skdigits transformers.

Image stacks of shape ``(n_samples, height, width)`` are validated as the
``(n_samples, height * width)`` tables they are in memory, so that every
transformer counts features, reports sizes and rejects bad values the same
way, whatever the number of dimensions of its input.
"""

import math

import numpy as np
from scipy import sparse
from sklearn.utils.validation import validate_data


def validate_images(
    estimator, X, *, reset, dtype="numeric", ensure_all_finite=True, copy=False
):
    """Validate a table or a stack of images.

    Parameters
    ----------
    estimator : estimator instance
        The estimator that validates; ``n_features_in_`` (and
        ``feature_names_in_`` for DataFrames) is set on it when ``reset``.
    X : array-like of shape (n_samples, n_features) or (n_samples, *image_shape)
        Input. Sparse matrices are refused.
    reset : bool
        Whether this call records the number of features (``fit``) or checks
        it against the recorded one (``transform``).
    dtype : str, type or None, default="numeric"
        Passed to :func:`sklearn.utils.check_array`.
    ensure_all_finite : bool, default=True
        Whether NaN and infinite values are refused.
    copy : bool, default=False
        Whether the result must not share memory with ``X``.

    Returns
    -------
    X_2d : ndarray of shape (n_samples, n_features)
        The validated data, flattened per sample (a view when possible).
    sample_shape : tuple of int
        The shape of one sample of the input, e.g. ``(28, 28)`` or ``(784,)``.
    """
    if sparse.issparse(X):
        raise TypeError(
            f"{type(estimator).__name__} does not accept sparse input: images are "
            "dense. Convert it with X.toarray() first."
        )
    if hasattr(X, "iloc") or getattr(X, "ndim", None) == 2:
        X_2d = validate_data(
            estimator, X, reset=reset, dtype=dtype,
            ensure_all_finite=ensure_all_finite,
            copy=copy,
        )
        return X_2d, X_2d.shape[1:]
    X = np.asarray(X)
    if X.dtype.kind in "USO":
        raise TypeError(
            f"{type(estimator).__name__} expects numeric pixel values; got an "
            f"array of dtype {X.dtype}. Convert strings or objects to numbers first."
        )
    if X.ndim < 2:
        # Let scikit-learn raise its usual "Expected 2D array" message.
        validate_data(estimator, X, reset=reset, dtype=dtype)
    sample_shape = X.shape[1:]
    X_2d = X.reshape(X.shape[0], math.prod(sample_shape))
    X_2d = validate_data(
        estimator, X_2d, reset=reset, dtype=dtype,
            ensure_all_finite=ensure_all_finite,
            copy=copy,
    )
    return X_2d, sample_shape
