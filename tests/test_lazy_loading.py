"""Loading to predict without TensorFlow: our checked .keras reader and the lazy model_."""

import io
import json
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from skdigits import DigitClassifier, load_model, save_model
from skdigits.exceptions import ModelFormatError

# The activations skdigits' NumPy forward pass runs, as Keras names them.
NUMPY_ACTIVATIONS = [
    "linear",
    "relu",
    "tanh",
    "sigmoid",
    "softmax",
    "elu",
    "selu",
    "softplus",
    "silu",
    "swish",
    "gelu",
    "softsign",
    "relu6",
    "leaky_relu",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "mish",
    "exponential",
]


def _run(code, *args):
    """Run ``code`` in a fresh Python; its stdout lines."""
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()


@pytest.fixture(scope="module")
def saved(tmp_path_factory, fitted_pipeline):
    return Path(save_model(fitted_pipeline, tmp_path_factory.mktemp("lazy") / "model.skdigits"))


def _edit_network(path, target, edit):
    """Copy the model file at ``path`` to ``target``, its first network's zip edited.

    ``edit(members) -> members`` gets and returns the network's members as
    ``{name: bytes}``.
    """
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "networks/0.keras":
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    members = {name: inner.read(name) for name in inner.namelist()}
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
                    for name, content in edit(members).items():
                        out.writestr(name, content)
                data = buffer.getvalue()
            dst.writestr(info, data)
    return target


def _with_weights(members, change):
    """The members with ``change(h5_file)`` applied to a copy of the weights file."""
    import h5py

    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "r+") as weights:
        change(weights)
    return {**members, "model.weights.h5": buffer.getvalue()}


# -- no TensorFlow -----------------------------------------------------------------
def test_loading_and_predicting_imports_no_tensorflow(saved, fitted_pipeline, small_split):
    X_test = small_split[1][:50]
    np.save(saved.parent / "X.npy", X_test)
    out = _run(
        "import sys, numpy as np\n"
        "from skdigits import load_model\n"
        "model = load_model(sys.argv[1])\n"
        "np.save(sys.argv[2], model.predict_proba(np.load(sys.argv[3])))\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'scikeras') if m in sys.modules))\n",
        saved,
        saved.parent / "proba.npy",
        saved.parent / "X.npy",
    )
    assert out[-1] == "[]"
    np.testing.assert_allclose(
        np.load(saved.parent / "proba.npy"),
        fitted_pipeline.predict_proba(X_test),
        rtol=0,
        atol=1e-6,
    )


def test_load_pretrained_imports_no_tensorflow():
    out = _run(
        "import sys, skdigits\n"
        "pipe = skdigits.load_pretrained()\n"
        "X, y = skdigits.load_mnist_sample(return_X_y=True)\n"
        "print((pipe.predict(X[:200]) == y[:200]).mean())\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'scikeras') if m in sys.modules))\n"
    )
    assert float(out[0]) > 0.97
    assert out[-1] == "[]"


def test_evaluating_and_summarising_a_loaded_model_imports_no_tensorflow(
    saved, fitted_pipeline, small_split
):
    # evaluate's n_parameters and the report's layer table come from the file
    X_test, y_test = small_split[1][:50], small_split[3][:50]
    np.save(saved.parent / "Xe.npy", X_test)
    np.save(saved.parent / "ye.npy", y_test)
    out = _run(
        "import json, sys, numpy as np\n"
        "from skdigits import evaluate, load_model\n"
        "from skdigits.reporting._report import model_summary\n"
        "model = load_model(sys.argv[1])\n"
        "result = evaluate(model, np.load(sys.argv[2]), np.load(sys.argv[3]))\n"
        "print(json.dumps([result['n_parameters'], model_summary(model)['layers']]))\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'scikeras') if m in sys.modules))\n",
        saved,
        saved.parent / "Xe.npy",
        saved.parent / "ye.npy",
    )
    assert out[-1] == "[]"
    n_parameters, layers = json.loads(out[0])
    keras_model = fitted_pipeline["classifier"].model_
    assert n_parameters == keras_model.count_params()
    from skdigits.reporting._report import model_summary

    assert layers == model_summary(fitted_pipeline)["layers"]  # as Keras' layers give it
    assert [layer["type"] for layer in layers] == [type(x).__name__ for x in keras_model.layers]


# -- the same probabilities as Keras -------------------------------------------------
@pytest.mark.parametrize("activation", NUMPY_ACTIVATIONS)
def test_numpy_path_matches_keras_for_every_activation(tmp_path, small_split, activation):
    X_train, X_test, y_train, _ = small_split
    X_train = X_train[:60].reshape(60, -1) / 255.0
    X_test = X_test[:40].reshape(40, -1) / 255.0
    clf = DigitClassifier(
        hidden_layer_sizes=(12, 6), activations=activation, epochs=1, random_state=0
    ).fit(X_train, y_train[:60])
    loaded = load_model(save_model(clf, tmp_path / "m.skdigits"))
    assert "model_" not in vars(loaded)  # predicting reads the weights from the file
    proba = loaded.predict_proba(X_test)
    assert "model_" not in vars(loaded)
    keras_proba = clf.model_.predict(X_test.astype(np.float32), verbose=0)
    np.testing.assert_allclose(proba, keras_proba, rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        proba, loaded.model_.predict(X_test.astype(np.float32), verbose=0), rtol=0, atol=1e-6
    )


