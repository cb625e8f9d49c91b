"""Write files so that no half-written file ever takes the final name."""

import contextlib
import os
import secrets


@contextlib.contextmanager
def atomic_open(path, mode="wb", encoding=None, tmp_prefix=None):
    """Open a temporary file beside ``path``; rename it to ``path`` on success.

    The temporary file is named ``<tmp_prefix><random>.part``, by default
    ``.<name>.<random>.part``.

    If the ``with`` block raises (including a check that fails after the data
    are written), the temporary file is removed and ``path`` is untouched.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigits.utils._atomic import atomic_open
    >>> path = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> with atomic_open(path, "w", encoding="utf-8") as handle:
    ...     _ = handle.write("done")
    >>> open(path).read()
    'done'
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    prefix = f".{os.path.basename(path)}." if tmp_prefix is None else tmp_prefix
    tmp_path, descriptor = _create_beside(folder, prefix)
    try:
        with os.fdopen(descriptor, mode, encoding=encoding) as out:
            yield out
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_path)
        raise


def _create_beside(folder, prefix):
    """Create a new, empty ``<prefix><random>.part`` file in ``folder``: (path, descriptor).

    The file is created with mode 0o666, which the process umask narrows as
    for any ``open()``, so it gets the usual permissions. The umask is never
    read or set: setting it, even for a moment, applies to every thread of
    the process.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp_path = os.path.join(folder, f"{prefix}{secrets.token_hex(6)}.part")
        try:
            return tmp_path, os.open(tmp_path, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file beside {folder} (100 names taken)")
