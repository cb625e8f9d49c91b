"""Readers for Keras npz, Kaggle CSV and image folders."""

import numpy as np
import pytest
from PIL import Image

from skdigits.datasets import read_image_folder, read_kaggle_csv, read_mnist_npz
from skdigits.exceptions import DataFormatError

from ._data import tiny_digits


def _write_csv(path, images, labels=None):
    header = ([] if labels is None else ["label"]) + [f"pixel{i}" for i in range(784)]
    rows = [",".join(header)]
    for i, image in enumerate(images):
        values = [str(v) for v in image.ravel()]
        rows.append(",".join(values if labels is None else [str(labels[i]), *values]))
    path.write_text("\n".join(rows) + "\n")


def test_npz_round_trip(tmp_path):
    (train, test) = tiny_digits(6, 0), tiny_digits(4, 1)
    np.savez(
        tmp_path / "mnist.npz", x_train=train[0], y_train=train[1], x_test=test[0], y_test=test[1]
    )
    (X_train, y_train), (X_test, y_test) = read_mnist_npz(tmp_path / "mnist.npz")
    np.testing.assert_array_equal(X_train, train[0])
    np.testing.assert_array_equal(y_test, test[1])


def test_npz_missing_arrays_and_corruption(tmp_path):
    np.savez(tmp_path / "partial.npz", x_train=np.zeros((1, 28, 28)))
    with pytest.raises(
        DataFormatError, match=r"lacks the arrays \['x_test', 'y_test', 'y_train'\]"
    ):
        read_mnist_npz(tmp_path / "partial.npz")
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 definitely not a zip")
    with pytest.raises(DataFormatError, match="Cannot read .*bad.npz"):
        read_mnist_npz(tmp_path / "bad.npz")


def test_kaggle_csv_with_and_without_labels(tmp_path):
    images, labels = tiny_digits(5, 0)
    _write_csv(tmp_path / "train.csv", images, labels)
    _write_csv(tmp_path / "test.csv", images)
    X, y = read_kaggle_csv(tmp_path / "train.csv")
    np.testing.assert_array_equal(X, images)
    np.testing.assert_array_equal(y, labels)
    X_test, y_test = read_kaggle_csv(tmp_path / "test.csv")
    assert X_test.shape == (5, 28, 28) and y_test is None


def test_kaggle_csv_rows_of_the_wrong_size(tmp_path):
    images, labels = tiny_digits(3, 0)
    _write_csv(tmp_path / "train.csv", images, labels)
    lines = (tmp_path / "train.csv").read_text().splitlines()
    (tmp_path / "short.csv").write_text("\n".join([*lines[:2], lines[2][:200]]) + "\n")
    with pytest.raises(DataFormatError, match=r"short.csv: data row 2 is short"):
        read_kaggle_csv(tmp_path / "short.csv")
    (tmp_path / "long.csv").write_text("\n".join([*lines[:2], lines[2] + ",0,0"]) + "\n")
    with pytest.raises(DataFormatError, match="long.csv: rows of the wrong size"):
        read_kaggle_csv(tmp_path / "long.csv")


def test_kaggle_csv_wrong_columns_and_values(tmp_path):
    (tmp_path / "few.csv").write_text("label,pixel0,pixel1\n1,0,0\n")
    with pytest.raises(DataFormatError, match="2 pixel columns, expected 784"):
        read_kaggle_csv(tmp_path / "few.csv")
    images, labels = tiny_digits(2, 0)
    images = images.astype(int)
    images[0, 0, 0] = 300
    _write_csv(tmp_path / "range.csv", images, labels)
    with pytest.raises(DataFormatError, match="integers 0-255"):
        read_kaggle_csv(tmp_path / "range.csv")
    _write_csv(tmp_path / "labels.csv", tiny_digits(2, 0)[0], [3, 12])
    with pytest.raises(DataFormatError, match="labels must lie in 0-9"):
        read_kaggle_csv(tmp_path / "labels.csv")


@pytest.mark.parametrize(
    "label, shown",
    [
        ("7.5", "7.5"),
        ("seven", "'seven'"),
        ("inf", "inf"),
        ("True", "'True'"),
        ("1e300", "1e\\+300"),
    ],
)
def test_kaggle_csv_labels_that_are_not_whole_numbers(tmp_path, label, shown):
    images, _ = tiny_digits(3, 0)
    _write_csv(tmp_path / "train.csv", images, ["3", label, "1"])
    with pytest.raises(
        DataFormatError, match=rf"train.csv: labels must be whole numbers.*data row 2 is {shown}"
    ):
        read_kaggle_csv(tmp_path / "train.csv")


def test_kaggle_csv_with_a_header_and_no_rows(tmp_path):
    _write_csv(tmp_path / "train.csv", [], [])
    with pytest.raises(DataFormatError, match="train.csv has a header but no data rows"):
        read_kaggle_csv(tmp_path / "train.csv")


