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


#: Bytes inflated per step: a gzip stream is never inflated further than
#: what has been checked against the IDX header, plus one step.
_STEP = 1 << 20


def _declared_size(head):
    """The size an IDX file's header announces (header included), once ``head`` holds it.

    ``None`` while ``head`` is too short to tell; ``-1`` when it does not start
    like an IDX file at all (:func:`parse_idx` then says what is wrong).
    """
    if len(head) < 4:
        return None
    zero, dtype_code, ndim = head[0] | head[1], head[2], head[3]
    if zero != 0 or dtype_code not in _IDX_DTYPES or ndim == 0 or ndim > _MAX_DIMS:
        return -1
    header_size = 4 + 4 * ndim
    if len(head) < header_size:
        return None
    shape = np.frombuffer(bytes(head[4:header_size]), dtype=">u4")
    return header_size + math.prod(int(d) for d in shape) * _IDX_DTYPES[dtype_code].itemsize


def decompress(raw, name):
    """Return ``raw`` decompressed when it is a gzip stream, else as it is.

    The stream is inflated step by step and never past the size its IDX
    header announces: a small file that inflates to gigabytes (a
    decompression bomb) is refused after one step beyond that size, and a
    stream that does not start like IDX stops as soon as that shows.
    """
    if raw[:2] != _GZIP_MAGIC:
        return raw
    out = bytearray()
    pending, declared = raw, None
    inflater = zlib.decompressobj(wbits=31)
    try:
        while True:
            chunk = inflater.decompress(pending, _STEP)
            pending = inflater.unconsumed_tail
            if not chunk and not pending and not inflater.eof:
                raise EOFError("the compressed stream ends before its end marker")
            out += chunk
            if declared is None:
                declared = _declared_size(out)
            if declared == -1:
                return bytes(out)  # not IDX: parse_idx names the bad magic number
            if declared is not None and len(out) > declared:
                raise DataFormatError(
                    f"{name} inflates to more than the {declared:,} bytes its IDX header "
                    "announces: it is not an IDX file of that shape (or is a decompression "
                    "bomb); delete it and download it again."
                )
            if inflater.eof:
                if not inflater.unused_data.strip(b"\0"):
                    return bytes(out)
                # another gzip member follows, as gzip.decompress allows
                pending, inflater = inflater.unused_data, zlib.decompressobj(wbits=31)
    except (EOFError, zlib.error) as exc:
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
