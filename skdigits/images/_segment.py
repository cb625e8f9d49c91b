"""Cutting a picture of a handwritten number into its digits.

:func:`segment_digits` finds the ink of a whole line of writing with the
normaliser's own cleaning (polarity, light, threshold, ruled lines: the
plain functions of :mod:`._ink`, called with ``select_digit=False``), then
cuts it into digits: the connected blobs of ink, pieces of one digit merged
by their horizontal overlap and size (the flag of a 5, a broken 4), specks,
dots and underlines dropped, blobs of touching digits split along cuts
through their least ink (chosen by a classifier's confidence over the whole
blob when one is given, else by the digits' usual widths), and groups told
apart by wide gaps. Each digit is framed into 28x28 by :mod:`._framing`, as
the normaliser frames a single digit; a digit that is a blob alone is
normalised in its own crop of the picture, and a picture holding one digit
exactly as :func:`normalize_picture` normalises it.
"""

import os
from dataclasses import dataclass, field

import numpy as np

from ..exceptions import ImageError
from ._framing import FRAME, finish_frame, fit_box, whole_frame
from ._ink import (
    FIND_ROOM,
    READ_ROOM,
    as_uint8,
    border_pixels,
    find_digit,
    ink_is_coloured,
    ink_is_dark,
    line_fragments,
    luma,
    measure_ink,
    pen_width,
    resize,
    ruled_lines,
)
from ._normalizer import READ_PIXELS, DigitImageNormalizer
from ._picture import _HARD_CONTRAST, STROKE_ROOM, normalize_array
from ._read import read_image

_FIND_SIZE = 512  # longest side the line of writing is looked for at
_LINE_MARGIN = 0.4  # the line's region: this share of the digits' height around its ink
# Pieces of one digit: horizontal overlap (share of the narrower) and the
# height of the merged digit (share of the digits' height) at most.
_OVERLAP, _MERGED_HEIGHT = 0.45, 1.45
_SPECK = 0.3  # marks lower and narrower than this share of the digits' height
_FLAT = 0.22  # marks lower than this share (a dash, an underline) are not digits
_UNDERLINE = 1.4  # horizontal strokes at least this many digit heights long
_ALONE_ROOM = 0.35  # a digit alone is read in its box with this share of the digits' height around
_ONE_DIGIT = 1.25  # ink no wider than this share of its height is one digit
_SPLIT_ASPECT = 0.7  # blobs at least this wide (share of their height) may hold several digits
_MIN_PART, _MAX_PART = 0.16, 1.25  # a cut digit's width, as a share of the digits' height
_SOLID = 0.3  # a digit's columns hold ink at least this share of the digits' height tall
# Candidate cuts: at least this share of the digits' height apart, and one
# at least every this share where the column profile has no valley.
_CUT_APART, _CUT_STEP = 0.08, 0.1
# Log-probability paid for each digit: negative, a small bonus, for the
# log-probabilities of more digits add up to less, and a model reads two
# touching digits as one with confidence.
_PART_PENALTY = -0.3
# With a classifier, its log-probability counts this many times, and the
# prior on a digit's width over height this share: the width of a digit cut
# from touching ones (its strokes shared or overlapped) is a weak hint.
_CONFIDENCE, _SHAPE_WEIGHT = 4.0, 0.25
_SLANTS = (0.0, -0.15, 0.15, -0.3, 0.3)  # columns shifted this much per row, to cut along
# A cut runs through the least ink within this share of the digits' height of
# its valley; a column aside costs this much ink, a step aside this much more.
_PATH_REACH, _PATH_ASIDE, _PATH_STEP = 0.2, 0.02, 0.05
_CUT_COST = 3.0  # log-probability a cut pays in a blob no wider than a digit
_JOIN_GAP = 0.3  # blobs closer than this share of the digits' height may be one digit
# Width over height of MNIST's digits, per class: median and spread of its
# logarithm (the embedded sample; a "1" is narrow, a "0" or a "5" wide).
_ASPECTS = {
    0: (0.9, 0.19),
    1: (0.45, 0.46),
    2: (0.95, 0.23),
    3: (0.8, 0.21),
    4: (0.8, 0.21),
    5: (1.0, 0.26),
    6: (0.7, 0.23),
    7: (0.8, 0.22),
    8: (0.8, 0.22),
    9: (0.7, 0.2),
}
_GROUP_GAP, _GROUP_RATIO = 1.0, 2.5  # a group break: this many heights, and times the usual gap


