"""DigitImageNormalizer: turn pictures of digits into MNIST-like 28x28 images.

MNIST digits are white ink on black, the digit's bounding box scaled to fit
20x20 pixels keeping its aspect ratio, anti-aliased, and placed in a 28x28
frame with its centre of mass at the centre. Photos and drawings are not, and
a network trained on MNIST misreads them until they are made alike. Image
operations come from scikit-image (Otsu, hysteresis and local thresholds,
skeletons, anti-aliased resizing) and SciPy's ndimage (grey-level opening,
connected components, centre of mass); files are decoded and resized by
Pillow.
"""

import os
from numbers import Integral, Real

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, StrOptions, _fit_context
from ..exceptions import ImageError
from ._read import read_image

_WORK_SIZE = 256  # longest side pictures are searched for the digit at
_FRAME = 28
# Flattening: the background is an opening this share of the picture wide
# when looking for the digit (narrow: takes dark corners and shadows away),
# and this share of the digit's size on its second reading (wide: spares
# broad marker strokes).
_FIND_ROOM, _READ_ROOM = 1 / 6, 1 / 2
# Coloured ink: its strongest marks this much more saturated than the picture.
_COLOURED = 0.25
_GREY_WEIGHT = 0.75
# Hysteresis: ink down to this share of Otsu's threshold joins the strokes it touches.
_LOW = 0.5
# "Hard to find": the digit's ink under twice the paper's strongest noise, or
# more than 40 % of the ink weight dropped as not the digit.
_HARD_CONTRAST, _HARD_DROPPED = 2.0, 0.4
#: Files are decoded with at most this many pixels (JPEGs at 1/2, 1/4 or 1/8
#: of their size while decoding): plenty for a digit, and fast.
READ_PIXELS = 3_000_000


def _border(image):
    width = max(1, round(0.03 * min(image.shape[:2])))
    pixel = image.shape[2:]  # () for grey, (3,) for colour
    return np.concatenate(
        [
            image[:width].reshape(-1, *pixel),
            image[-width:].reshape(-1, *pixel),
            image[:, :width].reshape(-1, *pixel),
            image[:, -width:].reshape(-1, *pixel),
        ]
    )


def ink_is_dark(image):
    """True when the ink is darker than the paper.

    The paper is most of the picture and the ink a few marks on it, darker
    or brighter: after the slowly varying light is taken away (a wide
    Gaussian blur), the ink is whichever extreme tail of the grey levels
    lies clearly further out (holds when the light falls off across the
    picture or a corner is in shadow). When neither tail is clearly
    further, the paper is what the border shows and the ink the extreme
    lying further from it.
    """
    from scipy import ndimage

    image = np.asarray(image, dtype=np.float32)
    rest = image - ndimage.gaussian_filter(image, sigma=max(1.0, max(image.shape) / 8))
    low, high = np.percentile(rest, (0.1, 99.9))
    if -low > 1.5 * high or high > 1.5 * -low:
        return -low > high
    paper = np.median(_border(image))
    low, high = np.percentile(image, (1, 99))
    return (paper - low) > (high - paper)


def _luma(picture):
    """A uint8 picture, grey or RGB, as float32 grey levels in [0, 1]."""
    if picture.ndim == 3:
        weights = np.array([0.299, 0.587, 0.114], np.float32) / 255  # ITU-R 601, as Pillow's "L"
        return picture[..., :3].astype(np.float32) @ weights
    return picture.astype(np.float32) / 255


def _resize(picture, shape):
    """Resize a uint8 picture (grey or RGB) with Pillow: anti-aliased, fast."""
    from PIL import Image

    shape = (max(1, int(shape[0])), max(1, int(shape[1])))
    if picture.shape[:2] == shape:
        return picture
    return np.asarray(Image.fromarray(picture).resize(shape[::-1], Image.BILINEAR))


def _as_uint8(picture):
    picture = np.asarray(picture)
    if picture.dtype == np.uint8:
        return picture
    return read_image(picture, color=True)


def _largest_blob(mask):
    """The pixel count of the largest connected blob of a mask."""
    from scipy import ndimage

    labels, n = ndimage.label(mask, structure=np.ones((3, 3), bool))
    return int(np.bincount(labels.ravel())[1:].max()) if n else 0


