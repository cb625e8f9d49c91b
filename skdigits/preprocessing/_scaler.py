"""PixelScaler: map pixel intensities to a small float range."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._compat import StrOptions, _fit_context
from ..exceptions import AlreadyScaledWarning, PixelRangeWarning
from ..utils import (
    check_image_shape,
    check_table_output,
    explain_feature_count,
    validate_images,
)


def _check_range(value, name):
    """Return ``value`` as a float pair ``(low, high)`` with ``low < high``."""
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair of numbers (low, high); got {value!r}.") from None
    if not low < high:
        raise ValueError(f"{name} must have low < high; got {value!r}.")
    return low, high


class PixelScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Scale pixel intensities to a range, by default [0, 255] to [0, 1].

    By default the transformation is fixed: the known pixel range
    ``pixel_range=(0, 255)`` is mapped linearly onto ``feature_range``, which
    is what dividing by 255 does, and nothing is learnt from the data. With
    ``pixel_range="fit"`` the smallest and largest pixel values of the
    training data are learnt instead, like :class:`~sklearn.preprocessing.MinMaxScaler`
    but with one range for all pixels (per-pixel ranges would divide by zero
    on the always-black borders of digit images).

    Input may be a table of shape ``(n_samples, n_pixels)`` (array or pandas
    DataFrame) or a stack of images ``(n_samples, height, width)``; the output
    has the same shape, as float32.

    Parameters
    ----------
    pixel_range : tuple (min, max) or "fit", default=(0, 255)
        Range of the input pixel values. With a fixed range, values outside it
        are an error (or are clipped, with ``clip=True``). ``"fit"`` learns the
        range from the data passed to :meth:`fit`.
    feature_range : tuple (min, max), default=(0.0, 1.0)
        Range of the transformed values.
    clip : bool, default=False
        Clip input values to ``pixel_range`` (and so outputs to
        ``feature_range``) instead of refusing out-of-range pixels with a
        fixed range, or extrapolating beyond the learnt range with ``"fit"``.
    warn_scaled : bool, default=True
        Warn when the pixels use only a small part of a fixed range whose
        maximum is above 1: with :class:`~skdigits.exceptions.AlreadyScaledWarning`
        when they lie entirely within [0, 1], the sign of images that were
        already divided by 255; with :class:`~skdigits.exceptions.PixelRangeWarning`
        when none exceeds an eighth of the range (such as the 0-16 pixels of
        scikit-learn's 8x8 digits against the default 0-255), which would be
        squashed near 0. Both are checked in :meth:`fit` and :meth:`transform`.

    Attributes
    ----------
    input_shape_ : tuple of int
        Shape of one sample seen during :meth:`fit`, e.g. ``(28, 28)``. Image
        stacks of another shape are refused afterwards, naming both shapes,
        even with the same number of pixels; flattened rows are accepted, and
        a single image of this shape is refused with a hint to pass ``X[None]``.
    data_min_ : float
        Smallest input value of the range used (fixed or learnt).
    data_max_ : float
        Largest input value of the range used (fixed or learnt).
    scale_ : float
        Multiplier applied to the input: ``X * scale_ + min_``.
    min_ : float
        Offset added after scaling.
    n_features_in_ : int
        Number of pixels per sample seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during :meth:`fit`, when ``X`` was a DataFrame.

    See Also
    --------
    sklearn.preprocessing.MinMaxScaler : Per-feature min-max scaling.
    ImageReshaper : The step that follows in :func:`make_digit_pipeline`.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigits import PixelScaler
    >>> images = np.array([[[0, 51], [102, 255]]], dtype=np.uint8)
    >>> PixelScaler().fit_transform(images)
    array([[[0. , 0.2],
            [0.4, 1. ]]], dtype=float32)
    >>> PixelScaler(pixel_range="fit").fit(images).data_max_
    255.0
    """

    _parameter_constraints: dict = {
        "pixel_range": [tuple, list, StrOptions({"fit"})],
        "feature_range": [tuple, list],
        "clip": ["boolean"],
        "warn_scaled": ["boolean"],
    }

    def __init__(
        self, *, pixel_range=(0, 255), feature_range=(0.0, 1.0), clip=False, warn_scaled=True
    ):
        self.pixel_range = pixel_range
        self.feature_range = feature_range
        self.clip = clip
        self.warn_scaled = warn_scaled

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the pixel range: the fixed one, or the data's with ``"fit"``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Training images.
        y : None
            Ignored.

        Returns
        -------
        self : PixelScaler
            The fitted scaler.
        """
        out_low, out_high = _check_range(self.feature_range, "feature_range")
        X, sample_shape = validate_images(self, X, reset=True)
        self.input_shape_ = tuple(sample_shape)
        if self.pixel_range == "fit":
            low, high = float(np.min(X)), float(np.max(X))
        else:
            low, high = _check_range(self.pixel_range, "pixel_range")
            self._check_values(X, low, high)
        self.data_min_, self.data_max_ = low, high
        self.scale_ = (out_high - out_low) / self._span(low, high)
        self.min_ = out_low - low * self.scale_
        return self

    def transform(self, X):
        """Scale pixels to ``feature_range``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Images to scale.

        Returns
        -------
        X_scaled : ndarray of the same shape as X, float32
            Scaled images.
        """
        low, high, span, out_low, out_span = self._transformation()
        X_2d, sample_shape = self._validate_fitted(X)
        if self.pixel_range != "fit" or self.clip:
            self._check_values(X_2d, low, high)
        if self.clip:
            np.clip(X_2d, low, high, out=X_2d)
        # (X - low) / span, then onto the output range: the default is exactly
        # X / 255, and the low end lands exactly on out_low.
        X_2d -= np.float32(low)
        X_2d /= np.float32(span)
        if out_span != 1.0:
            X_2d *= np.float32(out_span)
        X_2d += np.float32(out_low)
        return check_table_output(self, X_2d.reshape((X_2d.shape[0], *sample_shape)))

    def inverse_transform(self, X):
        """Map scaled values back to pixel intensities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Scaled images.

        Returns
        -------
        X_pixels : ndarray of the same shape as X, float32
            Images in the original pixel range.
        """
        low, _, span, out_low, out_span = self._transformation()
        X_2d, sample_shape = self._validate_fitted(X)
        X_2d -= np.float32(out_low)
        X_2d *= np.float32(span / out_span)
        X_2d += np.float32(low)
        return check_table_output(
            self, X_2d.reshape((X_2d.shape[0], *sample_shape)), "inverse_transform"
        )

    def _validate_fitted(self, X):
        """Validate ``X`` against what :meth:`fit` saw: image shape, then pixel count."""
        # Absent on a fixed-range scaler used without fit (and on scalers
        # saved by skdigits 0.1.0): then only the pixel count is compared.
        fitted_shape = getattr(self, "input_shape_", None)
        check_image_shape(self, X, fitted_shape)
        try:
            return validate_images(self, X, reset=False, dtype=np.float32, copy=True)
        except ValueError as exc:
            explained = explain_feature_count(self, exc, X, fitted_shape)
            if explained is exc:
                raise
            raise explained from exc

    def _transformation(self):
        """Return ``(low, high, span, out_low, out_span)``, checking it is known."""
        out_low, out_high = _check_range(self.feature_range, "feature_range")
        if self.pixel_range == "fit" or hasattr(self, "scale_"):
            check_is_fitted(self)
            low, high = self.data_min_, self.data_max_
        else:
            # A fixed range needs no fit: the parameters say it all.
            low, high = _check_range(self.pixel_range, "pixel_range")
        return low, high, self._span(low, high), out_low, out_high - out_low

    @staticmethod
    def _span(low, high):
        """Width of the input range; 1 for a range below float32 resolution.

        A constant image is not blown up by dividing by ~0 (MinMaxScaler
        treats near-zero ranges the same way).
        """
        resolution = 10 * np.finfo(np.float32).eps * max(abs(low), abs(high), 1.0)
        return high - low if high - low > resolution else 1.0

    def _check_values(self, X, low, high):
        """Refuse out-of-range pixels and warn about already-scaled data."""
        if X.size == 0:
            return
        x_min, x_max = float(np.min(X)), float(np.max(X))
        if (x_min < low or x_max > high) and not self.clip:
            n_bad = int(np.count_nonzero((X < low) | (X > high)))
            hint = (
                "Pass clip=True to clip them"
                if self.pixel_range == "fit"
                else "Pass clip=True to clip them, or pixel_range='fit' to learn the "
                "range from the training data"
            )
            negative = "Negative values in data: " if x_min < 0 <= low else ""
            raise ValueError(
                f"{negative}{type(self).__name__} expects pixel values in "
                f"[{low:g}, {high:g}], "
                f"but got values from {x_min:g} to {x_max:g} ({n_bad} out of range). "
                f"{hint}."
            )
        if (
            self.warn_scaled
            and self.pixel_range != "fit"
            and high > 1
            and x_min >= 0
            and 0 < x_max <= 1
        ):
            warnings.warn(
                f"All pixel values lie in [0, 1] (max {x_max:g}) although "
                f"pixel_range is ({low:g}, {high:g}): the images look already "
                "scaled, e.g. divided by 255 twice. Pass the raw 0-255 pixels, or "
                "use PixelScaler(pixel_range=(0, 1)).",
                AlreadyScaledWarning,
                stacklevel=3,
            )
        elif (
            self.warn_scaled
            and self.pixel_range != "fit"
            and high > 1
            and x_min >= low
            and 1 < x_max <= low + (high - low) / 8
        ):
            out_low, out_high = _check_range(self.feature_range, "feature_range")
            squashed = out_low + (x_max - low) / (high - low) * (out_high - out_low)
            warnings.warn(
                f"All pixel values lie in [{x_min:g}, {x_max:g}], a small part of "
                f"pixel_range ({low:g}, {high:g}): they are scaled into "
                f"[{out_low:g}, {squashed:.3g}] instead of [{out_low:g}, {out_high:g}]. "
                f"If {x_max:g} is the images' brightest value (scikit-learn's 8x8 "
                f"digits go up to 16), pass pixel_range=({low:g}, {x_max:g}) "
                "(to PixelScaler or make_digit_pipeline), or pixel_range='fit' to "
                "learn the range from the training data.",
                PixelRangeWarning,
                stacklevel=3,
            )

    def __sklearn_is_fitted__(self):
        # A fixed range learns nothing, so it is always ready to transform.
        return self.pixel_range != "fit" or hasattr(self, "scale_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.positive_only = self.pixel_range != "fit"
        tags.requires_fit = self.pixel_range == "fit"
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
