"""DigitImageNormalizer: turn pictures of digits into MNIST-like 28x28 images.

MNIST digits are white ink on black, the digit's bounding box scaled to fit
20x20 pixels keeping its aspect ratio, anti-aliased, and placed in a 28x28
frame with its centre of mass at the centre. Photos and drawings are not, and
a network trained on MNIST misreads them until they are made alike. Image
operations come from scikit-image (Otsu and local thresholds, connected
components, anti-aliased resizing) and SciPy's ndimage (grey-level opening,
centre of mass); files are decoded by Pillow.
"""

import os

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ._compat import StrOptions, _fit_context
from ._images import read_image
from .exceptions import ImageError

_WORK_SIZE = 256  # longest side images are processed at; plenty for a 20x20 result
_FRAME = 28


def _border(image):
    width = max(1, round(0.03 * min(image.shape)))
    return np.concatenate([
        image[:width].ravel(), image[-width:].ravel(),
        image[:, :width].ravel(), image[:, -width:].ravel(),
    ])


def ink_is_dark(image):
    """True when the ink is darker than the paper.

    The paper is what the border shows; the ink is whichever extreme lies
    further from it (robust to grey paper, dim light and faint ink).
    """
    paper = np.median(_border(image))
    low, high = np.percentile(image, (1, 99))
    return (paper - low) > (high - paper)


def _ruled_lines(mask):
    """Pixels of straight horizontal or vertical lines crossing the whole picture.

    A line is a run of ink at least half the picture long (found by a binary
    opening with a line footprint) whose extent covers 90 % of the picture:
    ruled and squared paper, not the stroke of a 1 or a 7.
    """
    from scipy import ndimage

    found = np.zeros_like(mask)
    for axis in (0, 1):
        length = mask.shape[1 - axis] // 2
        if length < 3:
            continue
        footprint = np.ones((1, length) if axis == 0 else (length, 1), dtype=bool)
        runs, _ = ndimage.label(ndimage.binary_opening(mask, structure=footprint))
        for index, box in enumerate(ndimage.find_objects(runs), start=1):
            extent = box[1 - axis].stop - box[1 - axis].start
            if extent >= 0.9 * mask.shape[1 - axis]:
                found |= runs == index
    return ndimage.binary_dilation(found, iterations=1) if found.any() else found


def _line_fragments(mask):
    """Blobs drawn with a much thinner pen than the digit: pieces of ruled lines.

    Faint ruled or squared lines come through the threshold in pieces and
    crossings. A blob's pen width is its area over the length of its skeleton;
    blobs less than half as wide as the largest blob (taken to be the digit)
    are dropped.
    """
    from skimage.measure import label
    from skimage.morphology import skeletonize

    labels = label(mask, connectivity=2)
    if labels.max() < 2:
        return np.zeros_like(mask)
    areas = np.bincount(labels.ravel())
    lengths = np.bincount(labels[skeletonize(mask)], minlength=len(areas))
    widths = areas / np.maximum(lengths, 1)
    widths[0] = np.inf
    digit = np.argmax(np.where(np.arange(len(areas)) == 0, 0, areas))
    return (widths < 0.5 * widths[digit])[labels]


