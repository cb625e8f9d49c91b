"""load_mnist, load_fashion_mnist and the search for data on this machine."""

import hashlib
import json
import os
import warnings

import numpy as np

from .._atomic import atomic_open
from ..exceptions import (
    ChecksumMismatchWarning,
    DataFormatError,
    DataNotFoundError,
    DownloadError,
)
from ._download import download_file
from ._formats import (
    check_images_and_labels,
    read_image_folder,
    read_kaggle_csv,
    read_mnist_npz,
)
from ._home import get_data_home, keras_cache_dir
from ._idx import decompress, read_idx
from ._registry import SPLIT_FILES, get_spec


def _idx_candidates(filename):
    """Names one IDX file goes by: gzip or raw, '-idx' or '.idx' spelling."""
    stem = filename.removesuffix(".gz")
    dotted = stem.replace("-idx", ".idx")
    return [stem + ".gz", stem, dotted + ".gz", dotted]


def _idx_paths(folder, spec):
    """Return {role: path or None} for the four IDX files of ``spec`` in ``folder``."""
    paths = {}
    for role in SPLIT_FILES:
        names = _idx_candidates(spec.files[role].filename)
        paths[role] = next(
            (os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n))),
            None,
        )
    return paths


def find_idx_files(folder, spec):
    """Return {role: path} when ``folder`` holds all four IDX files, else None."""
    paths = _idx_paths(folder, spec)
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


def _reader_for_folder(folder, spec):
    """Return (description, zero-argument reader) for a folder, or None."""
    files = find_idx_files(folder, spec)
    if files:
        return f"IDX files in {folder}", lambda: _read_idx_set(files)
    npz = os.path.join(folder, "mnist.npz")
    if spec.name == "mnist" and os.path.isfile(npz):
        return f"{npz}", lambda: read_mnist_npz(npz)
    train_csv = os.path.join(folder, "train.csv")
    if os.path.isfile(train_csv):
        test_csv = os.path.join(folder, "test.csv")

        def read_csvs():
            train = read_kaggle_csv(train_csv)
            test = read_kaggle_csv(test_csv) if os.path.isfile(test_csv) else _empty_split(train[0])
            return train, test

        return f"Kaggle CSV files in {folder}", read_csvs
    if os.path.isdir(os.path.join(folder, "train")) and os.path.isdir(os.path.join(folder, "test")):
        return (
            f"image folders {folder}/train and {folder}/test",
            lambda: (
                read_image_folder(os.path.join(folder, "train")),
                read_image_folder(os.path.join(folder, "test")),
            ),
        )
    return None


def _empty_split(images):
    return np.empty((0, *images.shape[1:]), dtype=np.uint8), np.empty(0, dtype=np.int64)


def _reader_for_path(path, spec):
    """Reader for an explicit ``path=``; explain what was expected when it does not fit."""
    path = os.path.abspath(os.path.expanduser(os.fspath(path)))
    if os.path.isfile(path):
        if path.endswith(".npz"):
            return path, lambda: read_mnist_npz(path)
        raise DataFormatError(
            f"{path} is a single file; path= takes a Keras .npz file or a folder. For one "
            "IDX file use read_idx, for one CSV file read_kaggle_csv."
        )
    if not os.path.isdir(path):
        raise DataNotFoundError(f"path={path!r} does not exist.")
    reader = _reader_for_folder(path, spec)
    if reader is None:
        names = ", ".join(spec.files[r].filename for r in SPLIT_FILES)
        raise DataFormatError(
            f"{path} holds no {spec.name} data set skdigits can read. Expected one of: "
            f"the four IDX files ({names}, gzip or raw); mnist.npz; train.csv (and test.csv) "
            "in Kaggle's format; or train/ and test/ folders with one subfolder per label."
        )
    return reader


