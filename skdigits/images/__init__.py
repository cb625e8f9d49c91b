"""Pictures: reading image files, the normaliser that makes them MNIST-like, the reader.

Where each thing lives:
  _read        read_image, read_images, list_image_files (files, bytes, arrays)
  _ink         the image algorithms that find a digit's ink (plain functions)
  _framing     box, thickening and centring of the found digit (plain functions)
  _picture     normalize_array: the steps in order; the NormalizedPicture record
  _normalizer  DigitImageNormalizer (a thin estimator over them), normalize_picture
  _reader      DigitReader: a fitted model reads pictures into DigitReading records
  _segment     segment_digits: a picture of a number cut into its digits (DigitSegments)
  _number      NumberReader: a fitted model reads a whole number (NumberReading)

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
        "normalize_picture": "._normalizer",
        "NormalizedPicture": "._picture",
        "DigitReader": "._reader",
        "DigitReading": "._reader",
        "segment_digits": "._segment",
        "DigitSegments": "._segment",
        "NumberReader": "._number",
        "NumberReading": "._number",
    },
)
