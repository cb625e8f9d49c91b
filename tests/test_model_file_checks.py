"""A shared .skdigits file is checked before it is built (issue 26).

Each crafted file of the issue's table is a regression test, through
``load_model`` and ``skdigits predict``; a fuzz test mutates every value of a
saved model's manifest and its network member, and load + predict either
works or fails with one line, within bounded memory.
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skdigits import load_mnist_sample, load_model, make_digit_pipeline, save_model
from skdigits.cli import main
from skdigits.exceptions import ImageError, ModelFormatError, UntrustedModelError

#: Peak memory a subprocess may reach while loading a crafted file and
#: predicting: TensorFlow and Keras take about 0.7 GB of it on their own.
PEAK_RSS_MB = 1600


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny raw-picture pipeline (8 hidden units, 1 epoch), saved, and a picture of a digit."""
    from PIL import Image

    X, y = load_mnist_sample(return_X_y=True)
    pipe = make_digit_pipeline(
        hidden_layer_sizes=(8,), epochs=1, random_state=0, raw_images=True, verbose=0
    ).fit(X[:300], y[:300])
    folder = tmp_path_factory.mktemp("tiny")
    path = str(save_model(pipe, folder / "tiny.skdigits", include_optimizer=False))
    picture = str(folder / "digit.png")
    Image.fromarray(255 - X[4900]).save(picture)
    three = make_digit_pipeline(hidden_layer_sizes=(4,), epochs=1, random_state=0, verbose=0)
    keep = np.isin(y[:300], [0, 1, 2])
    other = str(save_model(three.fit(X[:300][keep], y[:300][keep]), folder / "three.skdigits"))
    return {"path": path, "picture": picture, "folder": folder, "three": other}


def _rewrite(source, target, *, manifest=None, config=None, members=None):
    """Copy the zip ``source`` to ``target``, editing its manifest, network config or members."""
    with zipfile.ZipFile(source) as src:
        contents = {info.filename: src.read(info.filename) for info in src.infolist()}
    if manifest is not None:
        edited = json.loads(contents["manifest.json"])
        manifest(edited)
        contents["manifest.json"] = json.dumps(edited).encode()
    if config is not None:
        contents["networks/0.keras"] = _edit_keras(contents["networks/0.keras"], config)
    if members is not None:
        contents = members(contents)
    with zipfile.ZipFile(target, "w") as dst:
        for name, data in contents.items():
            dst.writestr(name, data)
    return str(target)


def _edit_keras(data, config):
    with zipfile.ZipFile(io.BytesIO(data)) as inner:
        parts = {info.filename: inner.read(info.filename) for info in inner.infolist()}
    edited = json.loads(parts["config.json"])
    config(edited)
    parts["config.json"] = json.dumps(edited).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as inner:
        for name, part in parts.items():
            inner.writestr(name, part)
    return out.getvalue()


def _step(manifest, name):
    return dict(manifest["estimator"]["steps"])[name]


def _param(step, key, value):
    def edit(manifest):
        _step(manifest, step)["params"][key] = value

    return edit


def _duplicate_classes(manifest):
    classes = _step(manifest, "classifier")["fitted"]["classes_"]["__ndarray__"]
    classes["data"][8] = 7


def _reshape_to_images(manifest):
    reshape = _step(manifest, "reshape")
    reshape["params"]["target_shape"] = {"__tuple__": [28, 28]}
    reshape["fitted"]["output_shape_"] = {"__tuple__": [28, 28]}


def _scaler_named_normalize(manifest):
    steps = manifest["estimator"]["steps"]
    steps[0][1] = steps[1][1]


