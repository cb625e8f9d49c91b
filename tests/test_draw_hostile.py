"""The drawing server against hostile requests: other sites, picture bombs, crowds, hang-ups.

Every request goes to a real server on 127.0.0.1, bounded in count and time.
"""

import http.client
import io
import json
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image

import skdigits
from skdigits.draw import _server as draw_server


@pytest.fixture(scope="module")
def server(small_split):
    X_train, _, y_train, _ = small_split
    model = skdigits.make_digit_pipeline(
        raw_images=True, hidden_layer_sizes=(16,), epochs=1, random_state=0, verbose=0
    ).fit(X_train, y_train)
    server = draw_server.make_server(model, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


DRAWING = _png(Image.fromarray(np.pad(np.full((12, 4), 255, np.uint8), 8)).resize((140, 140)))


def _post(server, body, headers=None):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("POST", "/predict", body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def _same_site_headers(server):
    host, port = server.server_address[:2]
    return {"Origin": f"http://{host}:{port}", "Sec-Fetch-Site": "same-origin"}


def test_the_page_itself_and_tools_without_origin_are_served(server):
    assert _post(server, DRAWING, _same_site_headers(server))[0] == 200
    assert _post(server, DRAWING)[0] == 200  # curl and scripts send no Origin


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example", "Content-Type": "text/plain"},
        {"Origin": "http://127.0.0.1:1"},  # another port is another site
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://evil.example"},
    ],
)
def test_a_post_that_another_site_made_the_browser_send_is_refused(server, headers):
    status, answer = _post(server, DRAWING, headers)
    assert status == 403
    assert "only the drawing page itself may POST here" in answer["error"]


def _png_bomb(side):
    # a small file (highly compressible) that declares side x side RGBA pixels
    return _png(Image.new("RGBA", (side, side), (255, 255, 255, 255)))


def test_a_picture_that_decodes_to_too_many_pixels_is_refused_before_decoding(server):
    bomb = _png_bomb(7000)
    assert len(bomb) < draw_server.MAX_BODY_BYTES
    status, answer = _post(server, bomb)
    assert status == 400
    assert "too large to read here: it decodes to 49 megapixels" in answer["error"]


def test_the_pixel_count_of_a_jpeg_counts_as_it_is_decoded():
    buffer = io.BytesIO()
    Image.new("L", (4000, 3000), 255).save(buffer, format="JPEG")
    # a 12-megapixel photo is decoded at half its size, as skdigits predict does
    assert draw_server.decoded_pixels(buffer.getvalue()) == 3_000_000
    assert draw_server.decoded_pixels(_png_bomb(100)) == 10_000
    assert draw_server.decoded_pixels(b"not a picture") is None


_MEMORY_PROBE = """
import resource, sys, threading, http.client
from concurrent.futures import ThreadPoolExecutor
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import make_pipeline
from skdigits import ImageReshaper, load_mnist_sample
from skdigits.draw._server import make_server
X, y = load_mnist_sample(return_X_y=True)
server = make_server(make_pipeline(ImageReshaper(), DummyClassifier()).fit(X[:50], y[:50]))
threading.Thread(target=server.serve_forever, daemon=True).start()
bomb = open(sys.argv[1], "rb").read()
def post(_):
    c = http.client.HTTPConnection(*server.server_address[:2], timeout=60)
    c.request("POST", "/predict", body=bomb)
    status = c.getresponse().status
    c.close()
    return status
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with ThreadPoolExecutor(8) as pool:
    statuses = list(pool.map(post, range(8)))
print(statuses.count(400), (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_eight_parallel_picture_bombs_leave_the_memory_as_it_was(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_bomb(7000))
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(bomb)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    # before: about 580 MB more per request, 4.3 GB for the eight
    assert out[0] == "8" and int(out[1]) < 100  # refused, in under 100 MB more


def test_pictures_arriving_at_once_are_read_a_few_at_a_time(server, monkeypatch):
    reading, most = [0], [0]
    lock = threading.Lock()
    read = server.reader.read

    def counted(*args, **kwargs):
        with lock:
            reading[0] += 1
            most[0] = max(most[0], reading[0])
        try:
            time.sleep(0.05)
            return read(*args, **kwargs)
        finally:
            with lock:
                reading[0] -= 1

    monkeypatch.setattr(server.reader, "read", counted)
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: _post(server, DRAWING)[0], range(16)))
    assert statuses == [200] * 16
    assert most[0] <= draw_server.READERS


def test_the_listen_backlog_holds_a_classroom(server):
    assert server.request_queue_size >= 64
    host, port = server.server_address[:2]
    sockets = []
    try:
        for _ in range(100):  # connect, say nothing: each waits in the backlog or a thread
            sockets.append(socket.create_connection((host, port), timeout=5))
        assert _post(server, DRAWING)[0] == 200
    finally:
        for connection in sockets:
            connection.close()


def test_a_client_that_hangs_up_is_one_quiet_line(server, capfd):
    try:
        raise ConnectionResetError(104, "Connection reset by peer")
    except ConnectionResetError:
        server.handle_error(None, ("127.0.0.1", 50000))
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "127.0.0.1 went away (ConnectionResetError)" in err
    assert "Traceback" not in err


def test_other_errors_keep_their_traceback(server, capfd):
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        server.handle_error(None, ("127.0.0.1", 50000))
    assert "Traceback" in capfd.readouterr().err


def test_draw_with_a_model_that_does_not_read_digits_is_one_line(tmp_path, small_split, capsys):
    from skdigits.cli import main

    X_train, _, y_train, _ = small_split
    labels = np.where(y_train % 2, "odd", "even")
    model = skdigits.make_digit_pipeline(
        hidden_layer_sizes=(8,), epochs=1, random_state=0, verbose=0
    ).fit(X_train, labels)
    path = skdigits.save_model(model, tmp_path / "odd-even.skdigits")
    status = main(["draw", str(path), "--no-browser", "--port", "0"])
    err = capsys.readouterr().err
    assert status != 0
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert "cannot serve this model: the model must predict the digits 0-9" in err
