"""ImageReshaper: turn image stacks into vectors and back."""

import math

from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._compat import _fit_context
from ..utils import (
    check_image_shape,
    check_table_output,
    explain_feature_count,
    validate_images,
)


def _resolve_shape(target_shape, n_values, input_shape):
    """Return ``target_shape`` with its ``-1`` replaced, checking sizes agree."""
    try:
        target = tuple(int(d) for d in target_shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"target_shape must be a tuple of ints such as (-1,) or (28, 28); got {target_shape!r}."
        ) from None
    if not target or target.count(-1) > 1 or any(d < -1 or d == 0 for d in target):
        raise ValueError(
            f"target_shape must hold positive sizes and at most one -1; got {target_shape!r}."
        )
    known = math.prod(d for d in target if d != -1)
    if -1 in target:
        if n_values % known:
            raise ValueError(
                f"Cannot reshape samples of shape {input_shape} ({n_values} values) "
                f"into {target_shape!r}: {n_values} is not a multiple of {known}."
            )
        target = tuple(n_values // known if d == -1 else d for d in target)
    elif known != n_values:
        raise ValueError(
            f"Cannot reshape samples of shape {input_shape} ({n_values} values) "
            f"into {target_shape!r} ({known} values): the sizes differ."
        )
    return target


class ImageReshaper(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Reshape each sample, by default flattening images into vectors.

    A dense network takes vectors: this step turns a stack of images of shape
    ``(n_samples, height, width)`` into ``(n_samples, height * width)``, for
    any image size (8x8 digits from :func:`sklearn.datasets.load_digits`,
    28x28 MNIST digits, ...). It copies nothing: the output is a view of the
    input whenever NumPy allows. :meth:`inverse_transform` restores the shape
    the samples had in :meth:`fit`.

    The image shape seen in :meth:`fit` is the only one accepted afterwards:
    a model fitted on 28x28 images refuses 14x56 ones, although they hold as
    many pixels, and the message names both shapes. Flattened rows with the
    right number of values are accepted. A single image, of shape
    ``(height, width)`` rather than ``(1, height, width)``, is refused with a
    message suggesting ``X[None]``: a 2-D array is always read as a table of
    samples, never guessed to be one image.

    Parameters
    ----------
    target_shape : tuple of int, default=(-1,)
        Shape of one output sample. ``-1`` stands for "whatever size makes the
        number of values agree", so ``(-1,)`` flattens and ``(28, 28)`` turns
        784-pixel vectors into 28x28 images.

    Attributes
    ----------
    input_shape_ : tuple of int
        Shape of one sample seen during :meth:`fit`, e.g. ``(28, 28)``.
    output_shape_ : tuple of int
        Shape of one output sample, ``target_shape`` with ``-1`` resolved.
    n_features_in_ : int
        Number of values per sample seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during :meth:`fit`, when ``X`` was a DataFrame.

    See Also
    --------
    PixelScaler : The step before this one in :func:`make_digit_pipeline`.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigits import ImageReshaper
    >>> images = np.zeros((5, 28, 28), dtype=np.uint8)
    >>> reshaper = ImageReshaper().fit(images)
    >>> reshaper.transform(images).shape
    (5, 784)
    >>> reshaper.inverse_transform(np.zeros((2, 784))).shape
    (2, 28, 28)
    """

    _parameter_constraints: dict = {"target_shape": [tuple, list]}

    def __init__(self, *, target_shape=(-1,)):
        self.target_shape = target_shape

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the sample shape and check that ``target_shape`` fits it.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training samples: images or vectors.
        y : None
            Ignored.

        Returns
        -------
        self : ImageReshaper
            The fitted reshaper.
        """
        X_2d, sample_shape = validate_images(self, X, reset=True, ensure_all_finite=False)
        self.input_shape_ = tuple(sample_shape)
        self.output_shape_ = _resolve_shape(self.target_shape, X_2d.shape[1], self.input_shape_)
        return self

    def transform(self, X):
        """Reshape each sample to ``output_shape_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, *input_shape_) or (n_samples, n_features_in_)
            Images of the shape seen in :meth:`fit`, or the same images
            flattened into rows.

        Returns
        -------
        X_reshaped : ndarray of shape (n_samples, *output_shape_)
            The same values, reshaped.

        Raises
        ------
        ValueError
            When the images have another shape than in :meth:`fit` (both shapes
            are named), or ``X`` is one image instead of a stack of them.
        """
        return self._reshape(X, "output_shape_")

    def inverse_transform(self, X):
        """Reshape each sample back to ``input_shape_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples with ``n_features_in_`` values each.

        Returns
        -------
        X_original : ndarray of shape (n_samples, *input_shape_)
            The same values, in the shape seen during :meth:`fit`.
        """
        return self._reshape(X, "input_shape_")

    def _reshape(self, X, shape_attribute):
        check_is_fitted(self)
        shape = getattr(self, shape_attribute)
        # Samples come in with the other shape: images in transform, vectors
        # (or target_shape images) in inverse_transform.
        expected = self.output_shape_ if shape_attribute == "input_shape_" else self.input_shape_
        check_image_shape(self, X, expected)
        try:
            X_2d, _ = validate_images(self, X, reset=False, ensure_all_finite=False)
        except ValueError as exc:
            explained = explain_feature_count(self, exc, X, expected)
            if explained is exc:
                raise
            raise explained from exc
        method = "transform" if shape_attribute == "output_shape_" else "inverse_transform"
        return check_table_output(self, X_2d.reshape((X_2d.shape[0], *shape)), method)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        return tags
