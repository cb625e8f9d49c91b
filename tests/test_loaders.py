"""load_mnist / load_fashion_mnist: where data come from, formats, frames."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from skdigits import load_fashion_mnist, load_mnist
from skdigits.datasets import (
    FASHION_MNIST_CLASSES,
    dataset_status,
    get_data_home,
    locate_dataset,
)
from skdigits.exceptions import DataFormatError, DataNotFoundError

from ._data import tiny_digits, write_idx_set

# Tiny generated IDX sets stand in for MNIST in the data home: they do not
# match the published digests (test_download.py checks that warning).
pytestmark = pytest.mark.filterwarnings("ignore::skdigits.exceptions.ChecksumMismatchWarning")


@pytest.fixture(autouse=True)
def _isolated_homes(tmp_path, monkeypatch):
    """No test here sees the user's real data home or Keras cache."""
    monkeypatch.setenv("SKDIGITS_DATA", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))


def test_data_home_order(tmp_path, monkeypatch):
    assert get_data_home(tmp_path / "explicit") == str(tmp_path / "explicit")
    assert get_data_home() == str(tmp_path / "home")
    monkeypatch.delenv("SKDIGITS_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert get_data_home() == str(tmp_path / "user" / "skdigits_data")


@pytest.mark.parametrize("gz", [True, False])
def test_loads_idx_files_from_the_data_home(tmp_path, gz):
    (train, test) = write_idx_set(tmp_path / "home" / "mnist", gz=gz)
    (X_train, y_train), (X_test, y_test) = load_mnist(download_if_missing=False)
    np.testing.assert_array_equal(X_train, train[0])
    np.testing.assert_array_equal(y_train, train[1])
    np.testing.assert_array_equal(X_test, test[0])
    assert X_train.dtype == np.uint8 and y_train.dtype == np.uint8


def test_explicit_path_wins_over_the_data_home(tmp_path):
    write_idx_set(tmp_path / "home" / "mnist", n_train=30)
    write_idx_set(tmp_path / "elsewhere", n_train=20)
    (X_train, _), _ = load_mnist(tmp_path / "elsewhere")
    assert len(X_train) == 20


def test_keras_cache_is_used(tmp_path):
    (train, test) = tiny_digits(8, 0), tiny_digits(3, 1)
    (tmp_path / "keras" / "datasets").mkdir(parents=True)
    np.savez(
        tmp_path / "keras" / "datasets" / "mnist.npz",
        x_train=train[0],
        y_train=train[1],
        x_test=test[0],
        y_test=test[1],
    )
    (X_train, _), (_, y_test) = load_mnist(download_if_missing=False)
    np.testing.assert_array_equal(X_train, train[0])
    assert "Keras' cache" in locate_dataset("mnist")


def test_keras_cache_path_is_the_same_everywhere(tmp_path):
    # Searched, reported by dataset_status, listed when not found: one path.
    place = tmp_path / "keras" / "datasets" / "fashion-mnist"
    with pytest.raises(DataNotFoundError) as info:
        load_fashion_mnist(download_if_missing=False)
    assert f"  - {place}\n" in str(info.value)
    assert dataset_status("fashion-mnist", verify=False)["keras_cache"] is None
    write_idx_set(place)
    assert locate_dataset("fashion-mnist") == f"IDX files in {place} (Keras' cache)"
    assert dataset_status("fashion-mnist", verify=False)["keras_cache"] == str(place)


def test_data_home_comes_before_keras_cache(tmp_path):
    write_idx_set(tmp_path / "home" / "mnist", n_train=30)
    (tmp_path / "keras" / "datasets").mkdir(parents=True)
    np.savez(tmp_path / "keras" / "datasets" / "mnist.npz", x_train=np.zeros((1, 28, 28)))
    assert locate_dataset("mnist").startswith("IDX files in")


def test_kaggle_folder_and_image_folders_via_path(tmp_path):
    images, labels = tiny_digits(4, 0)
    header = "label," + ",".join(f"pixel{i}" for i in range(784))
    rows = [header] + [
        f"{label}," + ",".join(map(str, im.ravel())) for im, label in zip(images, labels)
    ]
    (tmp_path / "kaggle").mkdir()
    (tmp_path / "kaggle" / "train.csv").write_text("\n".join(rows) + "\n")
    (X_train, y_train), (X_test, y_test) = load_mnist(tmp_path / "kaggle")
    np.testing.assert_array_equal(X_train, images)
    assert X_test.shape == (0, 28, 28)

    for split in ("train", "test"):
        for i, (image, label) in enumerate(zip(images, labels)):
            folder = tmp_path / "pictures" / split / str(label)
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image).save(folder / f"{i}.png")
    (X_train, y_train), (X_test, y_test) = load_mnist(tmp_path / "pictures")
    assert X_train.shape == (4, 28, 28) and sorted(y_test.tolist()) == sorted(labels.tolist())