def test_a_batch_of_several_forward_blocks_matches_keras(tmp_path, small_split):
    from skdigits.model._inference import BLOCK_ROWS

    X_train, _, y_train, _ = small_split
    clf = DigitClassifier(hidden_layer_sizes=(32,), epochs=1, random_state=0)
    clf.fit(X_train[:100].reshape(100, -1) / 255.0, y_train[:100])
    loaded = load_model(save_model(clf, tmp_path / "m.skdigits"))
    rows = np.random.default_rng(0).random((2 * BLOCK_ROWS + 7, 784), dtype=np.float32)
    proba = loaded.predict_proba(rows)  # three blocks, the last of 7 rows
    assert proba.shape == (len(rows), 10) and proba.dtype == np.float32
    np.testing.assert_allclose(proba, clf.model_.predict(rows, verbose=0), rtol=0, atol=1e-6)
    np.testing.assert_allclose(proba[-7:], loaded.predict_proba(rows[-7:]), rtol=0, atol=1e-6)


def test_a_network_numpy_cannot_run_says_so_and_predicts_through_keras(tmp_path, small_split):
    X_train, X_test, y_train, _ = small_split
    X_train = X_train[:60].reshape(60, -1) / 255.0
    clf = DigitClassifier(hidden_layer_sizes=(8,), activations="celu", epochs=1, random_state=0)
    clf.fit(X_train, y_train[:60])
    path = save_model(clf, tmp_path / "m.skdigits")
    with pytest.warns(UserWarning, match="'celu' has no NumPy forward pass.*through Keras"):
        loaded = load_model(path)
    assert "model_" in vars(loaded)
    X_test = X_test[:10].reshape(10, -1) / 255.0
    np.testing.assert_allclose(
        loaded.predict_proba(X_test), clf.predict_proba(X_test), rtol=0, atol=1e-6
    )


# -- the lazy model_ ---------------------------------------------------------------
def test_model_is_built_when_asked_for(saved, fitted_pipeline, small_split):
    X_test = small_split[1][:20]
    restored = load_model(saved)
    clf = restored["classifier"]
    assert "model_" not in vars(clf) and clf.__sklearn_is_fitted__()
    assert clf.get_params() == fitted_pipeline["classifier"].get_params()
    assert repr(clone(restored)) == repr(clone(fitted_pipeline))
    fast = restored.predict_proba(X_test)
    model = clf.model_  # built with Keras now, from the same file
    assert clf.model_ is model and "model_" in vars(clf)
    assert model.count_params() == fitted_pipeline["classifier"].model_.count_params()
    np.testing.assert_array_equal(restored.predict_proba(X_test), fast)


def test_a_lazily_loaded_classifier_pickles(saved, small_split):
    X_test = small_split[1][:20]
    restored = load_model(saved)
    proba = restored.predict_proba(X_test)
    copy = pickle.loads(pickle.dumps(restored))
    assert "model_" not in vars(copy["classifier"])
    np.testing.assert_array_equal(copy.predict_proba(X_test), proba)
    assert copy["classifier"].model_.count_params() > 0


def test_a_loaded_classifier_fits_again_and_warm_starts(saved, small_split):
    X_train, X_test, y_train, _ = small_split
    restored = load_model(saved)
    Z = restored[:-1].transform(X_train[:100])
    before = restored.predict_proba(X_test[:10])
    clf = restored["classifier"].set_params(warm_start=True, epochs=1)
    clf.fit(Z, y_train[:100])  # goes on from the loaded weights
    assert "model_" in vars(clf) and "_stored_network" not in vars(clf)
    assert not np.allclose(restored.predict_proba(X_test[:10]), before)
    fresh = load_model(saved)["classifier"].set_params(epochs=1)
    fresh.fit(Z, y_train[:100])  # a new network: nothing from the file left over
    assert "_stored_network" not in vars(fresh)


def test_the_scikeras_stand_in_knows_every_scikeras_name():
    from scikeras.wrappers import KerasClassifier as ScikerasClassifier

    from skdigits.model._scikeras import SCIKERAS_NAMES

    names = {
        name
        for cls in ScikerasClassifier.__mro__
        if cls.__module__.startswith("scikeras")
        for name in vars(cls)
        if not (name.startswith("__") and name.endswith("__"))
    }
    own = {"predict", "predict_proba", "score", "fit", "set_params", "_get_param_names"}
    own |= {"_estimator_type", "_predict_raw", "_validate_data", "target_encoder"}
    assert names - own <= SCIKERAS_NAMES


# -- hostile networks (issue 27) -------------------------------------------------------
def _set_nan(weights):
    weights["layers/dense/vars/0"][0, 0] = np.nan


