"""The skdigits command line."""

import os
import shutil
import subprocess
import sys

import pytest

from skdigits import load_model
from skdigits.cli import main


def test_help_lists_the_train_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "train" in capsys.readouterr().out


def test_console_script_answers_help():
    executable = shutil.which("skdigits") or os.path.join(os.path.dirname(sys.executable), "skdigits")
    if not os.path.exists(executable):
        pytest.skip("the skdigits console script is not installed in this environment")
    result = subprocess.run([executable, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "train" in result.stdout


def test_train_reports_and_saves_the_pipeline(tmp_path, capsys):
    out = tmp_path / "model.joblib"
    status = main(
        ["train", "--epochs", "1", "--hidden", "32", "--out", str(out), "--verbose", "0"]
    )
    printed = capsys.readouterr().out
    assert status == 0
    assert "embedded MNIST sample" in printed
    assert "Hold-out accuracy" in printed
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


def test_unwritable_destination_is_one_line_error(tmp_path, capsys):
    status = main(["train", "--out", str(tmp_path / "missing" / "model.joblib")])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("skdigits: error: cannot save to") and err.count("\n") == 1