@pytest.mark.parametrize(
    "images, message",
    [
        (np.full((3, 28, 28), np.nan), r"3 image\(s\) hold NaN or infinite pixels"),
        (np.full((3, 28, 28), "a"), "expected numeric pixels"),
    ],
)
def test_npz_images_that_are_not_pixels(tmp_path, images, message):
    np.savez(
        tmp_path / "mnist.npz",
        x_train=images,
        y_train=[1, 2, 3],
        x_test=np.zeros((1, 28, 28), np.uint8),
        y_test=[1],
    )
    with pytest.raises(DataFormatError, match=rf"mnist.npz \(train\): {message}"):
        read_mnist_npz(tmp_path / "mnist.npz")


def test_kaggle_csv_whole_float_labels_become_integers(tmp_path):
    images, _ = tiny_digits(2, 0)
    _write_csv(tmp_path / "train.csv", images, ["3.0", "7"])
    _, y = read_kaggle_csv(tmp_path / "train.csv")
    assert y.tolist() == [3, 7] and y.dtype == np.int64


@pytest.mark.parametrize(
    "labels, shown",
    [
        (np.array([1.0, 1.7, 2.5]), "1.7"),
        (np.array([1.0, np.nan, 3.0]), "nan"),
        (np.array(["1", "seven", "2"]), "'seven'"),
    ],
)
def test_npz_labels_that_are_not_whole_numbers(tmp_path, labels, shown):
    images = np.zeros((3, 28, 28), np.uint8)
    np.savez(tmp_path / "mnist.npz", x_train=images, y_train=labels, x_test=images[:1], y_test=[1])
    with pytest.raises(
        DataFormatError,
        match=rf"mnist.npz \(train\): labels must be whole numbers.*index 1 is {shown}",
    ):
        read_mnist_npz(tmp_path / "mnist.npz")


def test_npz_whole_float_labels_become_integers(tmp_path):
    images = np.zeros((2, 28, 28), np.uint8)
    np.savez(
        tmp_path / "mnist.npz", x_train=images, y_train=[3.0, 7.0], x_test=images[:1], y_test=[1]
    )
    (_, y_train), _ = read_mnist_npz(tmp_path / "mnist.npz")
    assert y_train.tolist() == [3, 7] and y_train.dtype.kind == "i"


def _write_folder(root, images, labels, suffix=".png"):
    for i, (image, label) in enumerate(zip(images, labels)):
        folder = root / str(label)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(folder / f"{i:03d}{suffix}")


def test_image_folder_round_trip(tmp_path):
    images, labels = tiny_digits(12, 0)
    _write_folder(tmp_path, images, labels)
    (tmp_path / "3" / ".DS_Store").write_bytes(b"junk")
    X, y = read_image_folder(tmp_path)
    assert X.shape == (12, 28, 28) and X.dtype == np.uint8
    order = np.lexsort((np.arange(12), labels))
    np.testing.assert_array_equal(X, images[order])
    np.testing.assert_array_equal(y, labels[order])


def test_image_folder_converts_rgb_jpeg_to_gray(tmp_path):
    (tmp_path / "7").mkdir()
    Image.new("RGB", (28, 28), (255, 255, 255)).save(tmp_path / "7" / "a.jpg")
    X, y = read_image_folder(tmp_path)
    assert X.shape == (1, 28, 28) and X.min() > 250 and y.tolist() == [7]


def test_image_folder_bad_inputs(tmp_path):
    (tmp_path / "ok" / "1").mkdir(parents=True)
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(tmp_path / "ok" / "1" / "a.png")
    (tmp_path / "ok" / "1" / "notes.txt").write_text("not an image")
    with pytest.raises(DataFormatError, match=r"notes.txt is not a readable image"):
        read_image_folder(tmp_path / "ok")

    (tmp_path / "label" / "12").mkdir(parents=True)
    with pytest.raises(DataFormatError, match="must be digits 0-9; got '12'"):
        read_image_folder(tmp_path / "label")

    for name in ["³", "٣", "3a"]:  # digits to str.isdigit, but not labels
        (tmp_path / name / name).mkdir(parents=True)
        with pytest.raises(DataFormatError, match=f"must be digits 0-9; got '{name}'"):
            read_image_folder(tmp_path / name)

    (tmp_path / "sizes" / "1").mkdir(parents=True)
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(tmp_path / "sizes" / "1" / "a.png")
    Image.fromarray(np.zeros((20, 20), np.uint8)).save(tmp_path / "sizes" / "1" / "b.png")
    with pytest.raises(
        DataFormatError, match="b.png is 20x20 pixels but the other images are 28x28"
    ):
        read_image_folder(tmp_path / "sizes")

    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFormatError, match="holds no images"):
        read_image_folder(tmp_path / "empty")
