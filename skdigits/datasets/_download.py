"""Downloading: one file safely (download_file), a data set (download_dataset), its status.

:func:`download_file` fetches with a timeout, a progress bar, a checksum and
an atomic write; :func:`download_dataset` fetches a data set's four files
from its mirrors into the data home; :func:`dataset_status` reports what the
data home holds and whether it verifies.
"""

import contextlib
import hashlib
import http.client
import os
import re
import socket
import sys
import time
import urllib.error
import urllib.request

from ..exceptions import DownloadError
from ..utils import atomic_open
from ._home import dataset_folder, keras_cache_path
from ._locate import idx_paths
from ._registry import SPLIT_FILES, get_spec
from ._verify import verify_file

_CHUNK = 1 << 16
#: A partial download not written to for this long (seconds) is abandoned
#: when its writer cannot be asked (another machine, or not POSIX).
STALE_PART_SECONDS = 3600


def _host_tag():
    """This machine's name, reduced to characters safe in a file name."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname() or "host")[:40] or "host"


def _pid_alive(pid):
    """Whether process ``pid`` of this machine still runs (POSIX only)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, owned by someone else
        return True
    return True


def _remove_stale_parts(destination):
    """Delete the partial files that killed downloads of ``destination`` left.

    A download writes to ``.<name>.<host>.<pid>.<random>.part`` beside
    ``destination`` and renames it when complete and verified; a failure
    deletes it, but a download killed outright (``kill -9``, a power cut)
    cannot. Before downloading again, such leftovers are deleted: those of
    a process of this machine that no longer runs, and any (including ones
    of another machine sharing the folder, or of older skdigits versions)
    not written to for :data:`STALE_PART_SECONDS`. A download still running
    elsewhere keeps its file.

    Parameters
    ----------
    destination : str or os.PathLike
        The final file name of the download.

    Returns
    -------
    removed : list of str
        The paths deleted.
    """
    folder, base = os.path.split(os.path.abspath(os.fspath(destination)))
    pattern = re.compile(
        rf"\.{re.escape(base)}\.(?:(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.)?.*\.part"
    )
    host, removed = _host_tag(), []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if not match:
            continue
        if match["pid"] and match["host"] == host and os.name == "posix":
            stale = not _pid_alive(int(match["pid"]))
        else:
            try:
                stale = time.time() - entry.stat().st_mtime > STALE_PART_SECONDS
            except OSError:
                continue
        if stale:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(entry.path)
    return removed


@contextlib.contextmanager
def _partial_file(destination):
    """Open ``.<name>.<host>.<pid>.<random>.part``; rename it to ``destination`` on success.

    :func:`skdigits.utils._atomic.atomic_open`, with the writer's machine and
    process in the name so that :func:`_remove_stale_parts` can tell a killed
    download's leftover from a running one.
    """
    base = os.path.basename(os.path.abspath(destination))
    with atomic_open(destination, tmp_prefix=f".{base}.{_host_tag()}.{os.getpid()}.") as out:
        yield out


class _Progress:
    """A one-line progress bar on stderr (a final line only when not a terminal)."""

    def __init__(self, label, total, stream=None, enabled=True):
        self.label, self.total, self.done = label, total, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.live = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = 0.0

    def update(self, n_bytes):
        self.done += n_bytes
        now = time.monotonic()
        if self.live and now - self._last > 0.1:
            self._last = now
            self.stream.write("\r" + self._line())
            self.stream.flush()

    def close(self):
        if self.enabled:
            self.stream.write(("\r" if self.live else "") + self._line() + "\n")
            self.stream.flush()

    def _line(self):
        mb = self.done / 1e6
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(30 * frac)
            return (
                f"  {self.label} [{bar:<30}] {100 * frac:5.1f}% {mb:.1f}/{self.total / 1e6:.1f} MB"
            )
        return f"  {self.label} {mb:.1f} MB"


