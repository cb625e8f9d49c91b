"""Reading whole numbers: segment_digits, NumberReader, read_number and predict --number.

The pictures are strings of MNIST sample digits (dark ink on white paper,
or photographed by tests/_photos.render), read by the shipped model.
"""

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

import skdigits
from skdigits.exceptions import ImageError
from skdigits.images import DigitReader, NumberReader, NumberReading, segment_digits

from ._photos import render


@pytest.fixture(scope="module")
def model():
    return skdigits.load_pretrained()


@pytest.fixture(scope="module")
def reader(model):
    return NumberReader(model)


@pytest.fixture(scope="module")
def digits(mnist_sample, model):
    """label -> a few sample digits the shipped model reads right alone, bright on black."""
    X, y = mnist_sample
    right = model.predict(X[:400]) == y[:400]
    return {d: X[:400][(y[:400] == d) & right][:3] for d in range(10)}


def _ink(image, scale=3):
    """A 28x28 digit cropped to its ink and scaled up, float in [0, 1]."""
    rows, cols = np.nonzero(image > 0)
    crop = image[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    size = (crop.shape[1] * scale, crop.shape[0] * scale)
    return np.asarray(Image.fromarray(crop).resize(size, Image.BICUBIC), float) / 255


def compose(images, gaps, *, margin=30):
    """Digits side by side on one baseline, ``gaps[i]`` pixels after digit i (negative: overlap).

    A gap of None slides the next digit against the previous until their ink touches.
    Returns dark ink on white paper, uint8.
    """
    inks = [_ink(image) for image in images]
    height = max(i.shape[0] for i in inks)
    canvas = np.zeros((height + 2 * margin, sum(i.shape[1] for i in inks) + 2 * margin + 400))
    x = margin
    for n, ink in enumerate(inks):
        top = margin + height - ink.shape[0]
        if n and gaps[n - 1] is None:
            strokes, placed = ink > 0.3, canvas[top : top + ink.shape[0]] > 0.3
            x = max(
                placed[r].nonzero()[0].max() + 1 - strokes[r].nonzero()[0].min()
                for r in range(ink.shape[0])
                if strokes[r].any() and placed[r].any()
            )
        elif n:
            x += gaps[n - 1]
        region = canvas[top : top + ink.shape[0], x : x + ink.shape[1]]
        np.maximum(region, ink, out=region)
        x += ink.shape[1]
    canvas = canvas[:, : x + margin]
    return (235 - 205 * canvas).astype(np.uint8)


def test_a_string_of_separated_digits_reads_left_to_right(reader, digits):
    labels = [6, 2, 3, 9, 0, 4, 7]
    picture = compose([digits[d][0] for d in labels], [12, 30, 8, 20, 45, 15])
    reading = reader.read(picture)
    assert isinstance(reading, NumberReading)
    assert reading.text == "6239047"
    assert [d.digit for d in reading.digits] == labels
    lefts = [d.box[1] for d in reading.digits]
    assert lefts == sorted(lefts)
    assert all(d.seen.shape == (28, 28) and d.runner_up is not None for d in reading.digits)
    assert reading.probability == pytest.approx(np.prod([d.probability for d in reading.digits]))


@pytest.mark.parametrize("pair", [(2, 3), (0, 4), (5, 8), (6, 7), (3, 0)])
def test_touching_digits_are_cut_apart(reader, digits, pair):
    picture = compose([digits[pair[0]][1], digits[pair[1]][1]], [None])
    segments = segment_digits(picture)  # the blob is one piece of ink
    assert len(segments) >= 1
    assert reader.read(picture).text == f"{pair[0]}{pair[1]}"


def _five_in_two_pieces():
    """A 5 drawn as two strokes: the body, and its flag apart from it; dark on white."""
    image = Image.new("L", (120, 140), 235)
    pen = ImageDraw.Draw(image)
    pen.line([(40, 22), (37, 70)], fill=25, width=11)  # the upright
    pen.arc([22, 55, 92, 122], start=250, end=160, fill=25, width=11)  # the belly
    pen.line([(52, 20), (95, 20)], fill=25, width=11)  # the flag, 6 pixels away
    return np.asarray(image)


def test_a_five_in_two_pieces_is_one_digit(reader, digits):
    five = _five_in_two_pieces()
    assert len(segment_digits(five)) == 1
    assert reader.read(five).text == "5"
    three = (235 - 205 * np.pad(_ink(digits[3][0], 4), 10)).astype(np.uint8)
    three = np.asarray(Image.fromarray(three).resize((five.shape[1], five.shape[0])))
    reading = reader.read(np.concatenate([three, five, three], axis=1))
    assert reading.text == "353"


def test_a_picture_with_no_ink_reads_as_no_digits(reader):
    reading = reader.read(np.full((80, 200), 230, np.uint8))
    assert reading.text == "" and reading.digits == () and reading.unsure
    assert "no ink found" in reading.unsure_because[0]


@pytest.mark.parametrize("touching", [False, True])
def test_a_line_under_the_number_is_not_a_digit(reader, digits, touching):
    picture = compose([digits[d][0] for d in (4, 1, 7)], [20, 20]).copy()
    rows = np.flatnonzero((picture < 128).any(axis=1))
    line = rows.max() + (1 if touching else 6)
    picture[line : line + 5, 20:-20] = 30
    assert reader.read(picture).text == "417"


def test_specks_and_a_dot_are_left_out(reader, digits):
    picture = compose([digits[d][0] for d in (3, 8)], [60]).copy()
    picture[70:74, 105:109] = 30  # a dot between the digits
    picture[5:7, 5:7] = 30  # dust in a corner
    assert reader.read(picture).text == "38"


def test_a_wide_gap_starts_a_group(reader, digits):
    picture = compose([digits[d][0] for d in (1, 2, 3, 4, 5)], [15, 200, 15, 15])
    reading = reader.read(picture)
    assert reading.text == "12 345"
    assert reading.groups == (0, 0, 1, 1, 1)
    assert reading.as_dict()["digits"][2]["group"] == 1


def test_slant_and_a_wavy_baseline(reader, digits):
    from scipy import ndimage

    labels = (5, 0, 2, 6)
    picture = compose([digits[d][2] for d in labels], [18, 18, 18]).astype(float)
    wave = (8 * np.sin(np.arange(picture.shape[1]) / 40)).astype(int)
    for col, shift in enumerate(wave):
        picture[:, col] = np.roll(picture[:, col], shift)
    slant = np.array([[1, 0], [0.12, 1]])
    picture = ndimage.affine_transform(picture, slant, offset=(0, -10), cval=235, order=1)
    assert reader.read(picture.astype(np.uint8)).text == "5026"


def test_one_digit_reads_exactly_as_predict_reads_it(reader, model, mnist_sample):
    X, _ = mnist_sample
    single = DigitReader(model)
    for index in (0, 7, 42):
        picture = render(X[index], grid="ruled", seed=index)
        number, digit = reader.read(picture), single.read(picture)
        assert len(number.digits) == 1
        one = number.digits[0]
        assert (one.digit, one.probability, one.box) == (digit.digit, digit.probability, digit.box)
        np.testing.assert_array_equal(one.seen, digit.seen)
        assert number.text == str(digit.digit)


def test_any_fitted_pipeline_reads_the_segments(model, digits):
    picture = compose([digits[d][0] for d in (9, 4, 1)], [20, 20])
    segments = segment_digits(picture)
    assert segments.images.shape == (3, 28, 28) and segments.images.dtype == np.uint8
    assert len(segments.boxes) == 3 and segments.groups == (0, 0, 0)
    assert list(model.predict(segments.images)) == [9, 4, 1]


def test_read_number_uses_the_shipped_model_and_raises_on_bad_input(tmp_path, digits):
    picture = compose([digits[d][0] for d in (2, 7)], [25])
    assert skdigits.read_number(picture).text == "27"
    missing = tmp_path / "missing.png"
    not_a_picture = tmp_path / "notes.png"
    not_a_picture.write_text("not a picture")
    single = DigitReader(skdigits.load_pretrained())
    for bad in (str(missing), str(not_a_picture)):
        with pytest.raises(ImageError) as caught:
            skdigits.read_number(bad)
        assert str(caught.value) == single.read(bad).error


def test_predict_number_prints_json_and_saves_show(tmp_path, capsys, digits):
    from skdigits.cli import main

    path = tmp_path / "number.png"
    Image.fromarray(compose([digits[d][0] for d in (8, 0, 5)], [20, 20])).save(path)
    blank = tmp_path / "blank.png"
    Image.new("L", (60, 60), 230).save(blank)
    status = main(["predict", "--number", "--json", "--show", str(tmp_path / "seen"), str(path)])
    out = json.loads(capsys.readouterr().out)
    assert status == 0
    assert out[0]["number"] == "805"
    assert [d["digit"] for d in out[0]["digits"]] == [8, 0, 5]
    assert all(len(d["box"]) == 4 for d in out[0]["digits"])
    assert (tmp_path / "seen" / "number-seen.png").is_file()
    status = main(["predict", "--number", str(path), str(blank)])
    printed = capsys.readouterr().out
    assert status == 1
    assert "805" in printed and "no ink found" in printed


def test_a_shadow_along_the_edge_of_the_photo_is_not_a_digit(reader, digits):
    picture = compose([digits[d][0] for d in (2, 7, 3)], [30, 30]).copy()
    height, width = picture.shape
    # The table beyond the sheet in the lower left corner of the photo.
    picture[int(0.55 * height) :, :20] = 70
    assert reader.read(picture).text == "273"