def _search_places(spec, data_home):
    """The places searched without an explicit path, in order."""
    home_folder = os.path.join(get_data_home(data_home), spec.name)
    return [home_folder, os.path.join(keras_cache_dir(), spec.keras_cache)]


def locate_dataset(name="mnist", *, path=None, data_home=None):
    """Say where a data set would be loaded from, without loading or downloading.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}, default="mnist"
        The data set.
    path, data_home
        As for :func:`load_mnist`.

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
        return _reader_for_path(path, spec)[0]
    found = _find_local(spec, data_home)
    return found[0] if found else None


#: The file, in each data set folder of the data home, that remembers which
#: files were checked against the published digests.
VERIFIED_MARKER = ".skdigits-verified.json"


def _checked_reader(files, spec):
    """A reader of the data home's IDX files that checks their digests first."""

    def read():
        check_published_digests(files, spec)
        return _read_idx_set(files)

    return read


def check_published_digests(files, spec):
    """Compare data-home files with the published digests, once per version of each file.

    What ``skdigits data`` calls a checksum mismatch is looked for here too,
    when a data set is loaded from the data home: the first load of each file
    reads it once more and hashes it (a fraction of a second for MNIST); the
    answer is remembered in :data:`VERIFIED_MARKER` beside the files, keyed by
    the file's size and modification time, so later loads only ``stat`` the
    files. A file that does not match is still loaded, with a
    :class:`~skdigits.exceptions.ChecksumMismatchWarning` at every load
    saying how to fetch it again. A data home that cannot be written (or is
    marked read-only, ``chmod a-w``) is checked at every load.

    Parameters
    ----------
    files : dict
        ``{role: path}`` of the four IDX files.
    spec : DatasetSpec
        The data set, with its published digests.

    Returns
    -------
    mismatched : list of str
        The paths that do not match.
    """
    folder = os.path.dirname(os.path.abspath(next(iter(files.values()))))
    marker = os.path.join(folder, VERIFIED_MARKER)
    try:
        with open(marker, encoding="utf-8") as handle:
            records = json.load(handle)["files"]
        if not isinstance(records, dict):
            raise TypeError(records)
    except (OSError, ValueError, KeyError, TypeError):
        records = {}
    changed, mismatched = False, []
    for role, path in files.items():
        name = os.path.basename(path)
        try:
            stat = os.stat(path)
        except OSError:
            continue  # the reader names the problem
        record = records.get(name)
        if not (
            isinstance(record, dict)
            and record.get("size") == stat.st_size
            and record.get("mtime_ns") == stat.st_mtime_ns
        ):
            try:
                with open(path, "rb") as handle:
                    content = handle.read()
            except OSError:
                continue
            record = {
                "size": stat.st_size,
                "mtime_ns": stat.st_mtime_ns,
                "sha256": hashlib.sha256(content).hexdigest(),
                "verified": _matches_published(content, path, spec.files[role]),
            }
            records[name], changed = record, True
        if record.get("verified") is False:
            mismatched.append(path)
            warnings.warn(
                f"{path} does not match the published digest of {spec.name}'s "
                f"{spec.files[role].filename}: it may be corrupt, truncated or another "
                f"copy. `skdigits download {spec.name}` fetches it again; `skdigits data` "
                "checks the data home.",
                ChecksumMismatchWarning,
                stacklevel=5,  # load_mnist's caller
            )
    if changed and _writable(folder):
        try:
            with atomic_open(marker, "w", encoding="utf-8") as out:
                json.dump({"version": 1, "files": records}, out, indent=1, sort_keys=True)
        except OSError:
            pass  # a read-only data home: checked again next time
    return mismatched


def _writable(folder):
    """Whether ``folder`` may be written: permitted, and not marked read-only.

    The mode bits are looked at too, so that a folder made read-only for
    sharing (``chmod a-w``) is left alone even by root.
    """
    try:
        return os.access(folder, os.W_OK) and bool(os.stat(folder).st_mode & 0o222)
    except OSError:
        return False


