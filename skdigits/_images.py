"""Reading users' own digit pictures: files, PIL images or arrays, to grayscale."""

import os

import numpy as np

from .exceptions import ImageError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def _from_pil(image, name):
    from PIL import ImageOps

    if getattr(image, "is_animated", False) and getattr(image, "n_frames", 1) > 1:
        raise ImageError(f"{name} is animated ({image.n_frames} frames); give a still image.")
    image = ImageOps.exif_transpose(image)  # phone photos carry their rotation in EXIF
    if image.width == 0 or image.height == 0:
        raise ImageError(f"{name} has no pixels ({image.width}x{image.height}).")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # Transparent areas are paper: composite on white before going gray.
        rgba = image.convert("RGBA")
        from PIL import Image

        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("L"), dtype=np.uint8)


def _from_array(array, name):
    array = np.asarray(array)
    if array.dtype.kind not in "biuf":
        raise ImageError(f"{name}: expected numeric pixels, got an array of dtype {array.dtype}.")
    if array.size == 0:
        raise ImageError(f"{name} is empty (shape {array.shape}).")
    if not np.isfinite(array).all():
        raise ImageError(f"{name} holds NaN or infinite values.")
    if array.dtype.kind == "f" and array.max() <= 1.0:
        array = array * 255.0  # float images in [0, 1]
    array = np.clip(array, 0, 255)
    if array.ndim == 3 and array.shape[-1] in (3, 4):
        rgb = array[..., :3].astype(np.float64)
        gray = rgb @ np.array([0.299, 0.587, 0.114])  # ITU-R 601, as Pillow's "L"
        if array.shape[-1] == 4:
            alpha = array[..., 3].astype(np.float64) / 255.0
            gray = gray * alpha + 255.0 * (1.0 - alpha)  # transparent = white paper
        array = gray
    if array.ndim != 2:
        raise ImageError(
            f"{name}: expected a 2-D grayscale image or an RGB(A) image of shape "
            f"(height, width, 3|4); got shape {array.shape}."
        )
    return np.round(array).astype(np.uint8)


def read_image(image, name=None):
    """Read one picture as a 2-D uint8 grayscale array.

    Parameters
    ----------
    image : str, os.PathLike, PIL.Image.Image or array-like
        A file path, a PIL image, or an array: 2-D grayscale or
        (height, width, 3|4) RGB(A), uint8 0-255 or float 0-1.
        Transparent areas count as white paper; EXIF rotation is applied.
    name : str, default=None
        How errors refer to the image (default: its path or "image").

    Returns
    -------
    gray : ndarray of shape (height, width), uint8
        The picture in grayscale, as it is (no inversion or resizing).

    Raises
    ------
    ImageError
        A ``ValueError`` naming the image: unreadable, not an image, empty,
        zero-size, animated, or an array of the wrong shape or type.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigits import read_image
    >>> read_image(np.full((2, 3, 3), 255, dtype=np.uint8)).shape
    (2, 3)
    """
    from PIL import Image, UnidentifiedImageError

    if isinstance(image, (str, os.PathLike)):
        path = os.fspath(image)
        name = name or path
        if not os.path.isfile(path):
            raise ImageError(f"{name}: no such file.")
        if os.path.getsize(path) == 0:
            raise ImageError(f"{name} is an empty file.")
        try:
            with Image.open(path) as opened:
                opened.load()
                return _from_pil(opened, name)
        except UnidentifiedImageError:
            raise ImageError(f"{name} is not an image file Pillow can read.") from None
        except OSError as exc:
            raise ImageError(f"{name} cannot be read as an image: {exc}.") from exc
    if isinstance(image, Image.Image):
        return _from_pil(image, name or "image")
    return _from_array(image, name or "image")


def read_images(images):
    """Read several pictures (paths, PIL images or arrays) as grayscale arrays.

    Parameters
    ----------
    images : iterable
        Items as accepted by :func:`read_image`; a string or path alone is
        taken as one image.

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
    if isinstance(images, (str, os.PathLike)):
        images = [images]
    return [read_image(image) for image in images]


def list_image_files(paths):
    """Expand folders into their image files (sorted); keep files as given."""
    files = []
    for path in paths:
        path = os.fspath(path)
        if os.path.isdir(path):
            files.extend(
                os.path.join(path, name) for name in sorted(os.listdir(path))
                if name.lower().endswith(IMAGE_SUFFIXES) and not name.startswith(".")
            )
        else:
            files.append(path)
    return files