@dataclass(frozen=True)
class DigitSegments:
    """The digits found in a picture of a number, left to right.

    Made by :func:`~skdigits.images.segment_digits`.

    Attributes
    ----------
    images : ndarray of shape (n_digits, 28, 28), uint8
        Each digit as MNIST's (bright ink on black): what a model reads,
        ``pipe.predict(segments.images)``.
    boxes : list of tuple of int
        ``(top, left, bottom, right)`` of each digit's ink in the picture's
        pixels (bottom and right excluded).
    groups : tuple of int
        The group of each digit (0, 1, ...): digits after a wide gap start
        a new group (``"12 345"``).
    hard_to_find : tuple of bool
        Per digit: the ink was faint, or (a single digit) other marks were
        nearly as strong.
    other_lines : int
        Lines of writing above or below the one read, left out.
    missing : str or None
        Why no digit was found (no ink), when none was.
    picture : ndarray of shape (height, width) or (height, width, 3), uint8
        The picture as it was read.
    views : tuple of ndarray of shape (n_views, 28, 28), uint8
        Per digit, the views a reader averages over: when the picture is
        read as one digit, the normaliser's ``views`` of it (its image
        first), as ``skdigits predict`` reads them; for each digit of a
        longer number, its image alone.
    """

    images: np.ndarray = field(repr=False)
    boxes: list
    groups: tuple
    hard_to_find: tuple
    other_lines: int = 0
    missing: str = None
    picture: np.ndarray = field(default=None, repr=False, compare=False)
    views: tuple = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.views is None:
            object.__setattr__(self, "views", tuple(image[None] for image in self.images))

    def __len__(self):
        return len(self.images)

    def text(self, labels):
        """The digits' ``labels`` written out, a space between groups.

        Parameters
        ----------
        labels : sequence
            One label per digit, in order.

        Returns
        -------
        text : str
            ``"12 345"`` for five digits in two groups.
        """
        out = []
        for i, label in enumerate(labels):
            if i and self.groups[i] != self.groups[i - 1]:
                out.append(" ")
            out.append(str(label))
        return "".join(out)


def segment_digits(picture, normalizer=None, *, classifier=None, name=None):
    """Find the digits of a handwritten number in a picture, left to right.

    The picture is read as :func:`normalize_picture` reads it, and its ink
    found with the same steps as the normaliser's (the polarity, the light,
    the threshold, ruled lines), on the whole line of writing instead of
    one digit. The line is cut into digits: connected blobs of ink, with the
    pieces of one digit merged when they overlap horizontally and the
    merged digit is no taller than a digit (a 5's flag, a broken 4);
    specks, dots, dashes and underlines dropped; blobs of touching or
    slightly overlapping digits cut from top to bottom through their least
    ink, near the valleys of their column profile and at a regular step.
    With a ``classifier``, the cuts of each blob are those whose digits it
    reads with the most confidence over the whole line; without one, a
    blob is cut only when it is far wider than a digit.
    A gap at least the digits' height wide, and far wider than the usual
    gap between them, starts a new group. Each digit is framed into 28x28
    as the normaliser frames a single digit, and a digit that is a blob
    alone (not cut from touching ones) is normalised in its own crop of the
    picture (its box, a third of the digits' height around it, no further
    than its neighbours), as ``skdigits predict`` normalises a photo of it;
    when only one digit is found,
    or no line of writing (too faint, too small), the picture is normalised
    exactly as :func:`normalize_picture` does it: one digit reads as
    ``skdigits predict`` reads it. Blobs along a quarter of the picture's
    edge (the paper's edge, a shadow, a vignetted corner) are not digits,
    as the normaliser judges them.

    One line of writing is read: when the picture holds several (rows of
    ink with empty rows between them), the line with the most ink, and
    ``other_lines`` says how many were left out.

    Parameters
    ----------
    picture : str, os.PathLike, bytes, PIL image or ndarray
        The picture, as :func:`~skdigits.read_image` reads it.
    normalizer : DigitImageNormalizer, default=None
        Its settings find and frame the digits (polarity, threshold, lines,
        ``digit_size``, ``box_size``, ...); None uses the defaults.
    classifier : object with ``predict_proba``, default=None
        A fitted model taking (n, 28, 28) MNIST-form digits (a pipeline
        fitted on MNIST, or :class:`DigitReader`), used to choose where
        touching digits are cut.
    name : str, default=None
        How errors refer to the picture; by default its path, or "image".

    Returns
    -------
    segments : DigitSegments
        ``images`` (n_digits, 28, 28), ``boxes``, ``groups``, ... ; no
        digits (``len(segments) == 0``) when the picture holds no ink.

    Raises
    ------
    ImageError
        For a picture that cannot be read.

    See Also
    --------
    skdigits.read_number : Read the number with a model, the shipped one by default.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigits.images import segment_digits
    >>> paper = np.full((100, 240), 230, dtype=np.uint8)  # three dark bars on white
    >>> for left in (40, 110, 180):
    ...     paper[20:80, left : left + 10] = 30
    >>> found = segment_digits(paper)
    >>> found.images.shape, found.boxes[0]
    ((3, 28, 28), (20, 40, 80, 50))
    >>> len(segment_digits(np.full((50, 50), 230, np.uint8)))  # no ink
    0
    """
    normalizer = DigitImageNormalizer() if normalizer is None else normalizer
    if name is None:
        name = os.fspath(picture) if isinstance(picture, (str, os.PathLike)) else "image"
    picture = read_image(picture, name=name, color=normalizer.color, max_pixels=READ_PIXELS)
    return segment_array(picture, name, normalizer, classifier)