class DigitImageNormalizer(TransformerMixin, BaseEstimator):
    """Make pictures of single digits look like MNIST digits.

    Takes images of any size and kind — file paths, PIL images or arrays;
    grayscale, RGB or RGBA; dark ink on light paper or light ink on dark;
    photos with uneven light, faint ink, ruled or squared paper — and returns
    28x28 uint8 images like MNIST's: bright ink on black, the digit scaled
    into a 20x20 box keeping its aspect ratio and centred by centre of mass.

    The steps, each a parameter that can be turned off: grayscale (alpha on
    white), polarity (``invert``), illumination flattening, ink threshold,
    removal of long thin lines and of specks, crop and fit into the box,
    centring by centre of mass, stroke contrast.

    Parameters
    ----------
    invert : "auto" or bool, default="auto"
        Make the ink bright. ``"auto"`` inverts when the ink is darker than
        the paper (judged from the image border), never blindly.
    flatten_illumination : bool, default=True
        Subtract the slowly varying background (a grey-level opening wider
        than the strokes): removes light gradients and shadows.
    threshold : {"otsu", "local"} or None, default="otsu"
        How ink is told from paper: Otsu's global threshold, a local
        (adaptive) threshold, or None to keep every pixel above zero.
    remove_lines : bool, default=True
        Remove straight horizontal or vertical lines that cross the whole
        picture (ruled or squared paper), and the thin straight pieces such
        lines leave behind.
    remove_specks : bool, default=True
        Drop connected ink blobs smaller than 5 % of the largest (dust, noise).
    box_size : int or None, default=20
        Crop to the digit and scale it to fit a ``box_size`` square keeping
        its aspect ratio. None resizes the whole image to 28x28 instead.
    center : bool, default=True
        Shift the digit so its centre of mass is at the centre of the frame.
    normalize_contrast : bool, default=True
        Stretch the ink so its strong strokes reach 255, as in MNIST.

    See Also
    --------
    read_images : Read pictures as grayscale arrays.
    make_digit_pipeline : With ``raw_images=True``, this step comes first.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigits import DigitImageNormalizer
    >>> paper = np.full((120, 90), 230, dtype=np.uint8)  # a dark bar on white paper
    >>> paper[20:100, 40:52] = 30
    >>> out = DigitImageNormalizer().fit_transform([paper])
    >>> out.shape, out.dtype, out.max()
    ((1, 28, 28), dtype('uint8'), np.uint8(255))
    >>> int(out[0, :, :4].max())  # background is black
    0
    """

    _parameter_constraints: dict = {
        "invert": [StrOptions({"auto"}), "boolean"],
        "flatten_illumination": ["boolean"],
        "threshold": [StrOptions({"otsu", "local"}), None],
        "remove_lines": ["boolean"],
        "remove_specks": ["boolean"],
        "box_size": [int, None],
        "center": ["boolean"],
        "normalize_contrast": ["boolean"],
    }

    def __init__(
        self,
        *,
        invert="auto",
        flatten_illumination=True,
        threshold="otsu",
        remove_lines=True,
        remove_specks=True,
        box_size=20,
        center=True,
        normalize_contrast=True,
    ):
        self.invert = invert
        self.flatten_illumination = flatten_illumination
        self.threshold = threshold
        self.remove_lines = remove_lines
        self.remove_specks = remove_specks
        self.box_size = box_size
        self.center = center
        self.normalize_contrast = normalize_contrast

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Check the parameters; nothing is learnt.

        Parameters
        ----------
        X : ignored
            Accepted for pipeline compatibility.
        y : ignored
            Accepted for pipeline compatibility.

        Returns
        -------
        self : DigitImageNormalizer
            The transformer.
        """
        if self.box_size is not None and not 1 <= self.box_size <= _FRAME:
            raise ValueError(f"box_size must lie in 1-{_FRAME} or be None; got {self.box_size}.")
        return self

    def transform(self, X):
        """Normalise each picture into a 28x28 MNIST-like image.

        Parameters
        ----------
        X : list of (path, PIL image or array), or array of shape (n, h, w) or (n, h, w, 3|4)
            The pictures. A single path is taken as one picture.

        Returns
        -------
        images : ndarray of shape (n, 28, 28), uint8
            Bright ink on black.

        Raises
        ------
        ImageError
            For an image that cannot be read or holds no ink; the message
            names it (its path, or its position in ``X``).
        """
        self.fit()
        if isinstance(X, (str, bytes)) or hasattr(X, "__fspath__"):
            X = [X]
        if hasattr(X, "ndim") and X.ndim == 2:
            raise ValueError(
                "DigitImageNormalizer takes a batch of pictures; got one 2-D array. "
                "Pass [image] for a single picture, or a (n, height, width) stack."
            )
        items = list(X)
        if not items:
            raise ValueError("DigitImageNormalizer needs at least one picture; got none.")
        out = np.empty((len(items), _FRAME, _FRAME), dtype=np.uint8)
        for i, item in enumerate(items):
            name = os.fspath(item) if isinstance(item, (str, os.PathLike)) else f"image {i}"
            out[i] = self.normalize_one(read_image(item, name=name), name=name)
        return out

    def normalize_one(self, gray, name="image"):
        """Normalise one 2-D uint8 grayscale picture (see the class description)."""
        from scipy import ndimage
        from skimage.transform import resize

        image = gray.astype(np.float32) / 255.0
        scale = _WORK_SIZE / max(image.shape)
        if scale < 1:
            shape = (max(1, round(image.shape[0] * scale)), max(1, round(image.shape[1] * scale)))
            image = resize(image, shape, anti_aliasing=True).astype(np.float32)
        if self.invert is True or (self.invert == "auto" and ink_is_dark(image)):
            image = 1.0 - image
        if self.flatten_illumination:
            size = max(5, round(max(image.shape) / 2))  # far wider than any stroke
            image = np.clip(image - ndimage.grey_opening(image, size=(size, size)), 0, None)
        mask = self._ink_mask(image, name)
        if self.box_size is None:
            digit = np.where(mask, image, 0)
            fitted = resize(digit, (_FRAME, _FRAME), anti_aliasing=True)
            return self._finish(fitted)
        # Keep the anti-aliased fringe of the strokes, then crop to what is left.
        digit = np.where(ndimage.binary_dilation(mask, iterations=2), image, 0)
        rows, cols = np.nonzero(digit)
        crop = digit[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]
        factor = self.box_size / max(crop.shape)
        shape = (max(1, round(crop.shape[0] * factor)), max(1, round(crop.shape[1] * factor)))
        small = resize(crop, shape, anti_aliasing=factor < 1, order=1)
        frame = np.zeros((_FRAME, _FRAME), dtype=np.float64)
        top, left = (_FRAME - shape[0]) // 2, (_FRAME - shape[1]) // 2
        frame[top: top + shape[0], left: left + shape[1]] = small
        return self._finish(frame)

    def _ink_mask(self, image, name):
        from scipy import ndimage
        from skimage.filters import threshold_local, threshold_otsu
        from skimage.measure import label

        if float(image.max()) - float(np.median(image)) < 0.08:
            raise ImageError(f"{name}: no ink found (the picture is almost uniform).")
        if self.threshold == "otsu":
            mask = image > threshold_otsu(image)
        elif self.threshold == "local":
            block = max(3, (max(image.shape) // 4) | 1)
            mask = (image > threshold_local(image, block, offset=-0.02)) & (image > 0.1 * image.max())
        else:
            mask = image > 0
        if self.remove_lines:
            mask &= ~_ruled_lines(mask)
        if self.remove_lines and mask.any():
            mask &= ~_line_fragments(mask)
        if self.remove_specks and mask.any():
            labels = label(mask, connectivity=2)
            areas = np.bincount(labels.ravel())
            areas[0] = 0
            keep = areas >= max(2, 0.05 * areas.max())
            mask = keep[labels]
        if not mask.any():
            raise ImageError(f"{name}: no ink found after removing lines and specks.")
        return mask

    def _finish(self, frame):
        from scipy import ndimage

        if self.normalize_contrast and frame.max() > 0:
            strong = np.percentile(frame[frame > 0], 90)
            frame = frame / max(strong, 1e-6)
        frame = np.round(np.clip(frame, 0, 1) * 255)
        if self.center and frame.sum() > 0:
            # MNIST digits have their centre of mass at pixel (14, 14)
            # (mean over the embedded sample: 13.99, 14.00).
            row, col = ndimage.center_of_mass(frame)
            shift = (round(_FRAME / 2 - row), round(_FRAME / 2 - col))
            frame = ndimage.shift(frame, shift, order=0, mode="constant", cval=0.0)
        return frame.astype(np.uint8)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.input_tags.string = True
        return tags
