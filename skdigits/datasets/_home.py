"""Where data sets live on this machine: the data home, its folders, Keras' cache."""

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


def dataset_folder(spec, data_home=None):
    """The data home's folder of one data set: ``<data home>/<name>``.

    Parameters
    ----------
    spec : DatasetSpec
        The data set.
    data_home : str or os.PathLike, default=None
        See :func:`get_data_home`.

    Returns
    -------
    folder : str
        An absolute path; not created here.
    """
    return os.path.join(get_data_home(data_home), spec.name)


def keras_cache_path(spec):
    """Where Keras caches a data set: ``$KERAS_HOME/datasets/<file or folder>``.

    ``$KERAS_HOME`` defaults to ``~/.keras``, as in Keras, so MNIST's copy is
    ``~/.keras/datasets/mnist.npz`` and Fashion-MNIST's the folder
    ``~/.keras/datasets/fashion-mnist``.

    Parameters
    ----------
    spec : DatasetSpec
        The data set; its ``keras_cache`` names the file or folder.

    Returns
    -------
    path : str
        An absolute path, which may not exist.
    """
    keras_home = os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")
    keras_home = os.path.abspath(os.path.expanduser(keras_home))
    return os.path.join(keras_home, "datasets", spec.keras_cache)