def _pen_width(mask):
    """Mean width of the strokes of a mask: its area over its skeleton's length."""
    from skimage.morphology import skeletonize

    return mask.sum() / max(1, skeletonize(mask).sum())


def _ruled_lines(mask, ink, families=()):
    """Pixels of straight horizontal or vertical lines crossing the whole picture.

    A line is a run of ink at least half the picture long (found by a binary
    opening with a line footprint) whose extent covers 90 % of the picture:
    ruled and squared paper, not the stroke of a 1 or a 7. A line as dark
    and as wide as the other ink is a stroke of the digit drawn straight
    (the 4's upright on squared paper), and stays. Where a line
    carries a stroke of the digit, its pixels are spared: where a stroke
    crosses it (ink on both sides of the line, across it) and where a stroke
    runs along it (ink beside the line at least as wide as the line). A
    lone line through the middle of the picture is taken for a stroke unless
    its direction is in ``families`` (the axes where the whole picture showed
    several parallel lines). Returns the line pixels, the pixel count of the
    longest line and the axes with several lines.
    """
    from scipy import ndimage

    candidates = []  # (axis, one line's pixels)
    for axis in (0, 1):
        length = mask.shape[1 - axis] // 2
        if length < 3:
            continue
        footprint = np.ones((1, length) if axis == 0 else (length, 1), dtype=bool)
        runs, _ = ndimage.label(ndimage.binary_opening(mask, structure=footprint))
        found = [
            (index, box)
            for index, box in enumerate(ndimage.find_objects(runs), start=1)
            if box[1 - axis].stop - box[1 - axis].start >= 0.9 * mask.shape[1 - axis]
        ]
        for index, box in found:
            # Ruled paper repeats its lines; a box's edge lies near the border.
            # A lone line through the middle is the digit's long stroke.
            middle = (box[axis].start + box[axis].stop) / 2 / mask.shape[axis]
            if len(found) > 1 or axis in families or not 0.15 < middle < 0.85:
                candidates.append((axis, runs == index))
    if not candidates:
        return np.zeros_like(mask), 0, ()
    everything = np.logical_or.reduce([line for _, line in candidates])
    others = mask & ~ndimage.binary_dilation(everything, iterations=2)
    if others.sum() > everything.sum() / 20:
        stroke_ink, stroke_width = np.median(ink[others]), _pen_width(others)
    else:
        stroke_ink = stroke_width = np.inf  # nothing else to compare with
    several = tuple(a for a in (0, 1) if sum(axis == a for axis, _ in candidates) > 1)
    by_axis = {0: np.zeros_like(mask), 1: np.zeros_like(mask)}
    longest = 0
    for axis, line in candidates:
        thickness = line.sum() / max(1, np.any(line, axis=axis).sum())
        if np.median(ink[line]) >= 0.8 * stroke_ink and thickness >= 0.7 * stroke_width:
            continue  # as dark and as wide as the strokes: a stroke drawn straight
        by_axis[axis] |= line
        longest = max(longest, int(line.sum()))
    found = ndimage.binary_dilation(by_axis[0] | by_axis[1], iterations=1)
    if not found.any():
        return found, 0, several
    rest = mask & ~found
    spared = np.zeros_like(mask)
    for axis, lines in by_axis.items():
        if not lines.any():
            continue
        thickness = lines.sum() / max(1, np.any(lines, axis=axis).sum()) + 2  # dilated
        reach = int(np.ceil(thickness)) + 2
        across = np.ones((2 * reach + 1, 1) if axis == 0 else (1, 2 * reach + 1), bool)
        crossing = ndimage.binary_closing(rest, structure=across)
        # A stroke along the line: ink beside it, wider than the line is thick.
        side = max(2, int(np.ceil(thickness)) + 1)
        wide = ndimage.binary_opening(rest, structure=np.ones((side, side), bool))
        along = ndimage.binary_dilation(wide, structure=across)
        spared |= ndimage.binary_dilation(lines, iterations=1) & (crossing | along)
    return found & ~spared, longest, several


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