def segment_array(picture, name, normalizer, classifier=None):
    """:func:`segment_digits` on a picture already read (uint8 grey or RGB)."""
    settings = normalizer._settings()
    picture = as_uint8(picture)

    def empty(why):
        nothing = np.zeros((0, FRAME, FRAME), np.uint8)
        return DigitSegments(nothing, [], (), (), 0, why, picture)

    def one_digit(why, other_lines=0):
        # Exactly what normalize_picture makes of the picture (and predict
        # reads); when it finds no digit either, no digit and why.
        try:
            found = normalize_array(picture, name, **settings)
        except ImageError as exc:
            return empty(str(exc) if why is None else why)
        image, box, hard = found.image[None], [found.box], (found.hard_to_find,)
        return DigitSegments(image, box, (0,), hard, other_lines, None, picture, (found.views,))

    nothing_found = f"{name}: no digit found (only specks, dots or lines)."
    try:
        line = _find_line(picture, name, settings)
    except ImageError as exc:
        # The line's cleaning found no ink: a digit is read only where the
        # normaliser finds one, as predict reads it.
        return one_digit(str(exc))
    if line is None:
        return one_digit(nothing_found)
    parts, other_lines = line["parts"], line["other_lines"]
    span = max(p["box"][3] for p in parts) - min(p["box"][1] for p in parts)
    tall = max(p["box"][2] for p in parts) - min(p["box"][0] for p in parts)
    one = span <= _ONE_DIGIT * max(tall, line["height"])
    if not one:
        parts = _choose_digits(parts, line, settings, classifier)
    if len(parts) <= 1 or one:
        return one_digit(nothing_found if not parts else None, other_lines)
    parts.sort(key=lambda part: part["left"])
    _read_alone(picture, name, parts, line, settings)
    images = np.stack([part["image"] for part in parts])
    boxes = [part["box"] for part in parts]
    hard = tuple(bool(line["contrast"] < _HARD_CONTRAST) for _ in parts)
    groups = _groups([box[1] for box in boxes], [box[3] for box in boxes], line["height_px"])
    return DigitSegments(images, boxes, groups, hard, other_lines, None, picture)


def _read_alone(picture, name, parts, line, settings):
    """Frame each digit that is a blob alone as the normaliser frames one digit in its own crop.

    The crop is the digit's box with ``_ALONE_ROOM`` (about a third) of the
    digits' height around it, no further than the neighbours' boxes: the
    photo of that digit alone, normalised as ``skdigits predict``
    normalises a photo; in its main view only (the normaliser's other
    ``views`` would double the time a long number takes, for about one
    string in sixty of the dev set's photos side by side).
    """
    room = int(round(_ALONE_ROOM * line["height_px"]))
    height, width = picture.shape[:2]
    for k, part in enumerate(parts):
        if not part.get("alone"):
            continue
        top, left, bottom, right = part["box"]
        low = parts[k - 1]["box"][3] if k else 0
        high = parts[k + 1]["box"][1] if k + 1 < len(parts) else width
        crop = picture[
            max(0, top - room) : min(height, bottom + room),
            max(low, left - room) : min(high, right + room),
        ]
        try:
            found = normalize_array(crop, name, **{**settings, "views": ()})
        except ImageError:
            continue
        part["image"] = found.image


# -- finding the line of writing ------------------------------------------------------
def _clean(ink, name, room, families, settings, digits=None, *, divide=False):
    """The line's ink and mask: the normaliser's cleaning, sparing thin-penned digits.

    :func:`find_digit` flattens the light and thresholds (``select_digit``
    off: every digit is kept); ruled lines go as the normaliser removes
    them. Thin line fragments go too, but not a blob at least half as tall
    as the digits (``digits``; by default the tallest blob): a digit
    written with a thinner pen than its neighbours.
    """
    ink, mask, info, _ = find_digit(
        ink,
        name,
        room,
        families,
        flatten=settings["flatten_illumination"],
        divide=divide,
        threshold=settings["threshold"],
        remove_lines=False,
        remove_specks=False,
        select_digit=False,
    )
    if settings["remove_lines"]:
        lines, longest, families = ruled_lines(mask, ink, families)
        lines = _across_the_picture(lines)
        if lines.any() and (mask & ~lines).sum() >= 0.25 * longest:
            mask = mask & ~lines
        thin = line_fragments(mask)
        if thin.any():
            labels, blobs = _components(thin)
            heights = np.array([b[2] - b[0] for b in blobs])
            tall = digits if digits is not None else max(b[2] - b[0] for b in _components(mask)[1])
            keep = np.flatnonzero(heights >= 0.5 * tall) + 1
            mask = mask & ~(thin & ~np.isin(labels, keep))
    if not mask.any():
        raise ImageError(f"{name}: no ink found after removing lines and specks.")
    return ink, mask, info, families


