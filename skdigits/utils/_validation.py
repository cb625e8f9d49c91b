"""Input validation shared by the skdigits estimators.

Image stacks of shape ``(n_samples, height, width)`` are validated as the
``(n_samples, height * width)`` tables they are in memory, so that every
transformer counts features, reports sizes and rejects bad values the same
way, whatever the number of dimensions of its input. Plain NumPy arrays given
to fitted estimators, what each step of a pipeline gets from the one before
it, are checked directly (:func:`validate_fitted_array`), without
scikit-learn's inspection of what the input is.
"""

import contextlib
import math

import numpy as np
from scipy import sparse
from sklearn.utils.validation import validate_data


def validate_images(estimator, X, *, reset, dtype="numeric", ensure_all_finite=True, copy=False):
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
    name = type(estimator).__name__
    if sparse.issparse(X):
        raise TypeError(
            f"{name} does not accept sparse input: images are "
            "dense. Convert it with X.toarray() first."
        )
    if hasattr(X, "iloc") or getattr(X, "ndim", None) == 2:
        X_2d = _validate_numeric(estimator, X, reset, dtype, copy)
        sample_shape = X_2d.shape[1:]
    else:
        X = _as_array(X, name)
        if X.ndim < 2:
            raise ValueError(
                f"{name} expects a table of shape (n_samples, n_pixels) or a stack of "
                f"images (n_samples, height, width); got "
                + ("a scalar" if X.ndim == 0 else f"a 1-D array of shape {X.shape}")
                + ". Reshape your data: for one flattened image, pass X[None] or "
                "X.reshape(1, -1)."
            )
        sample_shape = X.shape[1:]
        X_2d = X.reshape(X.shape[0], math.prod(sample_shape))
        X_2d = _validate_numeric(estimator, X_2d, reset, dtype, copy)
    if ensure_all_finite:
        _check_finite(X_2d, name)
    return X_2d, sample_shape


def _as_array(X, name):
    """``np.asarray(X)``, with clear errors for strings and images of mixed sizes."""
    try:
        X = np.asarray(X)
    except ValueError as exc:
        if "inhomogeneous" not in str(exc):
            raise
        shapes = sorted({np.shape(x) for x in X}, key=str) if hasattr(X, "__iter__") else []
        raise ValueError(
            f"{name} expects images of one size stacked in an array; got images of "
            f"several shapes ({', '.join(map(str, shapes[:4]))}"
            f"{', ...' if len(shapes) > 4 else ''}). Resize them to one size first "
            "(DigitImageNormalizer makes any picture 28x28)."
        ) from None
    if X.dtype.kind in "USO":
        raise TypeError(
            f"{name} expects numeric pixel values; got an "
            f"array of dtype {X.dtype}. Convert strings or objects to numbers first; "
            "for pictures given as file paths, use make_digit_pipeline(raw_images=True) "
            "or read_images."
        )
    return X


def validate_fitted_array(estimator, X, *, dtype="numeric", copy=False, ensure_all_finite=True):
    """What ``validate_data(estimator, X, reset=False, ...)`` returns, for plain arrays; else None.

    ``validate_data`` spends most of its time (tens of microseconds) on
    finding out what ``X`` is: a DataFrame, a sparse matrix, an array-like of
    another library. In a pipeline, every step after the first gets the
    NumPy array the step before it made and checked, and for one image those
    checks cost more than the arithmetic. This function does the checks of
    ``validate_data`` directly for the case they are cheap to do: ``X`` a
    NumPy array (not a subclass), 2-D, of real numbers, with at least one row
    and the ``n_features_in_`` of an ``estimator`` fitted without feature
    names, and finite where ``ensure_all_finite``. It returns ``X`` itself,
    or its copy in ``dtype`` when ``copy`` or a conversion needs one, as
    ``validate_data`` would. For any other input it returns None, and the
    caller calls ``validate_data``, whose errors and warnings stay
    scikit-learn's.

    Parameters
    ----------
    estimator : fitted estimator
        The estimator that validates; its ``n_features_in_`` is compared.
    X : object
        The input of ``transform`` or ``predict``.
    dtype : "numeric", type or dtype, default="numeric"
        The dtype of the result: ``"numeric"`` keeps that of ``X``.
    copy : bool, default=False
        Whether the result must not share memory with ``X``.
    ensure_all_finite : bool, default=True
        Whether only finite values are accepted here (``validate_data``
        explains the others).

    Returns
    -------
    X_checked : ndarray of shape (n_samples, n_features_in_) or None
        The validated array, or None where ``validate_data`` must decide.
    """
    if (
        type(X) is not np.ndarray
        or isinstance(dtype, (list, tuple))
        or X.ndim != 2
        or X.shape[0] < 1
        or X.dtype.kind not in "uif"
        or X.shape[1] != getattr(estimator, "n_features_in_", None)
        or hasattr(estimator, "feature_names_in_")
    ):
        return None
    target = X.dtype if isinstance(dtype, str) and dtype == "numeric" else np.dtype(dtype)
    if copy or target != X.dtype:
        # an overflow warns once: in validate_data, which converts again to explain it
        quiet = np.errstate(over="ignore") if ensure_all_finite else contextlib.nullcontext()
        with quiet:
            X = X.astype(target)
    # after the conversion, as validate_data: 1e300 becomes infinity in float32
    if ensure_all_finite and X.dtype.kind == "f" and not np.isfinite(X).all():
        return None
    return X


