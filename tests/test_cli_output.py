"""What the command line prints from outside sources is shown escaped: names, labels, messages."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import skdigits
from skdigits.cli import main


def _picture(path, digit_image):
    Image.fromarray(255 - digit_image).resize((112, 112)).save(path)
    return path


@pytest.fixture(scope="module")
def hostile_model(tmp_path_factory, small_split):
    """A model whose class labels hold terminal escape codes (as a crafted file could)."""
    X_train, _, y_train, _ = small_split
    labels = np.array([f"\x1b[2J\x1b[31m{d}" for d in range(10)])[y_train]
    model = skdigits.make_digit_pipeline(
        hidden_layer_sizes=(16,), epochs=1, random_state=0, verbose=0
    ).fit(X_train, labels)
    return Path(skdigits.save_model(model, tmp_path_factory.mktemp("m") / "escape.skdigits"))


def test_a_file_name_with_a_newline_cannot_forge_a_result_line(tmp_path, small_split, capsys):
    _, X_test, _, _ = small_split
    folder = tmp_path / "pictures"
    folder.mkdir()
    _picture(folder / "a.png", X_test[0])
    _picture(folder / "x\nFORGED.png  9 (p=1.00)\n.png", X_test[1])
    main(["predict", str(folder)])
    out = capsys.readouterr().out
    assert not any(line.startswith("FORGED.png") for line in out.splitlines())
    assert "x\\nFORGED.png  9 (p=1.00)\\n.png" in out


def test_class_labels_with_escape_codes_are_printed_escaped(hostile_model, small_split, capsys):
    _, X_test, _, _ = small_split
    picture = _picture(hostile_model.parent / "digit.png", X_test[0])
    main(["predict", "--model", str(hostile_model), str(picture)])
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\\x1b[2J\\x1b[31m" in out


def test_json_output_keeps_the_labels_exact(hostile_model, small_split, capsys):
    import json

    _, X_test, _, _ = small_split
    picture = _picture(hostile_model.parent / "digit.png", X_test[0])
    main(["predict", "--model", str(hostile_model), str(picture), "--json"])
    out = capsys.readouterr().out
    assert "\x1b" not in out  # JSON escapes it as \u001b
    assert json.loads(out)[0]["digit"].startswith("\x1b[2J\x1b[31m")


def test_error_messages_naming_a_file_are_escaped(tmp_path, capsys):
    missing = tmp_path / "no\x1b[2Jsuch.skdigits"
    main(["inspect", str(missing)])
    err = capsys.readouterr().err
    assert "\x1b" not in err and "no\\x1b[2Jsuch.skdigits" in err
