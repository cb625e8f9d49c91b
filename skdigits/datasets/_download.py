"""Downloading files safely: timeout, progress, checksum, atomic write."""

import hashlib
import http.client
import os
import socket
import sys
import time
import urllib.error
import urllib.request

from .._atomic import atomic_open
from ..exceptions import DownloadError

_CHUNK = 1 << 16


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
            return f"  {self.label} [{bar:<30}] {100 * frac:5.1f}% {mb:.1f}/{self.total / 1e6:.1f} MB"
        return f"  {self.label} {mb:.1f} MB"


def download_file(url, destination, *, md5=None, timeout=30.0, progress=True, opener=None):
    """Download ``url`` to ``destination``, atomically and verified.

    The data go to a temporary file beside the destination, which is renamed
    into place only after the whole transfer arrived (as many bytes as the
    server announced) and its MD5 digest matched. On any failure the temporary
    file is removed and :class:`~skdigits.exceptions.DownloadError` is raised,
    so no file that looks complete is ever left behind.

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
    try:
        with atomic_open(destination) as out:
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

