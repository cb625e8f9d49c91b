"""One picture made MNIST-like: the normaliser's steps in order, and what they found.

:func:`normalize_array` runs the plain functions of :mod:`._ink` (finding
the digit) and :mod:`._framing` (framing it) on one picture, with the
normaliser's settings as keywords, and returns a :class:`NormalizedPicture`.
:class:`~skdigits.DigitImageNormalizer` is a thin estimator over it.
"""

import inspect
import itertools
from dataclasses import dataclass, field, replace

import numpy as np

from ..exceptions import ImageError
from ._framing import digit_region, finish_frame, fit_box, mask_box, region_of, whole_frame
from ._ink import (
    FIND_ROOM,
    READ_ROOM,
    as_uint8,
    border_pixels,
    find_digit,
    ink_colour_direction,
    ink_is_coloured,
    ink_is_dark,
    luma,
    measure_ink,
    pen_width,
    resize,
)

_WORK_SIZE = 256  # longest side pictures are searched for the digit at
# The normaliser's other views of a picture: the settings each changes.
_VIEW_CHANGES = {"sauvola": {"threshold": "sauvola"}, "grey": {"color": False}}
VIEW_NAMES = tuple(_VIEW_CHANGES)
VIEWS = ("sauvola", "grey")  #: the views read by default
#: Every value ``views`` may take: the views in any order, each at most once.
VIEW_CHOICES = {
    tuple(order)
    for n in range(len(VIEW_NAMES) + 1)
    for order in itertools.permutations(VIEW_NAMES, n)
}
# Reading the digit again: the paper's light measured this many pen widths wide.
STROKE_ROOM = 6
# "Hard to find": the digit's ink under twice the paper's strongest noise, or
# more than 40 % of the ink weight dropped as not the digit.
_HARD_CONTRAST, _HARD_DROPPED = 2.0, 0.4


@dataclass(frozen=True)
class NormalizedPicture:
    """One picture made MNIST-like, with what was found on the way.

    Made by :func:`~skdigits.images.normalize_picture` (and by
    :meth:`DigitImageNormalizer.normalize_one
    <skdigits.DigitImageNormalizer.normalize_one>`).

    Attributes
    ----------
    image : ndarray of shape (28, 28), uint8
        The digit as MNIST's: bright ink on black.
    ink_contrast : float
        The digit's ink over the paper's strongest noise.
    dropped_ink : float
        The share of the ink weight left out as not the digit.
    box : tuple of int
        ``(top, left, bottom, right)``: the digit's ink in the picture's
        pixels (bottom and right excluded).
    picture : ndarray of shape (height, width) or (height, width, 3), uint8
        The picture as it was read (grey, or RGB).
    views : ndarray of shape (n_views, 28, 28), uint8
        The digit normalised in each of the normaliser's ``views``:
        ``image`` first, then each other view that found ink. A reader
        averages the model's probabilities over them.
    view_names : tuple of str
        The name of each view: ``"main"``, then ``"sauvola"`` or ``"grey"``.
    """

    image: np.ndarray = field(repr=False)
    ink_contrast: float
    dropped_ink: float
    box: tuple
    picture: np.ndarray = field(repr=False, compare=False)
    views: np.ndarray = field(default=None, repr=False, compare=False)
    view_names: tuple = ("main",)

    def __post_init__(self):
        if self.views is None:
            object.__setattr__(self, "views", self.image[None])

    @property
    def hard_to_find(self):
        """True when the ink was faint or other marks were nearly as strong."""
        return bool(self.ink_contrast < _HARD_CONTRAST or self.dropped_ink > _HARD_DROPPED)

    @property
    def info(self):
        """``ink_contrast``, ``dropped_ink`` and ``hard_to_find``, as a dict."""
        return {
            "ink_contrast": self.ink_contrast,
            "dropped_ink": self.dropped_ink,
            "hard_to_find": self.hard_to_find,
        }


