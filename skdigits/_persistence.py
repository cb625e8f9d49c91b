"""Saving and loading fitted pipelines and classifiers."""

import os

from ._atomic import atomic_open


def save_model(estimator, path, *, compress=3):
    """Save a fitted estimator with joblib, atomically.

    The file is written under a temporary name in the target folder and renamed
    into place only once complete, so an interrupted save never leaves a file
    that looks like a model.

    Parameters
    ----------
    estimator : estimator instance
        Typically a fitted pipeline from :func:`make_digit_pipeline`.
    path : str or os.PathLike
        Destination file, conventionally ending in ``.joblib``.
    compress : int, default=3
        joblib compression level (0-9).

    Returns
    -------
    path : str
        The path written.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigits import PixelScaler, load_model, save_model
    >>> path = save_model(PixelScaler(), os.path.join(tempfile.mkdtemp(), "s.joblib"))
    >>> load_model(path)
    PixelScaler()
    """
    import joblib

    path = os.fspath(path)
    with atomic_open(path) as handle:
        joblib.dump(estimator, handle, compress=compress)
    return path


def load_model(path):
    """Load an estimator saved by :func:`save_model` (or ``joblib.dump``).

    Only load files you trust: like every pickle, a model file can run code.

    Parameters
    ----------
    path : str or os.PathLike
        File written by :func:`save_model`.

    Returns
    -------
    estimator : estimator instance
        The estimator, ready to predict.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ValueError
        When the file is not a saved model (corrupt, truncated or another format).

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigits import ImageReshaper, load_model, save_model
    >>> path = save_model(ImageReshaper(target_shape=(28, 28)),
    ...                   os.path.join(tempfile.mkdtemp(), "reshape.joblib"))
    >>> load_model(path)
    ImageReshaper(target_shape=(28, 28))
    """
    import joblib

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No model file at {path!r}.")
    try:
        return joblib.load(path)
    except Exception as exc:  # joblib/pickle raise many types for bad files
        raise ValueError(
            f"{path!r} is not a readable skdigits model file (corrupt, truncated, or "
            f"not written by save_model/joblib): {type(exc).__name__}: {exc}"
        ) from exc
