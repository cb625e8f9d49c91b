"""Downloads against a local HTTP server on loopback: never the internet."""

import dataclasses
import hashlib
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest

from skdigits import load_mnist
from skdigits.datasets import DATASETS, dataset_status, download_dataset, download_file
from skdigits.exceptions import ChecksumMismatchWarning, DataNotFoundError, DownloadError

from ._data import write_idx_set


class _Handler(http.server.BaseHTTPRequestHandler):
    routes = {}  # path -> (content, behaviour)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        content, behaviour = self.routes.get(self.path, (None, "missing"))
        if behaviour == "missing":
            self.send_error(404)
            return
        if behaviour == "slow":
            time.sleep(2.0)
        self.send_response(200)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        body = content[: len(content) // 2] if behaviour == "truncated" else content
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.routes = {}
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler.routes
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def remote_mnist(tmp_path, server, monkeypatch):
    """A tiny MNIST served locally, with the registry pointing at it."""
    base_url, routes = server
    source = tmp_path / "source"
    arrays = write_idx_set(source)
    files = {}
    for role, remote in DATASETS["mnist"].files.items():
        content = (source / remote.filename).read_bytes()
        routes[f"/{remote.filename}"] = (content, "ok")
        md5 = hashlib.md5(content).hexdigest()
        files[role] = dataclasses.replace(remote, md5_gz=md5, sha256_raw=None)
    spec = dataclasses.replace(DATASETS["mnist"], mirrors=(base_url + "/",), files=files)
    monkeypatch.setitem(DATASETS, "mnist", spec)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("SKDIGITS_DATA", raising=False)
    return routes, arrays


def test_load_downloads_when_missing(tmp_path, remote_mnist, capsys):
    _, (train, test) = remote_mnist
    home = tmp_path / "home"
    (X_train, y_train), (X_test, y_test) = load_mnist(data_home=home)
    np.testing.assert_array_equal(X_train, train[0])
    np.testing.assert_array_equal(y_test, test[1])
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err  # the progress bar
    status = dataset_status("mnist", data_home=home)
    assert status["present"] and status["verified"]
    assert sorted(n for n in os.listdir(home / "mnist") if not n.startswith(".")) == sorted(
        f.filename for f in DATASETS["mnist"].files.values()
    )


def test_no_download_when_turned_off(tmp_path, remote_mnist):
    with pytest.raises(DataNotFoundError) as info:
        load_mnist(data_home=tmp_path / "home", download_if_missing=False)
    message = str(info.value)
    assert str(tmp_path / "home" / "mnist") in message
    assert str(tmp_path / "keras" / "datasets" / "mnist.npz") in message
    for way_out in ("skdigits download mnist", "SKDIGITS_DATA", "load_mnist_sample()"):
        assert way_out in message
    assert not (tmp_path / "home" / "mnist").exists()


@pytest.mark.parametrize(
    "behaviour, message",
    [
        ("corrupt", "Checksum mismatch"),
        ("truncated", "cut short"),
        ("missing", "404"),
    ],
)
def test_failed_downloads_leave_no_file(tmp_path, remote_mnist, behaviour, message):
    routes, _ = remote_mnist
    path = "/train-labels-idx1-ubyte.gz"
    content, _ = routes[path]
    routes[path] = (content[::-1], "ok") if behaviour == "corrupt" else (content, behaviour)
    home = tmp_path / "home"
    with pytest.raises(DownloadError, match=message):
        download_dataset("mnist", data_home=home, progress=False)
    leftovers = os.listdir(home / "mnist")
    assert "train-labels-idx1-ubyte.gz" not in leftovers
    assert not [name for name in leftovers if name.endswith(".part")]


def test_timeout(tmp_path, server):
    base_url, routes = server
    routes["/slow"] = (b"x" * 10, "slow")
    with pytest.raises(DownloadError, match="timed out after 0.5 s"):
        download_file(base_url + "/slow", tmp_path / "slow.bin", timeout=0.5, progress=False)
    assert os.listdir(tmp_path) == []


def test_download_file_verifies_md5(tmp_path, server):
    base_url, routes = server
    routes["/f"] = (b"hello", "ok")
    good = hashlib.md5(b"hello").hexdigest()
    assert download_file(base_url + "/f", tmp_path / "f", md5=good, progress=False)
    assert (tmp_path / "f").read_bytes() == b"hello"


def _dead_pid():
    """The id of a process of this machine that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_killed_downloads_partial_files_are_cleaned(tmp_path, server):
    base_url, routes = server
    routes["/f"] = (b"hello", "ok")
    host = socket.gethostname()
    host = "".join(c if c.isalnum() or c == "-" else "-" for c in host)[:40] or "host"
    killed = tmp_path / f".f.{host}.{_dead_pid()}.k1ll3d.part"
    running = tmp_path / f".f.{host}.{os.getpid()}.runn1ng.part"
    elsewhere = tmp_path / ".f.otherhost.12.recent.part"
    old_elsewhere = tmp_path / ".f.otherhost.13.old.part"
    legacy = tmp_path / ".f.x7y8z9.part"  # atomic_open's name, before host and pid
    other_file = tmp_path / f".g.{host}.{_dead_pid()}.abc.part"
    for path in (killed, running, elsewhere, old_elsewhere, legacy, other_file):
        path.write_bytes(b"half a file")
    hours_ago = time.time() - 2 * 3600
    for path in (old_elsewhere, legacy):
        os.utime(path, (hours_ago, hours_ago))
    download_file(
        base_url + "/f", tmp_path / "f", md5=hashlib.md5(b"hello").hexdigest(), progress=False
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["f", running.name, elsewhere.name, other_file.name]
    )


def test_a_failed_download_after_a_killed_one_leaves_nothing(tmp_path, server):
    base_url, routes = server
    routes["/f"] = (b"hello", "truncated")
    host = "".join(c if c.isalnum() or c == "-" else "-" for c in socket.gethostname())[:40]
    (tmp_path / f".f.{host or 'host'}.{_dead_pid()}.k1ll3d.part").write_bytes(b"half")
    with pytest.raises(DownloadError, match="cut short"):
        download_file(base_url + "/f", tmp_path / "f", progress=False)
    assert os.listdir(tmp_path) == []


def test_verified_files_are_not_downloaded_again(tmp_path, remote_mnist):
    routes, _ = remote_mnist
    home = tmp_path / "home"
    download_dataset("mnist", data_home=home, progress=False)
    routes.clear()  # the server now answers 404 to everything
    assert download_dataset("mnist", data_home=home, progress=False) == str(home / "mnist")


def test_data_home_files_are_verified_once_and_remembered(tmp_path, remote_mnist):
    home = tmp_path / "home"
    download_dataset("mnist", data_home=home, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_mnist(data_home=home, download_if_missing=False)
    marker = home / "mnist" / ".skdigits-verified.json"
    records = json.loads(marker.read_text())["files"]
    assert sorted(records) == sorted(f.filename for f in DATASETS["mnist"].files.values())
    assert all(r["verified"] for r in records.values())
    # The marker is trusted while size and modification time stay the same...
    records["train-labels-idx1-ubyte.gz"]["verified"] = False
    marker.write_text(json.dumps({"version": 1, "files": records}))
    with pytest.warns(ChecksumMismatchWarning, match="train-labels-idx1-ubyte.gz does not match"):
        load_mnist(data_home=home, download_if_missing=False)
    # ... and a file that changed is hashed again.
    labels = home / "mnist" / "train-labels-idx1-ubyte.gz"
    os.utime(labels, ns=(labels.stat().st_atime_ns, labels.stat().st_mtime_ns + 10**9))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_mnist(data_home=home, download_if_missing=False)
    assert json.loads(marker.read_text())["files"]["train-labels-idx1-ubyte.gz"]["verified"]


def test_a_data_home_file_that_does_not_match_warns_at_each_load(tmp_path, remote_mnist):
    _, (train, _) = remote_mnist
    home = tmp_path / "home"
    write_idx_set(home / "mnist", n_train=12)  # other digits than the published ones
    for _ in range(2):
        with pytest.warns(
            ChecksumMismatchWarning,
            match=r"train-images-idx3-ubyte.gz does not match.*skdigits download mnist",
        ):
            (X_train, _), _ = load_mnist(data_home=home, download_if_missing=False)
        assert len(X_train) == 12  # still loaded


def test_a_read_only_data_home_is_checked_without_a_marker(tmp_path, remote_mnist):
    home = tmp_path / "home"
    download_dataset("mnist", data_home=home, progress=False)
    (home / "mnist").chmod(0o555)  # shared read-only: left alone, even by root
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            load_mnist(data_home=home, download_if_missing=False)
        assert not (home / "mnist" / ".skdigits-verified.json").exists()
    finally:
        (home / "mnist").chmod(0o755)