def download_file(url, destination, *, md5=None, timeout=30.0, progress=True, opener=None):
    """Download ``url`` to ``destination``, atomically and verified.

    The data go to a temporary file beside the destination, which is renamed
    into place only after the whole transfer arrived (as many bytes as the
    server announced) and its MD5 digest matched. On any failure the temporary
    file is removed and :class:`~skdigits.exceptions.DownloadError` is raised,
    so no file that looks complete is ever left behind.

    A download killed outright (``kill -9``, a power cut) cannot clean up:
    its partial file, ``.<name>.<host>.<pid>.<random>.part``, is deleted by
    the next download of the same file, when that process no longer runs on
    this machine, or when it has not been written to for an hour (another
    machine sharing the folder, or older skdigits versions). A download still
    running keeps its file. Downloads start over rather than resume.

    Parameters
    ----------
    url : str
        Where to fetch from.
    destination : str or os.PathLike
        The final file name.
    md5 : str, default=None
        Expected hexadecimal MD5 digest of the downloaded bytes.
    timeout : float, default=30.0
        Seconds to wait for the server to connect or send more data.
    progress : bool, default=True
        Show a progress bar on stderr.
    opener : callable, default=None
        ``urllib.request.urlopen``-like function (tests pass a stub).

    Returns
    -------
    destination : str
        The path written.

    Examples
    --------
    >>> from skdigits.datasets import download_file
    >>> download_file("https://example.org/data.gz", "data.gz", md5="0" * 32)  # doctest: +SKIP
    'data.gz'
    """
    destination = os.fspath(destination)
    folder = os.path.dirname(os.path.abspath(destination))
    os.makedirs(folder, exist_ok=True)
    opener = opener or urllib.request.urlopen
    _remove_stale_parts(destination)
    try:
        with _partial_file(destination) as out:
            digest = hashlib.md5(usedforsecurity=False)
            received = 0
            with opener(url, timeout=timeout) as response:
                total = int(response.headers.get("Content-Length") or 0)
                bar = _Progress(os.path.basename(destination), total, enabled=progress)
                while True:
                    chunk = response.read(_CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
                bar.close()
            # Checked before the rename: a failure here keeps nothing.
            if total and received != total:
                raise DownloadError(
                    f"Download of {url} was cut short: received {received} of {total} bytes."
                )
            if md5 is not None and digest.hexdigest() != md5:
                raise DownloadError(
                    f"Checksum mismatch for {url}: MD5 {digest.hexdigest()}, expected {md5}. "
                    "The file is corrupt or not the expected one; nothing was kept."
                )
    except DownloadError:
        raise
    except http.client.IncompleteRead as exc:
        raise DownloadError(
            f"Download of {url} was cut short: received {len(exc.partial)} bytes of the "
            "last block, the connection closed early."
        ) from exc
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(exc, urllib.error.HTTPError):
            reason = f"HTTP {exc.code} {exc.reason}"
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise DownloadError(f"Download of {url} timed out after {timeout:g} s.") from exc
        raise DownloadError(f"Download of {url} failed: {reason}.") from exc
    return destination


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
    folder = dataset_folder(spec, data_home)
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
                f"Could not download {remote.filename} of {spec.name}:\n  " + "\n  ".join(failures)
            )
    return folder


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
    folder = dataset_folder(spec, data_home)
    files = {
        role: {
            "path": path,
            "present": path is not None,
            "verified": verify_file(path, spec.files[role]) if (path and verify) else None,
        }
        for role, path in idx_paths(folder, spec).items()
    }
    present = all(f["present"] for f in files.values())
    verified = all(f["verified"] for f in files.values()) if (present and verify) else None
    keras_place = keras_cache_path(spec)
    return {
        "name": spec.name,
        "folder": folder,
        "present": present,
        "verified": verified,
        "files": files,
        "keras_cache": keras_place if os.path.exists(keras_place) else None,
    }