def test_as_frame(tmp_path):
    write_idx_set(tmp_path / "home" / "mnist", n_train=30, n_test=10)
    (X_train, y_train), (X_test, y_test) = load_mnist(as_frame=True, download_if_missing=False)
    assert isinstance(X_train, pd.DataFrame) and X_train.shape == (30, 784)
    assert list(X_train.columns[:2]) == ["pixel0", "pixel1"]
    assert (X_train.dtypes == np.uint8).all()
    assert isinstance(y_test, pd.Series) and y_test.name == "label"


def test_fashion_mnist_uses_its_own_folder_and_class_names(tmp_path):
    write_idx_set(tmp_path / "home" / "fashion-mnist", n_train=20)
    (X_train, y_train), _ = load_fashion_mnist(download_if_missing=False)
    assert X_train.shape == (20, 28, 28)
    assert FASHION_MNIST_CLASSES[9] == "Ankle boot" and len(FASHION_MNIST_CLASSES) == 10
    with pytest.raises(DataNotFoundError, match="MNIST handwritten digits"):
        load_mnist(download_if_missing=False)


@pytest.mark.parametrize(
    "make, exception, message",
    [
        (lambda p: None, DataNotFoundError, "does not exist"),
        (lambda p: p.mkdir(), DataFormatError, "holds no mnist data set skdigits can read"),
        (lambda p: p.write_text("x"), DataFormatError, "single file"),
    ],
)
def test_bad_explicit_paths(tmp_path, make, exception, message):
    target = tmp_path / "target"
    make(target)
    with pytest.raises(exception, match=message):
        load_mnist(target)


def test_corrupt_file_in_the_data_home_is_named(tmp_path):
    write_idx_set(tmp_path / "home" / "mnist")
    broken = tmp_path / "home" / "mnist" / "t10k-labels-idx1-ubyte.gz"
    broken.write_bytes(broken.read_bytes()[:20])
    with pytest.raises(DataFormatError, match="t10k-labels-idx1-ubyte.gz"):
        load_mnist(download_if_missing=False)


def test_labels_outside_0_9_are_refused(tmp_path):
    from skdigits.datasets import write_idx

    write_idx_set(tmp_path / "home" / "mnist", n_train=10)
    write_idx(np.full(10, 11, np.uint8), tmp_path / "home" / "mnist" / "train-labels-idx1-ubyte.gz")
    with pytest.raises(DataFormatError, match="labels must lie in 0-9"):
        load_mnist(download_if_missing=False)


def test_fractional_idx_labels_are_refused_naming_the_files(tmp_path):
    from skdigits.datasets import write_idx

    write_idx_set(tmp_path / "home" / "mnist", n_train=10)
    labels = np.arange(10, dtype=np.float32)
    labels[4] = 4.5
    write_idx(labels, tmp_path / "home" / "mnist" / "train-labels-idx1-ubyte.gz")
    with pytest.raises(
        DataFormatError, match=r"train-labels-idx1-ubyte.gz: labels must be whole.*index 4 is 4.5"
    ):
        load_mnist(download_if_missing=False)


