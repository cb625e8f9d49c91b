"""Reading and writing the IDX format of the MNIST distribution (gzip or raw)."""

import gzip
import math
import os
import zlib

import numpy as np

from ..exceptions import DataFormatError

# The third byte of an IDX file's magic number names the element type.
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
# NumPy arrays have at most 64 dimensions; IDX data sets use one to four.
_MAX_DIMS = 32


def read_bytes(path):
    """Return a file's bytes, decompressed when it is gzip (by content, not name).

    Errors name the file: missing, unreadable, or a corrupt/truncated gzip stream.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise DataFormatError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    return decompress(raw, path)


def decompress(raw, name):
    """Return ``raw`` decompressed when it is a gzip stream, else as it is."""
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise DataFormatError(
            f"{name} is a corrupt or truncated gzip file ({exc}); delete it and download it again."
        ) from exc


def parse_idx(data, name="<bytes>"):
    """Decode IDX bytes into an array of the shape the header gives.

    Parameters
    ----------
    data : bytes
        The (decompressed) file content.
    name : str, default="<bytes>"
        How errors refer to the data, usually its file name.

    Returns
    -------
    array : ndarray
        A writable array in native byte order.
    """
    if len(data) < 4:
        raise DataFormatError(
            f"{name} is not an IDX file: {len(data)} bytes, shorter than the 4-byte magic number."
        )
    zero, dtype_code, ndim = data[0] | data[1], data[2], data[3]
    if zero != 0 or dtype_code not in _IDX_DTYPES or ndim == 0:
        raise DataFormatError(
            f"{name} is not an IDX file: bad magic number 0x{data[:4].hex()} "
            "(expected 0x0000, a type code such as 08 for uint8, and a dimension count)."
        )
    if ndim > _MAX_DIMS:
        raise DataFormatError(
            f"{name} is not a readable IDX file: its header announces {ndim} dimensions; "
            f"expected at most {_MAX_DIMS} (MNIST files have 1 for labels, 3 for images)."
        )
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise DataFormatError(
            f"{name} is truncated: its header announces {ndim} dimensions "
            f"({header_size} bytes) but the file has {len(data)} bytes."
        )
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[dtype_code]
    # Python integers: sizes near 2**32 per dimension must not wrap around.
    expected = math.prod(shape) * dtype.itemsize
    actual = len(data) - header_size
    if actual != expected:
        problem = "is truncated" if actual < expected else "has trailing bytes"
        raise DataFormatError(
            f"{name} {problem}: its header announces shape {shape} ({expected} data "
            f"bytes) but the file holds {actual} data bytes."
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    # A writable, native-endian copy (frombuffer views of bytes are read-only).
    return array.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path):
    """Read an IDX file (gzip-compressed or raw) into a NumPy array.

    IDX is the format of the original MNIST and Fashion-MNIST files: a magic
    number giving the element type and the number of dimensions, the size of
    each dimension, then the data, big-endian.

    Parameters
    ----------
    path : str or os.PathLike
        The file, e.g. ``train-images-idx3-ubyte.gz``. Compression is detected
        from the content, not the name.

    Returns
    -------
    array : ndarray
        Images as ``(n, rows, cols)`` uint8, labels as ``(n,)`` uint8, in
        general the shape and type the header gives.

    Raises
    ------
    DataFormatError
        A ``ValueError`` naming the file and what is wrong: unreadable, bad
        magic number, truncated, trailing bytes, corrupt gzip stream.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skdigits.datasets import read_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
    >>> read_idx(path)
    array([7, 2, 1], dtype=uint8)
    """
    path = os.fspath(path)
    return parse_idx(read_bytes(path), name=path)


def write_idx(array, path, *, compress=None):
    """Write an array as an IDX file (gzip-compressed when the name ends in .gz).

    Parameters
    ----------
    array : array-like
        Data of a type IDX can hold (uint8, int8, int16, int32, float32, float64).
    path : str or os.PathLike
        Destination.
    compress : bool, default=None
        Force or prevent gzip compression; by default decided by the ``.gz`` suffix.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skdigits.datasets import read_idx, write_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "images-idx3-ubyte.gz")
    >>> write_idx(np.zeros((2, 28, 28), dtype=np.uint8), path)
    >>> read_idx(path).shape
    (2, 28, 28)
    """
    array = np.asarray(array)
    codes = {dtype.newbyteorder("="): code for code, dtype in _IDX_DTYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None or array.ndim == 0:
        raise ValueError(f"IDX cannot hold a {array.ndim}-D array of dtype {array.dtype}.")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    body = array.astype(_IDX_DTYPES[code], copy=False).tobytes()
    path = os.fspath(path)
    if compress is None:
        compress = path.endswith(".gz")
    content = header + body
    with open(path, "wb") as handle:
        handle.write(gzip.compress(content, mtime=0) if compress else content)