# -- the table, row by row ---------------------------------------------------
ROWS = [
    pytest.param(
        _param("normalize", "box_size", 100000),
        r"model\['normalize'\]\.box_size is 100000: .*must be an int in the range \[1, 28\]",
        id="box_size-100000",
    ),
    pytest.param(
        _param("normalize", "digit_size", "96"),
        r"model\['normalize'\]\.digit_size is '96': .*must be an int in the range \[8, 512\]",
        id="digit_size-string",
    ),
    pytest.param(
        _param("scaler", "feature_range", {"__tuple__": ["a", "b"]}),
        r"model\['scaler'\]\.feature_range is \[\"a\", \"b\"\]; expected a pair of numbers",
        id="feature_range-strings",
    ),
    pytest.param(
        _param("classifier", "predict_batch_size", "a"),
        r"model\['classifier'\]\.predict_batch_size is 'a': .*must be an int in the range \[1",
        id="predict_batch_size-a",
    ),
    pytest.param(
        _param("classifier", "predict_batch_size", 0),
        r"model\['classifier'\]\.predict_batch_size is 0: .*must be an int in the range \[1",
        id="predict_batch_size-0",
    ),
    pytest.param(
        _duplicate_classes,
        r"model\['classifier'\]\.classes_ must hold distinct labels in sorted order",
        id="duplicate-classes",
    ),
    pytest.param(
        _reshape_to_images,
        r"model\['classifier'\] takes rows of 784 values, but the step before gives samples "
        r"of shape \(28, 28\)",
        id="reshape-output-not-the-network-input",
    ),
    pytest.param(
        _scaler_named_normalize,
        r"model\['normalize'\] holds a PixelScaler, but make_digit_pipeline's step "
        r"'normalize' is a DigitImageNormalizer",
        id="normalize-step-holding-a-scaler",
    ),
]


