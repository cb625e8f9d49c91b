"""The command line with shared model files, and every user mistake as one line."""

import json
import os
import subprocess
import sys

import joblib
import numpy as np
import pytest

from skdigits import PixelScaler, load_mnist_sample, make_digit_pipeline, save_model
from skdigits.cli import main

from ._data import write_idx_set


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    X, y = load_mnist_sample(return_X_y=True)
    return make_digit_pipeline(hidden_layer_sizes=(16,), epochs=1, random_state=0).fit(
        X[:600], y[:600]
    )


@pytest.fixture(scope="module")
def model_file(fitted, tmp_path_factory):
    return str(save_model(fitted, tmp_path_factory.mktemp("model") / "model.skdigits"))


@pytest.fixture(scope="module")
def picture(tmp_path_factory):
    from ._photos import photograph

    X, y = load_mnist_sample(return_X_y=True)
    seven = 4900 + int(np.flatnonzero(y[4900:] == 7)[0])  # a held-out 7
    path = tmp_path_factory.mktemp("pictures") / "seven.jpg"
    photograph(X[seven], 7).save(path)
    return str(path)


class _Trap:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _one_line_error(capsys, *needles):
    err = capsys.readouterr().err
    assert err.startswith("skdigits: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    return err


# -- which file is the model --------------------------------------------------------
def test_predict_takes_a_skdigits_first_argument_as_the_model(
    model_file, picture, capsys, empty_data_home
):
    assert main(["predict", model_file, picture]) == 0
    out = capsys.readouterr().out
    assert "seven.jpg" in out and "No default model" not in out


def test_predict_never_takes_a_pickle_by_its_name(
    tmp_path, picture, capsys, empty_data_home, model_file
):
    marker = tmp_path / "pwned"
    evil = tmp_path / "readme.pkl"
    joblib.dump(_Trap(str(marker)), evil)
    status = main(["predict", "--model", model_file, str(evil), picture, "--json"])
    results = json.loads(capsys.readouterr().out)
    assert status == 1 and not marker.exists()
    assert "pickle (joblib) file, not a picture; it was not loaded" in results[0]["error"]
    assert "digit" in results[1]


def test_a_pickle_model_needs_allow_pickle(tmp_path, fitted, picture, capsys, empty_data_home):
    path = save_model(fitted, tmp_path / "old.joblib")
    assert main(["predict", "--model", path, picture]) == 1
    _one_line_error(capsys, "pickle", "--allow-pickle")
    assert main(["predict", "--model", path, "--allow-pickle", picture]) == 0
    assert main(["evaluate", path, "--data", "sample"]) == 1
    _one_line_error(capsys, "--allow-pickle")
    assert main(["evaluate", path, "--data", "sample", "--allow-pickle"]) == 0


def test_a_crafted_pickle_runs_nothing_through_the_cli(tmp_path, picture, capsys, empty_data_home):
    marker = tmp_path / "pwned"
    evil = tmp_path / "model.joblib"
    joblib.dump(_Trap(str(marker)), evil)
    for argv in (
        ["predict", "--model", str(evil), picture],
        ["evaluate", str(evil)],
        ["report", str(evil), "--out", str(tmp_path / "r")],
    ):
        assert main(argv) == 1
        _one_line_error(capsys, "pickle")
    assert not marker.exists() and not (tmp_path / "r").exists()


def test_a_model_file_that_is_not_a_pipeline(tmp_path, picture, capsys, empty_data_home):
    path = save_model(PixelScaler(), tmp_path / "scaler.skdigits")
    assert main(["evaluate", path, "--data", "sample"]) == 1
    _one_line_error(capsys, "holds a PixelScaler, not a classifier or pipeline")
    assert main(["predict", "--model", path, picture]) == 1
    _one_line_error(capsys, "holds a PixelScaler")
    unfitted = save_model(make_digit_pipeline(), tmp_path / "unfitted.skdigits")
    assert main(["evaluate", unfitted, "--data", "sample"]) == 1
    _one_line_error(capsys, "unfitted Pipeline")


def test_train_writes_skdigits_by_default(tmp_path, capsys, empty_data_home, monkeypatch):
    from skdigits import inspect_model

    monkeypatch.chdir(tmp_path)
    assert main(["train", "--sample", "--epochs", "1", "--hidden", "8", "--verbose", "0"]) == 0
    assert inspect_model(tmp_path / "skdigits-model.skdigits")["format"] == "skdigits-model"


def test_inspect_prints_the_manifest(model_file, capsys):
    assert main(["inspect", model_file]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["estimator"]["class"] == "sklearn.pipeline.Pipeline"
    assert main(["inspect", model_file + ".missing"]) == 1
    _one_line_error(capsys, "No model file")


# -- destinations are checked before any work -----------------------------------------
_UNWRITABLE = "/proc/skdigits-test"  # a folder nobody, root included, can create files in


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux' /proc")
@pytest.mark.parametrize(
    "argv, needle",
    [
        (["train", "--out", "/proc/model.skdigits"], "cannot save to /proc/model.skdigits"),
        (
            ["train", "--out", "{tmp}/m.skdigits", "--report", _UNWRITABLE],
            "cannot write the report",
        ),
        (
            ["report", "{model}", "--data", "sample", "--out", _UNWRITABLE],
            "cannot write the report",
        ),
        (["search", "--out", _UNWRITABLE], "cannot write the search results"),
        (["predict", "{model}", "{picture}", "--show", _UNWRITABLE], "cannot write pictures"),
    ],
)
def test_unwritable_destinations_fail_before_training(
    argv, needle, tmp_path, model_file, picture, capsys, empty_data_home, monkeypatch
):
    import skdigits.model._pipeline

    def no_training(*args, **kwargs):
        raise AssertionError("work started before the destination was checked")

    monkeypatch.setattr(skdigits.model._pipeline, "make_digit_pipeline", no_training)
    argv = [a.format(tmp=tmp_path, model=model_file, picture=picture) for a in argv]
    assert main(argv) == 1
    _one_line_error(capsys, needle)


def test_report_out_on_an_existing_file(model_file, tmp_path, capsys, empty_data_home):
    existing = tmp_path / "report.html"
    existing.write_text("mine")
    assert main(["report", model_file, "--data", "sample", "--out", str(existing)]) == 1
    _one_line_error(capsys, "it is a file, not a folder")
    assert existing.read_text() == "mine"


# -- arguments -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--random-state", "-1"], "a seed from 0 to 4294967295"),
        (["train", "--random-state", str(2**32)], "a seed from 0 to 4294967295"),
        (["search", "--random-state", "-5"], "a seed from 0 to 4294967295"),
        (["download", "mnist", "--timeout", "-1"], "a positive number"),
        (["download", "mnist", "--timeout", "0"], "a positive number"),
        (["download", "mnist", "--timeout", "nan"], "a positive number"),
        (["download", "mnist", "--timeout", "inf"], "a positive number"),
    ],
)
def test_bad_numbers_are_argument_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2 and message in capsys.readouterr().err


