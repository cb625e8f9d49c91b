"""Warnings and errors raised by skdigits."""

__all__ = [
    "AlreadyScaledWarning",
    "ChecksumMismatchWarning",
    "ClusterError",
    "DataFormatError",
    "DataNotFoundError",
    "DownloadError",
    "ImageError",
    "ModelFormatError",
    "PixelRangeWarning",
    "TrainingDataOverlapError",
    "UntrustedModelError",
]


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


class ChecksumMismatchWarning(UserWarning):
    """Warn that a data-home file does not match its data set's published digest.

    Raised when :func:`~skdigits.load_mnist` or
    :func:`~skdigits.load_fashion_mnist` loads IDX files from the data home
    that ``skdigits data`` would report as a checksum mismatch: a corrupt or
    truncated copy, or another data set under the same name. The files are
    still loaded; the message names the file and says how to fetch it again.
    Each version of a file is hashed once (see
    :func:`skdigits.datasets.dataset_status` for a full check).

    Examples
    --------
    >>> from skdigits.exceptions import ChecksumMismatchWarning
    >>> issubclass(ChecksumMismatchWarning, UserWarning)
    True
    """


class DataFormatError(ValueError):
    """A data file is unreadable, corrupt, truncated or not in the expected format.

    The message names the file and the problem.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigits import read_idx
    >>> from skdigits.exceptions import DataFormatError
    >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(b"PNG?")
    >>> try:
    ...     read_idx(path)
    ... except DataFormatError as error:
    ...     print("bad magic number" in str(error))
    True
    """


class DataNotFoundError(FileNotFoundError):
    """A data set is not on this machine and was not downloaded.

    The message lists the places searched and the ways to get the data.

    Examples
    --------
    >>> import tempfile
    >>> from skdigits import load_mnist
    >>> from skdigits.exceptions import DataNotFoundError
    >>> try:
    ...     load_mnist(path=tempfile.mkdtemp() + "/nowhere")
    ... except DataNotFoundError as error:
    ...     print(str(error).endswith("does not exist."))
    True
    """


class DownloadError(OSError):
    """A download failed: network error, timeout, truncated transfer or checksum mismatch.

    Nothing is left in the data home when it is raised.

    Examples
    --------
    >>> import tempfile
    >>> from skdigits.datasets import download_file
    >>> from skdigits.exceptions import DownloadError
    >>> try:
    ...     download_file("http://127.0.0.1:9/none", tempfile.mkdtemp() + "/f", progress=False)
    ... except DownloadError as error:
    ...     print("failed" in str(error))
    True
    """


class ImageError(ValueError):
    """A picture cannot be used: unreadable, not an image, empty, animated, or without ink.

    The message names the image and the problem.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigits import read_image
    >>> from skdigits.exceptions import ImageError
    >>> try:
    ...     read_image(np.zeros((0, 5)))
    ... except ImageError as error:
    ...     print(error)
    image is empty (shape (0, 5)).
    """


class PixelRangeWarning(UserWarning):
    """Warn that images use only a small part of a fixed-range scaler's range.

    Raised by :class:`~skdigits.PixelScaler` when no pixel exceeds an eighth
    of ``pixel_range`` (but some exceed 1): for instance scikit-learn's 8x8
    digits, whose pixels go from 0 to 16, given to the default range 0-255
    would be squashed into [0, 0.06]. The message suggests the right
    ``pixel_range``, or ``"fit"``. ``warn_scaled=False`` silences it.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skdigits import PixelScaler
    >>> from skdigits.exceptions import PixelRangeWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = PixelScaler().fit(np.full((2, 4), 16))
    >>> caught[0].category is PixelRangeWarning
    True
    """


class ClusterError(RuntimeError):
    """A search on a Dask cluster could not run or finish.

    Raised by :mod:`skdigits.distributed` when the scheduler cannot be
    reached, the cluster has no worker, or workers kept dying on the same fit.
    The message says which, and what to check.

    Examples
    --------
    >>> from skdigits.exceptions import ClusterError
    >>> issubclass(ClusterError, RuntimeError)
    True
    """


class ModelFormatError(ValueError):
    """A model file is damaged, truncated, tampered with or from a newer skdigits.

    Raised by :func:`~skdigits.load_model` and :func:`~skdigits.inspect_model`
    for a ``.skdigits`` file they cannot read; the message names the file and
    the problem. Nothing is half-built: the error comes before any estimator
    is returned.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigits import load_model
    >>> from skdigits.exceptions import ModelFormatError
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skdigits")
    >>> _ = open(path, "wb").write(b"PK\\x03\\x04, then nothing")
    >>> try:
    ...     load_model(path)
    ... except ModelFormatError as error:
    ...     print("truncated" in str(error))
    True
    """


class UntrustedModelError(ValueError):
    """A model file is a pickle (joblib), which is loaded only when trusted.

    Unpickling a file can run any code it holds. :func:`~skdigits.load_model`
    refuses such files unless called with ``trusted=True`` (``--allow-pickle``
    on the command line), and never unpickles any part of them before that.

    Examples
    --------
    >>> from skdigits.exceptions import UntrustedModelError
    >>> issubclass(UntrustedModelError, ValueError)
    True
    """


class TrainingDataOverlapError(ValueError):
    """Evaluation data are digits the model was trained on.

    Raised by ``skdigits evaluate`` and ``skdigits report`` (through
    :func:`skdigits.datasets.check_overlap`) when every digit they were given
    trained the model, as the embedded sample did for the model that ships
    with skdigits: a score there says nothing about digits the model has not
    seen. ``--include-training-data`` scores them anyway, and says so.

    Examples
    --------
    >>> from skdigits.exceptions import TrainingDataOverlapError
    >>> issubclass(TrainingDataOverlapError, ValueError)
    True
    """