def _thicken(ink, mask, stroke_width):
    """Widen strokes thinner than ``stroke_width`` times the digit's longer side.

    MNIST's pens are broad: their median stroke is 0.14 of the digit's
    height, a quarter of its digits below 0.12. Ball-point photos and scans
    come out thinner, and a network trained on MNIST reads thin 9s as 7s.
    The ink is dilated (grey-level, with a disk) by the missing half width.
    """
    from scipy import ndimage

    rows, cols = np.nonzero(mask)
    side = max(np.ptp(rows), np.ptp(cols)) + 1
    missing = stroke_width * side - _pen_width(mask)
    radius = missing / 2
    if radius < 0.5:
        return ink, mask
    reach = int(np.ceil(radius))
    y, x = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    disk = x * x + y * y <= radius * radius + 0.25
    ink = ndimage.grey_dilation(np.where(mask, ink, 0), footprint=disk)
    return ink, ndimage.binary_dilation(mask, structure=disk)


def _select_digit(mask, ink):
    """The connected blob(s) of the digit: those around the strongest ink.

    Each blob is weighed by its ink squared (contrast counts more than area,
    so a broad faint shadow weighs less than a thin dark stroke) and by its
    distance to the centre of mass of the strongest ink. The heaviest blob is
    the digit's core; blobs within its box, widened by a third of its size,
    join it (a 5's hat, a broken stroke), and the box grows with them.
    Returns the kept mask and the share of the ink weight that was dropped.
    """
    from scipy import ndimage

    labels, n = ndimage.label(mask, structure=np.ones((3, 3), bool))
    if n < 2:
        return mask, 0.0
    index = np.arange(1, n + 1)
    weight = np.asarray(ndimage.sum(ink * ink, labels, index))
    values = ink[mask]
    strong = mask & (ink >= np.percentile(values, 75))
    centre = np.array(ndimage.center_of_mass(np.where(strong, ink, 0)))
    centres = np.array(ndimage.center_of_mass(np.where(mask, ink, 0), labels, index))
    distance = np.hypot(*(centres - centre).T) / (0.15 * np.hypot(*mask.shape))
    core = int(np.argmax(weight / (1 + distance**2)))
    boxes = ndimage.find_objects(labels)
    keep = np.zeros(n, bool)
    keep[core] = True
    top, bottom = boxes[core][0].start, boxes[core][0].stop
    left, right = boxes[core][1].start, boxes[core][1].stop
    while True:
        grow = max(bottom - top, right - left) / 3
        joined = np.array(
            [
                not keep[i]
                and weight[i] > 0.01 * weight[core]
                and box[0].start < bottom + grow
                and box[0].stop > top - grow
                and box[1].start < right + grow
                and box[1].stop > left - grow
                for i, box in enumerate(boxes)
            ]
        )
        if not joined.any():
            break
        keep |= joined
        for i in np.flatnonzero(joined):
            top, bottom = min(top, boxes[i][0].start), max(bottom, boxes[i][0].stop)
            left, right = min(left, boxes[i][1].start), max(right, boxes[i][1].stop)
    dropped = float(weight[~keep].sum() / weight.sum())
    return np.concatenate([[False], keep])[labels], dropped


