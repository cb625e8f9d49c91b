"""atomic_open: no half-written file under the final name, usual permissions, umask untouched."""

import os
import stat
import threading

import pytest

from skdigits.utils import atomic_open


def test_a_finished_write_has_the_mode_a_plain_open_gives(tmp_path):
    with atomic_open(tmp_path / "out.bin") as out:
        out.write(b"data")
    with open(tmp_path / "plain.bin", "wb") as out:
        out.write(b"data")
    assert (tmp_path / "out.bin").read_bytes() == b"data"
    mode = stat.S_IMODE(os.stat(tmp_path / "out.bin").st_mode)
    assert mode == stat.S_IMODE(os.stat(tmp_path / "plain.bin").st_mode)


def test_the_process_umask_is_never_read_or_set(tmp_path, monkeypatch):
    def refuse(mask):
        raise AssertionError("atomic_open called os.umask, which every thread shares")

    monkeypatch.setattr(os, "umask", refuse)
    with atomic_open(tmp_path / "out.txt", "w", encoding="utf-8") as out:
        out.write("done")
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "done"


def test_files_other_threads_create_meanwhile_keep_the_umask(tmp_path):
    # before: atomic_open set the umask to 0 for a moment, and a file another
    # thread created in that moment was world-writable
    old = os.umask(0o022)
    try:
        stop, made = threading.Event(), []

        def create_files():
            while not stop.is_set():
                path = tmp_path / f"other{len(made)}"
                with open(path, "w"):
                    pass
                made.append(path)

        thread = threading.Thread(target=create_files)
        thread.start()
        try:
            for i in range(2000):
                with atomic_open(tmp_path / f"atomic{i % 5}") as out:
                    out.write(b"x")
        finally:
            stop.set()
            thread.join()
        writable = [p.name for p in made if os.stat(p).st_mode & stat.S_IWOTH]
        assert made and writable == []
    finally:
        os.umask(old)


def test_a_failed_write_leaves_neither_the_file_nor_its_temporary(tmp_path):
    with pytest.raises(RuntimeError, match="stop"):
        with atomic_open(tmp_path / "out.bin") as out:
            out.write(b"half")
            raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


def test_the_temporary_file_sits_beside_the_target_with_the_given_prefix(tmp_path):
    with atomic_open(tmp_path / "out.bin", tmp_prefix=".out.host.1.") as out:
        names = os.listdir(tmp_path)
        out.write(b"x")
    assert len(names) == 1
    assert names[0].startswith(".out.host.1.") and names[0].endswith(".part")
