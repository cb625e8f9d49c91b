"""Finding a data set on this machine: the Source record, locate_dataset and the search order.

A :class:`Source` says where the data are (``description``) and how to read
them (``read``); nothing is read until ``read()`` is called. The places
searched are an explicit ``path=``, else the data home, else Keras' cache.
"""

import os
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..exceptions import DataFormatError, DataNotFoundError
from ._formats import (
    check_images_and_labels,
    read_image_folder,
    read_kaggle_csv,
    read_mnist_npz,
)
from ._home import dataset_folder, keras_cache_path
from ._idx import read_idx
from ._registry import SPLIT_FILES, get_spec
from ._verify import check_published_digests


class Source(NamedTuple):
    """A data set found on this machine, not yet read.

    Attributes
    ----------
    description : str
        Where the data are, for messages (``"IDX files in /data/mnist"``).
    read : callable
        Takes no argument; returns ``(X_train, y_train), (X_test, y_test)``.
    """

    description: str
    read: Callable


def idx_paths(folder, spec):
    """Return {role: path or None} for the four IDX files of ``spec`` in ``folder``.

    Each file may be gzip or raw, and spelled ``-idx`` or ``.idx``.
    """
    paths = {}
    for role in SPLIT_FILES:
        stem = spec.files[role].filename.removesuffix(".gz")
        dotted = stem.replace("-idx", ".idx")
        names = [stem + ".gz", stem, dotted + ".gz", dotted]
        paths[role] = next(
            (os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n))),
            None,
        )
    return paths


def find_idx_files(folder, spec):
    """Return {role: path} when ``folder`` holds all four IDX files, else None."""
    paths = idx_paths(folder, spec)
    return paths if all(paths.values()) else None


def _read_idx_set(files):
    splits = []
    for split in ("train", "test"):
        images = read_idx(files[f"{split}_images"])
        labels = read_idx(files[f"{split}_labels"])
        labels = check_images_and_labels(
            images, labels, f"{files[f'{split}_images']} and {files[f'{split}_labels']}"
        )
        splits.append((images, labels))
    return tuple(splits)


def _source_in_folder(folder, spec):
    """The :class:`Source` a folder holds, in any format skdigits reads, or None."""
    files = find_idx_files(folder, spec)
    if files:
        return Source(f"IDX files in {folder}", lambda: _read_idx_set(files))
    npz = os.path.join(folder, "mnist.npz")
    if spec.name == "mnist" and os.path.isfile(npz):
        return Source(f"{npz}", lambda: read_mnist_npz(npz))
    train_csv = os.path.join(folder, "train.csv")
    if os.path.isfile(train_csv):
        test_csv = os.path.join(folder, "test.csv")

        def read_csvs():
            train = read_kaggle_csv(train_csv)
            test = read_kaggle_csv(test_csv) if os.path.isfile(test_csv) else _empty_split(train[0])
            return train, test

        return Source(f"Kaggle CSV files in {folder}", read_csvs)
    if os.path.isdir(os.path.join(folder, "train")) and os.path.isdir(os.path.join(folder, "test")):
        return Source(
            f"image folders {folder}/train and {folder}/test",
            lambda: (
                read_image_folder(os.path.join(folder, "train")),
                read_image_folder(os.path.join(folder, "test")),
            ),
        )
    return None


def _empty_split(images):
    return np.empty((0, *images.shape[1:]), dtype=np.uint8), np.empty(0, dtype=np.int64)


def source_at_path(path, spec):
    """The :class:`Source` of an explicit ``path=``; say what was expected when none fits."""
    path = os.path.abspath(os.path.expanduser(os.fspath(path)))
    if os.path.isfile(path):
        if path.endswith(".npz"):
            return Source(path, lambda: read_mnist_npz(path))
        raise DataFormatError(
            f"{path} is a single file; path= takes a Keras .npz file or a folder. For one "
            "IDX file use read_idx, for one CSV file read_kaggle_csv."
        )
    if not os.path.isdir(path):
        raise DataNotFoundError(f"path={path!r} does not exist.")
    source = _source_in_folder(path, spec)
    if source is None:
        names = ", ".join(spec.files[r].filename for r in SPLIT_FILES)
        raise DataFormatError(
            f"{path} holds no {spec.name} data set skdigits can read. Expected one of: "
            f"the four IDX files ({names}, gzip or raw); mnist.npz; train.csv (and test.csv) "
            "in Kaggle's format; or train/ and test/ folders with one subfolder per label."
        )
    return source


def search_places(spec, data_home):
    """The places searched without an explicit path, in order."""
    return [dataset_folder(spec, data_home), keras_cache_path(spec)]


def find_local(spec, data_home):
    """The :class:`Source` of the first place in :func:`search_places` holding the set, or None.

    IDX files in the data home are checked against the published digests
    when read (``check_published_digests``, in ``_verify.py``).
    """
    home_folder, keras_place = search_places(spec, data_home)
    if os.path.isdir(home_folder):
        files = find_idx_files(home_folder, spec)
        if files:
            return Source(f"IDX files in {home_folder}", _checked_reader(files, spec))
        source = _source_in_folder(home_folder, spec)
        if source:
            return source
    if os.path.isfile(keras_place) and keras_place.endswith(".npz"):
        return Source(f"{keras_place} (Keras' cache)", lambda: read_mnist_npz(keras_place))
    if os.path.isdir(keras_place):
        files = find_idx_files(keras_place, spec)
        if files:
            description = f"IDX files in {keras_place} (Keras' cache)"
            return Source(description, lambda: _read_idx_set(files))
    return None


def _checked_reader(files, spec):
    """A reader of the data home's IDX files that checks their digests first."""

    def read():
        check_published_digests(files, spec)
        return _read_idx_set(files)

    return read


def locate_dataset(name="mnist", *, path=None, data_home=None):
    """Say where a data set would be loaded from, without loading or downloading.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}, default="mnist"
        The data set.
    path : str or os.PathLike, default=None
        A folder or file to look in first, as for :func:`load_mnist`.
    data_home : str or os.PathLike, default=None
        The data home, as for :func:`load_mnist`.

    Returns
    -------
    source : str or None
        A description of the files found, or None when the data set is not on
        this machine.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skdigits.datasets import locate_dataset, write_idx
    >>> folder = tempfile.mkdtemp()
    >>> for split, n in [("train", 6), ("t10k", 2)]:
    ...     write_idx(np.zeros((n, 28, 28), np.uint8), f"{folder}/{split}-images-idx3-ubyte.gz")
    ...     write_idx(np.arange(n, dtype=np.uint8), f"{folder}/{split}-labels-idx1-ubyte.gz")
    >>> locate_dataset("mnist", path=folder).startswith("IDX files in")
    True
    """
    spec = get_spec(name)
    if path is not None:
        return source_at_path(path, spec).description
    found = find_local(spec, data_home)
    return found.description if found else None
