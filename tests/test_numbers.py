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
from skdigits.images import (
    DigitReader,
    NumberReader,
    NumberReading,
    _segment,
    normalize_picture,
    segment_digits,
)

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


@pytest.mark.parametrize("pair", [(2, 3), (0, 4), (5, 8), (6, 7), (3, 0), (7, 2)])
def test_touching_digits_are_cut_apart(reader, digits, pair):
    picture = compose([digits[pair[0]][1], digits[pair[1]][1]], [None])
    segments = segment_digits(picture)  # the blob is one piece of ink
    assert len(segments) >= 1
    assert reader.read(picture).text == f"{pair[0]}{pair[1]}"


def test_a_digit_apart_is_framed_as_the_normaliser_frames_its_own_crop(digits):
    from skdigits.images import normalize_picture

    # Three photos on ruled paper side by side: the line's cleaning and the
    # normaliser's, on one digit, frame it differently.
    photos = [render(digits[d][0], grid="ruled", light=0.8, seed=d) for d in (5, 0, 9)]
    picture = np.concatenate(photos, axis=1)
    found = segment_digits(picture)
    assert len(found) == 3
    room = round(0.35 * np.median([bottom - top for top, _, bottom, _ in found.boxes]))
    for k, (top, left, bottom, right) in enumerate(found.boxes):
        low = found.boxes[k - 1][3] if k else 0
        high = found.boxes[k + 1][1] if k < 2 else picture.shape[1]
        crop = picture[
            max(0, top - room) : bottom + room, max(low, left - room) : min(high, right + room)
        ]
        alone = normalize_picture(crop).image
        assert np.array_equal(found.images[k], alone)


def test_a_cut_runs_between_overlapping_strokes_where_no_column_parts_them():
    # Two marks whose strokes overlap in columns 20-25 without touching: the
    # first's top bar reaches column 25, the second's bottom bar column 20.
    mask = np.zeros((40, 44), bool)
    mask[:, 5:9] = mask[0:10, 5:26] = True  # the first: an upright and a top bar
    mask[:, 36:40] = mask[30:40, 20:40] = True  # the second: an upright and a bottom bar
    assert all(mask[:, col].any() for col in range(20, 26))  # no column there is empty
    paths = _segment._cut_paths(mask, np.array([22]), 40.0)
    assert paths.shape == (1, 40)
    assert not mask[np.arange(40), paths[0]].any()  # the cut crosses no ink
    left = mask & (np.arange(44)[None, :] < paths[0][:, None])
    assert left[:, 5:9].all() and not left[:, 36:40].any()


def test_a_blob_without_a_valley_still_gets_cuts_along_it():
    mask = np.ones((40, 120), bool)  # as wide as three digits, and no valley at all
    cuts = _segment._candidate_cuts(mask, 40.0)
    assert len(cuts) >= 10 and min(np.diff(cuts)) >= 3
    bounds = _segment._boundaries(mask, cuts, 40.0)
    assert bounds.shape == (len(cuts) + 2, 40)
    assert (np.diff(bounds, axis=0) >= 0).all()  # the cuts never cross


def test_a_paper_line_hidden_by_a_digit_is_still_a_line_across_the_picture():
    lines = np.zeros((60, 200), bool)
    lines[20:23, :80] = lines[20:23, 110:] = True  # a ruled line; a digit's stroke hides 80-110
    lines[40:43, 30:170] = True  # a run along the digits' bars: reaches neither edge
    across = _segment._across_the_picture(lines)
    assert across[20:23].sum() == lines[20:23].sum()
    assert not across[40:43].any()


def test_a_dark_corner_does_not_set_the_digits_height():
    mask = np.zeros((200, 300), bool)
    for left in (40, 100, 160):
        mask[70:120, left : left + 30] = True  # three digits 50 pixels tall
    mask[:, 260:] = True  # a shadow down the whole right edge
    blobs = _segment._components(mask)[1]
    assert _segment._digits_height(mask, blobs) == 50
    assert _segment._typical_height(blobs) == 200


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
        assert len(normalize_picture(picture).views) > 1  # averaged over views, as predict does
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