def _set_inf(weights):
    weights["layers/dense/vars/1"][0] = np.inf


@pytest.mark.parametrize("change", [_set_nan, _set_inf], ids=["nan", "inf"])
def test_weights_that_are_not_finite_are_refused(tmp_path, saved, change):
    path = _edit_network(saved, tmp_path / "bad.skdigits", lambda m: _with_weights(m, change))
    with pytest.raises(ModelFormatError, match="NaN or infinite weights"):
        load_model(path)


def test_a_tampered_weights_member_is_refused(tmp_path, saved):
    def garbage(members):
        return {**members, "model.weights.h5": b"\x89HDF\r\n\x1a\n" + b"\0" * 4000}

    def reshaped(members):
        def change(weights):
            del weights["layers/dense/vars/1"]
            weights["layers/dense/vars/1"] = np.zeros(3, dtype=np.float32)

        return _with_weights(members, change)

    def linked(members):
        import h5py

        def change(weights):
            del weights["layers/dense/vars/0"]
            weights["layers/dense/vars/0"] = h5py.ExternalLink("/etc/passwd", "/x")

        return _with_weights(members, change)

    def swollen(members):  # declares far more data than the file holds
        def change(weights):
            weights.create_dataset("layers/dense/vars/9", shape=(2**20, 2**10), dtype="f4")

        return _with_weights(members, change)

    for edit, message in [
        (garbage, "not a readable weights file"),
        (reshaped, "not of shape"),
        (linked, "links /layers/dense/vars/0 elsewhere"),
        (swollen, "declare more data than the file holds"),
    ]:
        path = _edit_network(saved, tmp_path / f"{edit.__name__}.skdigits", edit)
        with pytest.raises(ModelFormatError, match=message):
            load_model(path)


def test_assets_in_a_network_are_refused(tmp_path, saved):
    path = _edit_network(
        saved, tmp_path / "assets.skdigits", lambda m: {**m, "assets/a.bin": b"x" * 1000}
    )
    with pytest.raises(ModelFormatError, match="unexpected member 'assets/a.bin'"):
        load_model(path)


def _memory_of_loading(path):
    """The message and the peak memory (MB) above start of loading ``path``, in a fresh Python."""
    out = _run(
        "import resource, sys\n"
        "from skdigits import load_model\n"
        "from skdigits.exceptions import ModelFormatError\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    load_model(sys.argv[1])\n"
        "except ModelFormatError as exc:\n"
        "    print(exc)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)\n",
        path,
    )
    return out[0], int(out[-1])


def _zip_with_bomb(target, entries, bomb_name, bomb_size):
    """Write ``entries`` (name -> bytes) and a deflated member of ``bomb_size`` zeros."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        with archive.open(bomb_name, "w", force_zip64=True) as member:
            block = b"\0" * 2**20
            for _ in range(bomb_size // len(block)):
                member.write(block)
    return target


def test_a_network_member_that_inflates_a_thousand_times_is_refused_in_bounded_memory(
    tmp_path, saved
):
    with zipfile.ZipFile(saved) as src:
        entries = {name: src.read(name) for name in src.namelist() if name != "networks/0.keras"}
    path = _zip_with_bomb(tmp_path / "bomb.skdigits", entries, "networks/0.keras", 1 << 30)
    assert path.stat().st_size < 4 << 20
    message, megabytes = _memory_of_loading(path)
    assert "more than 100 times: a zip bomb" in message
    assert megabytes < 100


def test_a_config_that_inflates_hugely_is_refused_in_bounded_memory(tmp_path, saved):
    with zipfile.ZipFile(saved) as src:
        network = src.read("networks/0.keras")
        entries = {name: src.read(name) for name in src.namelist()}
    with zipfile.ZipFile(io.BytesIO(network)) as inner:
        members = {n: inner.read(n) for n in inner.namelist() if n != "config.json"}
    buffer = io.BytesIO()
    _zip_with_bomb(buffer, members, "config.json", 256 << 20)
    entries["networks/0.keras"] = buffer.getvalue()
    path = tmp_path / "config-bomb.skdigits"
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in entries.items():
            dst.writestr(name, data)
    message, megabytes = _memory_of_loading(path)
    assert "config.json is 268,435,456 bytes uncompressed, too large" in message
    assert megabytes < 100


def test_a_manifest_array_of_huge_strings_is_refused_in_bounded_memory(tmp_path, saved):
    def huge(manifest):
        node = dict(manifest["estimator"]["steps"])["classifier"]
        node["fitted"]["classes_"] = {
            "__ndarray__": {
                "dtype": "<U10000000",
                "shape": [50],
                "data": [str(i) for i in range(50)],
            }
        }
        return manifest

    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(tmp_path / "u.skdigits", "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "manifest.json":
                data = json.dumps(huge(json.loads(data))).encode()
            dst.writestr(info, data)
    message, megabytes = _memory_of_loading(tmp_path / "u.skdigits")
    assert "<U10000000" in message
    assert megabytes < 100
