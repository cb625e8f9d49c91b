"""The trained model shipped inside the package, and the recipe that built it.

``load_pretrained()`` returns a pipeline trained on full MNIST: the shared
scaling and reshape steps, then a soft-voting ensemble of dense networks
trained alike from different seeds. It is stored in the pickle-free
``.skdigits`` format (float16 weights) beside this file and checked against
the SHA-256 digest recorded with it. ``python -m skdigits.pretrained build``
trains it again from the four MNIST files and writes the model and its
record (settings, seeds, data checksums, test accuracy) to a folder.
"""

import hashlib
import json
import os

from ..model import PRESETS

__all__ = [
    "MODEL_FILE",
    "RECORD_FILE",
    "SEEDS",
    "SETTINGS",
    "load_pretrained",
    "pretrained_info",
    "read_number",
]

MODEL_FILE = "mnist_dense.skdigits"
RECORD_FILE = "mnist_dense.json"

#: Classifier settings of the shipped model: ``make_digit_pipeline``'s
#: ``preset="best"`` (chosen on a validation split of MNIST's training set; the
#: test set was used only to report the result), with the network's layer sizes
#: written out for the record.
SETTINGS = {"hidden_layer_sizes": (1024, 128, 64), **PRESETS["best"]}
#: Seeds of the networks whose probabilities the shipped model averages (a
#: soft-voting ensemble of networks trained alike, differing in their seed).
#: Four float16 networks fit the package's 8 MB budget for the model.
SEEDS = (0, 1, 2, 3)


def package_folder():
    """The folder of this package, where the model and its record are installed."""
    return os.path.dirname(os.path.abspath(__file__))


