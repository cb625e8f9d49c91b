"""save_model / load_model / inspect_model: the .skdigits format and trusted pickles."""

import io
import json
import os
import pickle
import zipfile

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdigits import (
    DigitClassifier,
    ImageReshaper,
    PixelScaler,
    inspect_model,
    load_model,
    make_digit_pipeline,
    save_model,
)
from skdigits.exceptions import ModelFormatError, UntrustedModelError


@pytest.fixture(scope="module")
def saved(tmp_path_factory, fitted_pipeline):
    """The session's fitted pipeline saved once in the .skdigits format."""
    return save_model(fitted_pipeline, tmp_path_factory.mktemp("saved") / "model.skdigits")


def _rewrite(path, target, *, manifest=None, drop=(), replace=None):
    """Copy the zip at ``path`` to ``target`` with an edited manifest or members."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            data = src.read(info.filename)
            if info.filename == "manifest.json" and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            if replace and info.filename in replace:
                data = replace[info.filename]
            dst.writestr(info, data)
    return target


def _classifier_node(manifest):
    return dict(manifest["estimator"]["steps"])["classifier"]


# -- round trips ---------------------------------------------------------------
def test_round_trip_keeps_probabilities(saved, fitted_pipeline, small_split):
    _, X_test, _, y_test = small_split
    restored = load_model(saved)
    np.testing.assert_allclose(
        restored.predict_proba(X_test), fitted_pipeline.predict_proba(X_test), rtol=0, atol=1e-6
    )
    assert restored.score(X_test, y_test) == fitted_pipeline.score(X_test, y_test)
    assert os.listdir(os.path.dirname(saved)) == ["model.skdigits"]


def test_loaded_pipeline_clones_and_has_the_same_parameters(saved, fitted_pipeline):
    restored = load_model(saved)
    assert repr(clone(restored)) == repr(clone(fitted_pipeline))
    original = fitted_pipeline["classifier"]
    loaded = restored["classifier"]
    assert loaded.get_params() == original.get_params()
    np.testing.assert_array_equal(loaded.classes_, original.classes_)
    assert loaded.n_features_in_ == original.n_features_in_
    assert dict(loaded.history_) == dict(original.history_)


def test_further_partial_fit_matches_the_original(saved, small_split):
    X_train, X_test, y_train, _ = small_split
    original = load_model(saved)  # two independent copies of the same model
    restored = load_model(saved)
    Z = original[:-1].transform(X_train[:200])
    original["classifier"].partial_fit(Z, y_train[:200])
    restored["classifier"].partial_fit(Z, y_train[:200])
    np.testing.assert_allclose(
        restored.predict_proba(X_test), original.predict_proba(X_test), atol=1e-6
    )


def test_raw_image_pipeline_and_bare_classifier_round_trip(tmp_path, small_split):
    X_train, X_test, y_train, _ = small_split
    pipe = make_digit_pipeline(
        raw_images=True, hidden_layer_sizes=(16,), epochs=1, random_state=0
    ).fit(X_train[:200], y_train[:200])
    restored = load_model(save_model(pipe, tmp_path / "raw.skdigits"))
    assert list(restored.named_steps) == ["normalize", "scaler", "reshape", "classifier"]
    np.testing.assert_allclose(
        restored.predict_proba(X_test[:20]), pipe.predict_proba(X_test[:20]), atol=1e-6
    )

    X = X_train[:200].reshape(200, -1) / 255.0
    clf = DigitClassifier(
        hidden_layer_sizes=(8,), epochs=1, random_state=0, class_weight={0: 2.0}
    ).fit(X, y_train[:200])
    loaded = load_model(save_model(clf, tmp_path / "clf.skdigits"))
    assert loaded.class_weight == {0: 2.0}
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), atol=1e-6)


def test_unfitted_estimators_round_trip(tmp_path):
    pipe = make_digit_pipeline(hidden_layer_sizes=(32, 16), dropout=(0.1, 0.2), random_state=3)
    restored = load_model(save_model(pipe, tmp_path / "unfitted.skdigits"))
    assert repr(restored) == repr(pipe)
    assert restored["classifier"].get_params() == pipe["classifier"].get_params()


@pytest.mark.parametrize("model_file", ["saved", "saved_float16_ensemble"])
def test_loading_never_unpickles(model_file, request, monkeypatch, small_split):
    saved = request.getfixturevalue(model_file)

    def refuse(*args, **kwargs):
        raise AssertionError("unpickling attempted")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    monkeypatch.setattr(joblib, "load", refuse)
    monkeypatch.setattr(np, "load", refuse)
    restored = load_model(saved)
    assert restored.predict(small_split[1][:3]).shape == (3,)


def test_manifest_holds_versions_steps_and_fitted_state(saved):
    manifest = inspect_model(saved)
    assert manifest["format"] == "skdigits-model"
    assert manifest["format_version"] == 2
    assert manifest["skdigits_version"]
    assert set(manifest["versions"]) >= {"sklearn", "keras", "tensorflow"}
    assert [name for name, _ in manifest["estimator"]["steps"]] == [
        "scaler",
        "reshape",
        "classifier",
    ]
    classifier = _classifier_node(manifest)
    assert classifier["params"]["epochs"] == 3
    assert classifier["fitted"]["classes_"]["__ndarray__"]["data"] == list(range(10))
    assert classifier["network"] in zipfile.ZipFile(saved).namelist()


# -- what the format refuses to write --------------------------------------------
def test_saving_an_unsupported_estimator_names_it_and_points_at_joblib(tmp_path):
    pipe = Pipeline([("std", StandardScaler()), ("reshape", ImageReshaper())])
    with pytest.raises(TypeError, match=r"model\['std'\].*StandardScaler.*joblib"):
        save_model(pipe, tmp_path / "model.skdigits")
    assert os.listdir(tmp_path) == []


def test_saving_callbacks_is_refused_with_a_clear_message(tmp_path):
    import keras

    clf = DigitClassifier(callbacks=[keras.callbacks.EarlyStopping()])
    with pytest.raises(TypeError, match="callbacks.*callbacks=None.*joblib"):
        save_model(clf, tmp_path / "clf.skdigits")
    assert os.listdir(tmp_path) == []


def test_joblib_name_writes_joblib(tmp_path):
    path = save_model(PixelScaler(), tmp_path / "scaler.joblib")
    assert joblib.load(path) is not None
    with pytest.raises(ValueError, match="format must be one of"):
        save_model(PixelScaler(), tmp_path / "x.skdigits", format="pickle")


# -- pickles need trust ------------------------------------------------------------
class _Trap:
    """Unpickling this writes a file: proof that code from the model file ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_crafted_pickle_is_refused_and_leaves_no_trace(tmp_path):
    marker = tmp_path / "pwned"
    for name in ("evil.joblib", "evil.pkl", "evil.skdigits"):
        path = tmp_path / name
        joblib.dump(_Trap(str(marker)), path)
        with pytest.raises(UntrustedModelError, match="pickle.*trusted=True"):
            load_model(path)
        assert not marker.exists()
    raw = tmp_path / "raw.pickle"
    raw.write_bytes(pickle.dumps(_Trap(str(marker))))
    with pytest.raises(UntrustedModelError, match="pickle"):
        load_model(raw)
    assert not marker.exists()


