"""skdigits: scikit-learn compatible handwritten digit recognition with Keras.

The public names are loaded on first use, so ``import skdigits`` is quick
and loads neither scikit-learn nor TensorFlow; TensorFlow loads when a
classifier is created or a network is built.
"""

from ._lazy import attach
from ._moved import install as _install_moved_modules
from ._version import __version__  # noqa: F401  (listed in __all__ below)

# public name -> the room (subpackage) that holds it
_PUBLIC = {
    "PixelScaler": ".preprocessing",
    "ImageReshaper": ".preprocessing",
    "DigitClassifier": ".model",
    "build_dense_network": ".model",
    "resolve_layers": ".model",
    "make_digit_pipeline": ".model",
    "augment_images": ".model",
    "EpochGridSearchCV": ".model_selection",
    "load_mnist_sample": ".datasets",
    "load_mnist": ".datasets",
    "load_fashion_mnist": ".datasets",
    "read_idx": ".datasets",
    "DigitImageNormalizer": ".images",
    "read_image": ".images",
    "read_images": ".images",
    "save_model": ".persistence",
    "load_model": ".persistence",
    "inspect_model": ".persistence",
    "evaluate": ".reporting",
    "most_confused_pairs": ".reporting",
    "plot_digits": ".reporting",
    "plot_misclassified": ".reporting",
    "plot_history": ".reporting",
    "build_report": ".reporting",
    "load_pretrained": ".pretrained",
    "read_number": ".pretrained",
    "segment_digits": ".images",
}

__getattr__, __dir__, _names = attach(__name__, _PUBLIC)
__all__ = sorted([*_names, "__version__"])
_install_moved_modules()
