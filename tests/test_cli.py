"""The skdigits command line."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from skdigits import load_model
from skdigits.cli import main

from ._data import write_idx_set


def test_help_lists_the_train_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "train" in capsys.readouterr().out


def test_console_script_answers_help():
    executable = shutil.which("skdigits") or os.path.join(
        os.path.dirname(sys.executable), "skdigits"
    )
    if not os.path.exists(executable):
        pytest.skip("the skdigits console script is not installed in this environment")
    result = subprocess.run([executable, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "train" in result.stdout


def test_train_reports_and_saves_the_pipeline(tmp_path, capsys, empty_data_home):
    out = tmp_path / "model.skdigits"
    status = main(["train", "--epochs", "1", "--hidden", "32", "--out", str(out), "--verbose", "0"])
    printed = capsys.readouterr().out
    assert status == 0
    assert "embedded MNIST sample" in printed
    assert "skdigits download mnist" in printed  # how to get the full set
    assert "Accuracy: " in printed
    assert "precision" in printed and "recall" in printed
    assert "Confusion matrix" in printed
    assert "1,000" in printed  # the 20 % stratified hold-out of 5,000 digits
    pipeline = load_model(out)
    assert pipeline.get_params()["classifier__hidden_layer_sizes"] == (32,)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--hidden", "128,x"], "comma-separated positive layer sizes"),
        (["train", "--test-size", "1.5"], "between 0 and 1"),
        (["train", "--epochs", "0"], "positive integer"),
        (["fly"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_unwritable_destination_is_one_line_error(tmp_path, capsys, empty_data_home):
    status = main(["train", "--out", str(tmp_path / "missing" / "model.skdigits")])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("skdigits: error: cannot save to") and err.count("\n") == 1


def test_train_uses_full_mnist_when_it_is_here(tmp_path, capsys, empty_data_home):
    write_idx_set(empty_data_home / "mnist", n_train=200, n_test=50)
    status = main(
        [
            "train",
            "--epochs",
            "1",
            "--hidden",
            "16",
            "--verbose",
            "0",
            "--out",
            str(tmp_path / "m.skdigits"),
        ]
    )
    printed = capsys.readouterr().out
    assert status == 0
    assert "Data: full MNIST, 200 training and 50 test digits" in printed
    assert "testing on 50" in printed


def test_train_sample_flag_forces_the_sample(tmp_path, capsys, empty_data_home):
    write_idx_set(empty_data_home / "mnist", n_train=200, n_test=50)
    main(
        [
            "train",
            "--sample",
            "--epochs",
            "1",
            "--hidden",
            "16",
            "--verbose",
            "0",
            "--out",
            str(tmp_path / "m.skdigits"),
        ]
    )
    assert "embedded MNIST sample" in capsys.readouterr().out


def test_data_command_reports_presence_and_verification(capsys, empty_data_home):
    write_idx_set(empty_data_home / "mnist")
    assert main(["data"]) == 0
    printed = capsys.readouterr().out
    assert f"Data home: {empty_data_home} ($SKDIGITS_DATA)" in printed
    assert "mnist          present, checksum MISMATCH" in printed  # tiny files are not MNIST
    assert "fashion-mnist  absent" in printed
    assert main(["info", "--no-verify"]) == 0
    assert "present, not verified" in capsys.readouterr().out


def test_download_failure_is_a_one_line_error_without_traceback(tmp_path, capsys, monkeypatch):
    import dataclasses

    from skdigits.datasets import DATASETS

    unreachable = dataclasses.replace(DATASETS["mnist"], mirrors=("http://127.0.0.1:9/",))
    monkeypatch.setitem(DATASETS, "mnist", unreachable)
    status = main(["download", "mnist", "--data-home", str(tmp_path), "--timeout", "2"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("skdigits: error: Could not download train-images-idx3-ubyte.gz")
    assert "Traceback" not in err
    assert not [p for p in (tmp_path / "mnist").iterdir()]


@pytest.mark.full_mnist
def test_data_command_verifies_full_mnist(capsys, full_mnist_home):
    assert main(["data", "--data-home", full_mnist_home]) == 0
    assert "mnist          present, verified" in capsys.readouterr().out


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    from skdigits import load_mnist_sample, make_digit_pipeline, save_model

    X, y = load_mnist_sample(return_X_y=True)
    pipe = make_digit_pipeline(hidden_layer_sizes=(32,), epochs=2, random_state=0).fit(
        X[:1500], y[:1500]
    )
    return save_model(pipe, tmp_path_factory.mktemp("model") / "model.skdigits")


def test_evaluate_prints_accuracy_report_and_matrix(saved_model, capsys, empty_data_home):
    assert main(["evaluate", str(saved_model), "--data", "sample"]) == 0
    printed = capsys.readouterr().out
    assert "Data: the embedded MNIST sample (5,000 digits)" in printed
    assert "Accuracy: 0." in printed and "f1-score" in printed and "Confusion matrix" in printed


def test_evaluate_on_a_data_folder(saved_model, tmp_path, capsys, empty_data_home):
    write_idx_set(tmp_path / "digits", n_train=20, n_test=30)
    assert main(["evaluate", str(saved_model), "--data", str(tmp_path / "digits")]) == 0
    assert "test split (30 images)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["evaluate", "missing.joblib", "--data", "sample"], "No model file"),
        (["evaluate", "{model}", "--data", "martian"], "unknown data 'martian'"),
        (["evaluate", "{model}", "--data", "fashion-mnist"], "skdigits download fashion-mnist"),
    ],
)
def test_evaluate_user_errors_are_one_line(saved_model, argv, message, capsys, empty_data_home):
    argv = [a.format(model=saved_model) for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_report_command_writes_html_and_metrics(saved_model, tmp_path, capsys, empty_data_home):
    out = tmp_path / "report"
    assert main(["report", str(saved_model), "--data", "sample", "--out", str(out)]) == 0
    assert sorted(os.listdir(out)) == ["metrics.json", "report.html"]


def test_train_with_report(tmp_path, capsys, empty_data_home):
    status = main(
        [
            "train",
            "--sample",
            "--epochs",
            "1",
            "--hidden",
            "16",
            "--verbose",
            "0",
            "--out",
            str(tmp_path / "m.skdigits"),
            "--report",
            str(tmp_path / "r"),
        ]
    )
    assert status == 0
    assert (tmp_path / "r" / "report.html").exists()


@pytest.mark.slow
def test_search_ranks_candidates_and_saves_table_and_best_model(tmp_path, capsys, empty_data_home):
    import pandas as pd

    out = tmp_path / "search"
    status = main(
        [
            "search",
            "--hidden",
            "16",
            "32,16",
            "--epochs",
            "1",
            "2",
            "--cv",
            "2",
            "--data",
            "sample",
            "--max-samples",
            "600",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert status == 0
    assert "Searching 4 candidates x 2 folds = 8 fits" in printed
    table = pd.read_csv(out / "search_results.csv")
    assert len(table) == 4 and table["rank"].tolist() == sorted(table["rank"])
    assert set(table.columns) >= {
        "hidden_layer_sizes",
        "epochs",
        "mean_score",
        "std_score",
        "mean_fit_s",
    }
    best = load_model(out / "best_model.skdigits")
    assert best.predict(np.zeros((1, 28, 28), dtype=np.uint8)).shape == (1,)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["search", "--hidden", "1024,abc"], "comma-separated positive layer sizes"),
        (["search", "--dropout", "1.5"], "dropout rate in [0, 1)"),
        (["search", "--cv", "1"], "at least 2"),
    ],
)
def test_search_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2 and message in capsys.readouterr().err


@pytest.fixture(scope="module")
def picture_folder(tmp_path_factory):
    from skdigits import load_mnist_sample

    from ._photos import photograph

    X, y = load_mnist_sample(return_X_y=True)
    folder = tmp_path_factory.mktemp("pictures")
    for i in range(3):
        photograph(X[4900 + i], i).save(folder / f"digit{i}.jpg")
    return folder


def test_predict_prints_digit_probability_and_runner_up(
    saved_model, picture_folder, capsys, empty_data_home
):
    assert main(["predict", str(saved_model), str(picture_folder / "digit0.jpg")]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "digit0.jpg" in line and "p=" in line and "runner-up" in line


def test_predict_json_folder_show_and_a_bad_file(
    saved_model, picture_folder, tmp_path, capsys, empty_data_home
):
    import json

    bad = tmp_path / "broken.png"
    bad.write_bytes(b"nope")
    status = main(
        [
            "predict",
            str(saved_model),
            str(picture_folder),
            str(bad),
            "--json",
            "--show",
            str(tmp_path / "seen"),
        ]
    )
    results = json.loads(capsys.readouterr().out)
    assert status == 1  # some pictures failed, the others still got answers
    assert len(results) == 4
    good = [r for r in results if "error" not in r]
    assert len(good) == 3 and all(0 <= r["digit"] <= 9 and 0 < r["probability"] <= 1 for r in good)
    assert "not an image file" in results[-1]["error"]
    assert sorted(os.listdir(tmp_path / "seen")) == [f"digit{i}-seen.png" for i in range(3)]


def test_predict_without_pictures_is_a_usage_error(saved_model, capsys):
    assert main(["predict", str(saved_model)]) == 1
    assert "no pictures given" in capsys.readouterr().err


def test_predict_uses_the_shipped_model_without_training(
    picture_folder, capsys, empty_data_home, monkeypatch
):
    import skdigits.model._pipeline

    monkeypatch.setattr(
        skdigits.model._pipeline,
        "make_digit_pipeline",
        lambda *a, **k: pytest.fail("predict trained a model"),
    )
    assert main(["predict", str(picture_folder / "digit1.jpg")]) == 0
    printed = capsys.readouterr().out
    assert "Using the model that ships with skdigits (trained on full MNIST" in printed
    assert not os.listdir(empty_data_home) if empty_data_home.exists() else True
