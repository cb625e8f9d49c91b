"""Checking files against the published digests, on demand and at each load.

:func:`verify_file` answers for one file (``skdigits download`` and
``skdigits data`` use it); :func:`check_published_digests` is what a load from
the data home runs, remembering its answers in :data:`VERIFIED_MARKER`.
"""

import hashlib
import json
import os
import warnings

from ..exceptions import ChecksumMismatchWarning, DataFormatError
from ..utils import atomic_open
from ._idx import decompress

#: The file, in each data set folder of the data home, that remembers which
#: files were checked against the published digests.
VERIFIED_MARKER = ".skdigits-verified.json"


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

    The warning points at the caller of ``load_mnist``, which calls this
    through the ``read`` of the data home's ``Source`` (``_locate.py``).

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
