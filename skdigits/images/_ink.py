"""Finding a digit's ink in a picture: plain functions, the steps of the normaliser.

Each function is one step of :class:`~skdigits.DigitImageNormalizer` (see its
description) and takes NumPy arrays: the ink's polarity, the ink measured
bright on black (grey level, or the colour channel that shows it best),
illumination flattening, the threshold, ruled lines and their fragments,
specks, and the choice of the digit's blobs. :func:`find_digit` runs them in
order. Image operations come from scikit-image (Otsu, hysteresis and local
thresholds, skeletons) and SciPy's ndimage (grey-level opening, connected
components, centre of mass); pictures are resized by Pillow.
"""

import numpy as np

from ..exceptions import ImageError
from ._read import read_image

# Flattening: the background is an opening this share of the picture wide
# when looking for the digit (narrow: takes dark corners and shadows away),
# and this share of the digit's size on its second reading (wide: spares
# broad marker strokes).
FIND_ROOM, READ_ROOM = 1 / 6, 1 / 2
# Coloured ink: its strongest marks this much more saturated than the picture.
_COLOURED = 0.25
_GREY_WEIGHT = 0.75
# A colour direction is used when it sets the ink this many standard
# deviations away from the ruled lines.
_HUE_SEPARATION = 3.0
# Hysteresis: ink down to this share of Otsu's threshold joins the strokes it touches.
_LOW = 0.5


def border_pixels(image):
    """The pixels of a band 3 % of the picture wide along its four edges."""
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
    paper = np.median(border_pixels(image))
    low, high = np.percentile(image, (1, 99))
    return (paper - low) > (high - paper)


def luma(picture):
    """A uint8 picture, grey or RGB, as float32 grey levels in [0, 1]."""
    if picture.ndim == 3:
        weights = np.array([0.299, 0.587, 0.114], np.float32) / 255  # ITU-R 601, as Pillow's "L"
        return picture[..., :3].astype(np.float32) @ weights
    return picture.astype(np.float32) / 255


def resize(picture, shape):
    """Resize a uint8 picture (grey or RGB) with Pillow: anti-aliased, fast."""
    from PIL import Image

    shape = (max(1, int(shape[0])), max(1, int(shape[1])))
    if picture.shape[:2] == shape:
        return picture
    return np.asarray(Image.fromarray(picture).resize(shape[::-1], Image.BILINEAR))


def as_uint8(picture):
    """The picture as uint8 grey or RGB: as it is when it is uint8, else read in colour."""
    picture = np.asarray(picture)
    if picture.dtype == np.uint8:
        return picture
    return read_image(picture, color=True)


def pen_width(mask):
    """Mean width of the strokes of a mask: its area over its skeleton's length."""
    from skimage.morphology import skeletonize

    return mask.sum() / max(1, skeletonize(mask).sum())


def measure_ink(picture, dark, paper, *, color=True, chroma=False, direction=None):
    """Ink bright on black, float32 in [0, 1].

    For a colour picture with dark ink (and ``color``): how much darker than
    the ``paper`` colour each pixel is, in the channel where it is darkest
    relative to the paper's colour; with ``chroma``, less three quarters of
    its darkness in the channel where it is lightest: grey print then counts
    for a quarter of its darkness, coloured ink for most of its own; with a
    colour ``direction`` (:func:`ink_colour_direction`), the darkness along
    it. Else the grey level, inverted when the ink is ``dark``.
    """
    if picture.ndim == 3 and dark and color:
        dark_rgb = darkness(picture, paper)
        if direction is not None:
            return np.clip(dark_rgb @ direction, 0, 1)
        ink = dark_rgb.max(axis=-1)
        if chroma:
            ink = ink - _GREY_WEIGHT * dark_rgb.min(axis=-1)
        return ink
    ink = luma(picture)
    return 1.0 - ink if dark else ink


def darkness(picture, paper):
    """How much darker than the ``paper`` colour each pixel is, per channel, float32 in [0, 1]."""
    rgb = picture[..., :3].astype(np.float32)
    return np.clip((paper[:3] - rgb) / np.maximum(paper[:3], 1.0), 0, 1)


