"""A model file says what it was trained on, and evaluation never silently scores those digits."""

import json
import os

import numpy as np
import pytest
from PIL import Image

import skdigits
from skdigits.cli import main
from skdigits.datasets import SAMPLE, check_overlap, row_fingerprints, training_record
from skdigits.exceptions import TrainingDataOverlapError
from skdigits.pretrained import MODEL_FILE, package_folder

SHIPPED = os.path.join(package_folder(), MODEL_FILE)


@pytest.fixture(scope="module")
def sample_model(tmp_path_factory):
    """``skdigits train --sample``, tiny: the model and its file."""
    folder = tmp_path_factory.mktemp("trained")
    path = folder / "m.skdigits"
    saved = os.environ.get("SKDIGITS_DATA")
    os.environ["SKDIGITS_DATA"] = str(folder / "empty-home")
    try:
        status = main(
            ["train", "--sample", "--epochs", "1", "--hidden", "16", "--verbose", "0"]
            + ["--out", str(path)]
        )
    finally:
        if saved is None:
            del os.environ["SKDIGITS_DATA"]
        else:
            os.environ["SKDIGITS_DATA"] = saved
    assert status == 0
    return path


def test_train_records_the_sample_and_the_digits_it_held_out(sample_model):
    record = skdigits.inspect_model(sample_model)["training_data"]
    assert record["name"] == SAMPLE
    assert record["description"].startswith("4,000 digits of the embedded MNIST sample")
    assert len(record["held_out"]) == 1000 and len(set(record["held_out"])) == 1000


def test_evaluate_on_the_sample_scores_only_the_held_out_digits(
    sample_model, capsys, empty_data_home
):
    assert main(["evaluate", str(sample_model)]) == 0  # no --data: the sample, MNIST absent
    out = capsys.readouterr().out
    assert "the 1,000 digits of the embedded sample held out when this model was trained" in out
    assert "(the default: full MNIST is not on this machine)" in out
    assert "/1000)" in out.split("Accuracy:")[1].splitlines()[0]


def test_include_training_data_scores_the_whole_sample_and_says_so(
    sample_model, capsys, empty_data_home
):
    args = ["evaluate", str(sample_model), "--data", "sample", "--include-training-data"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "including the 4,000 digits this model was trained on" in out
    assert "/5000)" in out


def test_the_shipped_model_refuses_the_sample_its_training_digits(capsys, empty_data_home):
    assert main(["evaluate", SHIPPED, "--data", "sample"]) == 1
    err = capsys.readouterr().err
    assert "every digit of the embedded sample is an MNIST training digit" in err
    assert "--include-training-data" in err and "Traceback" not in err


def test_without_mnist_the_shipped_model_has_nothing_unseen_to_be_scored_on(
    capsys, empty_data_home
):
    assert main(["evaluate", SHIPPED]) == 1
    assert "skdigits download mnist" in capsys.readouterr().err


def test_the_shipped_model_on_the_mnist_test_set_is_allowed(capsys, full_mnist_home, monkeypatch):
    monkeypatch.setenv("SKDIGITS_DATA", str(full_mnist_home))
    assert main(["evaluate", SHIPPED]) == 0
    out = capsys.readouterr().out
    assert "(the default: full MNIST is on this machine)" in out
    assert "Accuracy: 0.99" in out


def test_a_folder_of_the_users_pictures_is_allowed(sample_model, tmp_path, capsys, small_split):
    _, X_test, _, y_test = small_split
    for i in range(6):
        folder = tmp_path / "mine" / str(y_test[i])
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(255 - X_test[i]).resize((84, 84)).save(folder / f"{i}.png")
    assert main(["evaluate", str(sample_model), "--data", str(tmp_path / "mine")]) == 0
    out = capsys.readouterr().out
    assert "Accuracy:" in out and "/6)" in out


def test_the_report_says_which_digits_it_measured_near_its_headline(
    sample_model, tmp_path, capsys, empty_data_home
):
    out = tmp_path / "report"
    assert main(["report", str(sample_model), "--data", "sample", "--out", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    said = "the 1,000 digits of the embedded sample held out when this model was trained"
    assert said in page
    assert page.index(said) < page.index('class="headline"')
    dataset = json.loads((out / "metrics.json").read_text())["dataset"]
    assert dataset["n_samples"] == 1000 and dataset["name"].startswith(said)


def test_check_overlap_keeps_only_rows_outside_the_training_digits():
    X = np.arange(4 * 28 * 28, dtype=np.uint8).reshape(4, 28, 28)
    record = training_record(SAMPLE, "two of them", held_out=X[2:])
    keep, note = check_overlap(record, "sample", X)
    assert keep.tolist() == [False, False, True, True]
    assert "the 2 digits of the embedded sample held out" in note
    with pytest.raises(TrainingDataOverlapError, match="trained on every digit"):
        check_overlap(record, "sample", X[:2])
    assert check_overlap(record, "mnist", X) == (None, None)  # the test set: never trained on


@pytest.mark.parametrize(
    "record",
    [
        "mnist",
        {"name": 3, "description": "x"},
        {"name": SAMPLE, "description": "x", "held_out": "abc"},
        {"name": SAMPLE, "description": "x", "held_out": [1, 2]},
    ],
)
def test_a_record_of_the_wrong_shape_from_a_file_counts_as_no_record(record):
    X = np.zeros((2, 28, 28), dtype=np.uint8)
    assert check_overlap(record, "sample", X) == (None, None)


def test_fingerprints_tell_images_apart():
    X = np.zeros((3, 28, 28), dtype=np.uint8)
    X[1, 0, 0] = 1
    a, b, c = row_fingerprints(X)
    assert a == c and a != b
