"""Framing a found digit like MNIST's: its region, thickened strokes, the 20x20 box, centring.

Plain functions, the last steps of :class:`~skdigits.DigitImageNormalizer`:
the digit's region read again from the picture, strokes widened for models
trained on MNIST's broad pens, the digit cropped and scaled into its box, an
even pen, and the centre of mass put at the centre of the 28x28 frame.
"""

import numpy as np

from ._ink import pen_width, resize

FRAME = 28


def digit_region(picture, mask, scale, digit_size):
    """The digit's region of the picture, a third of its size around it, resized.

    ``mask`` is the digit found on the picture made ``scale`` times smaller.
    Returns the region, its pixels per pixel of the picture, the digit's
    longer side in the region's pixels and the region's top-left corner in
    the picture.
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
    factor = min(1.0, digit_size / side)
    region = picture[top:bottom, left:right]
    shape = (round(region.shape[0] * factor), round(region.shape[1] * factor))
    return resize(region, shape), factor, side * factor, (top, left)


def region_of(mask, corner, extent, scale, shape):
    """A mask of the working picture, cut to a region of the picture and resized to ``shape``.

    The region's top-left ``corner`` and ``extent`` (height, width) are in
    the picture's pixels; ``mask`` is the picture made ``scale`` times
    smaller (the lines found on a first look, carried to the second).
    """
    from PIL import Image

    top, left = (round(v * scale) for v in corner)
    bottom = round((corner[0] + extent[0]) * scale)
    right = round((corner[1] + extent[1]) * scale)
    part = mask[top : max(bottom, top + 1), left : max(right, left + 1)]
    if part.size == 0:
        return np.zeros(shape, bool)
    grey = Image.fromarray(part.astype(np.uint8) * 255).resize(shape[::-1], Image.BILINEAR)
    return np.asarray(grey) >= 128


def mask_box(mask, factor, corner=(0, 0), shape=None):
    """The box ``(top, left, bottom, right)`` of a mask, in the picture's pixels.

    ``mask`` covers a region of the picture at ``factor`` of its pixels,
    its top-left corner at ``corner``; the box is clipped to ``shape``.
    """
    rows, cols = np.nonzero(mask)
    top = corner[0] + int(np.floor(rows.min() / factor))
    left = corner[1] + int(np.floor(cols.min() / factor))
    bottom = corner[0] + int(np.ceil((rows.max() + 1) / factor))
    right = corner[1] + int(np.ceil((cols.max() + 1) / factor))
    if shape is not None:
        bottom, right = min(bottom, shape[0]), min(right, shape[1])
    return top, left, bottom, right


def thicken(ink, mask, stroke_width):
    """Widen strokes thinner than ``stroke_width`` times the digit's longer side.

    MNIST's pens are broad: their median stroke is 0.14 of the digit's
    height, a quarter of its digits below 0.12. Ball-point photos and scans
    come out thinner, and a network trained on MNIST reads thin 9s as 7s.
    The ink is dilated (grey-level, with a disk) by the missing half width.
    """
    from scipy import ndimage

    rows, cols = np.nonzero(mask)
    side = max(np.ptp(rows), np.ptp(cols)) + 1
    missing = stroke_width * side - pen_width(mask)
    radius = missing / 2
    if radius < 0.5:
        return ink, mask
    reach = int(np.ceil(radius))
    y, x = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    disk = x * x + y * y <= radius * radius + 0.25
    ink = ndimage.grey_dilation(np.where(mask, ink, 0), footprint=disk)
    return ink, ndimage.binary_dilation(mask, structure=disk)


def fit_box(ink, mask, factor, *, box_size=20, stroke_width=None, normalize_contrast=True):
    """The digit cropped and scaled into a ``box_size`` square in the middle of the frame.

    ``factor`` is the ink's pixels per pixel of the picture. Returns the
    frame, float64 in [0, 1] (before :func:`finish_frame`).
    """
    from scipy import ndimage
    from skimage.transform import resize as resize_float

    if stroke_width is not None:
        ink, mask = thicken(ink, mask, stroke_width)
    # Keep the anti-aliased fringe of the strokes, then crop to what is left.
    # Two pixels of the picture, or of the working size when it is smaller.
    fringe = max(2, round(2 * factor))
    digit = np.where(ndimage.binary_dilation(mask, iterations=fringe), ink, 0)
    if normalize_contrast:
        # An even pen, as MNIST's: each stroke's core reaches full
        # brightness, whatever the pressure; the fringe keeps its share.
        reach = 2 * int(np.ceil(pen_width(mask))) + 1
        core = ndimage.grey_dilation(np.where(mask, digit, 0), size=(reach, reach))
        digit = np.clip(digit / np.maximum(core, 1e-6), 0, 1) * float(digit.max())
    rows, cols = np.nonzero(digit)
    crop = digit[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    factor = box_size / max(crop.shape)
    shape = (max(1, round(crop.shape[0] * factor)), max(1, round(crop.shape[1] * factor)))
    small = resize_float(crop, shape, anti_aliasing=factor < 1, order=1)
    frame = np.zeros((FRAME, FRAME), dtype=np.float64)
    top, left = (FRAME - shape[0]) // 2, (FRAME - shape[1]) // 2
    frame[top : top + shape[0], left : left + shape[1]] = small
    return frame


def whole_frame(ink, mask):
    """The digit's ink, the whole picture resized to the frame (no box)."""
    from skimage.transform import resize as resize_float

    return resize_float(np.where(mask, ink, 0), (FRAME, FRAME), anti_aliasing=True)


def finish_frame(frame, *, normalize_contrast=True, center=True):
    """The frame as uint8: the strong strokes at 255, the centre of mass at the centre."""
    from scipy import ndimage

    if normalize_contrast and frame.max() > 0:
        strong = np.percentile(frame[frame > 0], 90)
        frame = frame / max(strong, 1e-6)
    frame = np.round(np.clip(frame, 0, 1) * 255)
    if center and frame.sum() > 0:
        # MNIST digits have their centre of mass at pixel (14, 14)
        # (mean over the embedded sample: 13.99, 14.00).
        row, col = ndimage.center_of_mass(frame)
        shift = (round(FRAME / 2 - row), round(FRAME / 2 - col))
        frame = ndimage.shift(frame, shift, order=0, mode="constant", cval=0.0)
    return frame.astype(np.uint8)
