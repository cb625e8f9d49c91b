"""read_idx / write_idx: round trips and every way an IDX file can be broken."""

import gzip
import zlib

import numpy as np
import pytest

from skdigits import read_idx
from skdigits.datasets import write_idx
from skdigits.exceptions import DataFormatError


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_round_trip_raw_and_gzip(tmp_path, name):
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    write_idx(images, tmp_path / name)
    loaded = read_idx(tmp_path / name)
    np.testing.assert_array_equal(loaded, images)
    assert loaded.dtype == np.uint8 and loaded.flags.writeable


def test_compression_is_detected_from_content_not_name(tmp_path):
    labels = np.arange(10, dtype=np.uint8)
    write_idx(labels, tmp_path / "labels-idx1-ubyte", compress=True)
    np.testing.assert_array_equal(read_idx(tmp_path / "labels-idx1-ubyte"), labels)


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.float32, np.float64, np.int8])
def test_other_element_types(tmp_path, dtype):
    data = np.arange(12, dtype=dtype).reshape(3, 4)
    write_idx(data, tmp_path / "data.idx")
    loaded = read_idx(tmp_path / "data.idx")
    assert loaded.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(loaded, data)


def _header(ndim=3, code=8, dims=(2, 28, 28)):
    return bytes([0, 0, code, ndim]) + np.asarray(dims, dtype=">u4").tobytes()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\x00", "shorter than the 4-byte magic number"),
        (b"\x12\x34\x08\x03" + bytes(100), "bad magic number 0x12340803"),
        (b"\x00\x00\x07\x03" + bytes(100), "bad magic number"),
        (_header()[:10], "truncated: its header announces 3 dimensions"),
        (_header() + bytes(2 * 28 * 28 - 1), r"truncated: .*shape \(2, 28, 28\)"),
        (_header() + bytes(2 * 28 * 28 + 5), "trailing bytes"),
        # Sizes whose product overflows 64 bits, or wraps around to 0.
        (_header(dims=(2**31, 2**31, 4)), r"truncated: .*18446744073709551616 data bytes"),
        (_header(ndim=4, dims=(2**16,) * 4), r"truncated: .*\(65536, 65536, 65536, 65536\)"),
        (_header(ndim=100, dims=(1,) * 100) + bytes(1), "100 dimensions; expected at most 32"),
    ],
)
def test_broken_files_name_the_file_and_the_problem(tmp_path, content, message):
    path = tmp_path / "broken-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(DataFormatError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_truncated_gzip_stream(tmp_path):
    path = tmp_path / "images-idx3-ubyte.gz"
    data = gzip.compress(_header() + bytes(2 * 28 * 28))
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFormatError, match="corrupt or truncated gzip"):
        read_idx(path)


def test_unreadable_path(tmp_path):
    with pytest.raises(DataFormatError, match="Cannot read"):
        read_idx(tmp_path / "missing")


def test_write_refuses_types_idx_cannot_hold(tmp_path):
    with pytest.raises(ValueError, match="IDX cannot hold"):
        write_idx(np.array(["a"]), tmp_path / "x")


def _bomb(path, n_labels, inflated_bytes):
    """A gzip IDX label file whose header declares ``n_labels`` but inflates far beyond it."""
    deflate = zlib.compressobj(9, wbits=31)
    with open(path, "wb") as out:
        out.write(deflate.compress(bytes([0, 0, 8, 1]) + n_labels.to_bytes(4, "big")))
        block = bytes(1 << 20)
        for _ in range(inflated_bytes >> 20):
            out.write(deflate.compress(block))
        out.write(deflate.flush())


def test_a_gzip_that_inflates_beyond_its_header_is_refused_in_bounded_memory(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "bomb-idx1-ubyte.gz"
    _bomb(path, n_labels=10, inflated_bytes=600 << 20)
    assert path.stat().st_size < 2 << 20  # a small file...
    code = (
        "import resource, sys\n"
        "from skdigits import read_idx\n"
        "from skdigits.exceptions import DataFormatError\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    read_idx(sys.argv[1])\n"
        "except DataFormatError as exc:\n"
        "    print(exc)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert "inflates to more than the 18 bytes its IDX header announces" in out[0]
    assert int(out[-1]) < 50  # ...refused after one megabyte, not after 600 MB (in MB)


def test_a_gzip_of_several_members_still_reads(tmp_path):
    path = tmp_path / "two-members-idx1-ubyte.gz"
    content = bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1])
    path.write_bytes(gzip.compress(content[:6]) + gzip.compress(content[6:]))
    np.testing.assert_array_equal(read_idx(path), [7, 2, 1])


def test_a_gzip_stream_that_is_not_idx_stops_at_its_magic_number(tmp_path):
    path = tmp_path / "not-idx.gz"
    path.write_bytes(gzip.compress(b"PK\x03\x04" + bytes(10_000)))
    with pytest.raises(DataFormatError, match="bad magic number 0x504b0304"):
        read_idx(path)
