"""The one reader of pictures: normalize_picture's record, DigitReader and its DigitReading."""

import dataclasses

import numpy as np
import pytest
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skdigits import DigitImageNormalizer, ImageReshaper
from skdigits.images import (
    DigitReader,
    DigitReading,
    NormalizedPicture,
    normalize_picture,
    raw_image_pipeline,
)

from ._photos import render


@pytest.fixture(scope="module")
def model(mnist_sample):
    """A quick pipeline on MNIST-form digits (no normaliser, no training of a network)."""
    X, y = mnist_sample
    return make_pipeline(ImageReshaper(), LogisticRegression(max_iter=200)).fit(X[:1000], y[:1000])


@pytest.fixture(scope="module")
def photo(tmp_path_factory, mnist_sample):
    """A photo of a held-out 3 on squared paper, as a JPEG file; and its label."""
    X, y = mnist_sample
    index = 3000 + int(np.flatnonzero(y[3000:] == 3)[0])
    path = tmp_path_factory.mktemp("photo") / "three.jpg"
    Image.fromarray(render(X[index], grid="squared", at=(40, 60))).save(path, quality=92)
    return str(path), 3


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    path = tmp_path_factory.mktemp("blank") / "blank.png"
    Image.new("L", (60, 60), 230).save(path)
    return str(path)