def _find_local(spec, data_home):
    home_folder, keras_place = _search_places(spec, data_home)
    if os.path.isdir(home_folder):
        files = find_idx_files(home_folder, spec)
        if files:
            return f"IDX files in {home_folder}", _checked_reader(files, spec)
        reader = _reader_for_folder(home_folder, spec)
        if reader:
            return reader
    if os.path.isfile(keras_place) and keras_place.endswith(".npz"):
        return f"{keras_place} (Keras' cache)", lambda: read_mnist_npz(keras_place)
    if os.path.isdir(keras_place):
        files = find_idx_files(keras_place, spec)
        if files:
            return f"IDX files in {keras_place} (Keras' cache)", lambda: _read_idx_set(files)
    return None


def download_dataset(name="mnist", *, data_home=None, timeout=30.0, progress=True, opener=None):
    """Download a data set's four IDX files into the data home, verified.

    Files already present and verified are kept. Each file is checked against
    its published MD5 digest and written atomically; mirrors are tried in turn.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}, default="mnist"
        The data set.
    data_home : str or os.PathLike, default=None
        See :func:`get_data_home`; files go to ``<data home>/<name>/``.
    timeout : float, default=30.0
        Seconds to wait on a silent server.
    progress : bool, default=True
        Show progress bars on stderr.
    opener : callable, default=None
        ``urllib.request.urlopen``-like function (for tests).

    Returns
    -------
    folder : str
        The folder holding the files.

    Raises
    ------
    DownloadError
        When a file could not be fetched from any mirror; the message gives
        each mirror's failure.

    Examples
    --------
    >>> from skdigits.datasets import download_dataset
    >>> download_dataset("mnist")  # doctest: +SKIP
    '/home/me/skdigits_data/mnist'
    """
    spec = get_spec(name)
    folder = os.path.join(get_data_home(data_home), spec.name)
    for role in SPLIT_FILES:
        remote = spec.files[role]
        destination = os.path.join(folder, remote.filename)
        if os.path.isfile(destination) and verify_file(destination, remote):
            continue
        failures = []
        for mirror in spec.mirrors:
            try:
                download_file(
                    mirror + remote.filename,
                    destination,
                    md5=remote.md5_gz,
                    timeout=timeout,
                    progress=progress,
                    opener=opener,
                )
                break
            except DownloadError as exc:
                failures.append(str(exc))
        else:
            raise DownloadError(
                f"Could not download {remote.filename} of {spec.name}:\n  "
                + "\n  ".join(failures)
            )
    return folder


def verify_file(path, remote):
    """Tell whether a file's content is the published one.

    A file verifies when its bytes have the published MD5 digest of the
    gzip file, or when its decompressed IDX bytes have the published SHA-256
    digest (so recompressed or uncompressed copies verify too).

    Parameters
    ----------
    path : str or os.PathLike
        The local file.
    remote : RemoteFile
        Its entry in ``DATASETS[name].files``.

    Returns
    -------
    verified : bool
        Whether the content matches.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigits.datasets import DATASETS, verify_file
    >>> path = os.path.join(tempfile.mkdtemp(), "train-labels-idx1-ubyte.gz")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(b"not the labels")
    >>> verify_file(path, DATASETS["mnist"].files["train_labels"])
    False
    """
    with open(path, "rb") as handle:
        content = handle.read()
    return _matches_published(content, path, remote) is True


def _matches_published(content, path, remote):
    """True or False; None for an uncompressed copy when only the gzip digest is known."""
    if hashlib.md5(content, usedforsecurity=False).hexdigest() == remote.md5_gz:
        return True
    if remote.sha256_raw is None:
        # Only the distributed .gz file's digest is published: a raw copy
        # cannot be checked (verify_file says False, the loader says nothing).
        return None if content[:2] != b"\x1f\x8b" else False
    try:
        raw = decompress(content, path)  # the bytes already read, not the file again
    except DataFormatError:
        return False
    return hashlib.sha256(raw).hexdigest() == remote.sha256_raw


