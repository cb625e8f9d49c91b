"""The classifier and its parts: network, training loop, augmentation, NumPy inference, targets.

Names load on first use (:func:`skdigits._lazy.attach`): importing this
package loads neither scikit-learn nor TensorFlow.
"""

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "DigitClassifier": "._classifier",
        "build_dense_network": "._network",
        "resolve_layers": "._network",
        "make_digit_pipeline": "._pipeline",
        "PRESETS": "._pipeline",
        "augment_images": "._augment",
        "epoch_observation": "._epochs",
        "observing_epochs": "._epochs",
        "network_layers": "._summary",
        "count_parameters": "._summary",
    },
)
