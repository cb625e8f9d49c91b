"""Readers for the formats users bring: Keras npz, Kaggle CSV, image folders."""

import os
import re

import numpy as np

from ..exceptions import DataFormatError


def read_mnist_npz(path):
    """Read a Keras-style ``mnist.npz`` (``x_train``, ``y_train``, ``x_test``, ``y_test``).

    Parameters
    ----------
    path : str or os.PathLike
        The ``.npz`` file, e.g. Keras' cache ``~/.keras/datasets/mnist.npz``.

    Returns
    -------
    (X_train, y_train), (X_test, y_test) : tuples of ndarray
        As ``keras.datasets.mnist.load_data()`` returns them.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skdigits.datasets import read_mnist_npz
    >>> path = os.path.join(tempfile.mkdtemp(), "mnist.npz")
    >>> np.savez(path, x_train=np.zeros((3, 28, 28), np.uint8), y_train=np.arange(3),
    ...          x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.arange(1))
    >>> (X_train, y_train), (X_test, y_test) = read_mnist_npz(path)
    >>> X_train.shape, y_test.tolist()
    ((3, 28, 28), [0])
    """
    path = os.fspath(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = {"x_train", "y_train", "x_test", "y_test"} - set(archive.files)
            if missing:
                raise DataFormatError(
                    f"{path} lacks the arrays {sorted(missing)}; a Keras mnist.npz holds "
                    "x_train, y_train, x_test and y_test."
                )
            arrays = {key: archive[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    except DataFormatError:
        raise
    except Exception as exc:  # zipfile, OSError, ValueError... for corrupt archives
        raise DataFormatError(f"Cannot read {path} as an npz archive: {exc}.") from exc
    for split in ("train", "test"):
        arrays[f"y_{split}"] = check_images_and_labels(
            arrays[f"x_{split}"], arrays[f"y_{split}"], f"{path} ({split})"
        )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _first_bad_label(labels):
    """Index of the first label that is not a whole number, or None."""
    if labels.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(labels) | (labels != np.round(labels)) | (np.abs(labels) > _HUGE)
        return int(np.argmax(bad)) if bad.any() else None
    for i, value in enumerate(labels.tolist()):
        if isinstance(value, (bool, np.bool_)):
            return i
        try:
            number = float(value)
        except (TypeError, ValueError):
            return i
        if not (np.isfinite(number) and number == round(number) and abs(number) <= _HUGE):
            return i
    return None


# Beyond this a float label is no class number (and would not fit in int64).
_HUGE = 2.0**53


def integer_labels(labels, name, *, position=None):
    """Return ``labels`` as whole numbers, or raise naming the first that is not.

    Integer labels are returned as they are (uint8 from IDX files stays
    uint8); floats that are whole numbers (``7.0``) and strings of digits
    become int64. A fraction (``7.5``, which ``astype(int)`` would silently
    turn into 7), a word (``"seven"``), NaN or infinity is a
    :class:`~skdigits.exceptions.DataFormatError` naming ``name`` and the
    first bad value.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        The labels read from a file.
    name : str
        The file, as error messages name it.
    position : callable, default=None
        Describes the 0-based index of a bad label for the message (default:
        ``"label at index i"``).

    Returns
    -------
    labels : ndarray of shape (n_samples,)
        Integer labels.
    """
    labels = np.asarray(labels)
    if labels.dtype.kind in "iu":
        return labels
    flat = labels.ravel()
    bad = _first_bad_label(flat)
    if bad is not None:
        value = flat[bad]
        value = value.item() if isinstance(value, np.generic) else value
        shown = f"{value:g}" if isinstance(value, float) else repr(value)
        where = position(bad) if position else f"label at index {bad}"
        raise DataFormatError(
            f"{name}: labels must be whole numbers (digits 0-9); {where} is {shown}."
        )
    if labels.dtype.kind == "f":
        return labels.astype(np.int64)
    return np.asarray([int(float(v)) for v in flat.tolist()], dtype=np.int64).reshape(labels.shape)


def check_images_and_labels(images, labels, name, n_classes=10):
    """Check an image stack and its labels; errors name ``name`` and the problem.

    Returns the labels, as whole numbers (see :func:`integer_labels`), or None.
    """
    if images.ndim != 3:
        raise DataFormatError(
            f"{name}: expected images of shape (n, height, width), got shape {images.shape}."
        )
    if images.dtype.kind not in "buif":
        raise DataFormatError(
            f"{name}: expected numeric pixels (uint8 0-255, or floats); got images of "
            f"dtype {images.dtype}."
        )
    if images.dtype.kind == "f" and not np.isfinite(images).all():
        n_bad = int(np.count_nonzero(~np.isfinite(images).reshape(len(images), -1).all(axis=1)))
        raise DataFormatError(
            f"{name}: {n_bad} image(s) hold NaN or infinite pixels; expected finite numbers."
        )
    if labels is None:
        return None
    if labels.ndim != 1 or len(labels) != len(images):
        raise DataFormatError(
            f"{name}: {len(images)} images but labels of shape {labels.shape}; "
            "expected one label per image."
        )
    labels = integer_labels(labels, name)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise DataFormatError(
            f"{name}: labels must lie in 0-{n_classes - 1}; found {labels.min()} to {labels.max()}."
        )
    return labels


def read_kaggle_csv(path, *, image_shape=(28, 28)):
    """Read a Kaggle "Digit Recognizer" CSV: ``label,pixel0,...,pixel783``.

    The label-less test file (``pixel0,...,pixel783``) is read too.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file (``train.csv`` or ``test.csv``).
    image_shape : tuple of int, default=(28, 28)
        Shape of one image; the pixel columns must number its product.

    Returns
    -------
    X : ndarray of shape (n_samples, height, width), uint8
        The images.
    y : ndarray of shape (n_samples,) or None
        The labels, or None for a file without a ``label`` column.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigits.datasets import read_kaggle_csv
    >>> path = os.path.join(tempfile.mkdtemp(), "train.csv")
    >>> header = "label," + ",".join(f"pixel{i}" for i in range(784))
    >>> with open(path, "w") as f:
    ...     _ = f.write(header + "\\n" + "7," + ",".join(["0"] * 784) + "\\n")
    >>> X, y = read_kaggle_csv(path)
    >>> X.shape, y.tolist()
    ((1, 28, 28), [7])
    """
    import pandas as pd

    path = os.fspath(path)
    n_pixels = int(np.prod(image_shape))
    try:
        table = pd.read_csv(path)
    except pd.errors.ParserError as exc:
        raise DataFormatError(f"{path}: rows of the wrong size ({exc}).") from exc
    except (OSError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataFormatError(f"Cannot read {path} as CSV: {exc}.") from exc
    if len(table) == 0:
        raise DataFormatError(
            f"{path} has a header but no data rows; expected one row per image "
            "(label,pixel0,...,pixel783)."
        )
    has_label = "label" in table.columns
    pixel_columns = [c for c in table.columns if c != "label"]
    if len(pixel_columns) != n_pixels:
        raise DataFormatError(
            f"{path}: {len(pixel_columns)} pixel columns, expected {n_pixels} "
            f"(pixel0..pixel{n_pixels - 1}, for {image_shape[0]}x{image_shape[1]} images)."
        )
    if table.isna().to_numpy().any():
        row = int(np.flatnonzero(table.isna().to_numpy().any(axis=1))[0])
        raise DataFormatError(
            f"{path}: data row {row + 1} is short or has empty cells; every row needs "
            f"{len(table.columns)} values."
        )
    pixels = table[pixel_columns].to_numpy()
    if not np.issubdtype(pixels.dtype, np.number):
        raise DataFormatError(f"{path}: pixel values must be numbers 0-255.")
    if pixels.size and (
        pixels.min() < 0 or pixels.max() > 255 or (pixels != np.round(pixels)).any()
    ):
        raise DataFormatError(
            f"{path}: pixel values must be integers 0-255; found {pixels.min()} to {pixels.max()}."
        )
    X = pixels.astype(np.uint8).reshape(-1, *image_shape)
    y = None
    if has_label:
        # Data row N is line N + 1 of the file (after the header).
        y = integer_labels(
            table["label"].to_numpy(), path, position=lambda i: f"the label of data row {i + 1}"
        ).astype(np.int64)
    y = check_images_and_labels(X, y, path)
    return X, y


def _label_folders(root, *, files_beside=False):
    """``(label, folder)`` for each subfolder of ``root``, sorted by name: ``root/<label>/``.

    Hidden entries (names starting with ".") are ignored; a subfolder not
    named by a digit 0-9 is a DataFormatError, and so is a file beside the
    subfolders unless ``files_beside`` (it is then skipped).
    """
    for entry in sorted(os.listdir(root)):
        path = os.path.join(root, entry)
        if entry.startswith("."):
            continue
        if not os.path.isdir(path):
            if files_beside:
                continue
            raise DataFormatError(
                f"{path}: a folder of labelled pictures holds only subfolders 0-9, "
                f"one per label; got a file {entry!r}."
            )
        # ASCII digits only: "³" or "٣" pass str.isdigit but are no label.
        if not (re.fullmatch("[0-9]+", entry) and int(entry) <= 9):
            raise DataFormatError(
                f"{path}: folder names are the labels and must be digits 0-9; got {entry!r}."
            )
        yield int(entry), path


def read_image_folder(root):
    """Read labelled images laid out as ``root/<label>/<image file>``.

    Each subfolder's name is the digit label (0-9); images (any format
    Pillow reads) are converted to 8-bit grayscale as :func:`skdigits.read_image`
    does (transparency on white, EXIF rotation) and must all have the same
    size. Hidden files (names starting with ".") are ignored.

    Parameters
    ----------
    root : str or os.PathLike
        The folder holding one subfolder per label.

    Returns
    -------
    X : ndarray of shape (n_samples, height, width), uint8
        The images, sorted by label then file name.
    y : ndarray of shape (n_samples,), int64
        The labels.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skdigits.datasets import read_image_folder
    >>> root = tempfile.mkdtemp()
    >>> os.mkdir(os.path.join(root, "3"))
    >>> Image.fromarray(np.zeros((28, 28), np.uint8)).save(os.path.join(root, "3", "a.png"))
    >>> X, y = read_image_folder(root)
    >>> X.shape, y.tolist()
    ((1, 28, 28), [3])
    """
    from ..exceptions import ImageError
    from ..images import read_image

    root = os.fspath(root)
    if not os.path.isdir(root):
        raise DataFormatError(f"{root} is not a folder of labelled image folders.")
    images, labels = [], []
    for label, folder in _label_folders(root, files_beside=True):
        for name in sorted(os.listdir(folder)):
            file_path = os.path.join(folder, name)
            if name.startswith(".") or os.path.isdir(file_path):
                continue
            try:
                pixels = read_image(file_path)
            except ImageError as exc:
                raise DataFormatError(f"{file_path} is not a readable image: {exc}") from exc
            if images and pixels.shape != images[0].shape:
                raise DataFormatError(
                    f"{file_path} is {pixels.shape[1]}x{pixels.shape[0]} pixels but the "
                    f"other images are {images[0].shape[1]}x{images[0].shape[0]}; all "
                    "images of a folder must have one size."
                )
            images.append(pixels)
            labels.append(label)
    if not images:
        raise DataFormatError(f"{root} holds no images; expected subfolders 0-9 with image files.")
    return np.stack(images), np.asarray(labels, dtype=np.int64)


def load_picture_folder(root, *, normalize=False, return_X_y=False):
    """Load people's pictures of digits laid out as ``root/<label>/<picture>``.

    As :func:`sklearn.datasets.load_files` does for text: each subfolder's
    name is the label (a digit 0-9) of the pictures in it. Pictures are the
    files Pillow reads under their usual suffixes (``.png``, ``.jpg``, ...),
    of any size and kind (photos, scans, drawings); hidden files are
    ignored. The pictures are not read unless ``normalize``; read them with
    :class:`~skdigits.images.DigitReader` (what ``skdigits evaluate --data
    FOLDER`` does) or :class:`~skdigits.DigitImageNormalizer`.

    Parameters
    ----------
    root : str or os.PathLike
        The folder: only subfolders named 0-9 (hidden entries aside).
    normalize : bool, default=False
        Also read each picture and make it MNIST-like
        (:class:`~skdigits.DigitImageNormalizer` with its defaults): the
        Bunch then has ``images`` (and its alias ``data``).
    return_X_y : bool, default=False
        Return ``(filenames, target)``, or ``(images, target)`` with
        ``normalize``, instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``filenames``, an object array of the pictures' paths (sorted by
        label, then name); ``target``, their int64 labels; ``target_names``,
        the digits 0-9; ``DESCR``, a description; with ``normalize``,
        ``images`` (and ``data``), an array of shape (n, 28, 28), uint8.
    (X, y) : tuple of ndarray
        When ``return_X_y`` is True.

    Raises
    ------
    DataFormatError
        When ``root`` is not a folder laid out so, or holds no pictures.
    ImageError
        With ``normalize``, for a picture that cannot be read or holds no ink.

    See Also
    --------
    read_image_folder : Images of one size (a data set in image files) as arrays.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skdigits.datasets import load_picture_folder
    >>> root = tempfile.mkdtemp()
    >>> os.mkdir(os.path.join(root, "3"))
    >>> Image.fromarray(np.full((40, 30), 230, np.uint8)).save(os.path.join(root, "3", "a.png"))
    >>> pictures = load_picture_folder(root)
    >>> [os.path.basename(f) for f in pictures.filenames], pictures.target.tolist()
    (['a.png'], [3])
    """
    from sklearn.utils import Bunch

    from ..images import list_image_files

    root = os.fspath(root)
    if not os.path.isdir(root):
        raise DataFormatError(f"{root} is not a folder of labelled pictures (<label>/<picture>).")
    pairs = [
        (file, label)
        for label, folder in _label_folders(root)
        for file in list_image_files([folder])
        if os.path.isfile(file)
    ]
    if not pairs:
        raise DataFormatError(
            f"{root} holds no pictures; expected subfolders 0-9 with picture files."
        )
    filenames = np.empty(len(pairs), dtype=object)
    filenames[:] = [file for file, _ in pairs]
    target = np.array([label for _, label in pairs], dtype=np.int64)
    description = f"{len(target):,} pictures in {root}"
    if not normalize:
        if return_X_y:
            return filenames, target
        return Bunch(
            filenames=filenames, target=target, target_names=np.arange(10), DESCR=description
        )
    from ..images import DigitImageNormalizer

    images = DigitImageNormalizer().transform(list(filenames))
    if return_X_y:
        return images, target
    return Bunch(
        data=images,
        images=images,
        filenames=filenames,
        target=target,
        target_names=np.arange(10),
        DESCR=description + ", made MNIST-like",
    )