def dataset_status(name="mnist", *, data_home=None, verify=True):
    """Report whether a data set is in the data home, and whether it verifies.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}, default="mnist"
        The data set.
    data_home : str or os.PathLike, default=None
        See :func:`get_data_home`.
    verify : bool, default=True
        Check the files' digests (reads them; about a second for MNIST).

    Returns
    -------
    status : dict
        ``folder``, ``present`` (all four files there), ``verified`` (True,
        False, or None when not checked or absent), ``files`` (per file:
        ``path``, ``present``, ``verified``) and ``keras_cache`` (the Keras
        cache path if it holds the set, else None).

    Examples
    --------
    >>> import tempfile
    >>> from skdigits.datasets import dataset_status
    >>> status = dataset_status("fashion-mnist", data_home=tempfile.mkdtemp())
    >>> status["present"], status["verified"]
    (False, None)
    """
    spec = get_spec(name)
    folder = os.path.join(get_data_home(data_home), spec.name)
    files = {
        role: {
            "path": path,
            "present": path is not None,
            "verified": verify_file(path, spec.files[role]) if (path and verify) else None,
        }
        for role, path in _idx_paths(folder, spec).items()
    }
    present = all(f["present"] for f in files.values())
    verified = all(f["verified"] for f in files.values()) if (present and verify) else None
    keras_place = os.path.join(keras_cache_dir(), spec.keras_cache)
    return {
        "name": spec.name,
        "folder": folder,
        "present": present,
        "verified": verified,
        "files": files,
        "keras_cache": keras_place if os.path.exists(keras_place) else None,
    }


def _load(name, path, data_home, download_if_missing, as_frame, timeout):
    spec = get_spec(name)
    if path is not None:
        _, reader = _reader_for_path(path, spec)
    else:
        found = _find_local(spec, data_home)
        if found is None and download_if_missing:
            try:
                download_dataset(name, data_home=data_home, timeout=timeout)
            except DownloadError as exc:
                raise DataNotFoundError(_not_found_message(spec, data_home, exc)) from exc
            found = _find_local(spec, data_home)
        if found is None:
            raise DataNotFoundError(_not_found_message(spec, data_home, None))
        _, reader = found
    (X_train, y_train), (X_test, y_test) = reader()
    if as_frame:
        return _as_frame(X_train, y_train), _as_frame(X_test, y_test)
    return (X_train, y_train), (X_test, y_test)


def _not_found_message(spec, data_home, error):
    places = "\n".join(f"  - {p}" for p in _search_places(spec, data_home))
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


def _as_frame(images, labels):
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


def load_mnist(path=None, *, data_home=None, download_if_missing=True, as_frame=False, timeout=30.0):
    return _load("mnist", path, data_home, download_if_missing, as_frame, timeout)


def load_fashion_mnist(
    path=None, *, data_home=None, download_if_missing=True, as_frame=False, timeout=30.0
):
    return _load("fashion-mnist", path, data_home, download_if_missing, as_frame, timeout)


load_mnist.__doc__ = _LOAD_DOC.format(
    title="the MNIST handwritten digits", keras="mnist", name="mnist",
    keras_cache="mnist.npz", extra="", function="load_mnist",
)
load_fashion_mnist.__doc__ = _LOAD_DOC.format(
    title="Fashion-MNIST (Zalando's clothing images)", keras="fashion_mnist",
    name="fashion-mnist", keras_cache="fashion-mnist/",
    extra="\n        Label ``i`` names the class ``FASHION_MNIST_CLASSES[i]``.",
    function="load_fashion_mnist",
)

#: Class names of Fashion-MNIST, indexed by label.
FASHION_MNIST_CLASSES = get_spec("fashion-mnist").class_names