def test_normalize_picture_reads_as_transform_and_normalize_one_do(photo):
    path, _ = photo
    normalizer = DigitImageNormalizer()
    found = normalize_picture(path, normalizer)
    assert isinstance(found, NormalizedPicture)
    np.testing.assert_array_equal(found.image, normalizer.transform([path])[0])
    image, info = normalizer.normalize_one(found.picture, name=path, details=True)
    np.testing.assert_array_equal(found.image, image)
    assert found.info == info and found.hard_to_find == info["hard_to_find"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.ink_contrast = 0.0


def test_normalize_picture_finds_the_box_of_the_digit():
    paper = np.full((300, 200), 230, dtype=np.uint8)
    paper[100:220, 70:95] = 30  # a bar: the digit's ink
    for settings in ({}, {"digit_size": None}, {"box_size": None}):
        found = normalize_picture(paper, DigitImageNormalizer(**settings))
        top, left, bottom, right = found.box
        assert abs(top - 100) <= 3 and abs(bottom - 220) <= 3, settings
        assert abs(left - 70) <= 3 and abs(right - 95) <= 3, settings
        assert found.picture is not None and found.picture.shape == paper.shape


def test_the_normalizer_passes_all_its_parameters_to_the_steps():
    from skdigits.images._picture import SETTINGS

    assert set(SETTINGS) == set(DigitImageNormalizer._parameter_constraints)


def test_reader_reads_as_the_pipeline_with_a_normalizer_predicts(model, photo):
    path, label = photo
    pipeline = raw_image_pipeline(model).set_params(normalize__views=())
    proba = pipeline.predict_proba([path])[0]
    reading = DigitReader(pipeline).read(path, label=label)  # one view: the pipeline's own
    assert isinstance(reading, DigitReading) and reading.error is None
    np.testing.assert_allclose(reading.probabilities, proba)
    order = np.argsort(proba)[::-1]
    assert reading.digit == pipeline.classes_[order[0]]
    assert reading.runner_up == pipeline.classes_[order[1]]
    assert reading.probability == pytest.approx(proba[order[0]])
    assert reading.runner_up_probability == pytest.approx(proba[order[1]])
    np.testing.assert_array_equal(reading.seen, pipeline[0].transform([path])[0])
    assert reading.name == path and reading.label == label
    assert reading.misread == (reading.digit != label)
    assert reading.picture is None and len(reading.box) == 4
    assert DigitReader(pipeline).normalizer is pipeline.named_steps["normalize"]


def test_reader_averages_the_probabilities_over_the_normalizers_views(model, photo):
    path, label = photo
    pipeline = raw_image_pipeline(model)  # the default views: Sauvola's threshold, grey
    found = normalize_picture(path, pipeline[0])
    assert len(found.views) == 3
    np.testing.assert_array_equal(found.views[0], found.image)
    np.testing.assert_array_equal(found.image, pipeline[0].transform([path])[0])
    expected = pipeline[1:].predict_proba(found.views).mean(axis=0)
    for given in (model, pipeline):  # a normaliser is put in front, or split off
        reading = DigitReader(given).read(path, label=label)
        assert isinstance(reading, DigitReading) and reading.error is None
        np.testing.assert_allclose(reading.probabilities, expected, rtol=1e-6)
        order = np.argsort(expected)[::-1]
        assert reading.digit == pipeline.classes_[order[0]]
        assert reading.runner_up == pipeline.classes_[order[1]]
        assert reading.probability == pytest.approx(expected[order[0]])
        assert reading.runner_up_probability == pytest.approx(expected[order[1]])
        np.testing.assert_array_equal(reading.seen, found.image)
        assert reading.name == path and reading.label == label
        assert reading.misread == (reading.digit != label)
        assert reading.picture is None and len(reading.box) == 4


def test_reading_as_dict_is_what_predict_prints(model, photo, blank):
    path, _ = photo
    reading = DigitReader(model, min_probability=1.0).read(path)
    result = reading.as_dict()
    assert list(result) == [
        "file",
        "digit",
        "probability",
        "runner_up",
        "runner_up_probability",
        "unsure",
        "unsure_because",
    ]
    assert result["probability"] == round(reading.probability, 4)
    assert reading.unsure and result["unsure_because"][0].endswith("is under 1.00")
    sure = DigitReader(model).read(path)  # unsure only when the ink was hard to find
    assert sure.unsure == ("unsure_because" in sure.as_dict()) == bool(sure.unsure_because)
    failed = DigitReader(model).read(blank, label=2)
    assert failed.error and failed.digit is None and failed.misread and not failed.unsure
    assert failed.as_dict() == {"file": blank, "error": failed.error}


def test_bytes_and_arrays_are_read_with_the_name_given(model, photo):
    path, _ = photo
    with open(path, "rb") as handle:
        data = handle.read()
    reader = DigitReader(model)
    from_bytes = reader.read(data, name="the picture")
    assert from_bytes.name == "the picture"
    np.testing.assert_array_equal(from_bytes.seen, reader.read(path).seen)
    assert reader.read(np.full((40, 40), 200, np.uint8)).error.startswith("image: no ink")


def test_read_all_keeps_the_pictures_asked_for(model, photo, blank):
    path, label = photo
    reader = DigitReader(model)
    readings = reader.read_all([path, blank], [label, 2])
    assert [r.label for r in readings] == [label, 2]
    assert all(r.picture is None for r in readings)
    kept = reader.read_all([path, blank], [label, 2], keep_pictures=True, picture_size=50)
    assert max(kept[0].picture.shape[:2]) == 50 and kept[1].picture is None  # blank: no reading
    digit = readings[0].digit
    misread = reader.read_all([path, path], [digit, (digit + 1) % 10], keep_pictures="misread")
    assert [r.misread for r in misread] == [False, True]
    assert misread[0].picture is None and misread[1].picture.shape[:2] == (240, 240)


def test_views_that_change_nothing_are_not_read_twice():
    paper = np.full((120, 90), 230, dtype=np.uint8)  # grey: the "grey" view is the main one
    paper[20:100, 40:52] = 30
    assert len(normalize_picture(paper).views) == 2
    sauvola = DigitImageNormalizer(threshold="sauvola")  # its main view is the Sauvola view
    assert len(normalize_picture(paper, sauvola).views) == 1
    assert len(normalize_picture(paper, DigitImageNormalizer(views=())).views) == 1


@pytest.mark.parametrize("views", [("sauvola", "blur"), ("grey", "grey"), ["grey"], "grey"])
def test_unknown_or_repeated_views_are_refused(views):
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="'views' parameter .* must be a tuple among"):
        DigitImageNormalizer(views=views).fit()
    with pytest.raises(InvalidParameterError, match="'views' parameter"):
        DigitImageNormalizer(views=views).transform([np.zeros((28, 28), np.uint8)])