def _one_line_error(capsys, needle):
    err = capsys.readouterr().err
    assert err.startswith("skdigits: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert needle in err, err


@pytest.mark.parametrize("edit, message", ROWS)
def test_a_crafted_file_of_the_table_is_refused_in_one_line(
    tiny, tmp_path, capsys, empty_data_home, edit, message
):
    path = _rewrite(tiny["path"], tmp_path / "crafted.skdigits", manifest=edit)
    with pytest.raises(ModelFormatError, match=message) as refused:
        load_model(path)
    assert "\n" not in str(refused.value)
    assert main(["predict", "--model", path, tiny["picture"]]) == 1
    _one_line_error(capsys, "crafted.skdigits")
    assert main(["inspect", path]) == 0  # the manifest is still shown, nothing is built
    capsys.readouterr()


def test_the_untouched_file_loads_and_predicts(tiny, capsys, empty_data_home):
    assert main(["predict", "--model", tiny["path"], tiny["picture"]]) == 0
    assert "digit.png" in capsys.readouterr().out


# -- bounded memory, in a subprocess ---------------------------------------------------
_PROBE = textwrap.dedent(
    """
    import json, sys, warnings
    warnings.simplefilter("ignore")
    from skdigits import load_model
    from skdigits.exceptions import ImageError, ModelFormatError, UntrustedModelError
    picture, paths = sys.argv[1], sys.argv[2:]
    for path in paths:
        try:
            model = load_model(path)
            try:
                model.predict_proba([picture])
            except ImageError:
                pass
            outcome = "works"
        except (ModelFormatError, UntrustedModelError) as exc:
            outcome = "refused: " + str(exc)
        except BaseException as exc:
            outcome = "CRASH: " + type(exc).__name__ + ": " + str(exc)
        print(json.dumps([path, outcome]), flush=True)
    """
)


def _peak_rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _probe_bounded(picture, paths, limit_mb=PEAK_RSS_MB, timeout=300):
    """Outcome of load + predict for each file, in a subprocess stopped above ``limit_mb``."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    # files, not pipes: a child blocked on a full pipe would never finish
    out_file, err_file = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
    child = subprocess.Popen(
        [sys.executable, "-c", _PROBE, picture, *paths],
        stdout=out_file,
        stderr=err_file,
        text=True,
        env=env,
    )
    peak, start = 0, time.monotonic()
    while child.poll() is None:
        peak = max(peak, _peak_rss_mb(child.pid))
        if peak > limit_mb or time.monotonic() - start > timeout:
            child.kill()  # the child this test started, by its own handle
            child.wait()
            break
        time.sleep(0.02)
    child.wait()
    out_file.seek(0), err_file.seek(0)
    out, err = out_file.read(), err_file.read()
    out_file.close(), err_file.close()
    results = dict(json.loads(line) for line in out.splitlines() if line.startswith("["))
    assert peak <= limit_mb, f"peak memory over {limit_mb} MB ({peak} MB) after {results}"
    assert child.returncode == 0, err[-2000:]
    return results


def _assert_refused_or_works(results):
    for path, outcome in results.items():
        assert not outcome.startswith("CRASH"), (path, outcome)
        assert "\n" not in outcome, (path, outcome)


def test_a_dense_layer_of_a_million_units_is_refused_within_bounded_memory(tiny, tmp_path):
    """The table's first row: a small file declaring a huge layer."""

    def million_units(config):
        for layer in config["config"]["layers"]:
            if layer["class_name"] == "Dense":
                layer["config"]["units"] = 1_000_000
                return

    path = _rewrite(tiny["path"], tmp_path / "million.skdigits", config=million_units)
    assert os.path.getsize(path) < 100_000
    results = _probe_bounded(tiny["picture"], [path])
    assert results[path].startswith("refused: "), results


#: Numbers far too large for any setting, and bombs of the array format.
_HUGE_EDITS = {
    "box_size": _param("normalize", "box_size", 10**18),
    "digit_size": _param("normalize", "digit_size", 10**18),
    "predict_batch_size": _param("classifier", "predict_batch_size", 10**18),
    "hidden_layer_sizes": _param("classifier", "hidden_layer_sizes", {"__tuple__": [10**12]}),
    "target_shape": _param("reshape", "target_shape", {"__tuple__": [10**12]}),
}


def _fitted(step, key, value):
    def edit(manifest):
        _step(manifest, step)["fitted"][key] = value

    return edit


_HUGE_EDITS.update(
    {
        "n_features_in_": _fitted("classifier", "n_features_in_", 10**12),
        "input_shape_": _fitted("scaler", "input_shape_", {"__tuple__": [10**6, 10**6]}),
        "output_shape_": _fitted("reshape", "output_shape_", {"__tuple__": [10**12]}),
        "array-shape": _fitted(
            "classifier",
            "classes_",
            {"__ndarray__": {"dtype": "<i8", "shape": [10**9, 10**9], "data": [0]}},
        ),
        "array-itemsize": _fitted(
            "classifier",
            "classes_",
            {"__ndarray__": {"dtype": "<U1000000000", "shape": [10], "data": list("0123456789")}},
        ),
        "scale_": _fitted("scaler", "scale_", 1e308),
        "data_max_": _fitted("scaler", "data_max_", 1e308),
    }
)


def test_huge_values_load_within_bounded_memory(tiny, tmp_path):
    paths = {
        name: _rewrite(tiny["path"], tmp_path / f"{name}.skdigits", manifest=edit)
        for name, edit in _HUGE_EDITS.items()
    }
    results = _probe_bounded(tiny["picture"], list(paths.values()))
    _assert_refused_or_works(results)
    for name in ("box_size", "digit_size", "n_features_in_", "array-shape", "array-itemsize"):
        assert results[paths[name]].startswith("refused: "), (name, results[paths[name]])


# -- the fuzz test -----------------------------------------------------------------------
def _value_paths(value, trail=()):
    """Every position in a manifest (JSON path), containers included."""
    yield trail
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _value_paths(sub, (*trail, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _value_paths(sub, (*trail, i))


def _other_type(value):
    if isinstance(value, bool):
        return "true"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return 1
    return 0 if isinstance(value, (list, dict)) else True


def _empty(value):
    return {} if isinstance(value, dict) else [] if isinstance(value, list) else ""


#: How each value is mutated: the issue's list.
MUTATIONS = {
    "wrong type": _other_type,
    "empty": _empty,
    "negative": lambda value: -1,
    "huge": lambda value: 10**18,
    "huge float": lambda value: 1e308,
    "nan": lambda value: {"__float__": "nan"},
    "long string": lambda value: "x" * 100_000,
    "nested object": lambda value: {"a": {"b": [{"c": None}]}},
    "null": lambda value: None,
}
#: Mutations run in the test's own process (the huge ones run in a subprocess).
IN_PROCESS = [name for name in MUTATIONS if not name.startswith("huge")]


def _mutated(manifest, trail, mutation):
    edited = json.loads(json.dumps(manifest))
    if not trail:
        return MUTATIONS[mutation](edited)
    parent = edited
    for key in trail[:-1]:
        parent = parent[key]
    parent[trail[-1]] = MUTATIONS[mutation](parent[trail[-1]])
    return edited


@pytest.fixture(scope="module")
def manifest_paths(tiny):
    with zipfile.ZipFile(tiny["path"]) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    return manifest, list(_value_paths(manifest))


def _write_manifest(source, target, manifest):
    def replace(contents):
        contents["manifest.json"] = json.dumps(manifest).encode()
        return contents

    return _rewrite(source, target, members=replace)


def _load_and_predict(path, picture):
    """ "works" or "refused"; any other exception, or a message of two lines, fails the test."""
    try:
        model = load_model(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a changed setting may warn, as it would in fit
            try:
                model.predict_proba([picture])
            except ImageError:
                pass  # the picture's ink not found with the file's settings: an answer
    except (ModelFormatError, UntrustedModelError) as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 1000, message
        return "refused"
    return "works"


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzz_a_mutated_manifest_loads_or_is_refused_in_one_line(tiny, manifest_paths, data):
    manifest, paths = manifest_paths
    trail = data.draw(st.sampled_from(paths), label="path")
    mutation = data.draw(st.sampled_from(IN_PROCESS), label="mutation")
    path = _write_manifest(
        tiny["path"], tiny["folder"] / "fuzzed.skdigits", _mutated(manifest, trail, mutation)
    )
    _load_and_predict(path, tiny["picture"])


@pytest.mark.slow
def test_fuzz_every_value_with_every_mutation(tiny, manifest_paths, tmp_path):
    manifest, paths = manifest_paths
    outcomes, failures = {}, []
    for i, trail in enumerate(paths):
        for mutation in IN_PROCESS:
            path = _write_manifest(
                tiny["path"], tmp_path / f"{i}.skdigits", _mutated(manifest, trail, mutation)
            )
            try:
                outcomes[trail, mutation] = _load_and_predict(path, tiny["picture"])
            except Exception as exc:  # collected, so that one run shows every failure
                failures.append(f"{trail} {mutation}: {type(exc).__name__}: {str(exc)[:300]}")
    assert not failures, "\n".join(failures)
    assert "refused" in outcomes.values() and "works" in outcomes.values()


@pytest.mark.slow
def test_fuzz_every_value_made_huge_within_bounded_memory(tiny, manifest_paths, tmp_path):
    manifest, paths = manifest_paths
    files = [
        _write_manifest(
            tiny["path"],
            tmp_path / f"{i}-{n}.skdigits",
            _mutated(manifest, trail, mutation),
        )
        for i, trail in enumerate(paths)
        for n, mutation in enumerate(("huge", "huge float"))
    ]
    _assert_refused_or_works(_probe_bounded(tiny["picture"], files, timeout=1200))


# -- the network member: truncated, swapped, resized ------------------------------------
def _network(contents):
    return contents["networks/0.keras"]


def _truncated(contents):
    contents["networks/0.keras"] = _network(contents)[: len(_network(contents)) // 2]
    return contents


def _inner(contents, edit):
    with zipfile.ZipFile(io.BytesIO(_network(contents))) as inner:
        parts = {info.filename: inner.read(info.filename) for info in inner.infolist()}
    parts = edit(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as inner:
        for name, part in parts.items():
            inner.writestr(name, part)
    contents["networks/0.keras"] = out.getvalue()
    return contents


def _weights_truncated(contents):
    def edit(parts):
        parts["model.weights.h5"] = parts["model.weights.h5"][:1000]
        return parts

    return _inner(contents, edit)


def _config_and_weights_swapped(contents):
    def edit(parts):
        parts["config.json"], parts["model.weights.h5"] = (
            parts["model.weights.h5"],
            parts["config.json"],
        )
        return parts

    return _inner(contents, edit)


def _manifest_and_network_swapped(contents):
    contents["manifest.json"], contents["networks/0.keras"] = (
        contents["networks/0.keras"],
        contents["manifest.json"],
    )
    return contents


def _padded(contents):
    contents["networks/0.keras"] = _network(contents) + b"\0" * 2**20
    return contents


def _emptied(contents):
    contents["networks/0.keras"] = b""
    return contents


MEMBER_EDITS = {
    "truncated": _truncated,
    "weights truncated": _weights_truncated,
    "config and weights swapped": _config_and_weights_swapped,
    "manifest and network swapped": _manifest_and_network_swapped,
    "padded by a megabyte": _padded,
    "emptied": _emptied,
}


@pytest.mark.parametrize("edit", list(MEMBER_EDITS.values()), ids=list(MEMBER_EDITS))
def test_a_damaged_network_member_is_refused_in_one_line(tiny, tmp_path, edit):
    path = _rewrite(tiny["path"], tmp_path / "member.skdigits", members=edit)
    _load_and_predict(path, tiny["picture"])


def _weights_of(other):
    def edit(contents):
        with zipfile.ZipFile(other) as archive:
            theirs = archive.read("networks/0.keras")
        with zipfile.ZipFile(io.BytesIO(theirs)) as inner:
            weights = inner.read("model.weights.h5")

        def swap(parts):
            parts["model.weights.h5"] = weights
            return parts

        return _inner(contents, swap)

    return edit


def _network_of(other):
    def edit(contents):
        with zipfile.ZipFile(other) as archive:
            contents["networks/0.keras"] = archive.read("networks/0.keras")
        return contents

    return edit


def test_a_network_of_another_size_is_refused_in_one_line(tiny, tmp_path):
    """Another model's network (4 hidden units, 3 classes) in place, or its weights only."""
    for name, edit in (
        ("network", _network_of(tiny["three"])),
        ("weights", _weights_of(tiny["three"])),
    ):
        path = _rewrite(tiny["path"], tmp_path / f"{name}.skdigits", members=edit)
        assert _load_and_predict(path, tiny["picture"]) == "refused", name


def test_a_file_naming_a_cache_folder_is_refused(tiny, tmp_path):
    # joblib's Memory unpickles what it finds in its folder on the next fit: a
    # shared file must not be able to point a pipeline at a folder of pickles
    def cache(manifest):
        manifest["estimator"]["params"]["memory"] = str(tmp_path / "planted-cache")

    crafted = _rewrite(tiny["path"], tmp_path / "cache.skdigits", manifest=cache)
    with pytest.raises(ModelFormatError, match="memory is .*planted-cache.*memory must be null"):
        load_model(crafted)


def test_a_pipeline_with_a_cache_folder_is_not_saved(tiny, tmp_path):
    pipe = load_model(tiny["path"]).set_params(memory=str(tmp_path / "cache"))
    with pytest.raises(TypeError, match=r"holds no cache folder.*set_params\(memory=None\)"):
        save_model(pipe, tmp_path / "m.skdigits")
    assert not (tmp_path / "m.skdigits").exists()
