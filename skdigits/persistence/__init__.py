"""Saving and loading models: the pickle-free ``.skdigits`` format and joblib for trusted use.

Names load on first use (:func:`skdigits._lazy.attach`): importing this
package loads neither scikit-learn nor TensorFlow.
"""

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "save_model": "._api",
        "load_model": "._api",
        "inspect_model": "._api",
        "ModelFile": "._format",
        "is_model_file": "._format",
        "sniff": "._format",
    },
)
