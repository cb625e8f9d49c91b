"""What a model was trained on, and whether evaluation data overlaps it.

``skdigits train`` saves a small record with the model (the data set's name,
its checksum, and for the embedded sample a fingerprint of each digit it held
out). ``skdigits evaluate`` and ``report`` compare the data they are given
with it, so that a score is never silently measured on digits the model was
trained on: the embedded sample, for instance, is 5,000 MNIST *training*
digits, which the shipped model (trained on all of MNIST's training set) has
seen, and 4,000 of which trained a model made by ``skdigits train`` on the
sample.
"""

import hashlib

import numpy as np

from ..exceptions import TrainingDataOverlapError

#: The name a record gives the embedded sample (``load_mnist_sample``).
SAMPLE = "mnist-sample"
#: Data sets whose training part holds every digit of the embedded sample.
_HOLDS_THE_SAMPLE = frozenset({"mnist"})


def row_fingerprints(X):
    """A short fingerprint of each image: 16 hex digits of its pixels' BLAKE2 hash.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width) or (n_samples, n_pixels)
        Images with pixels 0-255.

    Returns
    -------
    fingerprints : list of str
        One per image; equal images give equal fingerprints.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigits.datasets import row_fingerprints
    >>> a, b = row_fingerprints(np.zeros((2, 28, 28), dtype=np.uint8))
    >>> a == b, len(a)
    (True, 16)
    """
    rows = np.ascontiguousarray(np.asarray(X).reshape(len(X), -1).astype(np.uint8, copy=False))
    return [hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest() for row in rows]


def training_record(name, description, *, sha256=None, held_out=None):
    """The record of what a model was trained on, as ``save_model`` stores it.

    Parameters
    ----------
    name : str
        The data set: ``"mnist"``, ``"fashion-mnist"``, :data:`SAMPLE` or
        another name of the user's.
    description : str
        The training digits in words, e.g. "the 60,000 MNIST training digits".
    sha256 : str, default=None
        Checksum of the training data's file, where there is one.
    held_out : array-like of images, default=None
        Digits of the data set held out from training (for the sample:
        those ``skdigits train`` evaluates on); only their fingerprints are
        kept, to recognise them later.

    Returns
    -------
    record : dict
        Plain JSON values.

    Examples
    --------
    >>> from skdigits.datasets import training_record
    >>> training_record("mnist", "the 60,000 MNIST training digits")["name"]
    'mnist'
    """
    record = {"name": str(name), "description": str(description)}
    if sha256 is not None:
        record["sha256"] = str(sha256)
    if held_out is not None:
        record["held_out"] = row_fingerprints(held_out)
    return record


def is_training_record(record):
    """True when ``record`` (read from a file, so from anyone) has a record's shape.

    Parameters
    ----------
    record : object
        What a model file's manifest holds under ``"training_data"``.

    Returns
    -------
    valid : bool
        A dict with a string ``name`` and ``description``, and, if any,
        ``held_out`` a list of fingerprint strings.
    """
    if not isinstance(record, dict):
        return False
    if not all(isinstance(record.get(key), str) for key in ("name", "description")):
        return False
    held_out = record.get("held_out", [])
    return isinstance(held_out, list) and all(isinstance(f, str) and len(f) == 16 for f in held_out)


def check_overlap(record, data_name, X, *, include_training_data=False):
    """Which rows of evaluation data a model did not train on, and how to say so.

    Parameters
    ----------
    record : dict or None
        The model's :func:`training_record`; None when the model file has none.
    data_name : str
        The evaluation data: ``"sample"``, ``"mnist"``, ``"fashion-mnist"``
        (their test parts) or anything else (a folder, a file).
    X : array-like of images
        The evaluation images.
    include_training_data : bool, default=False
        Keep every row, saying how many the model trained on, instead of
        keeping only the others or refusing.

    Returns
    -------
    keep : ndarray of bool or None
        The rows to evaluate; None for all of them.
    note : str or None
        What the rows are, in words, when that needs saying.

    Raises
    ------
    TrainingDataOverlapError
        When every row is a digit the model was trained on (and
        ``include_training_data`` is False).
    """
    if not is_training_record(record):
        record = None  # a file's record that is no record: as if it had none
    if record is None or data_name != "sample":
        # test parts and the user's own pictures are never training digits
        # of a record this package writes
        return None, None
    trained_on = record.get("name")
    if trained_on == SAMPLE:
        held = set(record.get("held_out", ()))
        keep = np.array([f in held for f in row_fingerprints(X)], dtype=bool)
        n_trained = int((~keep).sum())
        if include_training_data:
            return None, (
                f"the whole embedded sample, including the {n_trained:,} digits this "
                "model was trained on"
            )
        if not keep.any():
            raise TrainingDataOverlapError(
                "this model was trained on every digit of the embedded sample it was "
                "given; evaluate it on --data mnist or a folder of your own pictures, or "
                "pass --include-training-data to score training digits anyway"
            )
        return keep, (
            f"the {int(keep.sum()):,} digits of the embedded sample held out when this model "
            f"was trained (its other {n_trained:,} digits trained it)"
        )
    if trained_on in _HOLDS_THE_SAMPLE:
        if include_training_data:
            return None, (
                f"the embedded sample, all of it digits of {record.get('description')} "
                "that this model was trained on"
            )
        raise TrainingDataOverlapError(
            f"every digit of the embedded sample is an MNIST training digit, and this model "
            f"was trained on {record.get('description')}: its score there would say nothing "
            "about digits it has not seen. Evaluate it on --data mnist (the test set; "
            "'skdigits download mnist' fetches it) or a folder of your own pictures, or pass "
            "--include-training-data to score training digits anyway"
        )
    return None, None
