"""Where downloaded data sets live."""

import os


def get_data_home(data_home=None):
    """Return the folder that holds skdigits' downloaded data sets.

    In order: the ``data_home`` argument, the ``SKDIGITS_DATA`` environment
    variable, then ``~/skdigits_data`` (in the spirit of scikit-learn's
    :func:`~sklearn.datasets.get_data_home`). Each data set has a subfolder
    named after it: ``<data home>/mnist``, ``<data home>/fashion-mnist``. The
    folder is not created here; downloading creates it.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        An explicit folder; ``~`` is expanded.

    Returns
    -------
    data_home : str
        The absolute path of the data home.

    Examples
    --------
    >>> from skdigits.datasets import get_data_home
    >>> get_data_home("/tmp/digits")
    '/tmp/digits'
    """
    if data_home is None:
        data_home = os.environ.get("SKDIGITS_DATA") or os.path.join("~", "skdigits_data")
    return os.path.abspath(os.path.expanduser(os.fspath(data_home)))


def keras_cache_dir():
    """Folder where Keras caches its data sets (``$KERAS_HOME/datasets``)."""
    keras_home = os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")
    return os.path.join(os.path.abspath(os.path.expanduser(keras_home)), "datasets")