def _across_the_picture(lines):
    """The lines that cross the whole picture, not runs along the digits.

    On a line of writing, strokes of several digits (the bars of 3s, the
    top of a 5) line up into long runs that :func:`ruled_lines` would take
    for a line of the paper; the paper's lines run from edge to edge. A
    line is kept when it spans nine tenths of the picture, or when the
    pieces of it in its rows (a digit's strokes crossing it hide it there)
    reach both edges and together cover three fifths of the picture.
    """
    from scipy import ndimage

    if not lines.any():
        return lines
    labels, _ = ndimage.label(lines, structure=np.ones((3, 3), bool))
    height, width = lines.shape
    boxes = ndimage.find_objects(labels)
    keep = []
    for index, box in enumerate(boxes, start=1):
        for axis, size in ((1, width), (0, height)):
            along, across = box[axis], box[1 - axis]
            if along.stop - along.start >= 0.9 * size:
                keep.append(index)
                break
            # The pieces lying in this piece's rows (columns, for an upright line).
            covered = np.zeros(size, bool)
            for other in boxes:
                if other[1 - axis].start < across.stop and across.start < other[1 - axis].stop:
                    covered[other[axis]] = True
            if covered[:2].any() and covered[-2:].any() and covered.mean() >= 0.6:
                keep.append(index)
                break
    return np.isin(labels, keep)


def _components(mask):
    """Label the blobs of a mask: labels, and per blob (top, left, bottom, right, area)."""
    from scipy import ndimage

    labels, n = ndimage.label(mask, structure=np.ones((3, 3), bool))
    boxes = ndimage.find_objects(labels)
    areas = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    return labels, [
        (box[0].start, box[1].start, box[0].stop, box[1].stop, int(area))
        for box, area in zip(boxes, areas)
    ]


def _typical_height(blobs):
    """The digits' height: the median height of the blobs at least half as tall as the tallest."""
    heights = np.array([b[2] - b[0] for b in blobs], float)
    return float(np.median(heights[heights >= 0.5 * heights.max()]))


def _digits_height(mask, blobs):
    """The digits' height in a mask of the whole picture: :func:`_typical_height` of its blobs.

    Blobs lying along a quarter of the picture's edge (a shadow, a dark
    corner: often taller than any digit) are left out when others remain.
    """
    inner = _components(_off_the_edges(mask, (True, True, True, True)))[1]
    return _typical_height(inner or blobs)


def _bands(blobs):
    """Rows of writing: the blobs' row spans merged where they overlap, with their blobs."""
    order = sorted(range(len(blobs)), key=lambda i: blobs[i][0])
    bands = []
    for i in order:
        top, bottom = blobs[i][0], blobs[i][2]
        if bands and top < bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], bottom)
            bands[-1][2].append(i)
        else:
            bands.append([top, bottom, [i]])
    return bands


def _find_line(picture, name, settings):
    """The line of writing: its region read again at the digits' size, cut into blobs."""
    height, width = picture.shape[:2]
    scale = min(1.0, _FIND_SIZE / max(height, width))
    small = resize(picture, (round(height * scale), round(width * scale)))
    invert = settings["invert"]
    dark = invert is True or (invert == "auto" and ink_is_dark(luma(small)))
    color = settings["color"]
    paper = (
        np.median(border_pixels(small), axis=0).astype(np.float32) if picture.ndim == 3 else None
    )
    ink = measure_ink(small, dark, paper, color=color)
    chroma = color and ink_is_coloured(ink, small, dark, flatten=settings["flatten_illumination"])
    if chroma:
        ink = measure_ink(small, dark, paper, color=color, chroma=True)
    room = max(ink.shape) * FIND_ROOM
    divide = dark and settings["flatten_illumination"] is True  # as normalize_array divides
    ink, mask, _, families = _clean(ink, name, room, (), settings, divide=divide)
    _, blobs = _components(mask)
    tall = _digits_height(mask, blobs)
    marks = [b for b in blobs if max(b[2] - b[0], b[3] - b[1]) >= _SPECK * tall]
    bands = [band for band in _bands(marks) if band[1] - band[0] >= 0.5 * tall]
    if not bands:
        return None
    weight = [sum(marks[i][4] for i in band[2]) for band in bands]
    main = int(np.argmax(weight))
    other_lines = sum(w >= 0.25 * weight[main] for k, w in enumerate(weight) if k != main)
    top, bottom, members = bands[main]
    left = min(marks[i][1] for i in members)
    right = max(marks[i][3] for i in members)
    pen = pen_width(mask[top:bottom, left:right])  # the strokes' width, in the small picture
    line_height = _typical_height([marks[i] for i in members]) / scale  # picture pixels
    margin = _LINE_MARGIN * line_height
    top = max(0, int(top / scale - margin))
    bottom = min(height, int(np.ceil(bottom / scale + margin)))
    left = max(0, int(left / scale - margin))
    right = min(width, int(np.ceil(right / scale + margin)))
    digit_size = settings["digit_size"]
    factor = scale if digit_size is None else min(1.0, digit_size / line_height)
    region = picture[top:bottom, left:right]
    region = resize(region, (round(region.shape[0] * factor), round(region.shape[1] * factor)))
    digits = line_height * factor  # the digits' height in the region's pixels
    ink = measure_ink(region, dark, paper, color=color, chroma=chroma)
    room = digits * READ_ROOM
    if divide:
        # The paper's light at a few pen widths, as the normaliser's second reading takes it.
        room = min(room, STROKE_ROOM * pen * factor / scale)
    ink, mask, info, _ = _clean(ink, name, room, families, settings, digits, divide=divide)
    mask = _off_the_edges(mask, (top == 0, bottom == height, left == 0, right == width))
    mask = _drop_underlines(mask, digits)
    parts = _pieces(mask, digits)
    if not parts:
        return None
    digits = _typical_height([p["box"] for p in parts])
    return {
        "parts": parts,
        "ink": ink,
        "factor": factor,
        "corner": (top, left),
        "shape": (height, width),
        "height": digits,
        "height_px": digits / factor,
        "contrast": info["ink_contrast"],
        "other_lines": int(other_lines),
    }