def test_search_with_more_folds_than_digits_per_class(tmp_path, capsys, empty_data_home):
    assert main(["search", "--cv", "20", "--max-samples", "50", "--out", str(tmp_path / "s")]) == 1
    _one_line_error(capsys, "--cv 20", "--max-samples")


def test_data_command_on_an_unreadable_file(capsys, empty_data_home, monkeypatch):
    import builtins

    write_idx_set(empty_data_home / "mnist")
    target = str(empty_data_home / "mnist" / "train-images-idx3-ubyte.gz")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):  # what chmod 000 does for a user who is not root
        if os.fspath(file) == target:
            raise PermissionError(13, "Permission denied", target)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    assert main(["data"]) == 0
    out = capsys.readouterr().out
    assert f"mnist          unreadable: {target} (Permission denied)" in out
    assert "fashion-mnist  absent" in out


def test_default_model_ignores_a_corrupt_data_home(picture, capsys, empty_data_home):
    write_idx_set(empty_data_home / "mnist", n_train=200, n_test=50)
    path = empty_data_home / "mnist" / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:20])  # truncated
    assert main(["predict", picture, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["digit"] == 7


def test_a_damaged_shipped_model_is_a_clear_error(picture, capsys, tmp_path, monkeypatch):
    import shutil

    import skdigits.pretrained as pretrained

    folder = tmp_path / "pretrained"
    shutil.copytree(os.path.dirname(pretrained.__file__), folder)
    model = folder / pretrained.MODEL_FILE
    data = bytearray(model.read_bytes())
    data[-100] ^= 0xFF
    model.write_bytes(bytes(data))
    monkeypatch.setattr(pretrained, "package_folder", lambda: str(folder))
    assert main(["predict", picture]) == 1
    _one_line_error(capsys, "does not match its recorded SHA-256 digest", "reinstall skdigits")


def test_output_piped_into_a_closed_reader_exits_quietly(empty_data_home):
    code = "import sys; from skdigits.cli import main; sys.exit(main(['data', '--no-verify']))"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    process.stdout.close()  # like `| head` exiting at once
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_show_keeps_pictures_that_share_a_stem(
    model_file, picture, tmp_path, capsys, empty_data_home
):
    import shutil

    other = tmp_path / "b"
    other.mkdir()
    shutil.copy(picture, other / "seven.jpg")
    shutil.copy(picture, tmp_path / "seven.png")
    seen = tmp_path / "seen"
    assert (
        main(
            [
                "predict",
                model_file,
                picture,
                str(other / "seven.jpg"),
                str(tmp_path / "seven.png"),
                "--show",
                str(seen),
            ]
        )
        == 0
    )
    assert sorted(os.listdir(seen)) == ["seven-2-seen.png", "seven-3-seen.png", "seven-seen.png"]


def test_predict_rejects_a_lone_model_without_pictures(model_file, capsys):
    assert main(["predict", model_file]) == 1
    _one_line_error(capsys, "no pictures given")


def test_probabilities_match_the_python_api(model_file, picture, capsys, empty_data_home):
    from skdigits import load_model
    from skdigits.images import normalize_picture, raw_image_pipeline

    assert main(["predict", model_file, picture, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)[0]
    # As a reader reads a picture: the model's mean over the normaliser's views.
    pipeline = raw_image_pipeline(load_model(model_file))
    proba = pipeline[1:].predict_proba(normalize_picture(picture, pipeline[0]).views).mean(axis=0)
    assert result["digit"] == int(np.argmax(proba))
    assert result["probability"] == pytest.approx(float(proba.max()), abs=1e-4)
