"""The network builder: the reference architecture and the depth rule."""

import pytest

from skdigits import build_dense_network, resolve_layers


def test_defaults_reproduce_the_reference_network():
    model = build_dense_network(784, 10)
    summary = [
        (type(layer).__name__, getattr(layer, "units", None), getattr(layer, "rate", None))
        for layer in model.layers
    ]
    assert summary == [
        ("Dense", 1024, None),
        ("Dense", 128, None),
        ("Dropout", None, 0.05),
        ("Dense", 64, None),
        ("Dense", 10, None),
    ]
    activations = [layer.activation.__name__ for layer in model.layers if hasattr(layer, "units")]
    assert activations == ["relu", "tanh", "relu", "softmax"]
    assert model.input_shape == (None, 784)
    assert model.count_params() == 943_946


@pytest.mark.parametrize(
    "sizes, expected",
    [
        ((128,), [(128, "relu", 0.0)]),
        ((256, 64), [(256, "tanh", 0.05), (64, "relu", 0.0)]),
        (
            (512, 256, 128, 64),
            [(512, "relu", 0.0), (256, "relu", 0.0), (128, "tanh", 0.05), (64, "relu", 0.0)],
        ),
        (32, [(32, "relu", 0.0)]),
    ],
)
def test_default_activations_and_dropout_adapt_to_depth(sizes, expected):
    assert resolve_layers(sizes) == expected


def test_single_values_apply_to_every_layer():
    assert resolve_layers((8, 4), activations="sigmoid", dropout=0.2) == [
        (8, "sigmoid", 0.2),
        (4, "sigmoid", 0.2),
    ]


def test_per_layer_values():
    layers = resolve_layers((8, 4), activations=("elu", "selu"), dropout=(0.1, 0.0))
    assert layers == [(8, "elu", 0.1), (4, "selu", 0.0)]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(activations=("relu",)), "activations has 1 entries but hidden_layer_sizes has 3"),
        (dict(dropout=(0.1, 0.1)), "dropout has 2 entries but hidden_layer_sizes has 3"),
        (dict(dropout=1.5), r"dropout rates must lie in \[0, 1\)"),
        (dict(hidden_layer_sizes=()), "at least one positive int"),
        (dict(hidden_layer_sizes=(10, -1)), "at least one positive int"),
    ],
)
def test_inconsistent_settings_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        resolve_layers(**kwargs)


def test_output_size_follows_the_number_of_classes():
    model = build_dense_network(64, 3, hidden_layer_sizes=(16,))
    assert model.output_shape == (None, 3)
    assert model.input_shape == (None, 64)


def test_same_seed_same_weights():
    first = build_dense_network(20, 3, hidden_layer_sizes=(8,), seed=1).get_weights()
    second = build_dense_network(20, 3, hidden_layer_sizes=(8,), seed=1).get_weights()
    for a, b in zip(first, second):
        assert (a == b).all()