def _off_the_edges(mask, sides):
    """The mask without blobs lying along a quarter of an edge of the picture.

    As the normaliser judges a single digit's blobs: a blob along a quarter
    of the picture's edge is the paper's edge, a shadow's or a vignetted
    corner, not ink (a digit touches the edge only where it is cut).
    ``sides`` says which of the mask's top, bottom, left and right edges are
    the picture's. Every blob is kept when every blob lies along an edge.
    """
    labels, blobs = _components(mask)
    if len(blobs) < 2:
        return mask
    edges = (labels[0], labels[-1], labels[:, 0], labels[:, -1])
    contact = np.max(
        [
            np.bincount(edge, minlength=len(blobs) + 1)[1:] / len(edge)
            for edge, side in zip(edges, sides)
            if side
        ]
        or [np.zeros(len(blobs))],
        axis=0,
    )
    along = contact >= 0.25
    if along.all() or not along.any():
        return mask
    return mask & ~np.isin(labels, 1 + np.flatnonzero(along))


def _drop_underlines(mask, digits):
    """Remove long horizontal strokes below the writing (an underline, touching or not)."""
    from scipy import ndimage

    length = int(round(_UNDERLINE * digits))
    if mask.shape[1] <= length:
        return mask
    runs = ndimage.binary_opening(mask, structure=np.ones((1, length), bool))
    if not runs.any():
        return mask
    labels, boxes = _components(runs)
    rows = np.nonzero(mask.any(axis=1))[0]
    middle = (rows.min() + rows.max()) / 2
    out = mask.copy()
    for index, (top, _, bottom, _, area) in enumerate(boxes, start=1):
        thickness = area / max(1, np.any(labels == index, axis=0).sum())
        if thickness < 0.25 * digits and (top + bottom) / 2 > middle:
            out &= ~ndimage.binary_dilation(labels == index, iterations=1)
    return out


def _pieces(mask, digits):
    """The marks of the line, pieces of one digit merged; specks, dots and dashes dropped."""
    labels, blobs = _components(mask)
    groups = [
        {"box": list(b[:4]), "labels": [i + 1], "area": b[4]}
        for i, b in enumerate(blobs)
        if b[4] >= 2
    ]
    while True:
        best, pair = 0.0, None
        for i, a in enumerate(groups):
            for j in range(i + 1, len(groups)):
                b = groups[j]
                overlap = min(a["box"][3], b["box"][3]) - max(a["box"][1], b["box"][1])
                narrower = min(a["box"][3] - a["box"][1], b["box"][3] - b["box"][1])
                share = overlap / max(1, narrower)
                merged = max(a["box"][2], b["box"][2]) - min(a["box"][0], b["box"][0])
                if share >= _OVERLAP and merged <= _MERGED_HEIGHT * digits and share > best:
                    best, pair = share, (i, j)
        if pair is None:
            break
        a, b = groups[pair[0]], groups.pop(pair[1])
        a["box"] = [
            min(a["box"][0], b["box"][0]),
            min(a["box"][1], b["box"][1]),
            max(a["box"][2], b["box"][2]),
            max(a["box"][3], b["box"][3]),
        ]
        a["labels"] += b["labels"]
        a["area"] += b["area"]
    kept = []
    for g in groups:
        top, left, bottom, right = g["box"]
        tall, wide = bottom - top, right - left
        if max(tall, wide) < _SPECK * digits or tall < _FLAT * digits:
            continue  # a speck, a dot, a comma, a dash
        if tall < 0.45 * digits and wide > 3 * tall:
            continue  # a flat stroke: an underline, a minus sign
        box = (slice(top, bottom), slice(left, right))
        g["mask"] = np.isin(labels[box], g["labels"])
        kept.append(g)
    return kept


# -- cutting blobs into digits --------------------------------------------------------
def _frame(ink, mask, factor, settings):
    """One digit's 28x28 frame, as normalize_array frames it."""
    if settings["box_size"] is None:
        frame = whole_frame(ink, mask)
    else:
        frame = fit_box(
            ink,
            mask,
            factor,
            box_size=settings["box_size"],
            stroke_width=settings["stroke_width"],
            normalize_contrast=settings["normalize_contrast"],
        )
    return finish_frame(
        frame, normalize_contrast=settings["normalize_contrast"], center=settings["center"]
    )


