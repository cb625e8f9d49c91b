"""skdigits: scikit-learn compatible handwritten digit recognition with Keras.

The public names are loaded on first use, so ``import skdigits`` is quick
and loads neither scikit-learn nor TensorFlow; TensorFlow loads when a
classifier is created or a network is built.
"""

import importlib

from ._version import __version__  # noqa: F401  (listed in __all__ below)

# public name -> module that defines it
_PUBLIC = {
    "PixelScaler": "._scaler",
    "ImageReshaper": "._reshape",
    "DigitClassifier": "._classifier",
    "EpochGridSearchCV": "._search",
    "build_dense_network": "._network",
    "resolve_layers": "._network",
    "make_digit_pipeline": "._pipeline",
    "load_mnist_sample": ".datasets",
    "load_mnist": ".datasets",
    "load_fashion_mnist": ".datasets",
    "read_idx": ".datasets",
    "save_model": "._persistence",
    "evaluate": "._evaluation",
    "most_confused_pairs": "._evaluation",
    "plot_digits": "._plotting",
    "plot_misclassified": "._plotting",
    "plot_history": "._plotting",
    "build_report": "._report",
    "DigitImageNormalizer": "._normalize",
    "read_image": "._images",
    "read_images": "._images",
    "load_model": "._persistence",
    "inspect_model": "._persistence",
    "augment_images": "._augment",
    "load_pretrained": ".pretrained",
}

__all__ = sorted([*_PUBLIC, "__version__"])


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_PUBLIC])
