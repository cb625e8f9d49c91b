"""One reader of pictures: a fitted model turns each picture into a digit and a record.

``skdigits predict``, ``skdigits draw``, ``evaluate --data FOLDER``, the
report and the benchmarks all read pictures through :class:`DigitReader`:
the picture is read and normalised (:func:`normalize_picture`), the rest of
the model predicts from the 28x28 image, and a :class:`DigitReading` says
what came out.
"""

import os
import threading
from dataclasses import dataclass, field, replace

import numpy as np

from ..exceptions import ImageError
from ._normalizer import DigitImageNormalizer, normalize_picture

_HARD_TO_FIND = "the ink was hard to find (faint, or other marks nearly as strong)"


@dataclass(frozen=True)
class DigitReading:
    """What a :class:`DigitReader` read in one picture.

    Attributes
    ----------
    name : str
        The picture's name: its path, or the name it was read with.
    digit : int or None
        The digit read (a class of the model); None after an error.
    probability : float or None
        The model's probability of ``digit``.
    runner_up : int or None
        The next most probable class (None for a one-class model).
    runner_up_probability : float or None
        Its probability.
    probabilities : ndarray of shape (n_classes,) or None
        The model's probabilities, in the order of its ``classes_``.
    seen : ndarray of shape (28, 28), uint8, or None
        The image the model saw: the picture made MNIST-like.
    unsure_because : tuple of str
        Why the answer is unsure, in words (empty when it is not).
    box : tuple of int or None
        ``(top, left, bottom, right)``: where the digit's ink lies in the
        picture as read.
    error : str or None
        Why the picture gave no digit (it could not be read, or holds no
        ink); the other fields are then None.
    label : int or None
        The picture's true label, when it was read with one.
    picture : ndarray or None
        The picture as read (grey or RGB), when it was kept.
    """

    name: str
    digit: object = None
    probability: float = None
    runner_up: object = None
    runner_up_probability: float = None
    probabilities: np.ndarray = field(default=None, repr=False, compare=False)
    seen: np.ndarray = field(default=None, repr=False, compare=False)
    unsure_because: tuple = ()
    box: tuple = None
    error: str = None
    label: object = None
    picture: np.ndarray = field(default=None, repr=False, compare=False)

    @property
    def unsure(self):
        """True when there are reasons to doubt the answer (see ``unsure_because``)."""
        return bool(self.unsure_because)

    @property
    def misread(self):
        """True for a labelled picture that gave no digit or another digit than its label."""
        return self.label is not None and (self.error is not None or self.digit != self.label)

    def as_dict(self):
        """The reading as ``skdigits predict --json`` prints it.

        Returns
        -------
        result : dict
            ``file`` and either ``error`` or ``digit``, ``probability``,
            ``runner_up``, ``runner_up_probability`` (rounded to 4 places),
            ``unsure`` and, when unsure, ``unsure_because``.
        """
        if self.error is not None:
            return {"file": self.name, "error": self.error}
        result = {
            "file": self.name,
            "digit": self.digit,
            "probability": round(self.probability, 4),
            "runner_up": self.runner_up,
            "runner_up_probability": (
                None if self.runner_up_probability is None else round(self.runner_up_probability, 4)
            ),
            "unsure": self.unsure,
        }
        if self.unsure:
            result["unsure_because"] = list(self.unsure_because)
        return result


def split_normalizer(model):
    """The normaliser in front of a fitted model, and the model that takes its 28x28 images.

    A pipeline whose step ``"normalize"`` comes first is split after it; any
    other pipeline or classifier takes MNIST-form digits and gets a
    :class:`DigitImageNormalizer` with the default settings, as
    :func:`raw_image_pipeline` puts in front.
    """
    from sklearn.pipeline import Pipeline

    if "normalize" in getattr(model, "named_steps", {}):
        return model.named_steps["normalize"], model[1:]
    steps = model.steps if hasattr(model, "steps") else [("classifier", model)]
    return DigitImageNormalizer(), Pipeline(steps)


