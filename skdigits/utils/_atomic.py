"""Write files so that no half-written file ever takes the final name."""

import contextlib
import os
import tempfile


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
    handle, tmp_path = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, mode, encoding=encoding) as out:
            yield out
        # mkstemp makes the file private (0600); give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_path)
        raise
