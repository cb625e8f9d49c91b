"""Reading users' own digit pictures: files, their bytes, PIL images or arrays, to grayscale."""

import contextlib
import io
import math
import os
import re
import struct
import threading
import warnings
import zlib

import numpy as np

from ..exceptions import ImageError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")

#: Pictures larger than this, in pixels, are made smaller while they are read:
#: JPEG files while decoding (``Image.draft``), others just after
#: (``Image.reduce``). A 12-megapixel photo is read as it is.
WORK_PIXELS = 16_000_000
#: A file that would still decode to more pixels than this is refused with an
#: :class:`~skdigits.exceptions.ImageError` instead of being read.
MAX_IMAGE_PIXELS = 50_000_000

# Errors Pillow's decoders raise on corrupt or truncated files.
_DECODE_ERRORS = (OSError, SyntaxError, EOFError, ValueError, struct.error, zlib.error)


def _megapixels(n_pixels):
    return f"{n_pixels / 1e6:.3g} megapixels"


# catch_warnings saves and restores the process-wide filter list: two threads
# interleaving their saves and restores could leave a filter behind, so
# skdigits' own uses take turns.
_WARNINGS_LOCK = threading.Lock()


def _open_quietly(source):
    """``Image.open`` (of a path or file object) without Pillow's decompression-bomb warning.

    Pillow warns about any picture above ``Image.MAX_IMAGE_PIXELS`` (89
    megapixels); skdigits applies its own cap instead (:data:`MAX_IMAGE_PIXELS`,
    after reducing JPEGs while decoding). The warning is silenced inside
    ``catch_warnings``, so the caller's filters are restored on return.
    """
    from PIL import Image

    with _WARNINGS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(source)


@contextlib.contextmanager
def _bomb_guard(name):
    """Turn Pillow's refusal of a decompression bomb into this image's error."""
    from PIL import Image

    try:
        yield
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f" ({_megapixels(int(found.group(1)))})" if found else ""
        raise ImageError(
            f"{name} is too large to read{size}: skdigits reads pictures of at "
            f"most {_megapixels(MAX_IMAGE_PIXELS)}. Make it smaller first."
        ) from None


def _cap_decoded_size(image, name, max_pixels=None):
    """Before decoding a file, reduce a JPEG while decoding and refuse a bomb."""
    max_pixels = WORK_PIXELS if max_pixels is None else max_pixels
    width, height = image.size
    if width * height > max_pixels and image.format == "JPEG":
        factor = math.ceil(math.sqrt(width * height / max_pixels))
        # draft picks the largest JPEG scale (1/2, 1/4, 1/8) that keeps at
        # least the size asked for; _reduce_large finishes the job.
        image.draft(None, (math.ceil(width / factor), math.ceil(height / factor)))
    decoded = image.size[0] * image.size[1]
    if decoded > MAX_IMAGE_PIXELS:
        raise ImageError(
            f"{name} is too large to read: {width}x{height} pixels "
            f"({_megapixels(width * height)}); skdigits reads pictures of at most "
            f"{_megapixels(MAX_IMAGE_PIXELS)}. Make it smaller first."
        )


def _reduce_large(image, max_pixels=None):
    """Shrink a decoded picture above ``max_pixels`` (:data:`WORK_PIXELS`) by an integer factor."""
    max_pixels = WORK_PIXELS if max_pixels is None else max_pixels
    n_pixels = image.width * image.height
    if n_pixels <= max_pixels:
        return image
    if image.mode in ("1", "P", "PA"):  # Image.reduce takes neither bits nor palettes
        image = image.convert("RGBA" if image.mode != "1" else "L")
    factor = math.ceil(math.sqrt(n_pixels / max_pixels))
    return image.reduce(factor)


def _high_depth_array(image):
    """The pixels of a 16-bit, 32-bit integer or floating-point image, as 0-255 floats.

    Pillow's ``convert("L")`` clips such pixels to 0-255, so a 16-bit scan
    (0-65535) or a float TIFF (0-1) would come out white or black. 16-bit
    images are scaled by their full range, 0-65535; the others by the rules
    of :func:`_to_0_255` for arrays.
    """
    array = np.asarray(image)
    if image.mode.startswith("I;16"):
        return array.astype(np.float64) * (255.0 / 65535.0)
    return array


