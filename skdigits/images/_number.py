"""Reading a whole number: a fitted model reads each digit that segment_digits finds.

:class:`NumberReader` cuts a picture into digits with :func:`segment_digits`
(the model's own confidence choosing where touching digits are cut), reads
each digit as :class:`DigitReader` reads one, and returns a
:class:`NumberReading`: the text, and a :class:`DigitReading` per digit.
"""

import os
from dataclasses import dataclass, field

import numpy as np

from ..exceptions import ImageError
from ._reader import DigitReader
from ._segment import segment_digits

_OTHER_LINES = "other lines of writing were left out (one line is read)"


@dataclass(frozen=True)
class NumberReading:
    """What a :class:`NumberReader` read in a picture of a number.

    Attributes
    ----------
    name : str
        The picture's name: its path, or the name it was read with.
    text : str or None
        The digits, left to right, a space between groups (``"12 345"``);
        ``""`` when the picture holds no ink; None after an error.
    digits : tuple of DigitReading
        Each digit: ``digit``, ``probability``, ``runner_up``, ``seen`` (the
        28x28 image the model saw), ``box`` (in the picture's pixels) and
        ``unsure_because``.
    groups : tuple of int
        The group of each digit.
    probability : float or None
        The probability of the whole number: the product of the digits'.
    unsure_because : tuple of str
        Why the number is unsure, in words (empty when it is not).
    error : str or None
        Why the picture could not be read.
    picture : ndarray or None
        The picture as read, when it was kept.
    """

    name: str
    text: str = None
    digits: tuple = ()
    groups: tuple = ()
    probability: float = None
    unsure_because: tuple = ()
    error: str = None
    picture: np.ndarray = field(default=None, repr=False, compare=False)

    @property
    def unsure(self):
        """True when there are reasons to doubt the number (see ``unsure_because``)."""
        return bool(self.unsure_because)

    def as_dict(self):
        """The reading as ``skdigits predict --number --json`` prints it.

        Returns
        -------
        result : dict
            ``file`` and either ``error`` or ``number``, ``probability``,
            ``unsure`` (with ``unsure_because`` when unsure) and ``digits``:
            per digit ``digit``, ``probability``, ``runner_up``,
            ``runner_up_probability``, ``unsure``, ``box`` (``[top, left,
            bottom, right]``) and ``group``.
        """
        if self.error is not None:
            return {"file": self.name, "error": self.error}
        result = {
            "file": self.name,
            "number": self.text,
            "probability": None if self.probability is None else round(self.probability, 4),
            "unsure": self.unsure,
        }
        if self.unsure:
            result["unsure_because"] = list(self.unsure_because)
        digits = []
        for reading, group in zip(self.digits, self.groups):
            one = reading.as_dict()
            del one["file"]
            one.pop("unsure_because", None)
            one["box"] = [int(v) for v in reading.box]
            one["group"] = int(group)
            digits.append(one)
        result["digits"] = digits
        return result


class NumberReader:
    """Read the handwritten number in pictures with a fitted model.

    Each picture is cut into digits by :func:`segment_digits` with the
    model's normaliser (the model's confidence choosing where touching
    digits are cut); each digit is read as :class:`DigitReader` reads one
    picture. A picture holding one digit reads exactly as
    :meth:`DigitReader.read` reads it.

    Parameters
    ----------
    model : fitted Pipeline or classifier
        As :class:`DigitReader` takes it: a pipeline whose first step is a
        :class:`DigitImageNormalizer` named ``"normalize"``, or a model
        fitted on 28x28 MNIST-form digits.
    min_probability : float, default=0.0
        Digits read with a probability under this are unsure, and so is
        the number.

    Attributes
    ----------
    digit_reader : DigitReader
        Reads each digit (its ``normalizer`` and ``classifier``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from skdigits import ImageReshaper
    >>> from skdigits.images import NumberReader
    >>> model = make_pipeline(ImageReshaper(), DummyClassifier())
    >>> model = model.fit(np.zeros((4, 28, 28), np.uint8), [1, 1, 1, 7])
    >>> paper = np.full((100, 240), 230, dtype=np.uint8)  # three dark bars on white
    >>> for left in (40, 110, 180):
    ...     paper[20:80, left : left + 10] = 30
    >>> reading = NumberReader(model).read(paper)
    >>> reading.text, [d.box for d in reading.digits][:2]
    ('111', [(20, 40, 80, 50), (20, 110, 80, 120)])
    """

    def __init__(self, model, *, min_probability=0.0):
        self.digit_reader = DigitReader(model, min_probability=min_probability)
        self.min_probability = min_probability

    def read(self, picture, *, name=None, keep_picture=False):
        """Read the number in one picture.

        Parameters
        ----------
        picture : str, os.PathLike, bytes, PIL image or ndarray
            The picture, as :func:`~skdigits.read_image` reads it.
        name : str, default=None
            How the reading and its errors name the picture; by default its
            path, or "image".
        keep_picture : bool, default=False
            Keep the picture as read in :attr:`NumberReading.picture`.

        Returns
        -------
        reading : NumberReading
            The text and the digits, or ``error``.
        """
        if name is None:
            name = os.fspath(picture) if isinstance(picture, (str, os.PathLike)) else "image"
        reader = self.digit_reader
        try:
            segments = segment_digits(picture, reader.normalizer, classifier=reader, name=name)
        except ImageError as exc:
            return NumberReading(name=name, error=str(exc))
        kept = segments.picture if keep_picture else None
        if not len(segments):
            return NumberReading(
                name=name, text="", unsure_because=(segments.missing,), picture=kept
            )
        proba = reader.predict_views(segments.views)
        digits = tuple(
            reader.reading(
                f"{name}, digit {i + 1}",
                proba[i],
                segments.images[i],
                segments.boxes[i],
                hard_to_find=segments.hard_to_find[i],
            )
            for i in range(len(segments))
        )
        reasons = [
            f"digit {i + 1} ({d.digit}): {reason}"
            for i, d in enumerate(digits)
            for reason in d.unsure_because
        ]
        if segments.other_lines:
            reasons.append(_OTHER_LINES)
        return NumberReading(
            name=name,
            text=segments.text([d.digit for d in digits]),
            digits=digits,
            groups=segments.groups,
            probability=float(np.prod([d.probability for d in digits])),
            unsure_because=tuple(reasons),
            picture=kept,
        )
