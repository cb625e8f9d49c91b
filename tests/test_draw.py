"""``skdigits draw``: the HTTP API, the command, and the page in a real browser."""

import base64
import http.client
import io
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image

import skdigits
from skdigits.cli import main
from skdigits.images import normalize_picture

from ._photos import photograph
from ._strokes import digit_strokes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def model(small_split):
    """A tiny fitted pipeline that reads pictures (normaliser first)."""
    X_train, _, y_train, _ = small_split
    pipeline = skdigits.make_digit_pipeline(
        raw_images=True, hidden_layer_sizes=(32,), epochs=2, random_state=0, verbose=0
    )
    return pipeline.fit(X_train, y_train)


@pytest.fixture(scope="module")
def held_out(small_split):
    """Digits the model never saw, with their labels."""
    _, X_test, _, y_test = small_split
    return X_test, y_test


@pytest.fixture(scope="module")
def server(model):
    """The drawing server on a free loopback port, serving from a thread."""
    from skdigits.draw._server import make_server

    server = make_server(model, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def python_answer(model, data):
    """Digit, probabilities and seen image of picture bytes, through the Python API.

    As a reader reads a picture: the mean of the model's probabilities over
    the normaliser's views of it, the main view seen.
    """
    found = normalize_picture(data, model.named_steps["normalize"])
    proba = model[1:].predict_proba(found.views).mean(axis=0)
    return int(model[1:].classes_[np.argmax(proba)]), proba, found.image


def encode(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def drawing(digit, fmt="PNG"):
    """An MNIST digit as a user's drawing: dark ink on white, 280x280."""
    return encode(Image.fromarray(255 - digit).resize((280, 280), Image.BILINEAR), fmt)


def post(url, body, path="/predict", headers=None):
    """POST ``body``; return (status, JSON answer)."""
    request = urllib.request.Request(
        url.rstrip("/") + path, data=body, method="POST", headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def get(url, path="/"):
    try:
        with urllib.request.urlopen(url.rstrip("/") + path, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


# --- the HTTP API --------------------------------------------------------------------


def test_page_is_served_at_root_self_contained_and_locked_down(server):
    status, headers, body = get(server.url)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    assert "<canvas" in page and "/predict" in page
    assert "__MAX_BODY_BYTES__" not in page
    # Nothing from outside: no external script, style, font or image.
    for attribute in ('src="http', "src='http", 'href="http', "url(http", "@import"):
        assert attribute not in page
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_picture_gets_its_digit_ten_probabilities_and_the_seen_image(
    server, model, held_out, fmt
):
    X, _ = held_out
    data = drawing(X[0], fmt)
    status, answer = post(server.url, data, headers={"Content-Type": f"image/{fmt.lower()}"})
    assert status == 200
    assert sorted(answer) == ["digit", "probabilities", "seen"]
    digit, proba, seen = python_answer(model, data)
    assert answer["digit"] == digit
    assert len(answer["probabilities"]) == 10
    np.testing.assert_allclose(answer["probabilities"], proba, atol=1e-5)
    assert sum(answer["probabilities"]) == pytest.approx(1.0, abs=1e-4)
    seen_image = np.asarray(Image.open(io.BytesIO(base64.b64decode(answer["seen"]))))
    assert seen_image.shape == (28, 28)
    np.testing.assert_array_equal(seen_image, seen)


def test_a_photo_is_read_as_the_python_api_reads_it(server, model, held_out):
    X, _ = held_out
    data = encode(photograph(X[1], seed=1), "JPEG", quality=85)
    status, answer = post(server.url, data)
    assert status == 200
    assert answer["digit"] == python_answer(model, data)[0]


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "empty"),
        (b"this is not a picture", "not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image"),  # a PNG signature, then garbage
    ],
    ids=["empty", "text", "broken-png"],
)
def test_a_body_that_is_not_a_picture_gets_400_with_a_json_error(server, body, message):
    status, answer = post(server.url, body)
    assert status == 400
    assert message in answer["error"]


def test_a_picture_without_ink_gets_400_saying_so(server):
    status, answer = post(server.url, encode(Image.new("L", (280, 280), 255), "PNG"))
    assert status == 400
    assert "no ink" in answer["error"]


def test_a_picture_of_too_many_pixels_is_refused_before_decoding(server):
    huge = encode(Image.new("1", (10_000, 8_000), 1), "PNG")  # 80 megapixels in 10 kB
    assert len(huge) < 100_000
    status, answer = post(server.url, huge)
    assert status == 400
    assert "too large" in answer["error"]


def test_an_oversized_body_gets_413(server):
    from skdigits.draw._server import MAX_BODY_BYTES

    # Sent whole: the server reads and drops it, then answers.
    status, answer = post(server.url, b"\xff" * (MAX_BODY_BYTES + 1))
    assert status == 413
    assert f"{MAX_BODY_BYTES:,}" in answer["error"]
    # Announced only: refused on the Content-Length alone, nothing read.
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.putrequest("POST", "/predict")
    connection.putheader("Content-Length", str(10 * 2**30))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert "error" in json.loads(response.read())
    connection.close()


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"Transfer-Encoding": "chunked"}, 411),
        ({"Content-Length": "-5"}, 400),
        ({"Content-Length": "many"}, 400),
    ],
    ids=["chunked", "negative", "not-a-number"],
)
def test_a_body_without_a_usable_length_is_refused(server, headers, status):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.putrequest("POST", "/predict", skip_accept_encoding=True)
    for key, value in headers.items():
        connection.putheader(key, value)
    connection.endheaders()
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    assert response.status == status
    assert "error" in answer


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/favicon.ico", 404),
        ("GET", "/draw.html", 404),
        ("GET", "/../../../../etc/passwd", 404),
        ("GET", "/skdigits/_draw.py", 404),
        ("GET", "/predict", 405),
        ("POST", "/", 404),
        ("POST", "/predict/../etc", 404),
    ],
)
def test_anything_but_the_page_and_predict_is_refused(server, method, path, status):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.request(method, path, body=b"x" if method == "POST" else None)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == status
    assert "error" in json.loads(body)