class DigitImageNormalizer(TransformerMixin, BaseEstimator):
    """Make pictures of single digits look like MNIST digits.

    Takes images of any size and kind — file paths, PIL images or arrays;
    grayscale, RGB or RGBA; dark ink on light paper or light ink on dark;
    photos with uneven or dim light, faint ink, small digits in a large
    frame, ruled or squared paper, scanned answer boxes — and returns 28x28
    uint8 images like MNIST's: bright ink on black, the digit scaled into a
    20x20 box keeping its aspect ratio and centred by centre of mass.

    The digit is looked for twice. First on the whole picture made at most
    256 pixels wide: the ink (grey level, or the colour channel that shows
    it best), its polarity, illumination flattening, threshold, removal of
    ruled lines and specks, and the choice of the digit's blobs. Then the
    region around the digit is read again from the picture itself, at up to
    ``digit_size`` pixels for the digit, and the same steps run on it: a
    small digit in a large photo keeps its strokes. Each step is a parameter
    that can be turned off.

    Parameters
    ----------
    invert : "auto" or bool, default="auto"
        Make the ink bright. ``"auto"`` inverts when the ink is darker than
        the paper: after the slowly varying light is taken away, the ink is
        the extreme tail of the grey levels lying clearly further out (so a
        shadowed corner does not fool it), else the extreme lying further
        from the border's grey.
    color : bool, default=True
        For colour pictures with dark ink, measure the ink in the colour
        channel where it is darkest relative to the paper's colour: blue or
        coloured ink then stands out from the grey print of squared paper,
        and warm light does not count as ink. False uses the grey level only.
    flatten_illumination : bool, default=True
        Subtract the slowly varying background, a grey-level opening (a
        sixth of the picture wide when finding the digit, half the digit's
        size when reading it): removes light gradients, shadows and the dark
        corners of dim photos.
    threshold : {"otsu", "sauvola", "local"} or None, default="otsu"
        How ink is told from paper: Otsu's threshold with hysteresis (faint
        stretches of a stroke down to half the threshold are kept where they
        touch strong ink); Sauvola's local threshold (dim, uneven light);
        a local mean threshold; or None to keep every pixel above zero.
    remove_lines : bool, default=True
        Remove straight horizontal or vertical lines that cross the whole
        picture (ruled or squared paper, the edge of a scanned box) and the
        thin pieces such lines leave behind. A line is spared where a stroke
        crosses it or runs along it, and a line as dark and as wide as the
        other ink is taken for a stroke drawn straight and stays.
    remove_specks : bool, default=True
        Drop connected ink blobs smaller than 5 % of the largest (dust, noise).
    select_digit : bool, default=True
        Keep only the blob(s) of the digit: the blob with the most ink
        (squared, so contrast counts more than area) near the centre of mass
        of the strongest ink, with the blobs close to it (a 5's hat, a
        broken stroke). Drops shadows, dots, box edges and marks elsewhere.
    digit_size : int or None, default=96
        Read the digit's region again from the picture so that the digit is
        about this many pixels tall or wide (never more than the picture's
        own pixels), before the threshold. None finds and reads the digit
        once, at the working size.
    stroke_width : float or None, default=None
        Widen strokes thinner than this share of the digit's longer side
        (MNIST's median is 0.14) for models trained on MNIST's broad pens.
        None leaves the strokes as they are; the default model, trained on
        distorted digits, reads thin strokes as well.
    box_size : int or None, default=20
        Crop to the digit and scale it to fit a ``box_size`` square keeping
        its aspect ratio. None resizes the whole image to 28x28 instead.
    center : bool, default=True
        Shift the digit so its centre of mass is at the centre of the frame.
    normalize_contrast : bool, default=True
        Make the pen even, as MNIST's: each stroke's core reaches full
        brightness whatever the pressure (each pixel over the brightest ink
        within two pen widths; the fringe keeps its share), then the strong
        strokes reach 255.

    See Also
    --------
    read_images : Read pictures as grayscale arrays.
    make_digit_pipeline : With ``raw_images=True``, this step comes first.

    Notes
    -----
    Files are decoded with at most 3 megapixels (a 12-megapixel JPEG at half
    its size while decoding), plenty for a digit: a 12-megapixel photo is
    normalised in about 0.1 s. A picture whose ink was hard to find (faint
    ink, or other marks nearly as strong as the digit) is reported by
    :meth:`normalize_one` with ``details=True``; ``skdigits predict`` flags
    it. See the user guide's page on reading your own pictures for what
    each step does to real photos and scans.

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
        "color": ["boolean"],
        "flatten_illumination": ["boolean"],
        "threshold": [StrOptions({"otsu", "sauvola", "local"}), None],
        "remove_lines": ["boolean"],
        "remove_specks": ["boolean"],
        "select_digit": ["boolean"],
        "digit_size": [Interval(Integral, 8, 512, closed="both"), None],
        "stroke_width": [Interval(Real, 0, 0.5, closed="neither"), None],
        "box_size": [Interval(Integral, 1, _FRAME, closed="both"), None],
        "center": ["boolean"],
        "normalize_contrast": ["boolean"],
    }

    def __init__(
        self,
        *,
        invert="auto",
        color=True,
        flatten_illumination=True,
        threshold="otsu",
        remove_lines=True,
        remove_specks=True,
        select_digit=True,
        digit_size=96,
        stroke_width=None,
        box_size=20,
        center=True,
        normalize_contrast=True,
    ):
        self.invert = invert
        self.color = color
        self.flatten_illumination = flatten_illumination
        self.threshold = threshold
        self.remove_lines = remove_lines
        self.remove_specks = remove_specks
        self.select_digit = select_digit
        self.digit_size = digit_size
        self.stroke_width = stroke_width
        self.box_size = box_size
        self.center = center
        self.normalize_contrast = normalize_contrast

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Check the parameters; nothing is learnt.

        The transformer is stateless: :meth:`transform` works unfitted too,
        and checks the parameters itself.

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
        return self

    def transform(self, X):
        """Normalise each picture into a 28x28 MNIST-like image.

        Parameters
        ----------
        X : list of (path, bytes, PIL image or array), or array of shape (n, h, w) or (n, h, w, 3|4)
            The pictures, as :func:`read_image` reads them. A single path, or
            the bytes of one file, is taken as one picture.

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
        check_is_fitted(self)  # stateless: always fitted (see __sklearn_is_fitted__)
        if not get_config()["skip_parameter_validation"]:
            self._validate_params()  # as fit does: transform may come without it
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
            picture = read_image(item, name=name, color=self.color, max_pixels=READ_PIXELS)
            out[i] = self.normalize_one(picture, name=name)
        return out

    def normalize_one(self, gray, name="image", *, details=False):
        """Normalise one picture (see the class description).

        Parameters
        ----------
        gray : ndarray of shape (height, width) or (height, width, 3)
            The picture as :func:`read_image` returns it: uint8 grey levels,
            or RGB with ``read_image(..., color=True)``.
        name : str, default="image"
            How errors refer to the picture.
        details : bool, default=False
            Also return what was found on the way.

        Returns
        -------
        image : ndarray of shape (28, 28), uint8
            Bright ink on black.
        info : dict
            Only with ``details=True``: ``ink_contrast`` (the digit's ink
            over the paper's noise), ``dropped_ink`` (the share of the ink
            weight left out as not the digit) and ``hard_to_find`` (True when
            the ink was faint or other marks were nearly as strong).

        Raises
        ------
        ImageError
            When the picture holds no ink.
        """
        picture = _as_uint8(gray)
        height, width = picture.shape[:2]
        scale = min(1.0, _WORK_SIZE / max(height, width))
        small = _resize(picture, (round(height * scale), round(width * scale)))
        dark = self.invert is True or (self.invert == "auto" and ink_is_dark(_luma(small)))
        paper = np.median(_border(small), axis=0).astype(np.float32) if picture.ndim == 3 else None
        ink = self._ink(small, dark, paper)
        chroma = self.color and self._ink_is_coloured(ink, small, dark)
        if chroma:
            ink = self._ink(small, dark, paper, chroma=True)
        second = self.digit_size is not None and self.box_size is not None
        room = _FIND_ROOM if second else _READ_ROOM  # a first look only finds the digit
        mask, info, families = self._ink_mask(ink, name, max(ink.shape) * room)
        factor = scale  # pixels of the working image per pixel of the picture
        if second:
            region, factor, side = self._digit_region(picture, mask, scale)
            ink = self._ink(region, dark, paper, chroma=chroma)
            mask, again, _ = self._ink_mask(ink, name, side * _READ_ROOM, families)
            # Marks dropped are judged on the whole picture, contrast on the digit's region.
            info = {
                "ink_contrast": again["ink_contrast"],
                "dropped_ink": max(info["dropped_ink"], again["dropped_ink"]),
            }
        if self.box_size is None:
            from skimage.transform import resize

            digit = np.where(mask, ink, 0)
            out = self._finish(resize(digit, (_FRAME, _FRAME), anti_aliasing=True))
        else:
            out = self._fit_box(ink, mask, factor)
        if not details:
            return out
        info["hard_to_find"] = bool(
            info["ink_contrast"] < _HARD_CONTRAST or info["dropped_ink"] > _HARD_DROPPED
        )
        return out, info

    def _digit_region(self, picture, mask, scale):
        """The digit's region of the picture, a third of its size around it, resized.

        Returns the region, its pixels per pixel of the picture and the
        digit's longer side in the region's pixels.
        """
        rows, cols = np.nonzero(mask)
        side = (max(np.ptp(rows), np.ptp(cols)) + 1) / scale  # in the picture's pixels
        margin = max(2.0 / scale, 0.3 * side)
        top = max(0, int(rows.min() / scale - margin))
        left = max(0, int(cols.min() / scale - margin))
        bottom = min(picture.shape[0], int(np.ceil((rows.max() + 1) / scale + margin)))
        right = min(picture.shape[1], int(np.ceil((cols.max() + 1) / scale + margin)))
        # Never beyond the picture's own pixels: upsampling blurred the
        # strokes and read worse, scans and MNIST-form digits alike.
        factor = min(1.0, self.digit_size / side)
        region = picture[top:bottom, left:right]
        shape = (round(region.shape[0] * factor), round(region.shape[1] * factor))
        return _resize(region, shape), factor, side * factor

    def _ink(self, picture, dark, paper, chroma=False):
        """Ink bright on black, float32 in [0, 1].

        For a colour picture with dark ink: how much darker than the paper
        each pixel is, in the channel where it is darkest relative to the
        paper's colour; with ``chroma``, less three quarters of its darkness
        in the channel where it is lightest: grey print then counts for a
        quarter of its darkness, coloured ink for most of its own.
        """
        if picture.ndim == 3 and dark and self.color:
            rgb = picture[..., :3].astype(np.float32)
            darkness = np.clip((paper[:3] - rgb) / np.maximum(paper[:3], 1.0), 0, 1)
            ink = darkness.max(axis=-1)
            if chroma:
                ink = ink - _GREY_WEIGHT * darkness.min(axis=-1)
            return ink
        ink = _luma(picture)
        return 1.0 - ink if dark else ink

    def _ink_is_coloured(self, ink, picture, dark):
        """True when the strongest ink is coloured (blue, violet...), unlike the paper.

        The strongest marks (the top 1 % of the ink once the light is
        flattened) are compared with the whole picture by their saturation:
        grey pencil under warm or bluish light is no more saturated than
        its paper, blue ink is far more.
        """
        if picture.ndim != 3 or not dark:
            return False
        marks = self._flatten(ink.copy(), max(ink.shape) * _FIND_ROOM)
        strongest = marks >= np.percentile(marks, 99)
        rgb = picture[..., :3].astype(np.float32)
        saturation = (rgb.max(axis=-1) - rgb.min(axis=-1)) / np.maximum(rgb.max(axis=-1), 1.0)
        return bool(np.median(saturation[strongest]) > np.median(saturation) + _COLOURED)

    def _flatten(self, ink, stroke_room):
        from scipy import ndimage

        if not self.flatten_illumination:
            return ink
        size = max(5, round(stroke_room))
        return np.clip(ink - ndimage.grey_opening(ink, size=(size, size)), 0, None)

    def _threshold(self, ink, window):
        from skimage.filters import (
            apply_hysteresis_threshold,
            threshold_local,
            threshold_otsu,
            threshold_sauvola,
        )

        if self.threshold == "otsu":
            # Hysteresis: faint stretches of a stroke join when they touch strong ink.
            high = threshold_otsu(ink)
            return apply_hysteresis_threshold(ink, _LOW * high, high)
        if self.threshold == "sauvola":
            # On the ink stretched to the full range (as Sauvola's r assumes), in
            # windows far wider than the strokes: the digit's size, or a third
            # of the picture.
            paper = 1.0 - np.clip(ink / max(float(np.percentile(ink, 99.5)), 1e-3), 0, 1)
            block = max(3, int(2 * window) | 1)
            return (paper < threshold_sauvola(paper, window_size=block)) & (ink > 0.15 * ink.max())
        if self.threshold == "local":
            block = max(3, (max(ink.shape) // 4) | 1)
            return (ink > threshold_local(ink, block, offset=-0.02)) & (ink > 0.1 * ink.max())
        return ink > 0

    def _ink_mask(self, ink, name, stroke_room, families=()):
        """The digit's pixels, what was found, and the axes where ruled lines repeat."""
        from scipy import ndimage
        from skimage.measure import label

        ink[...] = self._flatten(ink, stroke_room)
        if float(ink.max()) - float(np.median(ink)) < 0.08:
            raise ImageError(f"{name}: no ink found (the picture is almost uniform).")
        mask = self._threshold(ink, stroke_room)
        removed = np.zeros_like(mask)
        if self.remove_lines:
            lines, longest, families = _ruled_lines(mask, ink, families)
            # A line that leaves almost nothing behind was the digit (a 1 across a scan).
            if lines.any() and (mask & ~lines).sum() >= 0.25 * longest:
                mask, removed = mask & ~lines, lines
        if self.remove_lines and mask.any():
            mask &= ~_line_fragments(mask)
        if self.remove_specks and mask.any():
            labels = label(mask, connectivity=2)
            areas = np.bincount(labels.ravel())
            areas[0] = 0
            keep = areas >= max(2, 0.05 * areas.max())
            mask = keep[labels]
        dropped = 0.0
        if self.select_digit and mask.any():
            mask, dropped = _select_digit(mask, ink)
        if not mask.any():
            raise ImageError(f"{name}: no ink found after removing lines and specks.")
        # The paper's noise: the ink away from the strokes, their fringe and ruled lines.
        background = ink[~ndimage.binary_dilation(mask | removed, iterations=3)]
        noise = float(np.percentile(background, 99)) if background.size else 0.0
        contrast = float(np.median(ink[mask])) / max(noise, 1e-3)
        info = {"ink_contrast": round(contrast, 2), "dropped_ink": round(dropped, 3)}
        return mask, info, families

    def _fit_box(self, ink, mask, factor):
        from scipy import ndimage
        from skimage.transform import resize

        if self.stroke_width is not None:
            ink, mask = _thicken(ink, mask, self.stroke_width)
        # Keep the anti-aliased fringe of the strokes, then crop to what is left.
        # Two pixels of the picture, or of the working size when it is smaller.
        fringe = max(2, round(2 * factor))
        digit = np.where(ndimage.binary_dilation(mask, iterations=fringe), ink, 0)
        if self.normalize_contrast:
            # An even pen, as MNIST's: each stroke's core reaches full
            # brightness, whatever the pressure; the fringe keeps its share.
            reach = 2 * int(np.ceil(_pen_width(mask))) + 1
            core = ndimage.grey_dilation(np.where(mask, digit, 0), size=(reach, reach))
            digit = np.clip(digit / np.maximum(core, 1e-6), 0, 1) * float(digit.max())
        rows, cols = np.nonzero(digit)
        crop = digit[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        factor = self.box_size / max(crop.shape)
        shape = (max(1, round(crop.shape[0] * factor)), max(1, round(crop.shape[1] * factor)))
        small = resize(crop, shape, anti_aliasing=factor < 1, order=1)
        frame = np.zeros((_FRAME, _FRAME), dtype=np.float64)
        top, left = (_FRAME - shape[0]) // 2, (_FRAME - shape[1]) // 2
        frame[top : top + shape[0], left : left + shape[1]] = small
        return self._finish(frame)

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

    def __sklearn_is_fitted__(self):
        """Return True: the transformer is stateless, as ``FunctionTransformer``."""
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.input_tags.string = True
        return tags


def raw_image_pipeline(fitted):
    """Put a DigitImageNormalizer in front of a pipeline fitted on MNIST-form digits.

    The normaliser learns nothing and leaves MNIST-form digits nearly
    unchanged, so a pipeline trained on MNIST arrays predicts from pictures
    once it is in front; training through it would only cost time.
    """
    from sklearn.pipeline import Pipeline

    if "normalize" in getattr(fitted, "named_steps", {}):
        return fitted
    steps = fitted.steps if hasattr(fitted, "steps") else [("classifier", fitted)]
    return Pipeline([("normalize", DigitImageNormalizer()), *steps])