def _crop(line, mask, top, left, settings):
    """A part of the line: its mask and ink cropped with room for the fringe, and its frame."""
    rows, cols = np.nonzero(mask)
    pad = max(2, round(2 * line["factor"])) + 2
    r0, c0 = top + rows.min(), left + cols.min()
    sub = mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    ink = line["ink"]
    a0, b0 = max(0, r0 - pad), max(0, c0 - pad)
    a1 = min(ink.shape[0], r0 + sub.shape[0] + pad)
    b1 = min(ink.shape[1], c0 + sub.shape[1] + pad)
    full = np.zeros((a1 - a0, b1 - b0), bool)
    full[r0 - a0 : r0 - a0 + sub.shape[0], c0 - b0 : c0 - b0 + sub.shape[1]] = sub
    image = _frame(ink[a0:a1, b0:b1], full, line["factor"], settings)
    factor, (y, x), (height, width) = line["factor"], line["corner"], line["shape"]
    box = (
        y + int(np.floor(r0 / factor)),
        x + int(np.floor(c0 / factor)),
        min(height, y + int(np.ceil((r0 + sub.shape[0]) / factor))),
        min(width, x + int(np.ceil((c0 + sub.shape[1]) / factor))),
    )
    return {"box": box, "left": c0, "image": image}


def _keep_main(mask):
    """A cut part without the slivers of the neighbour's strokes the cut left on it."""
    labels, blobs = _components(mask)
    if len(blobs) < 2:
        return mask
    areas = np.array([b[4] for b in blobs])
    return np.isin(labels, 1 + np.flatnonzero(areas >= 0.08 * areas.max()))


def _candidate_cuts(mask, digits):
    """Columns where a blob may be cut: the valleys of its column profile, then a regular step.

    The valleys come first, deepest first; columns every ``_CUT_STEP`` of
    the digits' height fill the stretches without one (digits whose
    strokes overlap leave no valley where they meet: the cut is then found
    along the least ink near such a column, by :func:`_cut_paths`).
    """
    from scipy import ndimage

    profile = ndimage.uniform_filter1d(mask.sum(axis=0).astype(float), 3)
    width = len(profile)
    edge = max(1, int(_MIN_PART * digits))
    inner = np.arange(edge, width - edge)
    if not len(inner):
        return []
    valley = [
        x
        for x in inner
        if profile[x] <= profile[x - 1] and profile[x] <= profile[min(width - 1, x + 1)]
    ]
    valley.sort(key=lambda x: profile[x])
    step = max(2, int(round(_CUT_STEP * digits)))
    cuts = []
    for x in [*valley, *range(edge, width - edge, step)]:
        if all(abs(x - c) >= max(2, _CUT_APART * digits) for c in cuts):
            cuts.append(int(x))
    return sorted(cuts)


def _slanted_cuts(mask, digits, may_cut):
    """A blob's columns along the writing's slant, and the boundaries it may be cut along.

    Each pixel's column is taken along a slant (a row shift per row, among
    a few slants either way); the slant kept is the one whose column
    profile has the emptiest valleys: touching slanted digits part along it.
    Each candidate column (:func:`_candidate_cuts`) then gives a cut that
    runs from the blob's top to its bottom through the least ink near that
    column (:func:`_cut_paths`), so
    that digits whose strokes overlap (a 6's curl over the next digit's
    head) part where no column would part them.

    Returns the sheared column of each pixel (from 0) and the boundaries:
    an array of shape (n_cuts + 2, n_rows), each row of it the sheared
    column where a cut crosses each of the blob's rows (pixels left of it
    on one side), the first all zeros and the last the blob's width.
    """
    rows, cols = np.mgrid[0 : mask.shape[0], 0 : mask.shape[1]]
    best = None
    for slant in _SLANTS if may_cut else (0.0,):
        shift = np.round(slant * (rows - mask.shape[0] / 2)).astype(int)
        colmap = cols - shift
        colmap -= colmap[mask].min()
        sheared = np.zeros((mask.shape[0], int(colmap[mask].max()) + 1), bool)
        sheared[rows[mask], colmap[mask]] = True
        if not may_cut:
            return colmap, _boundaries(sheared, [], digits)
        cuts = _candidate_cuts(sheared, digits)
        profile = sheared.sum(axis=0)
        depth = np.mean(sorted(profile[cuts])[:2]) if cuts else np.inf
        if best is None or depth < best[0]:
            best = (depth, colmap, sheared, cuts)
    return best[1], _boundaries(best[2], best[3], digits)


def _boundaries(sheared, cuts, digits):
    """The blob's cut boundaries (see :func:`_slanted_cuts`), in order, from ``cuts``' columns."""
    height, width = sheared.shape
    paths = _cut_paths(sheared, np.asarray(cuts, int), digits) if len(cuts) else []
    bounds = [np.zeros(height, int)]
    for path in paths:
        path = np.maximum(path, bounds[-1])  # cuts never cross
        if not np.array_equal(path, bounds[-1]):
            bounds.append(path)
    bounds.append(np.full(height, width))
    return np.array(bounds)


