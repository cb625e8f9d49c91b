"""Helpers shared by the rooms: input checks, atomic writes, quiet TensorFlow, pipeline steps.

Names load on first use (:func:`skdigits._lazy.attach`): importing this
package loads neither scikit-learn nor TensorFlow.
"""

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "quiet_tensorflow": "._quiet",
        "atomic_open": "._atomic",
        "validate_fitted_array": "._validation",
        "check_image_shape": "._validation",
        "explain_feature_count": "._validation",
        "validate_images": "._validation",
        "check_table_output": "._validation",
        "find_classifier": "._estimators",
        "as_images": "._estimators",
    },
)