def _from_pil(image, name, color=False, max_pixels=None):
    from PIL import ImageOps

    if getattr(image, "is_animated", False) and getattr(image, "n_frames", 1) > 1:
        raise ImageError(f"{name} is animated ({image.n_frames} frames); give a still image.")
    image = ImageOps.exif_transpose(image)  # phone photos carry their rotation in EXIF
    if image.width == 0 or image.height == 0:
        raise ImageError(f"{name} has no pixels ({image.width}x{image.height}).")
    image = _reduce_large(image, max_pixels)
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        return _from_array(_high_depth_array(image), name)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # Transparent areas are paper: composite on white before going gray.
        rgba = image.convert("RGBA")
        from PIL import Image

        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    if color and image.mode not in ("1", "L", "LA", "I", "F") and not _is_gray(image):
        return np.asarray(image.convert("RGB"), dtype=np.uint8)
    return np.asarray(image.convert("L"), dtype=np.uint8)


def _is_gray(image):
    """True for a colour-mode picture whose pixels are all grey (R = G = B)."""
    if image.mode != "RGB":
        return False
    red, green, blue = image.split()
    return red.tobytes() == green.tobytes() == blue.tobytes()


def _to_0_255(array):
    """Map pixel values onto [0, 255] according to their range.

    Integers within 0-255 and floats within [0, 255] but beyond 1 are kept;
    floats within [0, 1] are multiplied by 255; integers within 0-65535 (16-bit
    pictures) are scaled by 255/65535; any other range (negative values,
    32-bit integers, floats beyond 255) is stretched from its minimum and
    maximum onto 0-255.
    """
    if array.dtype.kind == "b":
        return array.astype(np.float64) * 255.0
    low, high = float(array.min()), float(array.max())
    if array.dtype.kind in "iu":
        if low >= 0 and high <= 255:
            return array
        if low >= 0 and high <= 65535:
            return array.astype(np.float64) * (255.0 / 65535.0)
    elif low >= 0 and high <= 1.0:
        return array.astype(np.float64) * 255.0
    elif low >= 0 and high <= 255:
        return array
    if high == low:
        return np.zeros(array.shape)
    return (array.astype(np.float64) - low) * (255.0 / (high - low))


def _from_array(array, name, color=False):
    array = np.asarray(array)
    if array.dtype.kind not in "biuf":
        raise ImageError(f"{name}: expected numeric pixels, got an array of dtype {array.dtype}.")
    if array.size == 0:
        raise ImageError(f"{name} is empty (shape {array.shape}).")
    if not np.isfinite(array).all():
        raise ImageError(f"{name} holds NaN or infinite values.")
    if array.ndim == 3 and array.shape[-1] in (3, 4):
        rgb, alpha = _to_0_255(array[..., :3]).astype(np.float64), None
        if array.shape[-1] == 4:  # transparent = white paper
            alpha = _to_0_255(array[..., 3]).astype(np.float64)[..., None] / 255.0
            rgb = rgb * alpha + 255.0 * (1.0 - alpha)
        if color and not (
            np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 0], rgb[..., 2])
        ):
            return np.round(np.clip(rgb, 0, 255)).astype(np.uint8)
        array = rgb @ np.array([0.299, 0.587, 0.114])  # ITU-R 601, as Pillow's "L"
    elif array.ndim == 2:
        array = _to_0_255(array)
    else:
        raise ImageError(
            f"{name}: expected a 2-D grayscale image or an RGB(A) image of shape "
            f"(height, width, 3|4); got shape {array.shape}."
        )
    return np.round(np.clip(array, 0, 255)).astype(np.uint8)


def _decode_file(source, name, color, max_pixels):
    """Decode an image file, a path or a file object, under the size caps."""
    from PIL import UnidentifiedImageError

    try:
        with _bomb_guard(name), _open_quietly(source) as opened:
            _cap_decoded_size(opened, name, max_pixels)
            opened.load()
            return _from_pil(opened, name, color, max_pixels)
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not an image file Pillow can read (PNG, JPEG, ...).") from None
    except MemoryError:
        raise ImageError(f"{name} is too large to read: out of memory.") from None
    except _DECODE_ERRORS as exc:
        if isinstance(exc, ImageError):
            raise
        raise ImageError(
            f"{name} cannot be read as an image (corrupt or truncated?): {exc}."
        ) from exc


