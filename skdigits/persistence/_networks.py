"""The Keras networks of a ``.skdigits`` file: saving copies, reading and loading them.

Each classifier's network is a ``.keras`` member. :func:`read_network` reads
one with our own checked reader (:mod:`skdigits.persistence._keras_reader`:
sizes, configuration, weights) into a :class:`StoredNetwork`, which
predicts through NumPy and loads the Keras model only when it is asked to
(:meth:`StoredNetwork.to_keras`): loading a model to predict imports
neither Keras nor TensorFlow. :func:`load_network` checks a member the same
way and loads it with Keras at once (``safe_mode=True``). :func:`recast`
makes the copies that are saved (a fresh optimizer, optionally float16
weights) and turns float16 networks back into float32 ones.
"""

import contextlib
import os
import tempfile

from ..exceptions import ModelFormatError
from ._keras_reader import WEIGHT_DTYPES, check_keras_config, read_keras_member

__all__ = [
    "WEIGHT_DTYPES",
    "StoredNetwork",
    "check_keras_config",
    "keras_versions",
    "load_network",
    "read_network",
    "recast",
]


class StoredNetwork:
    """A network read from a model file, checked, whose Keras model is built on demand.

    What :func:`read_network` returns, and what
    :meth:`~skdigits.DigitClassifier._restore` takes in place of a Keras
    model: the classifier predicts with :attr:`dense_layers` through NumPy,
    and calls :meth:`to_keras` only when it needs the Keras model
    (training further, asking for ``model_``). It pickles as its bytes and
    arrays.

    Attributes
    ----------
    data : bytes
        The ``.keras`` member, as the file holds it.
    member, path : str
        The member's name and the model file, for messages.
    n_inputs, n_outputs : int or None
        Features the network takes and outputs it gives (None for a network
        that is not a dense stack: ask :meth:`to_keras`).
    dense_layers : list of tuple (ndarray, ndarray, str) or None
        ``(kernel, bias, activation)`` of each Dense layer, float32.
    reason : str or None
        Why ``dense_layers`` is None.
    config : dict
        The network's architecture, the member's checked ``config.json``
        (what :func:`skdigits.model.network_layers` describes).
    """

    def __init__(self, data, member, path, read):
        self.data = data
        self.member = member
        self.path = path
        self.config = read.config
        self.n_inputs = read.n_inputs
        self.n_outputs = read.n_outputs
        self.dense_layers = read.dense_layers
        self.reason = read.reason

    def __repr__(self):
        return f"StoredNetwork({self.member!r} of {self.path!r})"

    def to_keras(self):
        """The Keras model, loaded from the checked member (imports Keras).

        Returns
        -------
        model : keras.Model
            The compiled network, float32.
        """
        return _load_checked(self.data, self.member, self.path)


def read_network(data, member, path):
    """Check a ``.keras`` member's bytes and read it without Keras.

    Returns
    -------
    network : StoredNetwork

    Raises
    ------
    ModelFormatError
        When the member is too large, damaged, names code outside Keras or
        holds weights that are not finite.
    """
    return StoredNetwork(data, member, path, read_keras_member(data, member, path))


def recast(model, dtype=None):
    """A copy of ``model`` with its weights and a new, unbuilt optimizer of the same settings.

    With ``dtype``, every layer of the copy stores and computes in it.
    """
    import keras

    def in_dtype(layer):
        return layer.__class__.from_config({**layer.get_config(), "dtype": dtype})

    copy = keras.models.clone_model(model, clone_function=in_dtype if dtype else None)
    copy.set_weights([w.astype(dtype) if dtype else w for w in model.get_weights()])
    optimizer = model.optimizer.__class__.from_config(model.optimizer.get_config())
    copy.compile(optimizer=optimizer, loss=model.loss, metrics=["accuracy"])
    return copy


def keras_versions(needed):
    if not needed:
        return {}
    import keras
    import tensorflow as tf

    return {"keras": keras.__version__, "tensorflow": tf.__version__}


def load_network(data, member, path):
    """Check a ``.keras`` member's bytes as :func:`read_network` does, then load it with Keras.

    ``safe_mode=True``; networks stored in float16 come back as float32.
    """
    read_keras_member(data, member, path)
    return _load_checked(data, member, path)


def _load_checked(data, member, path):
    from ..utils import quiet_tensorflow

    quiet_tensorflow()
    import keras

    with tempfile.TemporaryDirectory(prefix="skdigits-load-") as tmp:
        network = os.path.join(tmp, "network.keras")
        with open(network, "wb") as handle:
            handle.write(data)
        try:
            with quiet_keras():
                model = keras.saving.load_model(network, compile=True, safe_mode=True)
                stored = {str(w.dtype) for w in model.weights}
                if not stored <= set(WEIGHT_DTYPES):
                    raise ValueError(f"weights of dtype {sorted(stored)}")
                return recast(model, "float32") if "float16" in stored else model
        except Exception as exc:  # Keras raises many types for a bad file
            raise ModelFormatError(
                f"{path!r}: network {member!r} cannot be loaded by Keras "
                f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})."
            ) from None


@contextlib.contextmanager
def quiet_keras():
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Cc]ompiled the loaded model.*")
        warnings.filterwarnings("ignore", message=".*optimizer.*variables.*")
        yield