def test_other_host_names_are_refused_on_a_loopback_server(server):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.request("GET", "/", headers={"Host": "attacker.example:80"})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 403


def test_concurrent_requests_each_get_their_own_answer(server, held_out):
    X, _ = held_out
    pictures = [drawing(digit) for digit in X[:12]]
    expected = [post(server.url, data)[1] for data in pictures]  # one at a time
    assert len({answer["digit"] for answer in expected}) > 2  # different answers to mix up
    jobs = [i % len(pictures) for i in range(48)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda i: post(server.url, pictures[i]), jobs))
    for i, (status, answer) in zip(jobs, answers):
        assert status == 200
        assert answer == expected[i]


def test_the_server_reads_keep_alive_requests_in_turn(server, held_out):
    X, _ = held_out
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    digits = []
    for digit in X[:3]:
        connection.request("POST", "/predict", body=drawing(digit))
        response = connection.getresponse()
        assert response.status == 200
        digits.append(json.loads(response.read())["digit"])
    connection.close()
    assert digits == [post(server.url, drawing(digit))[1]["digit"] for digit in X[:3]]


def test_reader_refuses_a_model_that_does_not_predict_digits(small_split):
    from sklearn.dummy import DummyClassifier
    from sklearn.pipeline import make_pipeline

    from skdigits.draw._server import make_server

    X, _, y, _ = small_split
    letters = make_pipeline(skdigits.ImageReshaper(), DummyClassifier()).fit(
        X[:20], np.array(list("ab") * 10)
    )
    with pytest.raises(ValueError, match="digits 0-9"):
        make_server(letters)


