"""A NumPy forward pass for the dense network, for fast predictions.

Keras' ``model.predict`` costs tens of milliseconds a call whatever the batch
size (it builds a data pipeline and a compiled function). For the dense
softmax networks skdigits builds, the same arithmetic in NumPy takes well
under a millisecond for one image, and returns the same probabilities to
float32 rounding.
"""

import weakref

import numpy as np
from scipy.special import erf, expit

# Rows per block of the forward pass. A block's layer outputs (a few MB) are
# freed and allocated again block after block; at this size the C allocator
# keeps reusing the same memory, where arrays of tens of MB (thousands of rows)
# are given back to the system and taken again on every call, and each time
# their pages are faulted in anew, which also keeps BLAS' threads from
# sharing the work (1.5x the wall time of a batch on 2 cores, measured by
# benchmarks/loading.py).
BLOCK_ROWS = 1024

# One NumPy forward pass per Keras model, kept beside (not in) the estimator
# so predicting never changes the estimator's state; dropped with the model.
_FORWARD_PASSES = weakref.WeakKeyDictionary()


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def _gelu(z):
    return 0.5 * z * (1.0 + erf(z / np.sqrt(2.0)))


def _silu(z):
    # scipy's logistic function: exact and warning-free for any z, where
    # 1 / (1 + exp(-z)) overflows for large negative z
    return z * expit(z)


def _hard_sigmoid(z):
    # Keras 3's: relu6(z + 3) / 6
    return np.clip(z + np.float32(3), 0, 6) / np.float32(6)


_ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0, out=z),
    "tanh": lambda z: np.tanh(z, out=z),
    "sigmoid": lambda z: expit(z, out=z),
    "softmax": _softmax,
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    "selu": lambda z: (
        1.0507009873554805 * np.where(z > 0, z, 1.6732632423543772 * np.expm1(np.minimum(z, 0)))
    ),
    "softplus": lambda z: np.logaddexp(z, 0),
    "silu": _silu,
    "swish": _silu,
    "gelu": _gelu,
    "softsign": lambda z: z / (np.abs(z) + 1),
    "relu6": lambda z: np.clip(z, 0, 6, out=z),
    "leaky_relu": lambda z: np.where(z > 0, z, np.float32(0.2) * z),  # Keras' default slope
    "hard_sigmoid": _hard_sigmoid,
    "hard_silu": lambda z: z * _hard_sigmoid(z),
    "hard_swish": lambda z: z * _hard_sigmoid(z),
    "mish": lambda z: z * np.tanh(np.logaddexp(z, 0)),
    "exponential": lambda z: np.exp(z, out=z),
}


class DenseForward:
    """Inference of a stack of Dense (and Dropout) layers with NumPy.

    Build it with :meth:`from_model` (a Keras model) or :meth:`from_layers`
    (the weights a model file holds, read without Keras); both return None
    for a network they cannot reproduce exactly (other layer types or
    activations).
    """

    def __init__(self, layers):
        self.layers = layers  # list of (kernel, bias, activation function)

    @classmethod
    def from_model(cls, model):
        """Extract the weights of a Keras model of Dense/Dropout layers, or None."""
        layers = []
        for layer in model.layers:
            kind = type(layer).__name__
            if kind == "Dropout":
                continue  # identity at inference
            if kind != "Dense" or not getattr(layer, "use_bias", False):
                return None
            kernel, bias = layer.get_weights()
            layers.append((kernel, bias, getattr(layer.activation, "__name__", None)))
        return cls.from_layers(layers)

    @classmethod
    def from_layers(cls, layers):
        """The forward pass of ``(kernel, bias, activation name)`` layers, or None.

        None when an activation has no NumPy counterpart here (see
        :func:`numpy_activation_reason`) or there are no layers.
        """
        if not layers or any(name not in _ACTIVATIONS for _, _, name in layers):
            return None
        # Column-major kernels: BLAS then takes each output of a single row
        # as one contiguous dot product, in a third of the time; products
        # agree with row-major ones to float32 rounding (to the bit from a
        # few hundred rows up).
        return cls(
            [
                (
                    np.asfortranarray(np.asarray(kernel, dtype=np.float32)),
                    np.asarray(bias, dtype=np.float32),
                    _ACTIVATIONS[name],
                )
                for kernel, bias, name in layers
            ]
        )

    def __call__(self, X):
        """Class probabilities of the float32 rows ``X``."""
        X = np.asarray(X, dtype=np.float32)
        if len(X) <= BLOCK_ROWS:
            return self._block(X)
        out = np.empty((len(X), self.layers[-1][0].shape[1]), dtype=np.float32)
        for start in range(0, len(X), BLOCK_ROWS):
            out[start : start + BLOCK_ROWS] = self._block(X[start : start + BLOCK_ROWS])
        return out

    def _block(self, out):
        for kernel, bias, activation in self.layers:
            z = out @ kernel
            z += bias  # in place: one array less per layer
            out = activation(z)
        return out.astype(np.float32, copy=False)


def numpy_activation_reason(layers):
    """Why ``(kernel, bias, activation name)`` layers have no NumPy forward pass, or None."""
    unknown = sorted({str(name) for _, _, name in layers} - set(_ACTIVATIONS))
    if unknown:
        return f"activation {', '.join(map(repr, unknown))} has no NumPy forward pass"
    return None


def forward_pass(model, layers=None):
    """The (cached) :class:`DenseForward` of ``model``, or None if it has none.

    ``model`` is a Keras model, or, with ``layers`` (its ``(kernel, bias,
    activation name)`` from a model file), any object standing for it.
    """
    if model not in _FORWARD_PASSES:
        _FORWARD_PASSES[model] = (
            DenseForward.from_model(model) if layers is None else DenseForward.from_layers(layers)
        )
    return _FORWARD_PASSES[model]


def forget_forward_pass(model):
    """Drop the cached forward pass of ``model`` (its weights are about to change)."""
    _FORWARD_PASSES.pop(model, None)
