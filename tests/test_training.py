"""The in-graph training loop: same optimisation as Keras' Model.fit, cheaper."""

import keras
import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skdigits import DigitClassifier, build_dense_network
from skdigits.model._training import _fused_adam_slots, fit_in_graph


@pytest.fixture(scope="module")
def data(small_split):
    X_train, _, y_train, _ = small_split
    X = X_train[:300].reshape(300, -1).astype(np.float32) / 255
    Y = np.eye(10, dtype=np.float32)[y_train[:300]]
    return X, Y, y_train[:300]


def twin_networks(optimizer):
    """Two identical compiled networks, without dropout (so without randomness)."""
    networks = []
    for _ in range(2):
        model = build_dense_network(784, 10, hidden_layer_sizes=(32, 16), dropout=0.0, seed=0)
        model.compile(
            optimizer=keras.optimizers.get(optimizer),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        networks.append(model)
    return networks


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
@pytest.mark.parametrize("weighted", [False, True])
def test_graph_loop_trains_exactly_as_model_fit_for_a_fixed_order(data, optimizer, weighted):
    X, Y, _ = data
    weights = np.linspace(0.2, 2.0, len(X)).astype(np.float32) if weighted else None
    by_keras, by_graph = twin_networks(optimizer)
    keras_history = by_keras.fit(
        X, Y, sample_weight=weights, epochs=2, batch_size=32, shuffle=False, verbose=0
    ).history
    graph_history = fit_in_graph(by_graph, X, Y, weights, epochs=2, batch_size=32, shuffle=False)
    for ours, theirs in zip(by_graph.get_weights(), by_keras.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(graph_history["loss"], keras_history["loss"], rtol=1e-4)
    np.testing.assert_allclose(graph_history["accuracy"], keras_history["accuracy"], atol=1e-6)
    assert int(by_graph.optimizer.iterations) == int(by_keras.optimizer.iterations) == 20


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_graph_loop_adds_the_layers_losses_as_model_fit(data, optimizer):
    """Weight and activity regularisers (model.losses) are part of the loss."""
    X, Y, _ = data
    networks = []
    for _ in range(2):
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                keras.Input((784,)),
                keras.layers.Dense(
                    16,
                    activation="relu",
                    kernel_regularizer=keras.regularizers.L2(0.01),
                    activity_regularizer=keras.regularizers.L1(0.001),
                ),
                keras.layers.Dense(10, activation="softmax", bias_regularizer="l2"),
            ]
        )
        model.compile(
            optimizer=keras.optimizers.get(optimizer),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        networks.append(model)
    by_keras, by_graph = networks
    keras_history = by_keras.fit(X, Y, epochs=2, batch_size=32, shuffle=False, verbose=0).history
    graph_history = fit_in_graph(by_graph, X, Y, epochs=2, batch_size=32, shuffle=False)
    for ours, theirs in zip(by_graph.get_weights(), by_keras.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(graph_history["loss"], keras_history["loss"], rtol=1e-4)
    unregularised = keras.losses.categorical_crossentropy(Y, by_graph(X)).numpy().mean()
    assert graph_history["loss"][-1] > unregularised + 0.01  # the penalty is in it


def test_fused_adam_is_used_only_for_plain_adam():
    model = build_dense_network(784, 10, hidden_layer_sizes=(8,))
    variables = model.trainable_variables
    assert len(_fused_adam_slots(keras.optimizers.Adam(), variables)) == len(variables)
    for other in [
        keras.optimizers.Adam(amsgrad=True),
        keras.optimizers.Adam(clipnorm=1.0),
        keras.optimizers.AdamW(),
        keras.optimizers.SGD(),
    ]:
        assert _fused_adam_slots(other, variables) is None


def test_shuffled_epochs_depend_on_the_seed_only(data):
    X, _, y = data
    first, second, other = (
        DigitClassifier(hidden_layer_sizes=(16,), epochs=2, random_state=seed).fit(X, y)
        for seed in (1, 1, 2)
    )
    assert first.history_ == second.history_
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    assert first.history_["loss"] != other.history_["loss"]


def test_successive_partial_fits_shuffle_differently(data, monkeypatch):
    import skdigits.model._classifier as classifier_module

    seeds = []

    def recording(*args, seed, **kwargs):
        seeds.append(seed)
        return fit_in_graph(*args, seed=seed, **kwargs)

    monkeypatch.setattr(classifier_module, "fit_in_graph", recording)
    X, _, y = data
    clf = DigitClassifier(hidden_layer_sizes=(16,), random_state=0)
    clf.partial_fit(X, y, classes=np.arange(10))
    clf.partial_fit(X, y)
    assert seeds == [(0, 0), (0, 1)]
    assert len(clf.history_["loss"]) == 2


def test_model_fit_is_used_where_keras_loop_is_needed(data):
    X, _, y = data
    clf = DigitClassifier(
        hidden_layer_sizes=(16,), epochs=2, validation_split=0.2, random_state=0
    ).fit(X, y)
    assert set(clf.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    keras_loop = DigitClassifier(
        hidden_layer_sizes=(16,), epochs=2, random_state=0, training_loop="keras"
    ).fit(X, y)
    graph_loop = DigitClassifier(hidden_layer_sizes=(16,), epochs=2, random_state=0).fit(X, y)
    assert keras_loop.history_["loss"] != graph_loop.history_["loss"]  # other shuffling
    assert set(keras_loop.history_) == set(graph_loop.history_) == {"loss", "accuracy"}


def test_verbose_prints_one_line_per_epoch(data, capsys):
    X, _, y = data
    DigitClassifier(hidden_layer_sizes=(16,), epochs=3, verbose=2, random_state=0).fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Epoch")]
    assert [line.split(" - ")[0] for line in lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert all("loss: " in line and "accuracy: " in line for line in lines)


def test_unknown_training_loop_is_refused(data):
    X, _, y = data
    with pytest.raises(InvalidParameterError, match="training_loop"):
        DigitClassifier(training_loop="fast").fit(X, y)


def test_graph_loop_scales_the_loss_under_mixed_precision(data):
    """Keras wraps the optimizer in a LossScaleOptimizer: the loop must scale as train_step does."""
    X, _, y = data
    params = dict(hidden_layer_sizes=(16,), epochs=6, random_state=0)
    single = DigitClassifier(**params).fit(X, y)
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        mixed = DigitClassifier(**params).fit(X, y)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert isinstance(mixed.model_.optimizer, keras.optimizers.LossScaleOptimizer)
    # unscaled updates follow the float32 run closely; unscaled by mistake, they would not
    np.testing.assert_allclose(mixed.history_["loss"], single.history_["loss"], atol=0.01)
