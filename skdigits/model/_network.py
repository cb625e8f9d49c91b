"""The dense softmax network, as a pure Keras builder (no scikit-learn inside)."""

from numbers import Integral, Real

#: Hidden layers of the reference network: 784 -> 1024 -> 128 -> 64 -> 10.
REFERENCE_HIDDEN_LAYER_SIZES = (1024, 128, 64)
#: Dropout rate of the reference network, after its second-to-last hidden layer.
REFERENCE_DROPOUT = 0.05


def _per_layer(value, n_layers, name, kind):
    """Broadcast one value to every hidden layer, or check a per-layer sequence."""
    if isinstance(value, kind):
        return (value,) * n_layers
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        raise TypeError(
            f"{name} must be one value or a sequence of one per hidden layer; got {value!r}."
        )
    values = tuple(value)
    if len(values) != n_layers:
        raise ValueError(
            f"{name} has {len(values)} entries but hidden_layer_sizes "
            f"has {n_layers} layers; give one value per hidden layer, or a single "
            "value for all of them."
        )
    return values


def resolve_layers(hidden_layer_sizes=REFERENCE_HIDDEN_LAYER_SIZES, activations=None, dropout=None):
    """Spell out the hidden layers: ``(units, activation, dropout rate)`` each.

    The defaults follow one rule that reproduces the reference network at any
    depth: every hidden layer uses ``relu``, except the second-to-last, which
    uses ``tanh`` and is followed by ``Dropout(0.05)``. A network with a single
    hidden layer therefore has one ``relu`` layer and no dropout.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(1024, 128, 64)
        Units of each hidden layer.
    activations : str or sequence of str, default=None
        Activation of each hidden layer, or one for all. ``None`` applies the
        rule above.
    dropout : float or sequence of float, default=None
        Dropout rate after each hidden layer (0 for none), or one rate after
        every hidden layer. ``None`` applies the rule above.

    Returns
    -------
    layers : list of tuple (int, str, float)
        One ``(units, activation, dropout_rate)`` per hidden layer.

    Examples
    --------
    >>> from skdigits import resolve_layers
    >>> resolve_layers()
    [(1024, 'relu', 0.0), (128, 'tanh', 0.05), (64, 'relu', 0.0)]
    >>> resolve_layers((128,))
    [(128, 'relu', 0.0)]
    """
    if isinstance(hidden_layer_sizes, Integral):
        hidden_layer_sizes = (hidden_layer_sizes,)
    try:
        sizes = tuple(hidden_layer_sizes)
    except TypeError:
        raise TypeError(
            "hidden_layer_sizes must be an int or a sequence of ints, e.g. "
            f"(1024, 128, 64); got {hidden_layer_sizes!r}."
        ) from None
    if not sizes or not all(isinstance(s, Integral) and s > 0 for s in sizes):
        raise ValueError(
            "hidden_layer_sizes must hold at least one positive int, e.g. "
            f"(1024, 128, 64); got {hidden_layer_sizes!r}."
        )
    n = len(sizes)
    penultimate = n - 2  # -1 (no such layer) for a single hidden layer
    if activations is None:
        activations = tuple("tanh" if i == penultimate else "relu" for i in range(n))
    activations = _per_layer(activations, n, "activations", str)
    if dropout is None:
        dropout = tuple(REFERENCE_DROPOUT if i == penultimate else 0.0 for i in range(n))
    rates = _per_layer(dropout, n, "dropout", Real)
    for rate in rates:
        if not isinstance(rate, Real) or not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout rates must lie in [0, 1); got {dropout!r}.")
    return [(int(s), str(a), float(r)) for s, a, r in zip(sizes, activations, rates)]


def build_dense_network(
    n_features,
    n_classes,
    *,
    hidden_layer_sizes=REFERENCE_HIDDEN_LAYER_SIZES,
    activations=None,
    dropout=None,
    seed=None,
):
    """Build the dense softmax network (uncompiled Keras model).

    ``n_features`` inputs, the hidden layers of :func:`resolve_layers`, and a
    softmax output of ``n_classes`` units. With the defaults this is the
    reference network: 784 -> Dense 1024 relu -> Dense 128 tanh ->
    Dropout 0.05 -> Dense 64 relu -> Dense 10 softmax.

    Parameters
    ----------
    n_features : int
        Length of the input vectors (784 for 28x28 images).
    n_classes : int
        Number of output units.
    hidden_layer_sizes : int or sequence of int, default=(1024, 128, 64)
        Units of each hidden layer (see :func:`resolve_layers`).
    activations : str or sequence of str, default=None
        Activation of each hidden layer, or one for all; ``None``: relu, with
        tanh on the second-to-last hidden layer (see :func:`resolve_layers`).
    dropout : float or sequence of float, default=None
        Dropout rate after each hidden layer, or one rate after all of them;
        ``None``: 0.05 after the second-to-last hidden layer only.
    seed : int, default=None
        Seed of the weight initialisers and dropout masks, for reproducible
        models; ``None`` draws from Keras' global generator.

    Returns
    -------
    model : keras.Sequential
        The network, built but not compiled.

    Examples
    --------
    >>> from skdigits import build_dense_network
    >>> model = build_dense_network(784, 10)
    >>> [layer.name for layer in model.layers]
    ['hidden_1', 'hidden_2', 'dropout_2', 'hidden_3', 'output']
    >>> model.count_params()
    943946
    """
    from ..utils import quiet_tensorflow

    quiet_tensorflow()
    import keras  # imported here: TensorFlow loads only when a model is built

    layers = resolve_layers(hidden_layer_sizes, activations, dropout)

    def seeded(offset):
        return None if seed is None else int(seed) + offset

    stack = [keras.Input(shape=(int(n_features),), name="pixels")]
    for i, (units, activation, rate) in enumerate(layers):
        stack.append(
            keras.layers.Dense(
                units,
                activation=activation,
                kernel_initializer=keras.initializers.GlorotUniform(seed=seeded(i)),
                name=f"hidden_{i + 1}",
            )
        )
        if rate > 0:
            stack.append(keras.layers.Dropout(rate, seed=seeded(1000 + i), name=f"dropout_{i + 1}"))
    stack.append(
        keras.layers.Dense(
            int(n_classes),
            activation="softmax",
            kernel_initializer=keras.initializers.GlorotUniform(seed=seeded(len(layers))),
            name="output",
        )
    )
    return keras.Sequential(stack, name="dense_softmax_network")
