"""Pictures: reading image files, the normaliser that makes them MNIST-like.

Names load on first use (:func:`skdigits._lazy.attach`): importing this
package loads neither scikit-learn nor TensorFlow.
"""

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "read_image": "._read",
        "read_images": "._read",
        "list_image_files": "._read",
        "DigitImageNormalizer": "._normalizer",
        "READ_PIXELS": "._normalizer",
        "raw_image_pipeline": "._normalizer",
    },
)