# --- the command -----------------------------------------------------------------------


@pytest.fixture
def quick_serve(monkeypatch):
    """Make serve_forever return at once as Ctrl-C would; record the servers made."""
    from skdigits.draw import _server as _draw

    made = []

    def interrupted(self, poll_interval=0.5):
        made.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(_draw.DrawServer, "serve_forever", interrupted)
    return made


def test_draw_without_a_model_uses_the_default_model(
    model, quick_serve, capsys, monkeypatch, tmp_path
):
    from skdigits import pretrained

    calls = []

    def fake_default(*, log=print):
        calls.append(log)
        return model

    monkeypatch.setattr(pretrained, "load_default_model", fake_default)
    status = main(["draw", "--no-browser", "--port", "0"])
    out = capsys.readouterr()
    assert status == 0
    assert calls == [print]
    assert f"Drawing page at {quick_serve[0].url}" in out.out
    assert "Stopped." in out.out
    assert out.err == ""


def test_draw_opens_the_browser_unless_told_not_to(model, quick_serve, capsys, monkeypatch):
    import webbrowser

    from skdigits import pretrained

    monkeypatch.setattr(pretrained, "load_default_model", lambda *a, **k: model)
    monkeypatch.setenv("DISPLAY", ":0")
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    assert main(["draw", "--port", "0"]) == 0
    assert opened == [quick_serve[0].url]
    assert main(["draw", "--port", "0", "--no-browser"]) == 0
    assert len(opened) == 1


def test_a_host_beyond_loopback_is_warned_about(model, quick_serve, capsys, monkeypatch):
    from skdigits import pretrained
    from skdigits.cli import _draw as draw_command

    monkeypatch.setattr(pretrained, "load_default_model", lambda *a, **k: model)
    binds = []
    real_bind = draw_command._bind

    def loopback_bind(model, host, port, **options):
        binds.append(host)
        return real_bind(model, "127.0.0.1", port, **options)  # the test itself stays on loopback

    monkeypatch.setattr(draw_command, "_bind", loopback_bind)
    assert main(["draw", "--host", "0.0.0.0", "--port", "0", "--no-browser"]) == 0
    out, err = capsys.readouterr()
    assert binds == ["0.0.0.0"]
    assert "warning" in err and "anyone" in err and "network" in err
    assert "From other devices" in out
    assert main(["draw", "--host", "localhost", "--port", "0", "--no-browser"]) == 0
    assert capsys.readouterr().err == ""