def _cut_paths(sheared, starts, digits):
    """Cuts from top to bottom of a blob through its least ink, one near each column of ``starts``.

    A shortest path over the rows (dynamic programming, all cuts at once):
    each pixel of ink crossed costs 1, each column stepped aside a little,
    and a cut keeps within a fifth of the digits' height of its column.
    Returns an array (n_cuts, n_rows) of the column each cut crosses each
    row at.
    """
    height, width = sheared.shape
    reach = max(1, int(round(_PATH_REACH * digits)))
    offsets = np.arange(-reach, reach + 1)
    columns = starts[:, None] + offsets[None, :]  # (n_cuts, n_offsets)
    inside = (columns >= 1) & (columns < width)
    padded = np.concatenate([sheared, np.zeros((height, 1), bool)], axis=1)
    index = np.where(inside, columns, width)
    aside = _PATH_ASIDE * np.abs(offsets)[None, :] + np.where(inside, 0.0, np.inf)
    total = padded[0][index] + aside
    came = np.zeros((height, *columns.shape), np.int8)
    for row in range(1, height):
        left = np.concatenate([np.full((len(starts), 1), np.inf), total[:, :-1]], axis=1)
        right = np.concatenate([total[:, 1:], np.full((len(starts), 1), np.inf)], axis=1)
        options = np.stack([left + _PATH_STEP, total, right + _PATH_STEP])
        step = np.argmin(options, axis=0)
        came[row] = step - 1
        total = options.min(axis=0) + padded[row][index] + aside
    where = np.argmin(total, axis=1)
    paths = np.zeros((len(starts), height), int)
    for row in range(height - 1, -1, -1):
        paths[:, row] = columns[np.arange(len(starts)), where]
        where = where + came[row, np.arange(len(starts)), where]
    return paths


def _height_prior(height, digits):
    """Log-prior of one digit ``height`` pixels tall on a line of digits ``digits`` tall."""
    tall = height / digits
    return -(((0.6 - tall) / 0.1) ** 2) if tall < 0.6 else 0.0


def _shape_prior(width, height, digits, classes):
    """Log-prior of a digit's width over height, per class (MNIST's), for ``classes``.

    The aspect is taken against the digit's height, or three quarters of the
    line's when lower. Classes that are not the digits 0-9 get no prior.
    """
    aspect = np.log(width / max(height, 0.75 * digits))
    prior = np.zeros(len(classes))
    for k, label in enumerate(classes):
        if isinstance(label, (int, np.integer)) and 0 <= label <= 9:
            centre, spread = _ASPECTS[int(label)]
            prior[k] = -0.5 * ((aspect - np.log(centre)) / spread) ** 2
    return prior


def _solid_width(mask, digits):
    """A blob's width where its ink is a digit's, not a ruled line's remnant left on it.

    The columns whose ink spans at least ``_SOLID`` of the digits' height.
    """
    extent = mask.shape[0] - np.argmax(mask[::-1], axis=0) - np.argmax(mask, axis=0)
    return int(np.sum(mask.any(axis=0) & (extent >= _SOLID * digits)))