def ink_colour_direction(picture, paper, ink, digit, lines):
    """A per-picture colour direction that tells the digit's ink from the paper's lines, or None.

    Each pixel's darkness relative to the paper, channel by channel
    (:func:`darkness`), is a point in three dimensions; the digit's pixels
    and the ruled lines' pixels found on a first look are two clouds. Their
    linear discriminant (Fisher's: the difference of the means through the
    inverse of the pooled covariances) is the colour in which the ink
    differs most from the lines: a red or blue pen on printed lines of
    another hue. It is used only where it separates them clearly (the ink
    at least ``_HUE_SEPARATION`` standard deviations from the lines, and
    twice as far as ``ink`` does); grey pencil on grey print keeps ``ink``.
    The direction is scaled so that the ink keeps its median strength.
    """
    if picture.ndim != 3 or digit.sum() < 20 or lines.sum() < 20:
        return None
    dark = darkness(picture, paper)
    pen, line = dark[digit].astype(np.float64), dark[lines].astype(np.float64)
    spread = np.cov(pen.T) + np.cov(line.T) + 1e-4 * np.eye(3)
    direction = np.linalg.solve(spread, pen.mean(axis=0) - line.mean(axis=0))

    def separation(a, b):
        return (np.mean(a) - np.mean(b)) / np.sqrt(0.5 * (np.var(a) + np.var(b)) + 1e-8)

    along = separation(pen @ direction, line @ direction)
    before = separation(ink[digit], ink[lines])
    if along < _HUE_SEPARATION or along < 2 * before:
        return None
    strength = np.median(pen @ direction)
    if strength <= 0:
        return None
    return (direction * np.median(ink[digit]) / strength).astype(np.float32)


def flatten_light(ink, stroke_room, *, divide=False):
    """Take the slowly varying background away: a grey-level opening ``stroke_room`` wide.

    The opening of the ink (the closing of the paper's brightness) is the
    background: what is left of the ink once every mark narrower than
    ``stroke_room`` is erased. It is subtracted, or with ``divide`` (dark
    ink, whose ink is the paper's darkness, 1 - grey / paper) divided out
    of the paper's brightness, ``1 - (1 - ink) / (1 - background)``: a
    stroke in a shadow keeps its contrast with the paper around it, and the
    shadow is paper.
    """
    from scipy import ndimage

    size = max(5, round(stroke_room))
    background = ndimage.grey_opening(ink, size=(size, size))
    flat = ink - background
    if divide:
        flat = flat / np.maximum(1.0 - background, 0.05)
    return np.clip(flat, 0, None)


def ink_is_coloured(ink, picture, dark, *, flatten=True):
    """True when the strongest ink is coloured (blue, violet...), unlike the paper.

    The strongest marks (the top 1 % of the ink, once the light is
    flattened when ``flatten``) are compared with the whole picture by their
    saturation: grey pencil under warm or bluish light is no more saturated
    than its paper, blue ink is far more.
    """
    if picture.ndim != 3 or not dark:
        return False
    marks = flatten_light(ink, max(ink.shape) * FIND_ROOM) if flatten else ink
    strongest = marks >= np.percentile(marks, 99)
    rgb = picture[..., :3].astype(np.float32)
    saturation = (rgb.max(axis=-1) - rgb.min(axis=-1)) / np.maximum(rgb.max(axis=-1), 1.0)
    return bool(np.median(saturation[strongest]) > np.median(saturation) + _COLOURED)