def test_status_of_incomplete_and_unverified_sets(tmp_path):
    write_idx_set(tmp_path / "home" / "mnist")
    status = dataset_status("mnist")
    assert status["present"] and status["verified"] is False  # tiny files are not MNIST
    (tmp_path / "home" / "mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    status = dataset_status("mnist")
    assert not status["present"] and not status["files"]["test_labels"]["present"]


@pytest.mark.full_mnist
def test_full_mnist_shapes_dtypes_and_label_counts(monkeypatch, full_mnist_home):
    monkeypatch.setenv("SKDIGITS_DATA", full_mnist_home)
    (X_train, y_train), (X_test, y_test) = load_mnist(download_if_missing=False)
    assert X_train.shape == (60000, 28, 28) and X_test.shape == (10000, 28, 28)
    assert X_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert X_train.nbytes + X_test.nbytes == 54_880_000
    np.testing.assert_array_equal(
        np.bincount(y_train), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    )
    np.testing.assert_array_equal(
        np.bincount(y_test), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    )
    assert dataset_status("mnist")["verified"] is True


# --- load_picture_folder: people's pictures laid out as <label>/<picture> ---


def _picture(path, size=(40, 30)):
    page = np.full(size, 230, np.uint8)
    page[8:-8, size[1] // 2 - 3 : size[1] // 2 + 3] = 30  # a dark bar: a 1
    Image.fromarray(page).save(path)


def test_load_picture_folder_lists_pictures_of_any_size_by_label(tmp_path):
    from skdigits.datasets import load_picture_folder

    for label, names in {"1": ["b.png", "a.jpg"], "7": ["c.png"]}.items():
        (tmp_path / label).mkdir()
        for n, name in enumerate(names):
            _picture(tmp_path / label / name, size=(40 + 10 * n, 30))
    (tmp_path / "7" / "notes.txt").write_text("not a picture")
    (tmp_path / "7" / ".hidden.png").write_bytes(b"")
    (tmp_path / ".DS_Store").write_bytes(b"")
    pictures = load_picture_folder(tmp_path)
    names = [Path(f).parts[-2:] for f in pictures.filenames]
    assert names == [("1", "a.jpg"), ("1", "b.png"), ("7", "c.png")]
    assert pictures.filenames.dtype == object and pictures.target.dtype == np.int64
    assert pictures.target.tolist() == [1, 1, 7] and "3 pictures in" in pictures.DESCR
    assert "images" not in pictures
    files, y = load_picture_folder(tmp_path, return_X_y=True)
    assert list(files) == list(pictures.filenames) and y.tolist() == [1, 1, 7]
    normalized = load_picture_folder(tmp_path, normalize=True)
    assert normalized.images.shape == (3, 28, 28) and normalized.data is normalized.images
    X, _ = load_picture_folder(tmp_path, normalize=True, return_X_y=True)
    np.testing.assert_array_equal(X, normalized.images)


@pytest.mark.parametrize(
    "layout, message",
    [
        ({"3/a.png": True, "README.md": False}, "only subfolders 0-9"),
        ({"3/a.png": True, "train/a.png": True}, "must be digits 0-9"),
        ({"3/notes.txt": False}, "holds no pictures"),
        ({}, "holds no pictures"),
    ],
)
def test_load_picture_folder_refuses_other_layouts(tmp_path, layout, message):
    from skdigits.datasets import load_picture_folder

    for name, is_picture in layout.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        if is_picture:
            _picture(tmp_path / name)
        else:
            (tmp_path / name).write_text("text")
    with pytest.raises(DataFormatError, match=message):
        load_picture_folder(tmp_path)
    with pytest.raises(DataFormatError, match="not a folder"):
        load_picture_folder(tmp_path / "missing")
