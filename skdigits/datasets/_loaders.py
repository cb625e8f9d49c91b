"""load_mnist and load_fashion_mnist: find a local copy, else download it, then read it.

Finding lives in ``_locate.py``, downloading in ``_download.py``; this module
only puts them in order and shapes what is returned.
"""

from ..exceptions import DataNotFoundError, DownloadError
from ._download import download_dataset
from ._locate import find_local, search_places, source_at_path
from ._registry import get_spec


def _load(name, path, data_home, download_if_missing, as_frame, timeout):
    spec = get_spec(name)
    if path is not None:
        source = source_at_path(path, spec)
    else:
        source = find_local(spec, data_home)
        if source is None and download_if_missing:
            try:
                download_dataset(name, data_home=data_home, timeout=timeout)
            except DownloadError as exc:
                raise DataNotFoundError(_not_found_message(spec, data_home, exc)) from exc
            source = find_local(spec, data_home)
        if source is None:
            raise DataNotFoundError(_not_found_message(spec, data_home, None))
    (X_train, y_train), (X_test, y_test) = source.read()
    if as_frame:
        return images_as_frame(X_train, y_train), images_as_frame(X_test, y_test)
    return (X_train, y_train), (X_test, y_test)


def _not_found_message(spec, data_home, error):
    places = "\n".join(f"  - {p}" for p in search_places(spec, data_home))
    reason = (
        f"Downloading failed:\n  {error}\n"
        if error
        else "Downloading is off (download_if_missing=False).\n"
    )
    return (
        f"{spec.title} ({spec.name}) was not found. Searched:\n{places}\n{reason}"
        "Ways out:\n"
        f"  1. download it (about {spec.download_mb} MB): skdigits download {spec.name}, "
        f"or {spec.loader}(download_if_missing=True)\n"
        "  2. point path= or the SKDIGITS_DATA environment variable at a folder "
        f"holding the files (SKDIGITS_DATA/{spec.name}/...)\n"
        "  3. use the embedded sample: skdigits.load_mnist_sample()"
    )


def images_as_frame(images, labels):
    """Images and labels as a DataFrame of ``pixel<i>`` columns and a ``label`` Series."""
    import pandas as pd

    flat = images.reshape(len(images), -1)
    X = pd.DataFrame(flat, columns=[f"pixel{i}" for i in range(flat.shape[1])])
    y = None if labels is None else pd.Series(labels, name="label")
    return X, y


_LOAD_DOC = """Load {title}: 60,000 training and 10,000 test images.

    Returns the same shapes, types and order as
    ``keras.datasets.{keras}.load_data()``: 28x28 uint8 images and uint8
    labels, kept as uint8 (about 55 MB, no float copies).

    Where the data come from, in order: ``path`` if given; the data home
    (``data_home``, else the ``SKDIGITS_DATA`` environment variable, else
    ``~/skdigits_data``), folder ``{name}/``; Keras' cache
    (``~/.keras/datasets/{keras_cache}``); then, if ``download_if_missing``,
    a verified download into the data home.

    Parameters
    ----------
    path : str or os.PathLike, default=None
        A Keras ``.npz`` file, or a folder holding the four IDX files (gzip or
        raw), ``mnist.npz``, Kaggle's ``train.csv``/``test.csv``, or
        ``train/`` and ``test/`` image folders laid out ``<label>/<file>``.
    data_home : str or os.PathLike, default=None
        See :func:`~skdigits.datasets.get_data_home`.
    download_if_missing : bool, default=True
        Download the data when no copy is found.
    as_frame : bool, default=False
        Return pandas DataFrames of 784 ``pixel<i>`` columns and ``label`` Series.
    timeout : float, default=30.0
        Seconds to wait on a silent server when downloading.

    Returns
    -------
    (X_train, y_train), (X_test, y_test) : tuples
        Images of shape (n, 28, 28) and labels of shape (n,), or DataFrames and
        Series with ``as_frame=True``.{extra}

    Raises
    ------
    DataNotFoundError
        When the data are nowhere and downloading is off or failed; the
        message lists the places searched and the ways out.
    DataFormatError
        When a file is corrupt, truncated or not in the expected format.
    """


def load_mnist(
    path=None, *, data_home=None, download_if_missing=True, as_frame=False, timeout=30.0
):
    return _load("mnist", path, data_home, download_if_missing, as_frame, timeout)


def load_fashion_mnist(
    path=None, *, data_home=None, download_if_missing=True, as_frame=False, timeout=30.0
):
    return _load("fashion-mnist", path, data_home, download_if_missing, as_frame, timeout)


load_mnist.__doc__ = _LOAD_DOC.format(
    title="the MNIST handwritten digits",
    keras="mnist",
    name="mnist",
    keras_cache="mnist.npz",
    extra="",
    function="load_mnist",
)
load_fashion_mnist.__doc__ = _LOAD_DOC.format(
    title="Fashion-MNIST (Zalando's clothing images)",
    keras="fashion_mnist",
    name="fashion-mnist",
    keras_cache="fashion-mnist/",
    extra="\n        Label ``i`` names the class ``FASHION_MNIST_CLASSES[i]``.",
    function="load_fashion_mnist",
)

#: Class names of Fashion-MNIST, indexed by label.
FASHION_MNIST_CLASSES = get_spec("fashion-mnist").class_names
