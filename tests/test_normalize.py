"""DigitImageNormalizer: MNIST-like output from photos, drawings and arrays."""

import io

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from sklearn.model_selection import train_test_split

import skdigits
from skdigits import DigitImageNormalizer, read_image, read_images
from skdigits.exceptions import ImageError

from ._photos import photograph


@pytest.fixture(scope="module")
def held_out(mnist_sample):
    """The sample split 80/20; the normaliser tests use only the 20 %."""
    X, y = mnist_sample
    return train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def photos(held_out):
    _, X_test, _, y_test = held_out
    return [photograph(digit, seed) for seed, digit in enumerate(X_test[:200])], y_test[:200]


def test_output_invariants_on_photographed_digits(photos):
    pictures, _ = photos
    out = DigitImageNormalizer().transform(pictures[:40])
    assert out.shape == (40, 28, 28) and out.dtype == np.uint8
    for image in out:
        row, col = ndimage.center_of_mass(image.astype(float))
        assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5  # MNIST's convention
        assert abs(row - 13.5) <= 1 and abs(col - 13.5) <= 1  # the frame's centre
        rows, cols = np.nonzero(image)
        assert np.ptp(rows) < 20 and np.ptp(cols) < 20  # the digit fits the 20x20 box
        assert image.max() == 255 and image[0].max() == 0 and image[:, 0].max() == 0


def test_mnist_form_passes_nearly_unchanged(held_out):
    _, X_test, _, _ = held_out
    out = DigitImageNormalizer().transform(X_test[:100])
    assert np.abs(out.astype(int) - X_test[:100].astype(int)).mean() < 3  # of 255


@pytest.mark.parametrize("dark_ink", [True, False])
def test_polarity_is_detected_for_both_ink_colours(held_out, dark_ink):
    _, X_test, _, _ = held_out
    digit = X_test[0]
    big = np.asarray(Image.fromarray(digit).resize((140, 140), Image.BICUBIC), dtype=float)
    picture = 240 - 0.8 * big if dark_ink else 20 + 0.8 * big
    out = DigitImageNormalizer().transform([picture.astype(np.uint8)])[0]
    assert out[0].max() == 0  # black background either way
    assert np.corrcoef(out.ravel(), digit.ravel())[0, 1] > 0.8


def test_gray_rgb_rgba_and_pil_inputs_agree(held_out):
    _, X_test, _, _ = held_out
    gray = (255 - X_test[1]).repeat(4, axis=0).repeat(4, axis=1)
    rgb = np.stack([gray] * 3, axis=-1)
    rgba = np.dstack([np.zeros_like(rgb), 255 - gray])  # black ink, transparent paper
    outputs = DigitImageNormalizer().transform([gray, rgb, rgba, Image.fromarray(rgb)])
    for out in outputs[1:]:
        assert np.abs(out.astype(int) - outputs[0].astype(int)).mean() < 2


def test_steps_can_be_turned_off(photos):
    picture = photos[0][0]
    full = DigitImageNormalizer().transform([picture])[0]
    whole = DigitImageNormalizer(box_size=None, center=False).transform([picture])[0]
    assert not np.array_equal(full, whole)
    plain = DigitImageNormalizer(flatten_illumination=False, remove_lines=False,
                                 remove_specks=False, threshold="local",
                                 normalize_contrast=False).transform([picture])
    assert plain.shape == (1, 28, 28)
    with pytest.raises(ValueError, match="invert"):
        DigitImageNormalizer(invert="sometimes").fit()
    with pytest.raises(ValueError, match="box_size must lie in 1-28"):
        DigitImageNormalizer(box_size=40).fit()


def _gif(path, n_frames):
    frames = [Image.new("L", (20, 20), 255 * (i % 2)) for i in range(n_frames)]
    frames[0].save(path, save_all=True, append_images=frames[1:])


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"not a picture"), "not an image file"),
    (lambda p: p.write_bytes(b""), "empty file"),
    (lambda p: p.write_bytes(io.BytesIO().getvalue()), "empty file"),
    (lambda p: Image.new("L", (50, 40), 235).save(p, format="PNG"), "no ink found"),
    (lambda p: _gif(p, 3), "animated"),
    (lambda p: None, "no such file"),
])
def test_bad_pictures_are_named_in_the_error(tmp_path, make, message):
    path = tmp_path / "picture.png"
    make(path)
    with pytest.raises(ImageError, match=message) as info:
        DigitImageNormalizer().transform([str(path)])
    assert str(path) in str(info.value)


@pytest.mark.parametrize("array, message", [
    (np.zeros((0, 10)), "empty"),
    (np.zeros((5, 5, 2)), "expected a 2-D grayscale image"),
    (np.array([["a"]]), "numeric pixels"),
    (np.full((4, 4), np.nan), "NaN"),
])
def test_bad_arrays(array, message):
    with pytest.raises(ImageError, match=message):
        read_image(array)


def test_a_single_2d_array_is_refused_as_a_batch():
    with pytest.raises(ValueError, match=r"Pass \[image\]"):
        DigitImageNormalizer().transform(np.zeros((28, 28)))


def test_read_images_from_files(tmp_path, photos):
    paths = []
    for i, picture in enumerate(photos[0][:3]):
        paths.append(str(tmp_path / f"{i}.jpg"))
        picture.save(paths[-1])
    grays = read_images(paths)
    assert [g.ndim for g in grays] == [2, 2, 2] and all(g.dtype == np.uint8 for g in grays)


@pytest.mark.slow
def test_photographed_digits_are_read_nearly_as_well_as_clean_ones(held_out, photos):
    """Accuracy floor: clean held-out digits vs the same digits "photographed"."""
    X_train, X_test, y_train, y_test = held_out
    pictures, labels = photos
    pipe = skdigits.make_digit_pipeline(
        hidden_layer_sizes=(256, 128, 64), epochs=10, random_state=0
    ).fit(X_train, y_train)
    clean = pipe.score(X_test[:200], labels)
    photographed = pipe.score(DigitImageNormalizer().transform(pictures), labels)
    naive = pipe.score(
        np.stack([np.asarray(p.convert("L").resize((28, 28))) for p in pictures]), labels
    )
    assert photographed >= 0.85
    assert photographed >= clean - 0.07
    assert naive < 0.3  # without the normaliser the photos are unreadable


def test_raw_image_pipeline_predicts_from_files(tmp_path, mnist_sample, photos):
    X, y = mnist_sample
    pipe = skdigits.make_digit_pipeline(
        raw_images=True, hidden_layer_sizes=(64,), epochs=3, random_state=0
    ).fit(X[:1000], y[:1000])
    assert list(pipe.named_steps) == ["normalize", "scaler", "reshape", "classifier"]
    path = str(tmp_path / "digit.png")
    photos[0][0].save(path)
    assert pipe.predict([path]).shape == (1,)
    assert pipe.predict_proba([photos[0][0]]).shape == (1, 10)
