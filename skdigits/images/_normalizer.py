"""DigitImageNormalizer: turn pictures of digits into MNIST-like 28x28 images.

MNIST digits are white ink on black, the digit's bounding box scaled to fit
20x20 pixels keeping its aspect ratio, anti-aliased, and placed in a 28x28
frame with its centre of mass at the centre. Photos and drawings are not, and
a network trained on MNIST misreads them until they are made alike.

The estimator is a thin class over plain functions: :mod:`._ink` finds the
digit's ink (polarity, light, threshold, ruled lines, the digit's blobs),
:mod:`._framing` frames it (box, thickening, centring), and
:func:`._picture.normalize_array` runs them in order. :func:`normalize_picture`
reads one picture through them and says what was found.
"""

import os
from numbers import Integral, Real

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, Options, StrOptions, _fit_context
from ._framing import FRAME
from ._picture import SETTINGS, VIEW_CHOICES, VIEWS, normalize_array
from ._read import read_image

#: Files are decoded with at most this many pixels (JPEGs at 1/2, 1/4 or 1/8
#: of their size while decoding): plenty for a digit, and fast.
READ_PIXELS = 3_000_000


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
    ink_hue : bool, default=True
        With ``color``, when ruled lines were found and the digit's ink and
        the lines differ in colour (a red or blue pen on printed lines of
        another hue), measure the ink along the colour that tells them apart
        best in this picture (Fisher's linear discriminant of the two
        colours, relative to the paper's), and look for the digit again: the
        lines fade and the strokes along them stay whole. Used only where it
        separates them clearly; never a fixed colour. False keeps the
        channel choice of ``color``.
    flatten_illumination : bool or "subtract", default=True
        Take the slowly varying light away before the threshold. The
        paper's brightness is estimated at a scale much larger than a
        stroke, a grey-level closing of the paper (an opening of the ink): a
        sixth of the picture wide when finding the digit, then six pen
        widths of the digit found (at most half its size) when reading it.
        True divides it out (for dark ink: a stroke in a shadow keeps its
        contrast, and shadows, vignetting, folds and a dark edge are paper);
        "subtract" subtracts it, at half the digit's size on the second
        reading (as 0.1.0 did); False leaves the light as it is.
    threshold : {"otsu", "sauvola", "local"} or None, default="otsu"
        How ink is told from paper: Otsu's threshold with hysteresis (faint
        stretches of a stroke down to half the threshold are kept where they
        touch strong ink); Sauvola's local threshold (dim, uneven light);
        a local mean threshold; or None to keep every pixel above zero.
    remove_lines : bool, default=True
        Remove the straight lines of ruled or squared paper (and the edge
        of a scanned box), and the thin pieces such lines leave behind. For
        each axis the lines' direction (within ``line_tilt``) and spacing
        are estimated from the picture by projection profiles; lines are
        runs of ink a quarter of the picture long in that direction or
        within two degrees of it (oriented openings with long line
        footprints, which follow a curled page), covering three quarters
        of the picture (60 % when three or more lie parallel). Dotted print
        is one line (gaps up to a fortieth of the picture bridged); on a
        curled page a line is followed beyond its straight stretch by short
        runs bending up to 15 degrees (no thicker than the line), and the
        lines removed from the whole picture are removed from the digit's
        region too when it is read again, wherever they bend. A line is
        spared where a stroke crosses it (across it or, on ruled paper,
        up to 30 degrees aslant) or runs along it (ink beside the
        line, or a stretch of the line half as dark again as the rest of
        that line and as dark as the strokes: a pen darker than the print
        lying on it); a lone line, or
        one as dark and as wide as the digit's ink, touching it and no
        longer than it could be, is taken for a stroke drawn straight and
        stays, unless the paper repeats it three times; a lone line two and
        a half times as long as the digit, running on beyond it on both
        sides and thinner or fainter than its strokes, is paper.
    line_tilt : float, default=12.0
        How far, in degrees, ruled lines may run off the picture's axes (a
        phone held askew, perspective). 0 looks for horizontal and vertical
        lines only.
    remove_specks : bool, default=True
        Drop connected ink blobs smaller than 5 % of the largest (dust, noise).
    select_digit : bool, default=True
        Keep only the blob(s) of the digit: the blob with the most ink
        (squared, so contrast counts more than area, and counting the blobs
        close to it: a thin digit cut by lines weighs whole) near the centre
        of mass of the strongest ink, with the blobs close to it (a 5's hat,
        a broken stroke) but none longer than one and a half times the digit
        (a line's remnant, a margin). A blob lying along a quarter of an
        edge of the picture (the paper's edge, a shadow's), or flat along a
        tenth of it (a table beyond the paper), is never chosen or joined
        while another blob is there. Drops shadows, dots, box edges and
        marks elsewhere.
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
    views : tuple of str, default=("sauvola", "grey")
        Other views of each picture, for readers: the picture is also
        normalised with ``threshold="sauvola"`` (``"sauvola"``) and with
        ``color=False`` (``"grey"``), where that changes a setting, and
        :class:`~skdigits.images.DigitReader` (``skdigits predict``,
        :func:`~skdigits.read_number`) averages the model's probabilities
        over the main image and these. Each threshold and each way of
        measuring ink fails on different photos (a grid line kept, a faint
        stroke lost); their average is right more often than any one.
        :meth:`transform` returns the main image only: a pipeline reads
        one image per picture. An empty tuple reads one view.

    See Also
    --------
    read_images : Read pictures as grayscale arrays.
    make_digit_pipeline : With ``raw_images=True``, this step comes first.

    Notes
    -----
    Files are decoded with at most 3 megapixels (a 12-megapixel JPEG at half
    its size while decoding), plenty for a digit: a 12-megapixel photo is
    normalised in about 0.13 s (0.26 s with its two other ``views``, as a
    reader reads it). A picture whose ink was hard to find (faint
    ink, or other marks nearly as strong as the digit) is reported by
    :func:`~skdigits.images.normalize_picture` (``hard_to_find``);
    ``skdigits predict`` flags it. See the user guide's page on reading your own pictures for what
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
        "ink_hue": ["boolean"],
        "flatten_illumination": [StrOptions({"subtract"}), "boolean"],
        "threshold": [StrOptions({"otsu", "sauvola", "local"}), None],
        "remove_lines": ["boolean"],
        "line_tilt": [Interval(Real, 0, 45, closed="both")],
        "remove_specks": ["boolean"],
        "select_digit": ["boolean"],
        "digit_size": [Interval(Integral, 8, 512, closed="both"), None],
        "stroke_width": [Interval(Real, 0, 0.5, closed="neither"), None],
        "box_size": [Interval(Integral, 1, FRAME, closed="both"), None],
        "center": ["boolean"],
        "normalize_contrast": ["boolean"],
        "views": [Options(tuple, VIEW_CHOICES)],
    }

    def __init__(
        self,
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
    ):
        self.invert = invert
        self.color = color
        self.ink_hue = ink_hue
        self.flatten_illumination = flatten_illumination
        self.threshold = threshold
        self.remove_lines = remove_lines
        self.line_tilt = line_tilt
        self.remove_specks = remove_specks
        self.select_digit = select_digit
        self.digit_size = digit_size
        self.stroke_width = stroke_width
        self.box_size = box_size
        self.center = center
        self.normalize_contrast = normalize_contrast
        self.views = views

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
        out = np.empty((len(items), FRAME, FRAME), dtype=np.uint8)
        main_view = clone(self).set_params(views=())  # one image per picture: the main view
        for i, item in enumerate(items):
            name = os.fspath(item) if isinstance(item, (str, os.PathLike)) else f"image {i}"
            out[i] = normalize_picture(item, main_view, name=name).image
        return out

    def normalize_one(self, gray, name="image", *, details=False):
        """Normalise one picture already read (see the class description).

        :func:`~skdigits.images.normalize_picture` reads a picture and
        returns all that was found; this method keeps the array-or-tuple
        answer of earlier releases.

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
        found = normalize_array(gray, name, **{**self._settings(), "views": ()})
        return (found.image, found.info) if details else found.image

    def _settings(self):
        return {key: getattr(self, key) for key in SETTINGS}

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


def normalize_picture(picture, normalizer=None, *, name=None, steps=None):
    """Read one picture and make it MNIST-like, saying what was found.

    The picture is read as :meth:`DigitImageNormalizer.transform` and
    ``skdigits predict`` read it (in colour when the normaliser measures ink
    in colour, at most :data:`READ_PIXELS` pixels), then normalised.

    Parameters
    ----------
    picture : str, os.PathLike, bytes, PIL image or ndarray
        The picture, as :func:`read_image` reads it.
    normalizer : DigitImageNormalizer, default=None
        The settings to normalise with; None uses the defaults.
    name : str, default=None
        How errors refer to the picture; by default its path, or "image".
    steps : dict, default=None
        When given, the pictures of the steps are put in it, to be shown:
        ``"find"`` for the whole picture at the working size and ``"read"``
        for the digit's region read again, each a dict of ``light`` (the
        ink, float, once the light is flattened), ``threshold`` (the pixels
        of ink), ``lines`` (the ruled lines removed) and ``digit`` (the
        digit's pixels), and ``direction`` in ``"find"`` when ``ink_hue``
        chose a colour, as far as the steps went (filled in even when an
        :class:`ImageError` is raised).

    Returns
    -------
    normalized : NormalizedPicture
        ``image`` (the 28x28 digit, bright on black), ``ink_contrast``,
        ``dropped_ink``, ``hard_to_find``, ``box`` (where the digit's ink
        lies in the picture), ``picture`` (the picture as read) and
        ``views`` (the digit in each of the normaliser's views, ``image``
        first).

    Raises
    ------
    ImageError
        For a picture that cannot be read or holds no ink.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigits.images import normalize_picture
    >>> paper = np.full((120, 90), 230, dtype=np.uint8)  # a dark bar on white paper
    >>> paper[20:100, 40:52] = 30
    >>> found = normalize_picture(paper)
    >>> found.image.shape, found.box, found.hard_to_find
    ((28, 28), (20, 40, 100, 52), False)
    """
    normalizer = DigitImageNormalizer() if normalizer is None else normalizer
    if name is None:
        name = os.fspath(picture) if isinstance(picture, (str, os.PathLike)) else "image"
    array = read_image(picture, name=name, color=normalizer.color, max_pixels=READ_PIXELS)
    return normalize_array(array, name, record=steps, **normalizer._settings())


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