def _candidates(atoms, line, settings):
    """Every digit the line's blobs may hold: whole blobs, parts of blobs, neighbours joined.

    The blobs are cut along their candidate cuts into slices, left to right;
    a candidate digit is a run of consecutive slices (a whole blob, a part
    of a blob, or neighbouring blobs closer than a third of the digits'
    height) no wider than a digit may be. Returns the number of slices and
    one dict per candidate: ``run`` (its first and last + 1 slice),
    ``piece`` (its frame and box, as :func:`_crop` gives them), ``shape``
    (its ink's width and height), ``solid`` (:func:`_solid_width`),
    ``alone`` (a whole blob by itself) and ``extra`` (its log-prior:
    height, the penalty per digit, the gaps joined, the cuts).
    """
    digits = line["height"]
    slices = []  # (atom, first boundary, last boundary), boundaries from _slanted_cuts
    for index, atom in enumerate(atoms):
        top, left, bottom, right = atom["box"]
        colmap, bounds = _slanted_cuts(atom["mask"], digits, right - left >= _SPLIT_ASPECT * digits)
        atom["colmap"], atom["bounds"] = colmap, bounds
        slices += [(index, k, k + 1) for k in range(len(bounds) - 1)]
    # A cut inside a blob costs more the narrower the blob: one digit is far
    # likelier than two in a blob no wider than a digit.
    cost = [0.0] * (len(slices) + 1)
    for j in range(1, len(slices)):
        if slices[j - 1][0] == slices[j][0]:
            top, left, bottom, right = atoms[slices[j][0]]["box"]
            aspect = (right - left) / digits
            cost[j] = _CUT_COST * float(np.clip((1.35 - aspect) / 0.45, 0, 1))
    found = []
    for i in range(len(slices)):
        for j in range(i + 1, len(slices) + 1):
            run = slices[i:j]
            members = sorted({a for a, _, _ in run})
            starts = {a for a, e0, _ in run if e0 == 0}
            ends = {a for a, _, e1 in run if e1 == len(atoms[a]["bounds"]) - 1}
            whole = [a for a in members if a in starts and a in ends]
            alone = len(members) == 1 and whole == members
            gaps = [
                atoms[b]["box"][1] - max(atoms[c]["box"][3] for c in members if c < b)
                for b in members[1:]
            ]
            if any(gap > _JOIN_GAP * digits for gap in gaps):
                break
            top = min(atoms[a]["box"][0] for a in members)
            bottom = max(atoms[a]["box"][2] for a in members)
            left = min(atoms[a]["box"][1] for a in members)
            right = max(atoms[a]["box"][3] for a in members)
            mask = np.zeros((bottom - top, right - left), bool)
            for a, e0, e1 in run:
                atom = atoms[a]
                low, high = atom["bounds"][e0][:, None], atom["bounds"][e1][:, None]
                part = atom["mask"] & (atom["colmap"] >= low) & (atom["colmap"] < high)
                y, x = atom["box"][0] - top, atom["box"][1] - left
                mask[y : y + part.shape[0], x : x + part.shape[1]] |= part
            if not alone and len(whole) < len(members):
                mask = _keep_main(mask)
            if not mask.any():
                continue
            cols = np.flatnonzero(mask.any(axis=0))
            wide = cols[-1] - cols[0] + 1
            if wide > _MAX_PART * digits and not alone:
                if len(members) > 1:
                    break
                continue
            if wide < _MIN_PART * digits and not alone:
                continue
            rows = np.flatnonzero(mask.any(axis=1))
            shape = (wide, rows[-1] - rows[0] + 1)
            solid = _solid_width(mask, digits)
            penalty = sum(max(0.0, gap) / (0.2 * digits) for gap in gaps)
            found.append(
                {
                    "run": (i, j),
                    "piece": _crop(line, mask, top, left, settings),
                    "shape": shape,
                    "alone": alone,
                    "solid": solid,
                    "extra": _height_prior(shape[1], digits) - _PART_PENALTY - penalty - cost[j],
                }
            )
    return len(slices), found


def _choose_digits(atoms, line, settings, classifier):
    """The digits of the line: its blobs, cut or joined as reads best over the whole line.

    Each candidate digit of :func:`_candidates` is scored by the
    classifier's log-probability of its best class, a prior on a digit's
    width (per class) and height, a small bonus per digit and, for joined
    blobs, a penalty growing with their gap; the best sequence of
    candidates over the line wins (dynamic programming). A candidate whose
    digit-tall columns span more than a digit may be wide pays the width
    prior in full.
    """
    digits = line["height"]
    atoms = sorted(atoms, key=lambda atom: atom["box"][1])
    n_slices, found = _candidates(atoms, line, settings)
    if not found:
        return []
    classes = getattr(classifier, "classes_", None)
    if classes is None:
        classes = getattr(getattr(classifier, "classifier", None), "classes_", None)
    shapes = [c["shape"] for c in found]
    weights = [1.0 if c["solid"] > _MAX_PART * digits else _SHAPE_WEIGHT for c in found]
    if classifier is not None and len(found) > len(atoms):
        images = np.stack([c["piece"]["image"] for c in found])
        proba = np.asarray(classifier.predict_proba(images))
        logp = np.log(np.maximum(proba, 1e-6))
        if classes is None:
            classes = list(range(proba.shape[1]))
        confidence = [
            float(np.max(_CONFIDENCE * logp[k] + weight * _shape_prior(w, h, digits, classes)))
            for k, ((w, h), weight) in enumerate(zip(shapes, weights))
        ]
    else:
        confidence = [float(np.max(_shape_prior(w, h, digits, range(10)))) for w, h in shapes]
    score = {c["run"]: s + c["extra"] for c, s in zip(found, confidence)}
    index = {c["run"]: k for k, c in enumerate(found)}
    best = {0: (0.0, [])}
    for j in range(1, n_slices + 1):
        options = [
            (best[i][0] + score[i, j], [*best[i][1], (i, j)])
            for i in range(j)
            if i in best and (i, j) in score
        ]
        if options:
            best[j] = max(options, key=lambda option: option[0])
    if n_slices not in best:
        return []
    chosen = [found[index[run]] for run in best[n_slices][1]]
    return [{**c["piece"], "alone": c["alone"]} for c in chosen]


def _groups(lefts, rights, digits):
    """The group of each digit: a new one after a gap wide for the line and for its gaps."""
    gaps = np.array([lefts[i + 1] - rights[i] for i in range(len(lefts) - 1)], float)
    groups, group = [0], 0
    if len(gaps) < 2:  # two digits: nothing tells a wide gap from the usual one
        return tuple([0] * len(lefts))
    for i, gap in enumerate(gaps):
        others = np.delete(gaps, i)
        usual = float(np.median(np.maximum(others, 0))) if len(others) else 0.0
        if gap >= _GROUP_GAP * digits and gap >= _GROUP_RATIO * max(usual, 0.1 * digits):
            group += 1
        groups.append(group)
    return tuple(groups)