def _validate_numeric(estimator, X, reset, dtype, copy):
    """scikit-learn's ``validate_data``, with one-line messages for non-numbers."""
    if not reset:
        checked = validate_fitted_array(
            estimator, X, dtype=dtype, copy=copy, ensure_all_finite=False
        )
        if checked is not None:
            return checked
    name = type(estimator).__name__
    if np.iscomplexobj(X):
        # scikit-learn's message prints the whole array on following lines.
        raise ValueError(
            f"Complex data not supported: {name} expects real pixel values; got "
            f"dtype {np.asarray(X).dtype}."
        )
    try:
        return validate_data(
            estimator, X, reset=reset, dtype=dtype, ensure_all_finite=False, copy=copy
        )
    except ValueError as exc:
        if "could not convert" not in str(exc):
            raise
        raise TypeError(
            f"{name} expects numeric pixel values; {exc}. Convert strings or objects "
            "to numbers first."
        ) from None


def _check_finite(X_2d, name):
    """Refuse NaN and infinity, saying how many and where (one line)."""
    if X_2d.dtype.kind not in "fc" or X_2d.size == 0:
        return
    finite = np.isfinite(X_2d)
    if finite.all():
        return
    bad_rows = np.flatnonzero(~finite.all(axis=1))
    first = X_2d[bad_rows[0]][~finite[bad_rows[0]]][0]
    what = "NaN" if np.isnan(first) else "infinity"
    raise ValueError(
        f"Input X contains {what}: {int((~finite).sum())} pixel(s) in {len(bad_rows)} "
        f"sample(s), the first in sample {int(bad_rows[0])}. {name} needs a finite "
        "number for every pixel: fill or drop those samples."
    )


def check_image_shape(estimator, X, fitted_shape):
    """Refuse a stack of images whose shape differs from the one seen in ``fit``.

    Called before :func:`validate_images` in ``transform``, so that a user
    hears about the image shape rather than a count of features. Only image
    stacks are compared: flattened rows (2-D input) keep the feature-count
    check of :func:`validate_images`, which :func:`explain_feature_count`
    completes.

    Parameters
    ----------
    estimator : estimator instance
        The fitted estimator, named in the message.
    X : array-like
        The input of ``transform`` or ``predict``.
    fitted_shape : tuple of int or None
        The shape of one sample seen in ``fit`` (``None``: nothing recorded,
        nothing checked).

    Raises
    ------
    ValueError
        When ``X`` is a single image of the fitted shape (the message suggests
        ``X[None]``), or a stack of images of another shape (the message names
        both shapes).
    """
    if fitted_shape is None or len(fitted_shape) < 2:
        return
    if hasattr(X, "iloc") or sparse.issparse(X):
        return
    try:
        shape = tuple(np.shape(X))
    except ValueError:  # ragged nested lists: validation explains them
        return
    name = type(estimator).__name__
    fitted_shape = tuple(fitted_shape)
    if shape == fitted_shape:
        raise ValueError(
            f"{name} expects a stack of images of shape (n_samples, "
            f"{', '.join(map(str, fitted_shape))}); got a single image of shape {shape}. "
            "For one image, pass X[None] (shape "
            f"{(1, *fitted_shape)})."
        )
    if len(shape) >= 3 and shape[1:] != fitted_shape:
        remedy = (
            "resize them (DigitImageNormalizer makes any picture 28x28)"
            if fitted_shape == (28, 28)
            else "resize them"
        )
        raise ValueError(
            f"{name} was fitted on images of shape {fitted_shape} "
            f"({math.prod(fitted_shape)} pixels); got images of shape {shape[1:]} "
            f"({math.prod(shape[1:])} pixels). Images must have the shape the model "
            f"was trained on: {remedy}, or train on images of this shape."
        )


def explain_feature_count(estimator, error, X, fitted_shape):
    """Return ``error`` completed with the shape seen in ``fit``, to re-raise.

    Parameters
    ----------
    estimator : estimator instance
        The fitted estimator, named in the message.
    error : ValueError
        scikit-learn's "X has N features, but ... is expecting M" error.
    X : array-like
        The input that caused it.
    fitted_shape : tuple of int or None
        The shape of one sample seen in ``fit``.

    Returns
    -------
    error : ValueError
        A new error whose message ends with both sample shapes, or ``error``
        itself when it is not about the number of features.
    """
    if "features" not in str(error) or fitted_shape is None:
        return error
    try:
        shape = tuple(np.shape(X))[1:]
    except ValueError:
        return error
    return ValueError(
        f"{error} {type(estimator).__name__} was fitted on samples of shape "
        f"{tuple(fitted_shape)} ({math.prod(fitted_shape)} values); got samples of "
        f"shape {shape} ({math.prod(shape)} values). Images must have the size the "
        "model was trained on."
    )


def check_table_output(estimator, X_out, method="transform"):
    """Refuse, with the way out, an image stack that ``set_output`` would make a DataFrame.

    ``set_output(transform="pandas")`` (or ``"polars"``) asks for 2-D tables,
    and an image stack ``(n, height, width)`` is not one: pandas would fail
    with its bare "Must pass 2-d input". This says what to do instead.

    Parameters
    ----------
    estimator : estimator instance
        The transformer whose output ``X_out`` is.
    X_out : ndarray
        What ``method`` is about to return.
    method : str, default="transform"
        The method, named in the message.

    Returns
    -------
    X_out : ndarray
        ``X_out`` itself, when its output setting can hold it.
    """
    if X_out.ndim <= 2:
        return X_out
    from .._compat import _get_output_config

    container = _get_output_config("transform", estimator)["dense"]
    if container == "default":
        return X_out
    name = type(estimator).__name__
    raise ValueError(
        f"{name}.{method} cannot give a {container} DataFrame: it returns images of shape "
        f"{X_out.shape[1:]} per sample, and a DataFrame holds rows of values. Give the "
        "images as rows of pixels instead (X.reshape(len(X), -1)), which every skdigits "
        "step and pipeline accepts, or keep set_output(transform='default') for image stacks."
    )
