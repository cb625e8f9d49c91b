"""Warnings and errors raised by skdigits."""

__all__ = ["AlreadyScaledWarning"]


class AlreadyScaledWarning(UserWarning):
    """Warn that images given to a fixed-range scaler look already scaled.

    Raised by :class:`~skdigits.PixelScaler` when every pixel lies in [0, 1]
    although the expected range is [0, 255]: typically images that were divided
    by 255 before entering a pipeline that divides by 255 again.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skdigits import PixelScaler
    >>> from skdigits.exceptions import AlreadyScaledWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = PixelScaler().fit_transform(np.full((2, 4), 0.5))
    >>> caught[0].category is AlreadyScaledWarning
    True
    """