def read_image(image, name=None, *, color=False, max_pixels=None):
    """Read one picture as a 2-D uint8 grayscale array (or RGB, on request).

    Parameters
    ----------
    image : str, os.PathLike, bytes, PIL.Image.Image or array-like
        A file path, the bytes of an image file (PNG, JPEG or any format
        Pillow reads, as a web page posts them), a PIL image, or an array:
        2-D grayscale or (height, width, 3|4) RGB(A), uint8 0-255 or float 0-1.
        Files and bytes are read alike.
        Transparent areas count as white paper; EXIF rotation is applied.
        Pixels keep their real range: 16-bit pictures (files or arrays with
        values up to 65535) are scaled by 255/65535, floating-point ones in
        [0, 1] by 255, and any other range (negative values, 32-bit
        integers, floats beyond 255) is stretched from its minimum and maximum
        onto 0-255.
    name : str, default=None
        How errors refer to the image (default: its path or "image").
    color : bool, default=False
        Return a colour picture as an (height, width, 3) RGB array instead of
        grayscale (transparency still on white); grey pictures stay 2-D.
        :class:`DigitImageNormalizer` uses the colour to tell ink from the
        print of squared paper.
    max_pixels : int, default=None
        Make larger pictures smaller while reading them, as described in the
        Notes (default: ``skdigits.images._read.WORK_PIXELS``, 16 megapixels).
        :class:`DigitImageNormalizer` reads files with 3 megapixels: a
        12-megapixel JPEG is then decoded at half its size, much faster.

    Returns
    -------
    gray : ndarray of shape (height, width), or (height, width, 3) with ``color=True``, uint8
        The picture in grayscale, as it is (no inversion or resizing).

    Raises
    ------
    ImageError
        A ``ValueError`` naming the image: unreadable, not an image, corrupt
        or truncated, empty (a file or bytes), zero-size, animated, too
        large, or an array of the wrong shape or type.

    Notes
    -----
    Large pictures are made smaller while they are read, to bound time and
    memory: above ``max_pixels`` (by default ``skdigits.images._read.WORK_PIXELS``,
    16 megapixels) a JPEG is
    decoded at 1/2, 1/4 or 1/8 of its size (``Image.draft``) and any picture
    is then shrunk by an integer factor (``Image.reduce``); a 12-megapixel
    photo is read as it is by default. A file that would still decode to more than
    ``skdigits.images._read.MAX_IMAGE_PIXELS`` (50 megapixels), such as a
    decompression bomb (a small PNG declaring 14000x14000 pixels), is refused
    with an :class:`~skdigits.exceptions.ImageError` before it is decoded.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigits import read_image
    >>> read_image(np.full((2, 3, 3), 255, dtype=np.uint8)).shape
    (2, 3)

    The bytes of a file are read as the file would be:

    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("L", (4, 3), 200).save(buffer, format="PNG")
    >>> read_image(buffer.getvalue()).shape
    (3, 4)
    """
    from PIL import Image

    if isinstance(image, (bytes, bytearray)):
        name = name or "image"
        if not image:
            raise ImageError(
                f"{name} is empty: expected the bytes of an image file (PNG, JPEG, ...)."
            )
        return _decode_file(io.BytesIO(image), name, color, max_pixels)
    if isinstance(image, (str, os.PathLike)):
        path = os.fspath(image)
        name = name or path
        if not os.path.isfile(path):
            raise ImageError(_not_a_file(path, name))
        if os.path.getsize(path) == 0:
            raise ImageError(f"{name} is an empty file.")
        return _decode_file(path, name, color, max_pixels)
    if isinstance(image, Image.Image):
        with _bomb_guard(name or "image"):
            return _from_pil(image, name or "image", color, max_pixels)
    return _from_array(image, name or "image", color)


def _not_a_file(path, name):
    """Why ``path`` is no image file to read: missing, a folder, or not a regular file."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return f"{name}: no such file."
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISFIFO: "a named pipe (FIFO)",
        stat.S_ISSOCK: "a socket",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
    }
    kind = next((text for test, text in kinds.items() if test(mode)), "not a regular file")
    return f"{name} is {kind}, not an image file; give the path of a picture file."


def read_images(images):
    """Read several pictures (paths, PIL images or arrays) as grayscale arrays.

    Parameters
    ----------
    images : iterable
        Items as accepted by :func:`read_image`; a string, path or bytes
        alone is taken as one image.

    Returns
    -------
    grays : list of ndarray
        One 2-D uint8 array per image; sizes may differ.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigits import read_images
    >>> [g.shape for g in read_images([np.zeros((5, 4)), np.zeros((3, 3, 4))])]
    [(5, 4), (3, 3)]
    """
    if isinstance(images, (str, os.PathLike, bytes, bytearray)):
        images = [images]
    return [read_image(image) for image in images]


def list_image_files(paths):
    """Expand folders into their image files (sorted); keep files as given."""
    files = []
    for path in paths:
        path = os.fspath(path)
        if os.path.isdir(path):
            files.extend(
                os.path.join(path, name)
                for name in sorted(os.listdir(path))
                if name.lower().endswith(IMAGE_SUFFIXES) and not name.startswith(".")
            )
        else:
            files.append(path)
    return files