class DigitReader:
    """Read the digit in pictures with a fitted model.

    Each picture is read and normalised by the model's
    :class:`DigitImageNormalizer` (see :func:`normalize_picture`), the rest
    of the model predicts from the 28x28 image (the mean of its
    probabilities over the normaliser's ``views``), and the answer comes back as
    a :class:`DigitReading`: the digit, its probability, the runner-up, the
    image seen and why the answer may be unsure. A picture that cannot be
    read gives a reading with ``error`` instead of an exception. Readers
    may be shared by threads: normalising runs in the calling thread, the
    model's forward pass under a lock, one picture at a time.

    Parameters
    ----------
    model : fitted Pipeline or classifier
        A pipeline whose first step is a :class:`DigitImageNormalizer` named
        ``"normalize"`` (as ``load_pretrained(raw_images=True)`` returns), or
        a pipeline or classifier fitted on 28x28 MNIST-form digits: a
        normaliser with the default settings is then put in front.
    min_probability : float, default=0.0
        Answers under this probability are unsure, as are pictures whose
        ink was hard to find.

    Attributes
    ----------
    normalizer : DigitImageNormalizer
        Makes pictures MNIST-like.
    classifier : Pipeline
        The model after the normaliser: takes (n, 28, 28) MNIST-form digits.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from skdigits import ImageReshaper
    >>> from skdigits.images import DigitReader
    >>> model = make_pipeline(ImageReshaper(), DummyClassifier())
    >>> model = model.fit(np.zeros((4, 28, 28), np.uint8), [1, 1, 1, 7])
    >>> paper = np.full((120, 90), 230, dtype=np.uint8)  # a dark bar on white paper
    >>> paper[20:100, 40:52] = 30
    >>> reading = DigitReader(model).read(paper)
    >>> reading.digit, reading.probability, reading.seen.shape
    (1, 0.75, (28, 28))
    >>> DigitReader(model).read(np.full((50, 50), 230, np.uint8)).error
    'image: no ink found (the picture is almost uniform).'
    """

    def __init__(self, model, *, min_probability=0.0):
        self.normalizer, self.classifier = split_normalizer(model)
        self.min_probability = min_probability
        self._lock = threading.Lock()

    def predict_proba(self, images):
        """The model's probabilities for 28x28 images already normalised.

        Parameters
        ----------
        images : ndarray of shape (n, 28, 28)
            MNIST-form digits, as :attr:`DigitReading.seen`.

        Returns
        -------
        proba : ndarray of shape (n, n_classes)
            In the order of ``classifier.classes_``.
        """
        with self._lock:
            return self.classifier.predict_proba(images)

    def predict_views(self, views):
        """The model's probabilities for digits seen in several views, averaged per digit.

        Parameters
        ----------
        views : sequence of ndarray of shape (n_views, 28, 28)
            Per digit, its views (:attr:`NormalizedPicture.views
            <skdigits.images.NormalizedPicture.views>`); one view reads as
            :meth:`predict_proba` reads it.

        Returns
        -------
        proba : ndarray of shape (n_digits, n_classes)
            The mean of each digit's views' probabilities.
        """
        counts = [len(v) for v in views]
        proba = self.predict_proba(np.concatenate(views))
        starts = np.cumsum([0, *counts[:-1]])
        return np.stack([proba[s : s + n].mean(axis=0) for s, n in zip(starts, counts)])

    def read(self, picture, *, name=None, label=None, keep_picture=False):
        """Read the digit in one picture.

        Parameters
        ----------
        picture : str, os.PathLike, bytes, PIL image or ndarray
            The picture, as :func:`~skdigits.read_image` reads it.
        name : str, default=None
            How the reading and its errors name the picture; by default
            its path, or "image".
        label : int, default=None
            The picture's true label, kept in the reading.
        keep_picture : bool, default=False
            Keep the picture as read in :attr:`DigitReading.picture`.

        Returns
        -------
        reading : DigitReading
            The digit and what came with it, or ``error``.
        """
        if name is None:
            name = os.fspath(picture) if isinstance(picture, (str, os.PathLike)) else "image"
        try:
            found = normalize_picture(picture, self.normalizer, name=name)
        except ImageError as exc:
            return DigitReading(name=name, error=str(exc), label=label)
        proba = self.predict_views([found.views])[0]
        return self.reading(
            name,
            proba,
            found.image,
            found.box,
            hard_to_find=found.hard_to_find,
            label=label,
            picture=found.picture if keep_picture else None,
        )

    def reading(self, name, proba, seen, box, *, hard_to_find=False, label=None, picture=None):
        """The :class:`DigitReading` of one 28x28 image from the model's probabilities.

        Parameters
        ----------
        name : str
            How the reading names the picture.
        proba : ndarray of shape (n_classes,)
            The model's probabilities for ``seen`` (:meth:`predict_proba`).
        seen : ndarray of shape (28, 28), uint8
            The image the model saw.
        box : tuple of int
            ``(top, left, bottom, right)`` of the digit's ink in the picture.
        hard_to_find : bool, default=False
            The ink was hard to find: the reading is unsure.
        label : int, default=None
            The true label, kept in the reading.
        picture : ndarray, default=None
            The picture as read, kept in the reading.

        Returns
        -------
        reading : DigitReading
            The digit, its probability, the runner-up and why it is unsure.
        """
        order = np.argsort(proba)[::-1]
        classes = self.classifier.classes_
        reasons = []
        if proba[order[0]] < self.min_probability:
            reasons.append(f"probability {proba[order[0]]:.2f} is under {self.min_probability:.2f}")
        if hard_to_find:
            reasons.append(_HARD_TO_FIND)
        return DigitReading(
            name=name,
            digit=classes[order[0]].item(),
            probability=float(proba[order[0]]),
            runner_up=classes[order[1]].item() if len(order) > 1 else None,
            runner_up_probability=float(proba[order[1]]) if len(order) > 1 else None,
            probabilities=proba,
            seen=seen,
            unsure_because=tuple(reasons),
            box=box,
            label=label,
            picture=picture,
        )

    def read_all(self, pictures, labels=None, *, keep_pictures=False, picture_size=None):
        """Read the digit in each of several pictures.

        Parameters
        ----------
        pictures : iterable of str, os.PathLike, bytes, PIL image or ndarray
            The pictures (see :meth:`read`).
        labels : array-like of shape (n_pictures,), default=None
            Their true labels.
        keep_pictures : bool or "misread", default=False
            Keep each picture as read, or only those misread.
        picture_size : int, default=None
            Make the kept pictures at most this many pixels wide and high
            (thumbnails); None keeps them as read.

        Returns
        -------
        readings : list of DigitReading
            One per picture, in order.
        """
        pictures = list(pictures)
        labels = [None] * len(pictures) if labels is None else [int(y) for y in labels]
        readings = []
        for picture, label in zip(pictures, labels):
            reading = self.read(picture, label=label, keep_picture=bool(keep_pictures))
            if reading.picture is not None:
                if keep_pictures == "misread" and not reading.misread:
                    reading = replace(reading, picture=None)
                elif picture_size is not None:
                    reading = replace(reading, picture=_thumbnail(reading.picture, picture_size))
            readings.append(reading)
        return readings


def _thumbnail(picture, size):
    from PIL import Image

    image = Image.fromarray(picture)
    image.thumbnail((size, size))
    return np.asarray(image)
