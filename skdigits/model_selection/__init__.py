"""Searches over the classifier's settings: EpochGridSearchCV.

Names load on first use (:func:`skdigits._lazy.attach`): importing this
package loads neither scikit-learn nor TensorFlow.
"""

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "EpochGridSearchCV": "._search",
    },
)