def test_trusted_loads_joblib_files(tmp_path, fitted_pipeline, small_split):
    path = save_model(fitted_pipeline, tmp_path / "model.joblib")
    restored = load_model(path, trusted=True)
    np.testing.assert_array_equal(
        restored.predict_proba(small_split[1]), fitted_pipeline.predict_proba(small_split[1])
    )


def test_trusted_truncated_joblib_is_a_clear_error(tmp_path, fitted_pipeline):
    path = save_model(fitted_pipeline, tmp_path / "model.joblib")
    data = open(path, "rb").read()
    with open(path, "wb") as handle:
        handle.write(data[: len(data) // 2])
    with pytest.raises(ValueError, match="corrupt, truncated"):
        load_model(path, trusted=True)


# -- damaged and tampered files -------------------------------------------------
def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file"):
        load_model(tmp_path / "nothing.skdigits")


@pytest.mark.parametrize("content", [b"", b"not a model at all"])
def test_a_file_that_is_no_model_is_refused(tmp_path, content):
    path = tmp_path / "bad.skdigits"
    path.write_bytes(content)
    with pytest.raises(UntrustedModelError, match="not a .skdigits model file"):
        load_model(path)


def test_truncated_skdigits_file(tmp_path, saved):
    data = open(saved, "rb").read()
    for cut in (len(data) // 2, len(data) - 10, 100):
        path = tmp_path / "cut.skdigits"
        path.write_bytes(data[:cut])
        with pytest.raises(ModelFormatError, match="damaged or truncated"):
            load_model(path)


def test_a_corrupted_member_is_a_clear_error(tmp_path, saved):
    data = bytearray(open(saved, "rb").read())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    path = tmp_path / "flipped.skdigits"
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFormatError):
        load_model(path)


def test_another_zip_is_not_a_model(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ModelFormatError, match="not a .skdigits model file"):
        load_model(path)


def _newer(manifest):
    manifest["format_version"] = 99
    manifest["skdigits_version"] = "9.0"
    return manifest


def _unknown_class(manifest):
    manifest["estimator"]["steps"][0][1]["class"] = "os.system"
    return manifest


def _wrong_shape(manifest):
    _classifier_node(manifest)["fitted"]["n_features_in_"] = 100
    return manifest


def _bad_array(manifest):
    _classifier_node(manifest)["fitted"]["classes_"]["__ndarray__"]["shape"] = [11]
    return manifest


def _object_dtype(manifest):
    _classifier_node(manifest)["fitted"]["classes_"]["__ndarray__"]["dtype"] = "|O"
    return manifest


def _unknown_parameter(manifest):
    _classifier_node(manifest)["params"]["from_the_future"] = 1
    return manifest


def _private_attribute(manifest):
    _classifier_node(manifest)["fitted"]["__class__"] = "x"
    return manifest


def _older(manifest):
    manifest["format_version"] = 0
    manifest["skdigits_version"] = "0.0.1"
    return manifest


@pytest.mark.parametrize(
    "edit, message",
    [
        (_newer, r"written by skdigits 9.0 in model format 99.*upgrade skdigits"),
        (
            _older,
            r"written by skdigits 0.0.1 in model format 0, which this skdigits .* cannot read",
        ),
        (_unknown_class, r"names class 'os.system', which is not one skdigits loads"),
        (_wrong_shape, r"network takes 784 inputs.*manifest says 100 features"),
        (_bad_array, r"array of shape \(11,\) needs 11 values"),
        (_object_dtype, r"dtype '\|O' is not allowed"),
        (_unknown_parameter, r"parameters \['from_the_future'\] that this skdigits"),
        (_private_attribute, r"bad fitted attribute '__class__'"),
    ],
)
def test_a_tampered_manifest_is_a_clear_error(tmp_path, saved, edit, message):
    path = _rewrite(saved, tmp_path / "tampered.skdigits", manifest=edit)
    with pytest.raises(ModelFormatError, match=message):
        load_model(path)


def test_a_missing_network_is_a_clear_error(tmp_path, saved):
    member = _classifier_node(inspect_model(saved))["network"]
    path = _rewrite(saved, tmp_path / "no-network.skdigits", drop={member})
    with pytest.raises(ModelFormatError, match="missing its network"):
        load_model(path)


def test_a_network_naming_foreign_code_is_refused_before_keras_sees_it(tmp_path, saved):
    member = _classifier_node(inspect_model(saved))["network"]
    with (
        zipfile.ZipFile(saved) as archive,
        zipfile.ZipFile(io.BytesIO(archive.read(member))) as inner,
    ):
        files = {name: inner.read(name) for name in inner.namelist()}
    config = json.loads(files["config.json"])
    config["config"]["layers"][1]["module"] = "os"
    files["config.json"] = json.dumps(config).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as inner:
        for name, data in files.items():
            inner.writestr(name, data)
    path = _rewrite(saved, tmp_path / "foreign.skdigits", replace={member: buffer.getvalue()})
    with pytest.raises(ModelFormatError, match="refers to module 'os'"):
        load_model(path)


def test_inspect_model_reads_no_network(tmp_path, saved):
    member = _classifier_node(inspect_model(saved))["network"]
    path = _rewrite(saved, tmp_path / "no-network.skdigits", drop={member})
    assert inspect_model(path)["estimator"]["class"] == "sklearn.pipeline.Pipeline"


def test_saved_files_get_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        path = save_model(PixelScaler(), tmp_path / "scaler.skdigits")
    finally:
        os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_failed_joblib_save_leaves_no_file(tmp_path):
    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError("cannot pickle")

    with pytest.raises(RuntimeError):
        save_model(Unpicklable(), tmp_path / "model.joblib")
    assert os.listdir(tmp_path) == []


def test_a_deeply_nested_manifest_is_a_clear_error(tmp_path, saved):
    with zipfile.ZipFile(saved) as src:
        manifest = json.loads(src.read("manifest.json"))
    text = json.dumps(manifest).replace(
        '"clip": false', '"clip": ' + "[" * 100_000 + "1" + "]" * 100_000
    )
    path = _rewrite(saved, tmp_path / "deep.skdigits", replace={"manifest.json": text.encode()})
    with pytest.raises(ModelFormatError, match="not valid JSON"):
        load_model(path)


# -- ensembles and float16 weights ---------------------------------------------------------
@pytest.fixture(scope="module")
def ensemble(small_split):
    """A pipeline ending in a soft-voting ensemble of three small networks (one dropped)."""
    from sklearn.ensemble import VotingClassifier

    X_train, _, y_train, _ = small_split
    members = [
        (
            f"net{seed}",
            DigitClassifier(hidden_layer_sizes=(16,), epochs=2, random_state=seed, verbose=0),
        )
        for seed in range(3)
    ]
    voting = VotingClassifier([*members, ("off", "drop")], voting="soft")
    steps = make_digit_pipeline().steps[:-1]
    return Pipeline([*steps, ("classifier", voting)]).fit(X_train, y_train)


@pytest.fixture(scope="module")
def saved_ensemble(tmp_path_factory, ensemble):
    return save_model(ensemble, tmp_path_factory.mktemp("ensemble") / "ensemble.skdigits")


@pytest.fixture(scope="module")
def saved_float16_ensemble(tmp_path_factory, ensemble):
    folder = tmp_path_factory.mktemp("float16")
    return save_model(
        ensemble, folder / "half.skdigits", include_optimizer=False, weights_dtype="float16"
    )


def test_a_soft_voting_ensemble_round_trips(saved_ensemble, ensemble, small_split):
    _, X_test, _, _ = small_split
    restored = load_model(saved_ensemble)
    np.testing.assert_allclose(
        restored.predict_proba(X_test), ensemble.predict_proba(X_test), rtol=0, atol=1e-6
    )
    voting = restored[-1]
    assert list(voting.named_estimators_) == ["net0", "net1", "net2", "off"]
    assert voting.named_estimators_["off"] == "drop"
    assert voting.named_estimators_["net1"] is voting.estimators_[1]
    assert voting.n_features_in_ == 784
    assert clone(restored).get_params()["classifier__net2__random_state"] == 2
    assert (
        len({m for m in zipfile.ZipFile(saved_ensemble).namelist() if m.startswith("networks/")})
        == 3
    )


def test_float16_weights_halve_the_file_and_keep_the_predictions(
    tmp_path, ensemble, small_split, saved_ensemble
):
    _, X_test, _, _ = small_split
    small = save_model(ensemble, tmp_path / "small.skdigits", include_optimizer=False)
    half = save_model(
        ensemble, tmp_path / "half.skdigits", include_optimizer=False, weights_dtype="float16"
    )
    weight_bytes = sum(
        w.nbytes for clf in ensemble[-1].estimators_ for w in clf.model_.get_weights()
    )
    assert os.path.getsize(half) < os.path.getsize(small) - 0.45 * weight_bytes
    restored = load_model(half)
    weights = restored[-1].estimators_[0].model_.get_weights()
    assert {w.dtype for w in weights} == {np.dtype("float32")}
    np.testing.assert_allclose(
        restored.predict_proba(X_test), ensemble.predict_proba(X_test), rtol=0, atol=5e-3
    )
    assert (restored.predict(X_test) == ensemble.predict(X_test)).mean() > 0.99


def test_float16_needs_the_optimizer_state_left_out(tmp_path, fitted_pipeline):
    with pytest.raises(ValueError, match="include_optimizer=False"):
        save_model(fitted_pipeline, tmp_path / "m.skdigits", weights_dtype="float16")
    with pytest.raises(ValueError, match="weights_dtype must be"):
        save_model(
            fitted_pipeline, tmp_path / "m.skdigits", include_optimizer=False, weights_dtype="int8"
        )
    assert not os.listdir(tmp_path)


def test_version_1_files_still_load(tmp_path, saved, small_split):
    def version_1(manifest):
        manifest["format_version"] = 1
        return manifest

    path = _rewrite(saved, tmp_path / "v1.skdigits", manifest=version_1)
    assert load_model(path).predict(small_split[1][:3]).shape == (3,)


def _voting_node(manifest):
    return _classifier_node(manifest)


def _member_of_another_class(manifest):
    members = _voting_node(manifest)["fitted"]["estimators_"]
    members[0] = {"__estimator__": {"class": "skdigits.PixelScaler", "params": {}, "fitted": {}}}
    return manifest


def _member_with_other_labels(manifest):
    member = _voting_node(manifest)["fitted"]["estimators_"][1]["__estimator__"]
    member["fitted"]["classes_"]["__ndarray__"]["data"][0] = 7
    return manifest


def _member_missing(manifest):
    _voting_node(manifest)["fitted"]["estimators_"].pop()
    return manifest


def _nested_foreign_class(manifest):
    _voting_node(manifest)["params"]["estimators"][0]["__tuple__"][1] = {
        "__estimator__": {"class": "subprocess.Popen", "params": {}}
    }
    return manifest


def _property_as_attribute(manifest):
    _voting_node(manifest)["fitted"]["n_features_in_"] = 5
    return manifest


@pytest.mark.parametrize(
    "edit, message",
    [
        (_member_of_another_class, r"one fitted DigitClassifier per member"),
        (
            _member_with_other_labels,
            r"member 'net1' does not predict the ensemble's 10 encoded labels",
        ),
        (_member_missing, r"one fitted DigitClassifier per member \(3\)"),
        (_nested_foreign_class, r"names class 'subprocess.Popen', which is not one skdigits loads"),
        (_property_as_attribute, r"bad fitted attribute 'n_features_in_'"),
    ],
)
def test_a_tampered_ensemble_is_a_clear_error(tmp_path, saved_ensemble, edit, message):
    path = _rewrite(saved_ensemble, tmp_path / "tampered.skdigits", manifest=edit)
    with pytest.raises(ModelFormatError, match=message):
        load_model(path)


# -- one opening of a file; one table of classes ---------------------------------------
def test_a_model_file_is_read_from_the_opening_that_sniffed_it(tmp_path, saved, small_split):
    from skdigits.persistence import ModelFile, sniff

    copy = tmp_path / "copy.skdigits"
    copy.write_bytes(open(saved, "rb").read())
    file = ModelFile(copy)
    assert (file.kind, os.fspath(file), str(file)) == ("skdigits", str(copy), str(copy))
    os.remove(copy)  # what load_model reads now is the opening ModelFile made
    restored = load_model(file)
    assert restored.predict(small_split[1][:3]).shape == (3,)
    with pytest.raises(ValueError, match="read or closed already"):
        file.read()
    pickled = save_model(PixelScaler(), tmp_path / "scaler.joblib")
    with ModelFile(pickled) as other:
        assert other.kind == sniff(pickled) == "pickle"
        with pytest.raises(ValueError, match="not a .skdigits model file"):
            other.read()
    with pytest.raises(FileNotFoundError, match="No model file"):
        ModelFile(tmp_path / "none.skdigits")


def test_a_class_is_one_entry_of_the_allow_list(tmp_path, monkeypatch):
    from skdigits.persistence import _format

    X = np.arange(12.0).reshape(4, 3)
    scaler = StandardScaler().fit(X)
    with pytest.raises(TypeError, match="StandardScaler"):
        save_model(scaler, tmp_path / "refused.skdigits")
    entry = _format._Handler("sklearn.preprocessing", "StandardScaler")
    monkeypatch.setitem(_format.ALLOWED_CLASSES, "sklearn.preprocessing.StandardScaler", entry)
    restored = load_model(save_model(scaler, tmp_path / "scaler.skdigits"))
    np.testing.assert_array_equal(restored.transform(X), scaler.transform(X))
