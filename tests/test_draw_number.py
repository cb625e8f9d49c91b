"""The drawing page's number mode: ``POST /predict?number=1`` and the wide canvas in a browser.

The pictures are MNIST sample digits that the shipped model reads right
alone, pasted side by side as dark ink on white; the answers are compared
with what ``skdigits predict --number --json`` prints for the same picture.
"""

import base64
import http.client
import io
import json
import threading

import numpy as np
import pytest
from PIL import Image

import skdigits
from skdigits.cli import main
from skdigits.draw import _server as draw_server
from skdigits.images import NumberReader

from ._strokes import digit_strokes
from .test_draw import encode, post


@pytest.fixture(scope="module")
def model():
    """The shipped model, reading pictures, as ``skdigits predict`` and ``draw`` use it."""
    return skdigits.load_pretrained(raw_images=True)


@pytest.fixture(scope="module")
def digits(mnist_sample, model):
    """label -> a sample digit (bright on black) that the shipped model reads right alone."""
    X, y = mnist_sample
    right = model[1:].predict(X[:300]) == y[:300]
    return {d: X[:300][(y[:300] == d) & right][0] for d in range(10)}


def _serve(model, **options):
    server = draw_server.make_server(model, "127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _stop(server, thread):
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(model):
    """The drawing server with the shipped model, on a free loopback port."""
    server, thread = _serve(model)
    yield server
    _stop(server, thread)


def number_picture(digits, labels, gaps=None, scale=3, margin=30):
    """PNG bytes of the digits of ``labels`` on one baseline, ``gaps[i]`` px after the i-th."""
    gaps = [24] * (len(labels) - 1) if gaps is None else gaps
    inks = []
    for label in labels:
        image = digits[label]
        rows, cols = np.nonzero(image)
        crop = image[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        size = (crop.shape[1] * scale, crop.shape[0] * scale)
        inks.append(np.asarray(Image.fromarray(crop).resize(size, Image.BICUBIC)))
    height = max(ink.shape[0] for ink in inks)
    width = sum(ink.shape[1] for ink in inks) + sum(gaps) + 2 * margin
    paper = np.zeros((height + 2 * margin, width), np.uint8)
    x = margin
    for ink, gap in zip(inks, [*gaps, 0]):
        top = margin + height - ink.shape[0]
        paper[top : top + ink.shape[0], x : x + ink.shape[1]] = ink
        x += ink.shape[1] + gap
    return encode(Image.fromarray(255 - paper), "PNG")


def predict_number_json(tmp_path, capsys, data, *options):
    """The record ``skdigits predict --number --json`` prints for the picture ``data``."""
    path = tmp_path / "number.png"
    path.write_bytes(data)
    assert main(["predict", "--number", "--json", *options, str(path)]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["file"] == str(path)
    return record


# --- the endpoint ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels, gaps, text",
    [
        ((6, 2, 3), None, "623"),
        ((2, 0, 2, 6), [30, 18, 40], "2026"),
        ((1, 2, 3, 4), [20, 220, 20], "12 34"),
    ],
    ids=["623", "2026", "groups"],
)
def test_a_number_gets_the_record_that_predict_number_json_prints(
    server, digits, tmp_path, capsys, labels, gaps, text
):
    data = number_picture(digits, labels, gaps)
    status, answer = post(server.url, data, path="/predict?number=1")
    assert status == 200
    assert answer["number"] == text
    assert [d["digit"] for d in answer["digits"]] == list(labels)
    assert answer == {**predict_number_json(tmp_path, capsys, data), "file": "the picture"}


def test_seen_adds_each_digits_28x28_image_and_changes_nothing_else(server, model, digits):
    data = number_picture(digits, (9, 4, 1))
    plain = post(server.url, data, path="/predict?number=1")[1]
    status, answer = post(server.url, data, path="/predict?number=1&seen=1")
    assert status == 200
    seen = [d.pop("seen") for d in answer["digits"]]
    assert answer == plain
    reading = NumberReader(model).read(data)
    for image, digit in zip(seen, reading.digits):
        np.testing.assert_array_equal(
            np.asarray(Image.open(io.BytesIO(base64.b64decode(image)))), digit.seen
        )


def test_min_probability_flags_unsure_digits_as_predict_does(model, digits, tmp_path, capsys):
    data = number_picture(digits, (5, 8))
    server, thread = _serve(model, min_probability=0.99)
    try:
        status, answer = post(server.url, data, path="/predict?number=1")
    finally:
        _stop(server, thread)
    assert status == 200
    assert answer["unsure"] and all(d["unsure"] for d in answer["digits"])
    assert "under 0.99" in " ".join(answer["unsure_because"])
    expected = predict_number_json(tmp_path, capsys, data, "--min-probability", "0.99")
    assert answer == {**expected, "file": "the picture"}


def test_number_zero_reads_one_digit_as_without_a_query(server, digits):
    data = number_picture(digits, (7,))
    assert post(server.url, data, path="/predict?number=0") == post(server.url, data)


@pytest.mark.parametrize(
    "body, message",
    [
        (encode(Image.new("L", (840, 280), 255), "PNG"), "the picture: no ink found"),
        (b"", "the picture is empty"),
        (b"this is not a picture", "not an image file"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image"),
    ],
    ids=["no-ink", "empty", "text", "broken-png"],
)
def test_a_number_picture_that_cannot_be_read_gets_400_saying_why(server, body, message):
    status, answer = post(server.url, body, path="/predict?number=1")
    assert status == 400
    assert sorted(answer) == ["error"]
    assert message in answer["error"]


def test_oversized_and_too_many_pixels_are_refused_in_number_mode_too(server):
    status, answer = post(
        server.url, b"\xff" * (draw_server.MAX_BODY_BYTES + 1), path="/predict?number=1"
    )
    assert status == 413 and f"{draw_server.MAX_BODY_BYTES:,}" in answer["error"]
    huge = encode(Image.new("1", (10_000, 8_000), 1), "PNG")
    status, answer = post(server.url, huge, path="/predict?number=1")
    assert status == 400 and "too large to read here" in answer["error"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("number=abc", "number='abc' must be 1 or 0 (true or false)"),
        ("number=", "number='' must be 1 or 0"),
        ("number=2", "number='2' must be 1 or 0"),
        ("number=1&number=0", "'number' is given twice"),
        ("nmber=1", "unknown query parameter 'nmber' for /predict; it takes number=1"),
        ("seen=1", "seen=1 goes with number=1"),
        ("abc", "cannot read the query 'abc': expected name=value pairs"),
        ("x" * 500 + "=1", "unknown query parameter 'xxxx"),
    ],
    ids=["word", "blank", "two", "twice", "misspelt", "seen-alone", "no-pairs", "long-name"],
)
def test_a_bad_query_gets_400_saying_what_was_expected(server, digits, query, message):
    status, answer = post(server.url, number_picture(digits, (3, 1)), path=f"/predict?{query}")
    assert status == 400
    assert message in answer["error"]
    assert len(answer["error"]) < 300  # a long name is cut, not echoed whole


def test_a_bad_query_leaves_the_connection_usable(server, digits):
    data = number_picture(digits, (4, 2))
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        answers = []
        for query in ("number=abc", "number=true"):
            connection.request("POST", f"/predict?{query}", body=data)
            response = connection.getresponse()
            answers.append((response.status, json.loads(response.read())))
    finally:
        connection.close()
    assert answers[0][0] == 400
    assert answers[1] == (200, post(server.url, data, path="/predict?number=1")[1])
    assert answers[1][1]["number"] == "42"


def test_make_server_refuses_a_min_probability_that_is_not_one(model):
    for bad in (1.5, -0.1, "0.6", True, None):
        with pytest.raises(ValueError, match=r"min_probability must be a probability in \[0, 1\]"):
            draw_server.make_server(model, min_probability=bad)


# --- the command -----------------------------------------------------------------------


@pytest.fixture
def made_servers(monkeypatch, model):
    """``skdigits draw`` with the shipped model, its serve_forever returning as Ctrl-C would."""
    from skdigits import pretrained

    made = []

    def interrupted(self, poll_interval=0.5):
        made.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(draw_server.DrawServer, "serve_forever", interrupted)
    monkeypatch.setattr(pretrained, "load_default_model", lambda *a, **k: model)
    return made


def test_draw_number_prints_the_address_of_the_number_mode(made_servers, capsys):
    assert main(["draw", "--number", "--no-browser", "--port", "0"]) == 0
    assert f"Drawing page at {made_servers[0].url}#number " in capsys.readouterr().out


def test_draw_min_probability_reaches_the_number_reader_with_predicts_default(made_servers, capsys):
    from skdigits.cli import build_parser

    parser = build_parser()
    default = parser.parse_args(["predict", "x.png"]).min_probability
    assert parser.parse_args(["draw"]).min_probability == default
    assert main(["draw", "--no-browser", "--port", "0"]) == 0
    assert main(["draw", "--min-probability", "0.9", "--no-browser", "--port", "0"]) == 0
    assert [s.number_reader.min_probability for s in made_servers] == [default, 0.9]
    with pytest.raises(SystemExit):
        main(["draw", "--min-probability", "2"])
    assert "a probability in [0, 1]" in capsys.readouterr().err


# --- the page in a real browser --------------------------------------------------------


def _open(browser, server, address="", **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(server.url + address)
    return context, page, errors


def _write_number(page, digits, labels):
    """Retrace each digit with mouse strokes, side by side on the wide canvas."""
    box = page.locator("#canvas").bounding_box()
    scale = box["height"] / 28 * 0.8  # a digit 80 % of the canvas' height
    for n, label in enumerate(labels):
        left = box["x"] + box["width"] * (0.08 + 0.84 * n / len(labels))
        for stroke in digit_strokes(digits[label]):
            points = [
                (left + x * scale, box["y"] + 0.1 * box["height"] + y * scale) for x, y in stroke
            ]
            page.mouse.move(*points[0])
            page.mouse.down()
            for point in points[1:]:
                page.mouse.move(*point)
            page.mouse.up()
    page.wait_for_selector("#app:not([data-state=busy])", state="attached")
    assert page.get_attribute("#app", "data-state") == "done", page.inner_text("#status")


def _canvas_png(page):
    url = page.evaluate("document.getElementById('canvas').toDataURL('image/png')")
    return base64.b64decode(url.split(",", 1)[1])


def _boxes(page, selector):
    return [
        page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())
    ]


def _disjoint(a, b):
    return (
        a["x"] + a["width"] <= b["x"] + 0.5
        or b["x"] + b["width"] <= a["x"] + 0.5
        or a["y"] + a["height"] <= b["y"] + 0.5
        or b["y"] + b["height"] <= a["y"] + 0.5
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 375, "height": 740}],
    ids=["wide", "phone"],
)
def test_a_number_written_in_number_mode_is_read_as_the_python_api_reads_the_canvas(
    browser, server, model, digits, viewport, tmp_path
):
    phone = viewport["width"] < 500
    context, page, errors = _open(
        browser,
        server,
        viewport=viewport,
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
    )
    try:
        assert page.get_attribute("#app", "data-mode") == "digit"
        page.click("label:has(#mode-number)")
        assert page.get_attribute("#app", "data-mode") == "number"
        assert page.evaluate("location.hash") == "#number"
        assert page.get_attribute("#canvas", "width") == "840"
        assert "Write a number" in page.inner_text("#status")
        labels = (3, 5, 0)
        _write_number(page, digits, labels)

        # What the page shows is what the reader reads from the canvas' own picture.
        reading = NumberReader(model, min_probability=draw_server.MIN_PROBABILITY).read(
            _canvas_png(page), name="the picture"
        )
        assert reading.text == "350"
        assert page.inner_text("#number") == reading.text
        cards = page.locator("#digits li")
        assert cards.count() == len(reading.digits)
        for i, digit in enumerate(reading.digits):
            card = cards.nth(i)
            assert card.locator(".read").inner_text() == str(digit.digit)
            assert card.locator(".sure").inner_text().startswith(f"{100 * digit.probability:.0f}%")
            assert ("unsure" in card.get_attribute("class")) == digit.unsure
            src = card.locator("img").get_attribute("src")
            shown = np.asarray(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))))
            np.testing.assert_array_equal(shown, digit.seen)
        assert f"reads {reading.text}" in page.inner_text("#status")
        # Each digit's box on the canvas, where the reader found it.
        rects = page.eval_on_selector_all(
            "#boxes rect",
            "rs => rs.map(r => ['y', 'x', 'height', 'width'].map(k => +r.getAttribute(k)))",
        )
        assert [(t, x, t + h, x + w) for t, x, h, w in rects] == [d.box for d in reading.digits]

        # Nothing clipped or overlapping: the canvas, cards and boxes lie inside the
        # page's width, the cards apart from one another, the answer below the canvas.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        canvas = page.locator("#canvas").bounding_box()
        assert canvas["x"] >= 0 and canvas["x"] + canvas["width"] <= viewport["width"]
        assert canvas["width"] == pytest.approx(3 * canvas["height"], rel=0.03)
        overlay = page.locator("#boxes").bounding_box()
        assert overlay["width"] == pytest.approx(canvas["width"] - 4, abs=1)
        cards_boxes = _boxes(page, "#digits li")
        assert all(b["x"] >= 0 and b["x"] + b["width"] <= viewport["width"] for b in cards_boxes)
        assert all(_disjoint(a, b) for i, a in enumerate(cards_boxes) for b in cards_boxes[i + 1 :])
        number_box = page.locator("#number").bounding_box()
        assert number_box["y"] >= canvas["y"] + canvas["height"]
        assert page.locator("#bars").is_hidden() and page.locator("#digit").is_hidden()
        page.screenshot(path=tmp_path / f"draw-number-{viewport['width']}.png", full_page=True)

        # Escape clears; back in digit mode the square canvas reads one digit again.
        page.keyboard.press("Escape")
        assert page.inner_text("#number") == "" and page.locator("#boxes rect").count() == 0
        page.click("label:has(#mode-digit)")
        assert page.get_attribute("#canvas", "width") == "280"
        assert page.evaluate("location.hash") == ""
        assert page.locator("#bars").is_visible() and page.locator("#digits").is_hidden()
    finally:
        context.close()
    assert errors == []


@pytest.mark.slow
def test_a_photo_of_a_number_in_number_mode_gets_its_digits_without_boxes(
    browser, server, digits, tmp_path
):
    context, page, errors = _open(
        browser, server, "#number", viewport={"width": 1280, "height": 800}
    )
    try:
        assert page.get_attribute("#app", "data-mode") == "number"
        picture = tmp_path / "2026.png"
        picture.write_bytes(number_picture(digits, (2, 0, 2, 6)))
        page.set_input_files("#file", str(picture))
        page.wait_for_selector('#app[data-answers="1"]', state="attached")
        assert page.inner_text("#number") == "2026"
        assert page.locator("#digits li").count() == 4
        assert page.locator("#boxes rect").count() == 0  # boxes are drawn on drawings only
        assert page.is_visible("#photo")
    finally:
        context.close()
    assert errors == []
