"""read_image: real pixel ranges of deep images, capped sizes, broken files, bytes."""

import io
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image

from skdigits import DigitImageNormalizer, read_image, read_images
from skdigits.exceptions import ImageError


def _digit(height=60, width=40):
    """A white page with a dark vertical bar, as floats in [0, 1]."""
    page = np.ones((height, width))
    page[10:-10, width // 2 - 3 : width // 2 + 3] = 0.1
    return page


def _png_header_only(path, width, height):
    """A tiny 1-bit PNG declaring width x height: a decompression bomb's header."""

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
    return path


class TestDeepImages:
    def test_16_bit_png_keeps_its_range(self, tmp_path):
        path = tmp_path / "scan16.png"
        Image.fromarray((_digit() * 65535).astype(np.uint16)).save(path)
        assert Image.open(path).mode.startswith("I;16")
        gray = read_image(path)
        assert gray.dtype == np.uint8
        assert gray.max() == 255 and abs(int(gray[30, 20]) - 26) <= 1

    def test_16_bit_png_digit_has_ink(self, tmp_path):
        path = tmp_path / "scan16.png"
        Image.fromarray((_digit() * 65535).astype(np.uint16)).save(path)
        digit = DigitImageNormalizer().transform([str(path)])
        assert digit.shape == (1, 28, 28) and digit.max() > 200

    def test_float_tiff_in_0_1_is_scaled_by_255(self, tmp_path):
        path = tmp_path / "float.tif"
        Image.fromarray(_digit().astype(np.float32)).save(path)
        assert Image.open(path).mode == "F"
        gray = read_image(path)
        assert gray.max() == 255 and abs(int(gray[30, 20]) - 26) <= 1

    def test_float_tiff_beyond_255_is_stretched(self, tmp_path):
        path = tmp_path / "float.tif"
        Image.fromarray((_digit() * 4000 - 100).astype(np.float32)).save(path)
        gray = read_image(path)
        assert (gray.min(), gray.max()) == (0, 255)

    def test_32_bit_integer_tiff(self, tmp_path):
        path = tmp_path / "int32.tif"
        Image.fromarray((_digit() * 65535).astype(np.int32)).save(path)
        assert Image.open(path).mode == "I"
        assert read_image(path).max() == 255

    def test_uint16_arrays_are_scaled_too(self):
        gray = read_image((_digit() * 65535).astype(np.uint16))
        assert gray.max() == 255 and abs(int(gray[30, 20]) - 26) <= 1

    def test_eight_bit_pictures_are_unchanged(self):
        array = (_digit() * 255).astype(np.uint8)
        np.testing.assert_array_equal(read_image(array), array)
        np.testing.assert_array_equal(read_image(Image.fromarray(array)), array)


class TestLargePictures:
    def test_decompression_bomb_is_one_images_error(self, tmp_path):
        path = _png_header_only(tmp_path / "bomb.png", 14000, 14000)
        assert path.stat().st_size < 1000
        with pytest.raises(
            ImageError, match=r"bomb\.png is too large.*196 megapixels.*50 megapixels"
        ):
            read_image(path)

    def test_oversized_file_is_refused_before_decoding(self, tmp_path):
        path = _png_header_only(tmp_path / "huge.png", 10000, 10000)
        with pytest.raises(ImageError, match=r"huge\.png.*10000x10000 pixels \(100 megapixels\)"):
            read_image(path)

    def test_warning_filters_are_left_as_they_were(self, tmp_path):
        path = _png_header_only(tmp_path / "huge.png", 10000, 10000)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # Pillow's bomb warning would be raised
            before = list(warnings.filters)
            with pytest.raises(ImageError):
                read_image(path)
            assert warnings.filters == before

    def test_twelve_megapixel_photo_is_read_whole(self, tmp_path):
        path = tmp_path / "photo.jpg"
        Image.new("RGB", (4000, 3000), "white").save(path)
        assert read_image(path).shape == (3000, 4000)

    @pytest.mark.parametrize("suffix", ["jpg", "png"])
    def test_larger_pictures_are_reduced_while_read(self, tmp_path, suffix):
        path = tmp_path / f"big.{suffix}"
        Image.new("L", (6000, 4000), 255).save(path)
        gray = read_image(path)
        assert gray.shape == (2000, 3000)
        assert gray.size <= 16_000_000

    def test_reduced_picture_keeps_its_proportions_and_ink(self, tmp_path):
        path = tmp_path / "big.png"
        page = np.full((4000, 6000), 255, dtype=np.uint8)
        page[1000:3000, 2900:3100] = 0
        Image.fromarray(page).save(path)
        gray = read_image(path)
        assert gray.shape == (2000, 3000)
        assert gray[1000, 1500] == 0 and gray[1000, 100] == 255


class TestBrokenFiles:
    @pytest.mark.parametrize("fmt", ["png", "jpeg", "gif", "tiff", "bmp", "webp"])
    def test_truncated_file_names_the_file(self, tmp_path, fmt):
        picture = tmp_path / f"whole.{fmt}"
        Image.fromarray((np.random.rand(64, 48, 3) * 255).astype(np.uint8)).save(picture)
        data = picture.read_bytes()
        path = tmp_path / f"cut.{fmt}"
        for length in (len(data) // 3, len(data) // 2, 20):
            path.write_bytes(data[:length])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # Pillow: "Truncated File Read"
                try:
                    read_image(path)
                except ImageError as error:
                    assert f"cut.{fmt}" in str(error)

    def test_truncated_png_is_an_image_error(self, tmp_path):
        picture = tmp_path / "whole.png"
        Image.fromarray((np.random.rand(64, 48) * 255).astype(np.uint8)).save(picture)
        path = tmp_path / "cut.png"
        path.write_bytes(picture.read_bytes()[:-200])
        with pytest.raises(ImageError, match=r"cut\.png cannot be read.*truncated"):
            read_image(path)

    def test_text_file_is_not_an_image(self, tmp_path):
        path = tmp_path / "notes.png"
        path.write_text("seven")
        with pytest.raises(ImageError, match=r"notes\.png is not an image"):
            read_image(path)


def _png_bytes(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


class TestBytes:
    """The bytes of a file (as the draw page posts them) are read as the file is."""

    def test_png_bytes_read_as_the_file(self, tmp_path):
        array = (_digit() * 255).astype(np.uint8)
        path = tmp_path / "digit.png"
        path.write_bytes(_png_bytes(array))
        np.testing.assert_array_equal(read_image(path.read_bytes()), read_image(path))
        np.testing.assert_array_equal(read_image(bytearray(path.read_bytes())), array)

    def test_16_bit_png_bytes_keep_their_range(self):
        gray = read_image(_png_bytes((_digit() * 65535).astype(np.uint16)))
        assert gray.max() == 255 and abs(int(gray[30, 20]) - 26) <= 1

    def test_colour_is_kept_on_request(self):
        rgb = np.zeros((6, 5, 3), dtype=np.uint8)
        rgb[..., 2] = 200
        assert read_image(_png_bytes(rgb)).shape == (6, 5)
        np.testing.assert_array_equal(read_image(_png_bytes(rgb), color=True), rgb)

    def test_truncated_bytes_are_an_image_error(self):
        data = _png_bytes((np.random.default_rng(0).random((64, 48)) * 255).astype(np.uint8))
        with pytest.raises(ImageError, match=r"^upload cannot be read as an image.*truncated"):
            read_image(data[:-200], name="upload")

    @pytest.mark.parametrize(
        "data, message",
        [
            (b"", r"^image is empty: expected the bytes of an image file \(PNG, JPEG"),
            (b"seven", r"^image is not an image file Pillow can read \(PNG, JPEG"),
        ],
    )
    def test_empty_or_not_a_picture(self, data, message):
        with pytest.raises(ImageError, match=message):
            read_image(data)

    def test_a_bomb_is_refused_before_decoding(self, tmp_path):
        data = _png_header_only(tmp_path / "bomb.png", 14000, 14000).read_bytes()
        with pytest.raises(ImageError, match=r"^the picture is too large.*196 megapixels"):
            read_image(data, name="the picture")

    def test_read_images_takes_bytes_alone_as_one_picture(self):
        assert len(read_images(_png_bytes(np.zeros((3, 4), dtype=np.uint8)))) == 1


def test_a_fifo_or_a_folder_is_named_as_such_not_as_missing(tmp_path):
    import os

    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(ImageError, match=r"pipe\.png is a named pipe \(FIFO\), not an image file"):
        read_image(fifo)  # returns at once: a FIFO is never opened for reading
    folder = tmp_path / "folder.png"
    folder.mkdir()
    with pytest.raises(ImageError, match=r"folder\.png is a folder, not an image file"):
        read_image(folder)
    with pytest.raises(ImageError, match=r"gone\.png: no such file"):
        read_image(tmp_path / "gone.png")


def test_predict_on_a_folder_holding_a_fifo_names_it(tmp_path, capsys):
    import os

    from skdigits.cli import main

    os.mkfifo(tmp_path / "pipe.png")
    status = main(["predict", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 1
    assert "pipe.png  error: " in out and "is a named pipe (FIFO), not an image file" in out
