"""The model shipped inside the package: load_pretrained, its record, and its build script."""

import json
import os

import numpy as np
import pytest

import skdigits
from skdigits import load_pretrained
from skdigits.pretrained import MODEL_FILE, pretrained_info, sha256_of

from ._data import write_idx_set


@pytest.fixture(scope="module")
def shipped():
    return load_pretrained()


def test_the_shipped_model_is_a_fitted_pipeline_that_reads_mnist(shipped, mnist_sample):
    X, y = mnist_sample
    assert list(shipped.named_steps) == ["scaler", "reshape", "classifier"]
    np.testing.assert_array_equal(shipped.classes_, np.arange(10))
    assert shipped.score(X, y) > 0.99


def test_raw_images_puts_the_normaliser_in_front(mnist_sample):
    pipe = load_pretrained(raw_images=True)
    assert list(pipe.named_steps)[0] == "normalize"
    X, y = mnist_sample
    assert (pipe.predict(X[:200]) == y[:200]).mean() > 0.95


def test_the_record_describes_the_model():
    record = pretrained_info()
    folder = os.path.dirname(skdigits.pretrained.__file__)
    model = os.path.join(folder, MODEL_FILE)
    assert record["model_sha256"] == sha256_of(model)
    assert os.path.getsize(model) <= 8 * 2**20  # the wheel's budget for it
    assert record["data"]["n_train"] == 60000 and record["data"]["n_test"] == 10000
    assert set(record["data"]["files"]) == {
        "train_images",
        "train_labels",
        "test_images",
        "test_labels",
    }
    assert record["seeds"] == list(skdigits.pretrained.SEEDS)
    assert record["networks"] == len(skdigits.pretrained.SEEDS) >= 2
    assert record["settings"]["augment"] == skdigits.pretrained.SETTINGS["augment"]
    assert record["test_accuracy"] >= 0.99


def test_the_shipped_file_is_a_pickle_free_model():
    manifest = skdigits.inspect_model(
        os.path.join(os.path.dirname(skdigits.pretrained.__file__), MODEL_FILE)
    )
    assert manifest["format"] == "skdigits-model"


@pytest.mark.full_mnist
def test_the_recorded_test_accuracy_holds(shipped, full_mnist_home):
    record = pretrained_info()
    _, (X_test, y_test) = skdigits.load_mnist(data_home=full_mnist_home, download_if_missing=False)
    for info in record["data"]["files"].values():
        assert sha256_of(os.path.join(full_mnist_home, "mnist", info["name"])) == info["sha256"]
    assert shipped.score(X_test, y_test) == pytest.approx(record["test_accuracy"], abs=1e-4)


# -- the build script ----------------------------------------------------------------------
# the stand-in MNIST files of the build tests cannot match the published digests
_STAND_IN = pytest.mark.filterwarnings("ignore::skdigits.exceptions.ChecksumMismatchWarning")


@_STAND_IN
def test_build_refuses_data_that_do_not_verify(tmp_path, capsys):
    from skdigits.pretrained.__main__ import main

    write_idx_set(tmp_path / "home" / "mnist", n_train=100, n_test=20)
    status = main(["build", "--data-home", str(tmp_path / "home"), "--out", str(tmp_path / "out")])
    assert status == 1
    assert "do not match the published checksums" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.fixture
def tiny_build(tmp_path, monkeypatch):
    """A build of two tiny networks on stand-in MNIST files; returns its argument list."""
    import skdigits.datasets
    import skdigits.pretrained as pretrained

    write_idx_set(tmp_path / "home" / "mnist", n_train=300, n_test=50)
    real_status = skdigits.datasets.dataset_status

    def verified(*args, **kwargs):  # the tiny stand-in files cannot match MNIST's digests
        return {**real_status(*args, **kwargs), "verified": True}

    monkeypatch.setattr(skdigits.datasets, "dataset_status", verified)
    monkeypatch.setattr(
        pretrained, "SETTINGS", {**pretrained.SETTINGS, "hidden_layer_sizes": (16,), "epochs": 2}
    )
    monkeypatch.setattr(pretrained, "SEEDS", (5, 6))
    return [
        "build",
        "--data-home",
        str(tmp_path / "home"),
        "--out",
        str(tmp_path / "out"),
        "--checkpoints",
        str(tmp_path / "checkpoints"),
    ]


@_STAND_IN
def test_build_writes_the_ensemble_and_its_record(tmp_path, capsys, tiny_build):
    from sklearn.ensemble import VotingClassifier

    from skdigits.pretrained.__main__ import main

    out = tmp_path / "out"
    assert main(tiny_build) == 0
    assert sorted(os.listdir(out)) == ["mnist_dense.json", "mnist_dense.skdigits"]
    record = json.loads((out / "mnist_dense.json").read_text())
    assert record["model_sha256"] == sha256_of(out / "mnist_dense.skdigits")
    assert record["settings"]["epochs"] == 2 and record["data"]["n_train"] == 300
    assert record["seeds"] == [5, 6] and record["weights_dtype"] == "float16"
    assert len(record["network_test_accuracy"]) == 2
    printed = capsys.readouterr().out
    assert "Seed 6: test accuracy" in printed and "test accuracy:" in printed
    built = skdigits.load_model(out / "mnist_dense.skdigits")
    voting = built["classifier"]
    assert isinstance(voting, VotingClassifier) and voting.voting == "soft"
    assert [clf.random_state for clf in voting.estimators_] == [5, 6]
    assert voting.estimators_[0].hidden_layer_sizes == (16,)
    # the shipped copy keeps only the optimizer's settings: it is for predicting
    assert int(voting.estimators_[0].model_.optimizer.iterations) == 0
    X = skdigits.load_mnist_sample(return_X_y=True)[0][:20]
    assert built.predict_proba(X).shape == (20, 10)


@_STAND_IN
def test_a_stopped_build_goes_on_from_its_checkpoints(tmp_path, capsys, tiny_build):
    from skdigits.pretrained.__main__ import main

    assert main(tiny_build) == 0
    assert len(os.listdir(tmp_path / "checkpoints")) == 4  # two networks, two timings
    capsys.readouterr()
    assert main(tiny_build) == 0
    printed = capsys.readouterr().out
    assert printed.count("trained earlier") == 2 and "Epoch" not in printed


@_STAND_IN
def test_build_validation_writes_nothing(tmp_path, capsys, tiny_build):
    from skdigits.pretrained.__main__ import main

    assert main([*tiny_build, "--validation", "60"]) == 0
    assert "validation accuracy:" in capsys.readouterr().out
    assert not (tmp_path / "out").exists() and not (tmp_path / "checkpoints").exists()