def pretrained_info():
    """The record of the shipped model: settings, seeds, data checksums, test accuracy.

    Returns
    -------
    record : dict
        The JSON record written beside the model when it was built.

    Examples
    --------
    >>> from skdigits.pretrained import pretrained_info
    >>> info = pretrained_info()
    >>> info["data"]["name"], info["test_accuracy"] > 0.98
    ('mnist', True)
    """
    path = os.path.join(package_folder(), RECORD_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"The pretrained model's record {path} is missing from this installation; "
            "build the model with: python -m skdigits.pretrained build"
        )
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def sha256_of(path):
    """Hex SHA-256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_pretrained(*, raw_images=False):
    """Load the model trained on full MNIST that ships with skdigits.

    Nothing is trained or downloaded: the file is part of the package, its
    SHA-256 digest is checked against the recorded one, and it is read as
    any ``.skdigits`` file is (no pickle). The model averages the class
    probabilities of four dense networks (784-1024-128-64-10, trained with
    random affine distortions of the digits, each from its own seed) in a
    soft-voting :class:`~sklearn.ensemble.VotingClassifier`. Its record —
    :func:`skdigits.pretrained.pretrained_info` — gives the settings, the
    seeds, the checksums of the MNIST files it was trained on and its
    accuracy on the 10,000 MNIST test digits, alone and per network.

    Parameters
    ----------
    raw_images : bool, default=False
        Put a :class:`~skdigits.DigitImageNormalizer` in front, so the
        pipeline reads pictures (paths, PIL images, arrays of any size), as
        ``skdigits predict`` does.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        The fitted pipeline: ``scaler``, ``reshape``, ``classifier`` (the
        ensemble; its networks are ``classifier.estimators_``), and
        ``normalize`` first with ``raw_images=True``. It takes images of
        shape (n, 28, 28) with pixels 0-255.

    Raises
    ------
    skdigits.exceptions.ModelFormatError
        When the file does not match its recorded digest (damaged or replaced).

    Examples
    --------
    >>> import skdigits
    >>> pipe = skdigits.load_pretrained()
    >>> X, y = skdigits.load_mnist_sample(return_X_y=True)
    >>> pipe.predict(X[:5]).shape
    (5,)
    """
    from ..exceptions import ModelFormatError
    from ..persistence import load_model

    record = pretrained_info()
    path = os.path.join(package_folder(), MODEL_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"The pretrained model {path} is missing from this installation; build it with: "
            "python -m skdigits.pretrained build"
        )
    digest = sha256_of(path)
    if digest != record["model_sha256"]:
        raise ModelFormatError(
            f"The pretrained model {path} does not match its recorded SHA-256 digest "
            f"({digest[:12]}... instead of {record['model_sha256'][:12]}...): the file is "
            "damaged or was replaced; reinstall skdigits."
        )
    pipeline = load_model(path)
    if raw_images:
        from ..images import raw_image_pipeline

        pipeline = raw_image_pipeline(pipeline)
    return pipeline


def load_default_model(*, log=print):
    """The model trained on full MNIST that ships with skdigits, reading pictures.

    Nothing is trained or downloaded, and no data home is read: the model is
    :func:`skdigits.load_pretrained` with a :class:`DigitImageNormalizer` in
    front. ``skdigits train --out FILE`` makes a model of your own, which
    ``--model FILE`` then uses.

    Parameters
    ----------
    log : callable, default=print
        Receives a one-line message saying which model is used.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Fitted, taking pictures (paths, PIL images or arrays).
    """
    pipeline = load_pretrained(raw_images=True)
    accuracy = pretrained_info()["test_accuracy"]
    log(
        f"Using the model that ships with skdigits (trained on full MNIST, "
        f"{accuracy:.2%} on its test digits)."
    )
    return pipeline


_NUMBER_READERS = {}  # the shipped model's NumberReader, per min_probability


def read_number(picture, model=None, *, min_probability=0.0):
    """Read a handwritten number in a picture: its digits, left to right.

    The picture is cut into digits by :func:`skdigits.images.segment_digits`
    (the ink found as the normaliser finds it; pieces of one digit joined,
    specks, dots and underlines dropped, touching digits cut where the
    model reads the whole line with the most confidence, groups told apart
    by wide gaps) and each digit is read as ``skdigits predict`` reads a
    picture of one digit; a picture of one digit reads exactly as it does.
    One line of writing is read (see the user guide on what segmentation
    can and cannot do).

    Parameters
    ----------
    picture : str, os.PathLike, bytes, PIL image or ndarray
        The picture, as :func:`skdigits.read_image` reads it.
    model : fitted Pipeline or classifier, default=None
        The model reading the digits, as :class:`skdigits.images.DigitReader`
        takes it; None uses the model that ships with skdigits
        (:func:`load_pretrained`), loaded once.
    min_probability : float, default=0.0
        Digits read with a probability under this make the number unsure.

    Returns
    -------
    reading : skdigits.images.NumberReading
        ``text`` (``"623"``, ``"12 345"`` for groups, ``""`` when the
        picture holds no ink), ``digits`` (per digit: ``digit``,
        ``probability``, ``runner_up``, ``box``, ``seen``, ...),
        ``probability`` and ``unsure``.

    Raises
    ------
    skdigits.exceptions.ImageError
        For a picture that cannot be read, with the message ``skdigits
        predict`` prints for it.

    Examples
    --------
    >>> import numpy as np
    >>> import skdigits
    >>> X, y = skdigits.load_mnist_sample(return_X_y=True)
    >>> strip = np.concatenate([np.pad(X[i], 8) for i in range(3)], axis=1)
    >>> reading = skdigits.read_number(255 - strip)  # dark ink on white paper
    >>> reading.text == "".join(str(d) for d in y[:3]), len(reading.digits)
    (True, 3)
    """
    from ..exceptions import ImageError
    from ..images import NumberReader

    if model is None:
        reader = _NUMBER_READERS.get(min_probability)
        if reader is None:
            reader = NumberReader(load_pretrained(raw_images=True), min_probability=min_probability)
            _NUMBER_READERS[min_probability] = reader
    else:
        reader = NumberReader(model, min_probability=min_probability)
    reading = reader.read(picture)
    if reading.error is not None:
        raise ImageError(reading.error)
    return reading