def normalize_array(
    picture,
    name="image",
    *,
    invert="auto",
    color=True,
    ink_hue=True,
    flatten_illumination=True,
    threshold="otsu",
    remove_lines=True,
    line_tilt=12.0,
    remove_specks=True,
    select_digit=True,
    digit_size=96,
    stroke_width=None,
    box_size=20,
    center=True,
    normalize_contrast=True,
    views=VIEWS,
    record=None,
):
    """Normalise one picture already read (the steps of DigitImageNormalizer).

    The keywords are :class:`~skdigits.DigitImageNormalizer`'s parameters,
    unchecked. ``picture`` is uint8 grey or RGB (other arrays are read as
    :func:`~skdigits.read_image` reads them, in colour); ``name`` is how
    errors refer to it. Returns a :class:`NormalizedPicture`; raises
    :class:`~skdigits.exceptions.ImageError` when the picture holds no ink.
    With ``record`` (a dict), each step's pictures are put in it:
    ``find`` for the whole picture at the working size and ``read`` for the
    digit's region read again (each as :func:`find_digit` records them),
    and ``box`` (the region's top, left, bottom, right in the working
    picture); only the main view is recorded.
    """
    picture = as_uint8(picture)
    if views:
        # Each view: the picture normalised again with one setting changed
        # (the keywords, from the arguments as given).
        settings = {key: value for key, value in locals().items() if key in SETTINGS}
        main = normalize_array(picture, name, **{**settings, "views": ()}, record=record)
        others, names = [], ["main"]
        for view in views:
            changed = view_settings(view, settings, picture.ndim)
            if changed is None:
                continue
            try:
                others.append(normalize_array(picture, name, **changed).image)
            except ImageError:
                continue  # that view found no ink: the others read the digit
            names.append(view)
        return replace(main, views=np.stack([main.image, *others]), view_names=tuple(names))
    height, width = picture.shape[:2]
    scale = min(1.0, _WORK_SIZE / max(height, width))
    small = resize(picture, (round(height * scale), round(width * scale)))
    dark = invert is True or (invert == "auto" and ink_is_dark(luma(small)))
    divide = flatten_illumination is True  # "subtract": the light subtracted, as 0.1.0 did
    steps = {
        "flatten": bool(flatten_illumination),
        "divide": divide and dark,
        "threshold": threshold,
        "remove_lines": remove_lines,
        "remove_specks": remove_specks,
        "select_digit": select_digit,
        "max_tilt": np.radians(line_tilt),
    }
    paper = (
        np.median(border_pixels(small), axis=0).astype(np.float32) if picture.ndim == 3 else None
    )
    ink = measure_ink(small, dark, paper, color=color)
    chroma = color and ink_is_coloured(ink, small, dark, flatten=bool(flatten_illumination))
    if chroma:
        ink = measure_ink(small, dark, paper, color=color, chroma=True)
    second = digit_size is not None and box_size is not None
    room = FIND_ROOM if second else READ_ROOM  # a first look only finds the digit
    found = {} if record is None else record.setdefault("find", {})
    ink, mask, info, families = find_digit(ink, name, max(ink.shape) * room, record=found, **steps)
    direction = None
    if color and ink_hue and dark and remove_lines and picture.ndim == 3:
        # The ink and the paper's lines told apart by their colour, when they differ.
        direction = ink_colour_direction(
            small, paper, found["light"], found["digit"], found["lines"] & found["threshold"]
        )
    if direction is not None:
        found.clear()
        found["direction"] = direction
        ink = measure_ink(small, dark, paper, color=color, direction=direction)
        ink, mask, info, families = find_digit(
            ink, name, max(ink.shape) * room, record=found, **steps
        )
    factor, corner = scale, (0, 0)  # pixels of the working image per pixel of the picture
    if second:
        region, factor, side, corner = digit_region(picture, mask, scale, digit_size)
        ink = measure_ink(region, dark, paper, color=color, chroma=chroma, direction=direction)
        room = side * READ_ROOM
        if divide:
            # The paper's light at a few pen widths: wider than any stroke,
            # narrower than the shadows and folds around a thin-penned digit.
            room = min(room, STROKE_ROOM * pen_width(mask) * factor / scale)
        rows, cols = np.nonzero(mask)  # the digit's share of the region, across and down
        reach = (np.ptp(cols) + 1, np.ptp(rows) + 1)
        extent = tuple(r / scale * factor / n for r, n in zip(reach, ink.shape[::-1]))
        if corner == (0, 0) and ink.shape == (round(height * factor), round(width * factor)):
            extent = None  # the whole picture again: the first look judged the same lines
        read = None
        if record is not None:
            bottom, right = (
                corner[0] + region.shape[0] / factor,
                corner[1] + region.shape[1] / factor,
            )
            record["box"] = tuple(round(v * scale) for v in (*corner, bottom, right))
            read = record["read"] = {}
        seeds = None
        if remove_lines and found["lines"].any():
            # The lines removed from the whole picture are lines in the region too.
            span = (region.shape[0] / factor, region.shape[1] / factor)
            seeds = region_of(found["lines"], corner, span, scale, ink.shape)
        ink, mask, again, _ = find_digit(
            ink, name, room, families, digit_extent=extent, seeds=seeds, record=read, **steps
        )
        # Marks dropped are judged on the whole picture, contrast on the digit's region.
        info = {
            "ink_contrast": again["ink_contrast"],
            "dropped_ink": max(info["dropped_ink"], again["dropped_ink"]),
        }
    box = mask_box(mask, factor, corner, picture.shape[:2])
    if box_size is None:
        frame = whole_frame(ink, mask)
    else:
        frame = fit_box(
            ink,
            mask,
            factor,
            box_size=box_size,
            stroke_width=stroke_width,
            normalize_contrast=normalize_contrast,
        )
    image = finish_frame(frame, normalize_contrast=normalize_contrast, center=center)
    return NormalizedPicture(image, info["ink_contrast"], info["dropped_ink"], box, picture)


#: The normaliser's parameters, as normalize_array takes them.
SETTINGS = tuple(inspect.signature(normalize_array).parameters)[2:-1]


def view_settings(view, settings, ndim):
    """The settings of one of the normaliser's ``views``, or None where it is the main one.

    ``"sauvola"`` thresholds with Sauvola's local threshold, ``"grey"``
    measures the ink in grey levels only (no colour); a view that would
    change nothing (the main threshold already Sauvola's, a grey picture)
    is None.
    """
    changed = _VIEW_CHANGES[view]  # the names are checked with the parameters
    if "color" in changed and ndim != 3:
        return None  # a grey picture is measured in grey already
    if all(settings[key] == value for key, value in changed.items()):
        return None
    return {**settings, **changed, "views": ()}