def test_a_port_in_use_is_a_one_line_error(model, quick_serve, capsys, monkeypatch, server):
    from skdigits import pretrained

    monkeypatch.setattr(pretrained, "load_default_model", lambda *a, **k: model)
    taken = server.server_address[1]
    assert main(["draw", "--port", str(taken), "--no-browser"]) == 1
    err = capsys.readouterr().err
    assert f"port {taken} is in use" in err and "--port 0" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv, status, message",
    [
        (["draw", "no-such-model.skdigits", "--no-browser"], 1, "no-such-model.skdigits"),
        (["draw", "--port", "70000"], 2, "port number"),
        (["draw", "--port", "eighty"], 2, "port number"),
    ],
)
def test_draw_user_errors_are_one_line(argv, status, message, capsys):
    if status == 2:  # argparse refuses the arguments
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
    else:
        assert main(argv) == status
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_a_pickled_model_needs_allow_pickle(model, quick_serve, capsys, tmp_path):
    path = tmp_path / "model.joblib"
    skdigits.save_model(model, path)
    assert main(["draw", str(path), "--no-browser", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "--allow-pickle" in err and "Traceback" not in err
    assert quick_serve == []  # nothing served
    assert main(["draw", str(path), "--allow-pickle", "--no-browser", "--port", "0"]) == 0
    assert len(quick_serve) == 1


@pytest.mark.slow
def test_ctrl_c_stops_the_command_cleanly(model, tmp_path):
    path = tmp_path / "model.skdigits"
    skdigits.save_model(model, path)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(
        [sys.executable, "-m", "skdigits", "draw", str(path), "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
        # as in a terminal: a suite started in the background (`pytest &`) ignores SIGINT,
        # and a child would inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Drawing page at http://127.0.0.1:"), line + process.stderr.read()
        url = line.split()[3]
        status, _, _ = get(url)
        assert status == 200
        assert post(url, drawing(np.eye(28, dtype=np.uint8)[::-1] * 255))[0] == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Stopped." in out
    assert "Traceback" not in err


# --- the page in a real browser (the browser fixture: conftest.py) -------------------


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 900, "height": 720}, device_scale_factor=1)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(server.url)
    yield page
    context.close()
    assert errors == []


def _draw_digit(page, digit):
    """Draw ``digit``'s strokes on the canvas with mouse events; wait for the answer."""
    box = page.locator("#canvas").bounding_box()
    scale = box["width"] / digit.shape[1]
    for stroke in digit_strokes(digit):
        points = [(box["x"] + x * scale, box["y"] + y * scale) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point)
        page.mouse.up()
    _wait_for_answer(page)


def _wait_for_answer(page):
    # Selectors, not wait_for_function: the page's CSP forbids the eval it uses.
    page.wait_for_selector("#app:not([data-state=busy])", state="attached")
    assert page.locator("#app").get_attribute("data-state") == "done", page.inner_text("#status")


def _canvas_png(page):
    url = page.evaluate("document.getElementById('canvas').toDataURL('image/png')")
    return base64.b64decode(url.split(",", 1)[1])


def _shown(page):
    """Digit, percentages and seen image that the page shows."""
    digit = page.inner_text("#digit")
    values = page.locator("#bars .value").all_inner_texts()
    seen = page.get_attribute("#seen", "src")
    return digit, values, seen


@pytest.mark.slow
def test_drawn_digits_are_read_as_the_python_api_reads_the_canvas(page, model, held_out, tmp_path):
    X, y = held_out
    agree_with_label = 0
    for index in range(6):
        page.click("#clear") if page.is_enabled("#clear") else None
        _draw_digit(page, X[index])
        digit, proba, seen = python_answer(model, _canvas_png(page))
        shown, values, seen_src = _shown(page)
        assert shown == str(digit)
        assert values[digit] == page.locator("#bars li.top .value").inner_text()
        widths = page.eval_on_selector_all("#bars .bar", "bars => bars.map(b => b.style.width)")
        np.testing.assert_allclose([float(w.rstrip("%")) for w in widths], 100 * proba, atol=0.06)
        shown_seen = np.asarray(Image.open(io.BytesIO(base64.b64decode(seen_src.split(",", 1)[1]))))
        np.testing.assert_array_equal(shown_seen, seen)
        status = page.inner_text("#status")
        assert f"reads {digit}" in status
        agree_with_label += digit == y[index]
    page.screenshot(path=tmp_path / "draw-page.png")
    # The tiny test model reads most of the retraced digits right.
    assert agree_with_label >= 3


@pytest.mark.slow
def test_clear_empties_the_result_and_undo_takes_back_a_stroke(page, held_out):
    X, _ = held_out
    assert page.is_disabled("#clear") and page.is_disabled("#undo")
    _draw_digit(page, X[2])
    assert page.inner_text("#digit") != ""
    before = _canvas_png(page)
    box = page.locator("#canvas").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + 60, box["y"] + 30)
    page.mouse.up()
    _wait_for_answer(page)
    assert _canvas_png(page) != before
    page.click("#undo")
    _wait_for_answer(page)
    assert np.array_equal(
        np.asarray(Image.open(io.BytesIO(_canvas_png(page)))),
        np.asarray(Image.open(io.BytesIO(before))),
    )
    page.click("#clear")
    digit, values, seen = _shown(page)
    assert digit == "" and seen is None
    assert set(values) == {"\u2013"}
    assert page.locator("#app").get_attribute("data-state") == "empty"
    assert "Cleared" in page.inner_text("#status")
    pixels = np.asarray(Image.open(io.BytesIO(_canvas_png(page))).convert("L"))
    assert pixels.min() == 255  # white paper again
    assert page.is_disabled("#clear") and page.is_disabled("#undo")


@pytest.mark.slow
def test_a_picked_and_a_dropped_photo_get_an_answer(page, model, held_out, tmp_path):
    X, _ = held_out
    picked = tmp_path / "photo.jpg"
    photograph(X[3], seed=3).save(picked, quality=85)
    page.set_input_files("#file", str(picked))
    _wait_for_answer(page)
    assert page.inner_text("#digit") == str(python_answer(model, picked.read_bytes())[0])
    assert page.is_visible("#photo")

    dropped = encode(photograph(X[4], seed=4), "JPEG", quality=85)
    transfer = page.evaluate_handle(
        """(data) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "dropped.jpg", {type: "image/jpeg"}));
            return transfer;
        }""",
        base64.b64encode(dropped).decode("ascii"),
    )
    before = int(page.get_attribute("#app", "data-answers"))
    page.dispatch_event("#drop-zone", "drop", {"dataTransfer": transfer})
    page.wait_for_selector(f'#app[data-answers="{before + 1}"]', state="attached")
    _wait_for_answer(page)
    assert page.inner_text("#digit") == str(python_answer(model, dropped)[0])
    page.screenshot(path=tmp_path / "draw-photo.png")

    # A file over the server's limit is made smaller in the browser, then read.
    from PIL.PngImagePlugin import PngInfo

    from skdigits.draw._server import MAX_BODY_BYTES

    padding = PngInfo()
    padding.add_text("padding", "x" * MAX_BODY_BYTES)
    big = tmp_path / "big.png"
    Image.fromarray(255 - X[5]).resize((560, 560)).save(big, pnginfo=padding)
    assert big.stat().st_size > MAX_BODY_BYTES
    page.set_input_files("#file", str(big))
    page.wait_for_selector(f'#app[data-answers="{before + 2}"]', state="attached")
    _wait_for_answer(page)
    assert page.inner_text("#digit") in list("0123456789")


@pytest.mark.slow
def test_the_page_fits_a_phone_takes_touch_and_works_from_the_keyboard(
    browser, server, held_out, tmp_path
):
    X, _ = held_out
    context = browser.new_context(
        viewport={"width": 375, "height": 740},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.goto(server.url)
    try:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        box = page.locator("#canvas").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["width"] >= 250
        # A finger draws a stroke: real touch events through the DevTools protocol.
        touch = context.new_cdp_session(page)
        scale = box["width"] / 28
        for stroke in digit_strokes(X[5]):
            points = [{"x": box["x"] + x * scale, "y": box["y"] + y * scale} for x, y in stroke]
            for kind, touching in [
                ("touchStart", points[:1]),
                *(("touchMove", [point]) for point in points[1:]),
                ("touchEnd", []),
            ]:
                touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touching})
        _wait_for_answer(page)
        assert page.inner_text("#digit") != ""
        page.screenshot(path=tmp_path / "draw-phone.png")  # what the phone shows
        # Keyboard: Tab reaches the buttons, Enter on Clear clears; Escape clears too.
        focused = []
        for _ in range(6):
            page.keyboard.press("Tab")
            focused.append(page.evaluate("document.activeElement.id"))
        assert {"undo", "clear", "file"} <= set(focused)
        page.focus("#clear")
        page.keyboard.press("Enter")
        assert page.inner_text("#digit") == ""
        assert page.get_attribute("#status", "aria-live") == "polite"
        assert page.get_attribute("#canvas", "aria-label")
    finally:
        context.close()