def threshold_ink(ink, method, window):
    """The pixels of ink: ``method`` is "otsu", "sauvola", "local" or None (see the normaliser).

    ``window`` is the width, in pixels, of Sauvola's windows (twice it).
    """
    from skimage.filters import (
        apply_hysteresis_threshold,
        threshold_local,
        threshold_otsu,
        threshold_sauvola,
    )

    if method == "otsu":
        # Hysteresis: faint stretches of a stroke join when they touch strong ink.
        high = threshold_otsu(ink)
        return apply_hysteresis_threshold(ink, _LOW * high, high)
    if method == "sauvola":
        # On the ink stretched to the full range (as Sauvola's r assumes), in
        # windows far wider than the strokes: the digit's size, or a third
        # of the picture.
        paper = 1.0 - np.clip(ink / max(float(np.percentile(ink, 99.5)), 1e-3), 0, 1)
        block = max(3, int(2 * window) | 1)
        return (paper < threshold_sauvola(paper, window_size=block)) & (ink > 0.15 * ink.max())
    if method == "local":
        block = max(3, (max(ink.shape) // 4) | 1)
        return (ink > threshold_local(ink, block, offset=-0.02)) & (ink > 0.1 * ink.max())
    return ink > 0


# Ruled lines: straight runs at most this far off the picture's axes (a phone
# held askew), looked for in steps small enough for a run a quarter of the
# picture long to stay within a pixel; the bends of a curled page are followed
# by the union of the runs within this much of the lines' main direction.
MAX_TILT, _TILT_STEP, _BEND = np.radians(12), np.radians(0.5), np.radians(4)
# A lone line (the edge of a scanned box) runs along the picture's axes.
_LONE_TILT = np.radians(1.5)
# A curled page's lines are followed beyond their straight stretch by short
# runs bending up to this much; dotted print is bridged over gaps this share
# of the picture wide.
_CURL, _CURL_STEP, _DOT_GAP = np.radians(15), np.radians(1), 1 / 40
# A stroke crossing a line is looked for across it and this far aslant (radians
# off the line's normal): a thin stroke crossing at a shallow angle is not cut.
_CROSSING_SLANTS = np.radians([-30, 30])
# A stretch of a line this much darker than the line is a stroke lying on it.
_DARKER = 1.5
# The family of the lines carried from the first look into the digit's region.
_CARRIED = -1.0


def _shear(image, angle):
    """Rows moved column by column so that lines at ``angle`` (radians) run flat.

    Returns the sheared image (padded above and below) and the index
    arrays that take it back (``sheared[back]`` is the image again).
    """
    height, width = image.shape
    shift = np.round((np.arange(width) - width / 2) * np.tan(angle)).astype(int)
    pad = int(np.abs(shift).max())
    padded = np.zeros((height + 2 * pad, width), image.dtype)
    padded[pad : pad + height] = image
    cols = np.arange(width)[None, :]
    rows = np.clip(np.arange(height + 2 * pad)[:, None] + shift, 0, height + 2 * pad - 1)
    back = (np.arange(height)[:, None] + pad - shift, np.broadcast_to(cols, (height, width)))
    return padded[rows, cols], back


def line_direction(mask, axis, max_tilt=MAX_TILT):
    """The main direction and spacing of the lines of a mask along ``axis``.

    Projection profiles: the mask's pixels are counted along each direction
    within ``max_tilt`` of the axis (0: lines running across, 1: down), and
    the direction whose profile is the most peaked (the largest sum of
    squared counts) is the lines'. The spacing (pitch) is the lag of the
    profile's strongest autocorrelation peak, in pixels (None when the
    profile shows no repeat). Returns ``(angle, pitch)``, angle in radians.
    """
    rows, cols = np.nonzero(mask if axis == 0 else mask.T)
    if rows.size == 0:
        return 0.0, None
    width = (mask.shape[1] if axis == 0 else mask.shape[0]) / 2
    best, best_score, best_profile = 0.0, -1.0, None
    for angle in np.arange(-max_tilt, max_tilt + _TILT_STEP / 2, _TILT_STEP):
        bins = np.round(rows - (cols - width) * np.tan(angle)).astype(int)
        profile = np.bincount(bins - bins.min()).astype(np.float64)
        score = float(profile @ profile)
        if score > best_score:
            best, best_score, best_profile = float(angle), score, profile
    profile = best_profile - best_profile.mean()
    corr = np.correlate(profile, profile, mode="full")[len(profile) - 1 :]
    lags = np.arange(len(corr))
    peaks = (lags > 2) & (lags < len(corr) - 1)
    peaks[1:-1] &= (corr[1:-1] > corr[:-2]) & (corr[1:-1] >= corr[2:])
    peaks[[0, -1]] = False
    if not peaks.any() or corr[0] <= 0:
        return best, None
    lag = int(lags[peaks][np.argmax(corr[peaks])])
    return best, (lag if corr[lag] > 0.2 * corr[0] else None)


def _tilt(line, axis):
    """How far a line's pixels run off ``axis``, in radians (their least-squares slope)."""
    rows, cols = np.nonzero(line if axis == 0 else line.T)
    if np.ptp(cols) == 0:
        return np.pi / 2
    return float(abs(np.arctan(np.polyfit(cols, rows, 1)[0])))


def straight_runs(mask, axis, angle, length, *, gap=3, bridged=False):
    """Pixels of the mask on straight runs at least ``length`` long in a direction.

    The direction is ``angle`` (radians) off ``axis`` (0: across, 1: down).
    The mask is sheared so that the direction runs flat, gaps narrower
    than ``gap`` pixels are bridged (dotted and broken print), and a binary
    opening with a line ``length`` long keeps the runs; they are sheared
    back. With ``bridged``, the runs are returned with their gaps filled
    (a dotted line as one piece), else only the mask's pixels on them.
    """
    from scipy import ndimage

    image = (mask if axis == 0 else mask.T).astype(np.uint8)
    sheared, back = _shear(image, angle)
    # Each row is filtered alone: only the rows holding ink need it.
    active = np.flatnonzero(sheared.any(axis=1))
    part = sheared[active]
    part = ndimage.minimum_filter1d(
        ndimage.maximum_filter1d(part, gap, axis=1, mode="nearest"), gap, axis=1, mode="nearest"
    )
    part = ndimage.maximum_filter1d(
        ndimage.minimum_filter1d(part, length, axis=1, mode="nearest"),
        length,
        axis=1,
        mode="nearest",
    )
    runs = np.zeros_like(sheared)
    runs[active] = part
    found = runs[back].astype(bool)
    if not bridged:
        found &= image > 0
    return found if axis == 0 else found.T


def curled_ends(mask, axis, angle, size, gap, max_tilt):
    """Short straight runs bending up to ``max_tilt`` off the lines' direction: a curled page.

    Where a page curls, a ruled line bends away from the straight run found
    in the middle of the picture; its ends are followed by runs a twelfth of
    the picture long, in any direction within ``max_tilt`` of the lines'
    (:func:`straight_runs`, gaps up to ``gap`` bridged). Returns the runs
    labelled as connected pieces.
    """
    from scipy import ndimage

    short = size // 12
    if short < 5:  # a small picture: no page to curl
        return np.zeros(mask.shape, np.int32)
    turn = min(max_tilt, _CURL)
    runs = np.zeros_like(mask)
    for bend in np.arange(-turn, turn + _CURL_STEP / 2, _CURL_STEP) if turn > 0 else [0.0]:
        runs |= straight_runs(mask, axis, angle + bend, short, gap=gap, bridged=gap > 3)
    labels, _ = ndimage.label(runs, structure=np.ones((3, 3), bool))
    labels[~mask] = 0
    return labels


def follow_curl(line, curls, axis, box):
    """The ends of a ``line`` where it bends on a curled page.

    The pieces of ``curls`` (:func:`curled_ends`) that the line runs into,
    only beyond the line's own extent (``box``, its bounding box) along its
    direction, and only those drawn no thicker than the line (a stroke
    touching it is not taken with it).
    """
    from scipy import ndimage

    pieces = np.unique(curls[line])
    pieces = pieces[pieces > 0]
    if pieces.size == 0:
        return np.zeros_like(line)
    along = np.arange(line.shape[1 - axis])
    beyond = (along < box[1 - axis].start) | (along >= box[1 - axis].stop)
    ends = np.isin(curls, pieces) & (beyond[None, :] if axis == 0 else beyond[:, None])
    if not ends.any():
        return ends
    thickness = line.sum() / max(1, np.any(line, axis=axis).sum())
    labels, n = ndimage.label(ends, structure=np.ones((3, 3), bool))
    keep = np.zeros(n + 1, bool)
    for index, part in enumerate(ndimage.find_objects(labels), start=1):
        piece = labels[part] == index
        keep[index] = piece.sum() <= 1.5 * thickness * max(1, np.any(piece, axis=axis).sum())
    return keep[labels]


def ruled_lines(mask, ink, families=(), *, max_tilt=MAX_TILT, digit_extent=None, seeds=None):
    """Pixels of the straight lines of ruled or squared paper in a mask.

    For each axis (lines running across, lines running down), the lines'
    direction within ``max_tilt`` of it and their spacing are estimated
    from the picture (:func:`line_direction`), and the runs of ink a
    quarter of the picture long in that direction, or within two degrees of
    it (a curled page), are kept (:func:`straight_runs`, an opening with a
    long line); ink twice as thick as the thinnest such run (a broad stroke
    lying on a line) is not the line's. A line is a connected run that
    covers 75 % of the picture (60 % when three or more lie parallel, as a
    margin cuts them; 90 % for a lone line): ruled and squared paper, not
    the stroke of a 1 or a 7. A lone line through the middle of the picture,
    or askew (a box's edge runs along the picture's axes), is taken for a
    stroke unless its direction is in ``families`` (the axes where the whole
    picture showed several parallel lines removed) or it is paper by its
    look: two and a half times as long as the other ink's largest blob,
    running on beyond it on both sides, and thinner or fainter than the
    strokes (one ruled line through a cropped digit). A line as dark and as wide
    as the other ink, touching it and no longer than two and a half times
    its largest blob is a stroke of the digit drawn straight (the 4's
    upright on squared paper) unless the paper repeats it three times or
    more. When the digit is known to cover ``digit_extent`` of the picture
    (the digit's region read again: its share of the width and of the
    height, or one share for both), a run longer than the digit by a tenth
    of the picture is a line whatever its ink.
    With ``seeds`` (the lines removed from the whole picture, carried into
    this region: :func:`~._framing.region_of`), the thin straight runs of
    ink within two pixels of them are lines too, wherever they bend.
    Where a line carries a stroke of the digit, its pixels are spared: where
    a stroke crosses it (ink on both sides of the line, across it) and where
    a stroke runs along it (ink beside the line at least as wide as the
    line). Returns the line pixels, the pixel count of the longest line and
    the axes with several lines removed (lines taken for strokes do not
    count).
    """
    from scipy import ndimage

    candidates = []  # (axis, one line's pixels, lines in its family)
    for axis in (0, 1):
        size = mask.shape[1 - axis]
        length = size // 4
        if length < 3:
            continue
        angle, _ = line_direction(mask, axis, max_tilt) if max_tilt > 0 else (0.0, None)
        bends = np.arange(-_BEND, _BEND + _TILT_STEP / 2, _TILT_STEP) if max_tilt > 0 else [0.0]
        gap = max(3, round(_DOT_GAP * size))
        runs = np.zeros_like(mask)
        for bend in bends:
            runs |= straight_runs(mask, axis, angle + bend, length, gap=gap, bridged=gap > 3)
        labels, _ = ndimage.label(runs, structure=np.ones((3, 3), bool))
        labels[~mask] = 0  # a dotted line is one piece, of the mask's pixels
        extents = [
            (index, box, (box[1 - axis].stop - box[1 - axis].start) / size)
            for index, box in enumerate(ndimage.find_objects(labels), start=1)
        ]
        # Ink twice as thick as the thinnest long run is a broad stroke on a
        # line, not the line.
        widths = [
            np.sum(labels[box] == index) / (box[1 - axis].stop - box[1 - axis].start)
            for index, box, extent in extents
            if extent >= 0.6
        ]
        side = min(int(np.ceil(2 * min(widths))) + 1 if widths else 0, size // 8)
        thick = np.zeros_like(mask)
        if side >= 3:  # a binary opening by a square, as separable min and max filters
            square = ndimage.minimum_filter(mask.astype(np.uint8), size=side, mode="nearest")
            thick = ndimage.maximum_filter(square, size=side, mode="nearest") > 0
        # Three parallel lines or more are paper, each covering 60 % of the
        # picture (a margin cuts them); fewer must cover 75 %.
        boxes = [(index, box) for index, box, extent in extents if extent >= 0.6]
        if len(boxes) < 3:
            boxes = [(index, box) for index, box, extent in extents if extent >= 0.75]
        found = [
            (index, box)
            for index, box in boxes
            if len(boxes) > 1 or box[1 - axis].stop - box[1 - axis].start >= 0.9 * size
        ]
        limit = np.inf if digit_extent is None else np.broadcast_to(digit_extent, 2)[axis] + 0.1
        seeded = seeds is not None and seeds.any()
        # A curled page's line ends, looked for (costly) only when there is a line to follow.
        curls = curled_ends(mask, axis, angle, size, gap, max_tilt) if boxes or seeded else None
        for index, box in boxes:
            line = labels == index
            line |= follow_curl(line, curls, axis, box)
            line &= ~thick
            if not line.any():
                continue  # all of it a broad stroke
            if box[1 - axis].stop - box[1 - axis].start >= limit * size:
                candidates.append((axis, line, np.inf))  # longer than the digit
                continue
            if (index, box) not in found:
                continue
            # Ruled paper repeats its lines; a box's edge lies near the border.
            # A lone line through the middle is the digit's long stroke.
            middle = (box[axis].start + box[axis].stop) / 2 / mask.shape[axis]
            lone = len(found) == 1 and axis not in families
            # A box's edge runs along the picture near its border; a lone line
            # askew or through the middle is weighed against the other ink
            # below (family 0).
            weighed = lone and (_tilt(line, axis) > _LONE_TILT or 0.15 < middle < 0.85)
            candidates.append((axis, line, 0 if weighed else len(found)))
        if seeded:
            # The whole picture's lines, where they cross this region.
            carried = (curls > 0) & seeds & ~thick
            if carried.any():
                candidates.append((axis, carried, _CARRIED))
    if not candidates:
        return np.zeros_like(mask), 0, ()
    everything = np.logical_or.reduce([line for _, line, _ in candidates])
    others = mask & ~ndimage.binary_dilation(everything, iterations=2)
    blob_reach = {0: np.inf, 1: np.inf}  # the longest reach of the other ink's largest blob
    blob_span = {0: (0, 0), 1: (0, 0)}  # where it lies along each axis
    if others.sum() > everything.sum() / 20:
        stroke_ink, stroke_width = np.median(ink[others]), pen_width(others)
        blobs, _ = ndimage.label(others, structure=np.ones((3, 3), bool))
        largest = np.argmax(np.bincount(blobs.ravel())[1:]) + 1
        box = ndimage.find_objects((blobs == largest).astype(int))[0]
        blob_reach = {0: box[1].stop - box[1].start, 1: box[0].stop - box[0].start}
        blob_span = {0: (box[1].start, box[1].stop), 1: (box[0].start, box[0].stop)}
    else:
        stroke_ink = stroke_width = np.inf  # nothing else to compare with
    removed = {0: 0, 1: 0}  # lines removed along each axis (not those taken for strokes)
    by_axis = {0: np.zeros_like(mask), 1: np.zeros_like(mask)}
    longest = 0
    for axis, line, family in candidates:
        thickness = line.sum() / max(1, np.any(line, axis=axis).sum())
        stroke_like = (
            np.median(ink[line]) >= 0.8 * stroke_ink
            and thickness >= 0.7 * stroke_width
            and (ndimage.binary_dilation(line, iterations=4) & others).any()
            and np.ptp(np.nonzero(line)[1 - axis]) <= 2.5 * blob_reach[axis]
        )
        if stroke_like and family < 3 and family != _CARRIED:
            continue  # as dark and as wide as the strokes: a stroke drawn straight
        # A lone line through the middle or askew is the digit's stroke
        # unless it is far longer than the other ink, runs on beyond it on
        # both sides (a 9's stem starts at its loop) and is drawn thinner or
        # fainter.
        along = np.nonzero(line)[1 - axis]
        reach = np.ptp(along)
        start, stop = blob_span[axis]
        beyond = along.min() < start - 0.1 * reach and along.max() > stop + 0.1 * reach
        printed = np.median(ink[line]) < 0.8 * stroke_ink or thickness < 0.7 * stroke_width
        if family == 0 and not (
            np.isfinite(stroke_ink) and reach > 2.5 * blob_reach[axis] and beyond and printed
        ):
            continue
        by_axis[axis] |= line
        if family != _CARRIED:  # the first look's lines were weighed there
            removed[axis] += 1
            longest = max(longest, int(line.sum()))
    several = tuple(a for a in (0, 1) if removed[a] > 1)
    found = ndimage.binary_dilation(by_axis[0] | by_axis[1], iterations=1)
    if not found.any():
        return found, 0, several
    rest = mask & ~found
    spared = np.zeros_like(mask)
    for axis, lines in by_axis.items():
        if not lines.any():
            continue
        thickness = pen_width(lines) + 2  # each line's, dilated
        reach = 2 * int(np.ceil(thickness)) + 2
        across = np.ones((2 * reach + 1, 1) if axis == 0 else (1, 2 * reach + 1), bool)
        crossing = ndimage.binary_closing(rest, structure=across)
        # On ruled paper (no lines across these), strokes crossing a line aslant.
        for slant in _CROSSING_SLANTS if not by_axis[1 - axis].any() else ():
            crossing |= ndimage.binary_closing(rest, structure=_slanted(reach, slant, axis))
        # A stroke along the line: ink beside it, wider than the line is thick.
        side = max(2, int(np.ceil(thickness)) + 1)
        wide = ndimage.binary_opening(rest, structure=np.ones((side, side), bool))
        along = ndimage.binary_dilation(wide, structure=across)
        spared |= ndimage.binary_dilation(lines, iterations=1) & (crossing | along)
        spared |= darker_stretches(lines, ink, axis, thickness, stroke_ink)
    return found & ~spared, longest, several


def _slanted(reach, slant, axis):
    """A line footprint crossing a line along ``axis`` at ``slant`` (radians off its normal).

    It spans ``2 * reach + 1`` pixels across the line, and ``tan(slant)``
    times that along it.
    """
    along = int(round(reach * np.tan(abs(slant))))
    rows = np.arange(-reach, reach + 1)
    cols = np.round(rows * np.tan(slant)).astype(int) + along
    footprint = np.zeros((2 * reach + 1, 2 * along + 1), bool)
    footprint[rows + reach, cols] = True
    return footprint if axis == 0 else footprint.T


def darker_stretches(lines, ink, axis, thickness, stroke_ink):
    """Stretches of ruled ``lines`` where a stroke lies on them: far darker than the print.

    A pen darker than the paper's print leaves the line darker where a
    stroke runs along it (a 2's base on a grid line, a 1's upright on a
    vertical one): the line's pixels whose ink is half as strong again as
    the line's median, and at least four fifths of the strokes' own
    (``stroke_ink``, where known), over a run three times the line's
    ``thickness`` along it (not a crossing of two lines), are the stroke's.
    Lines printed as dark as the pen have none.
    """
    from scipy import ndimage

    band = ndimage.binary_dilation(lines, iterations=1)
    labels, n = ndimage.label(band, structure=np.ones((3, 3), bool))
    # Each line against its own print: squared paper mixes bold and faint lines.
    level = _DARKER * np.concatenate(
        [[np.inf], ndimage.median(ink, np.where(lines, labels, 0), np.arange(1, n + 1))]
    )
    if np.isfinite(stroke_ink):
        level = np.maximum(level, 0.8 * float(stroke_ink))
    dark = band & (ndimage.median_filter(ink, size=3) >= level[labels])
    run = max(3, int(np.ceil(3 * thickness)))
    dark = ndimage.binary_opening(
        dark, structure=np.ones((1, run) if axis == 0 else (run, 1), bool)
    )
    return ndimage.binary_dilation(dark, iterations=1) & band


def edge_blobs(labels, n):
    """Which of the ``n`` labelled blobs lie along an edge of the picture: not the digit.

    A blob lying along a quarter of an edge is the paper's edge or a
    shadow's; so is one lying flat along an edge, touching a tenth of it
    over half its own length and no deeper than that (a dark table beyond
    the paper). The digit touches the edge only where a stroke is cut, over
    the stroke's width. When every blob is such, none is.
    """
    from scipy import ndimage

    boxes = ndimage.find_objects(labels)
    edge = np.zeros(n, bool)
    for edge_pixels, along in (
        (labels[0], 1),
        (labels[-1], 1),
        (labels[:, 0], 0),
        (labels[:, -1], 0),
    ):
        touch = np.bincount(edge_pixels, minlength=n + 1)[1:]
        span = np.array([box[along].stop - box[along].start for box in boxes])
        depth = np.array([box[1 - along].stop - box[1 - along].start for box in boxes])
        edge |= touch >= 0.25 * len(edge_pixels)
        edge |= (touch >= 0.1 * len(edge_pixels)) & (touch >= 0.5 * span) & (depth <= touch)
    if edge.all():
        edge[:] = False
    return edge


def line_fragments(mask):
    """Blobs drawn with a much thinner pen than the digit: pieces of ruled lines.

    Faint ruled or squared lines come through the threshold in pieces and
    crossings. A blob's pen width is its area over the length of its skeleton;
    blobs less than half as wide as the blob with the longest skeleton (taken
    to be the digit: a digit is long strokes, a blot or a line's thick
    remnant is short; never one lying along an edge, :func:`edge_blobs`) are
    dropped.
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
    edge = np.concatenate([[True], edge_blobs(labels, labels.max())])
    digit = np.argmax(np.where(edge, 0, lengths))
    return (widths < 0.5 * widths[digit])[labels]


def drop_specks(mask):
    """Drop connected blobs smaller than 5 % of the largest (and than 2 pixels)."""
    from skimage.measure import label

    labels = label(mask, connectivity=2)
    areas = np.bincount(labels.ravel())
    areas[0] = 0
    keep = areas >= max(2, 0.05 * areas.max())
    return keep[labels]


# A blob joins the digit only when no longer than this many times the digit
# found so far: a ruled line's remnant or a margin runs past the digit.
_LONGEST_PART = 1.5


def select_digit_blobs(mask, ink):
    """The connected blob(s) of the digit: those around the strongest ink.

    Each blob is weighed by its ink squared (contrast counts more than area,
    so a broad faint shadow weighs less than a thin dark stroke), with the
    blobs within its box widened by a third of its size (the pieces of a
    thin digit cut where lines crossed it weigh together), and by its
    distance to the centre of mass of the strongest ink away from the edges;
    a blob along an edge of the picture (its edge, a shadow's, a table
    beyond the paper: :func:`edge_blobs`) is not the digit unless every
    blob is. The heaviest blob is the digit's core;
    blobs within its box, widened by a third of its size, join it (a 5's
    hat, a broken stroke), and the box grows with them; a blob longer than
    one and a half times the digit found so far does not (a line's remnant,
    a margin: a digit's pieces are smaller than the digit).
    Returns the kept mask and the share of the ink weight that was dropped.
    """
    from scipy import ndimage

    labels, n = ndimage.label(mask, structure=np.ones((3, 3), bool))
    if n < 2:
        return mask, 0.0
    index = np.arange(1, n + 1)
    weight = np.asarray(ndimage.sum(ink * ink, labels, index))
    edge = edge_blobs(labels, n)
    inner = mask & ~np.concatenate([[False], edge])[labels]
    values = ink[inner]
    strong = inner & (ink >= np.percentile(values, 75))
    centre = np.array(ndimage.center_of_mass(np.where(strong, ink, 0)))
    centres = np.array(ndimage.center_of_mass(np.where(mask, ink, 0), labels, index))
    distance = np.hypot(*(centres - centre).T) / (0.15 * np.hypot(*mask.shape))
    boxes = ndimage.find_objects(labels)
    # Each blob weighs with the blobs that would join it: a thin digit cut
    # into pieces where lines crossed it outweighs one dark line's remnant.
    spans = np.array([[b[0].start, b[0].stop, b[1].start, b[1].stop] for b in boxes], float)
    grow = np.maximum(spans[:, 1] - spans[:, 0], spans[:, 3] - spans[:, 2]) / 3
    near = (
        (spans[None, :, 0] < spans[:, None, 1] + grow[:, None])
        & (spans[None, :, 1] > spans[:, None, 0] - grow[:, None])
        & (spans[None, :, 2] < spans[:, None, 3] + grow[:, None])
        & (spans[None, :, 3] > spans[:, None, 2] - grow[:, None])
        & ~edge[None, :]
    )
    cluster = near @ weight
    core = int(np.argmax(np.where(edge, 0, cluster) / (1 + distance**2)))
    keep = np.zeros(n, bool)
    keep[core] = True
    top, bottom = boxes[core][0].start, boxes[core][0].stop
    left, right = boxes[core][1].start, boxes[core][1].stop
    while True:
        grow = max(bottom - top, right - left) / 3
        joined = np.array(
            [
                not keep[i]
                and not edge[i]
                and weight[i] > 0.01 * weight[core]
                and max(box[0].stop - box[0].start, box[1].stop - box[1].start)
                <= _LONGEST_PART * max(bottom - top, right - left)
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


def find_digit(
    ink,
    name,
    stroke_room,
    families=(),
    *,
    flatten=True,
    threshold="otsu",
    remove_lines=True,
    remove_specks=True,
    select_digit=True,
    digit_extent=None,
    max_tilt=MAX_TILT,
    divide=False,
    seeds=None,
    record=None,
):
    """The digit's pixels in the ink: flatten, threshold, drop lines and specks, select.

    Parameters
    ----------
    ink : ndarray of shape (height, width), float32
        The ink bright on black (:func:`measure_ink`).
    name : str
        How errors refer to the picture.
    stroke_room : float
        The width of the flattening's opening, in pixels.
    families : tuple of int, default=()
        The axes where the whole picture showed several parallel ruled lines.
    flatten, threshold, remove_lines, remove_specks, select_digit
        The normaliser's steps (``flatten`` is ``flatten_illumination``).
    digit_extent : float or (float, float), default=None
        The digit's share of the picture's width and height, when known
        (see :func:`ruled_lines`).
    max_tilt : float, default=MAX_TILT
        How far off the picture's axes ruled lines are looked for, in
        radians (0: only lines along the axes).
    divide : bool, default=False
        Divide the light out rather than subtract it (:func:`flatten_light`).
    seeds : ndarray of shape (height, width), bool, default=None
        The ruled lines found on the whole picture, carried into this
        region (see :func:`ruled_lines`).
    record : dict, default=None
        When given, each step's picture is put in it: ``light`` (the ink
        once the light is flattened), ``threshold`` (the pixels of ink),
        ``lines`` (the ruled lines removed) and ``digit`` (the digit's
        pixels).

    Returns
    -------
    ink : ndarray of shape (height, width), float32
        The ink, flattened when ``flatten``.
    mask : ndarray of shape (height, width), bool
        The digit's pixels.
    info : dict
        ``ink_contrast`` (the digit's ink over the paper's noise) and
        ``dropped_ink`` (the share of the ink weight left out as not the digit).
    families : tuple of int
        The axes where ruled lines repeat.

    Raises
    ------
    ImageError
        When no ink is found.
    """
    from scipy import ndimage

    if flatten:
        ink = flatten_light(ink, stroke_room, divide=divide)
    if float(ink.max()) - float(np.median(ink)) < 0.08:
        raise ImageError(f"{name}: no ink found (the picture is almost uniform).")
    mask = threshold_ink(ink, threshold, stroke_room)
    if record is not None:
        record.update(light=ink, threshold=mask)
    removed = np.zeros_like(mask)
    if remove_lines:
        lines, longest, families = ruled_lines(
            mask, ink, families, max_tilt=max_tilt, digit_extent=digit_extent, seeds=seeds
        )
        # A line that leaves almost nothing behind was the digit (a 1 across a scan).
        if lines.any() and (mask & ~lines).sum() >= 0.25 * longest:
            mask, removed = mask & ~lines, lines
    if remove_lines and mask.any():
        mask &= ~line_fragments(mask)
    if remove_specks and mask.any():
        mask = drop_specks(mask)
    dropped = 0.0
    if select_digit and mask.any():
        mask, dropped = select_digit_blobs(mask, ink)
    if record is not None:
        record.update(lines=removed, digit=mask)
    if not mask.any():
        raise ImageError(f"{name}: no ink found after removing lines and specks.")
    # The paper's noise: the ink away from the strokes, their fringe and ruled lines.
    background = ink[~ndimage.binary_dilation(mask | removed, iterations=3)]
    noise = float(np.percentile(background, 99)) if background.size else 0.0
    contrast = float(np.median(ink[mask])) / max(noise, 1e-3)
    info = {"ink_contrast": round(contrast, 2), "dropped_ink": round(dropped, 3)}
    return ink, mask, info, families
