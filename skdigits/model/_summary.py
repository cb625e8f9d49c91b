"""What a fitted classifier's network is made of, read without building it in Keras."""

import numpy as np


def network_layers(classifier):
    """The layers of a fitted classifier's network, with their parameter counts.

    A :class:`~skdigits.DigitClassifier` loaded from a model file predicts
    without Keras; its layers are then read from the file's architecture and
    weights, so describing it imports neither Keras nor TensorFlow. A network
    built in Keras (trained here, or asked for as ``model_``) is described
    from its Keras layers; both give the same description.

    Parameters
    ----------
    classifier : object
        A fitted :class:`~skdigits.DigitClassifier`, or any estimator with a
        Keras ``model_``.

    Returns
    -------
    layers : list of dict or None
        One dict per layer, input left out, in order: ``name``, ``type``
        (the Keras class name, e.g. ``"Dense"``), ``units``, ``activation``
        and ``rate`` (None where a layer has none) and ``parameters`` (the
        number of trainable and non-trainable weights). None when the
        estimator has no network (not fitted, or not a network).

    Examples
    --------
    >>> from skdigits import load_mnist_sample, make_digit_pipeline
    >>> from skdigits.model import network_layers
    >>> X, y = load_mnist_sample(return_X_y=True)
    >>> pipe = make_digit_pipeline(hidden_layer_sizes=(16,), epochs=1).fit(X[:200], y[:200])
    >>> [(layer["type"], layer["parameters"]) for layer in network_layers(pipe[-1])]
    [('Dense', 12560), ('Dense', 170)]
    """
    stored = vars(classifier).get("_stored_network")
    if stored is not None and stored.dense_layers is not None:
        return _stored_layers(stored)
    model = getattr(classifier, "model_", None)
    if model is None:
        return None
    layers = []
    for layer in model.layers:
        activation = getattr(layer, "activation", None)
        layers.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "units": getattr(layer, "units", None),
                "activation": getattr(activation, "__name__", None),
                "rate": getattr(layer, "rate", None),
                "parameters": int(layer.count_params()),
            }
        )
    return layers


def _stored_layers(stored):
    """:func:`network_layers` of a network read from a file: its config and weights."""
    weights = iter(stored.dense_layers)  # (kernel, bias, activation) of each Dense layer
    layers = []
    for layer in stored.config["config"]["layers"]:
        kind, settings = layer["class_name"], layer["config"]
        if kind == "InputLayer":
            continue  # Keras' model.layers leaves it out too
        entry = {
            "name": settings.get("name"),
            "type": kind,
            "units": settings.get("units"),
            "activation": None,
            "rate": settings.get("rate"),
            "parameters": 0,
        }
        if kind == "Dense":
            kernel, bias, activation = next(weights)
            entry["activation"] = activation
            entry["parameters"] = int(np.size(kernel) + np.size(bias))
        layers.append(entry)
    return layers


def count_parameters(classifier):
    """The number of weights of a fitted classifier's network, or None without one.

    The sum of :func:`network_layers`' ``parameters``: Keras'
    ``model.count_params()``, without building the model when it was loaded
    from a file.
    """
    layers = network_layers(classifier)
    return None if layers is None else sum(layer["parameters"] for layer in layers)
