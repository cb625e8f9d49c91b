"""Importing skdigits and asking the CLI for help stay light."""

import subprocess
import sys

import pytest

import skdigits


def _modules_loaded_by(code):
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return set(out)


def test_import_does_not_load_tensorflow_or_keras():
    loaded = _modules_loaded_by("import skdigits")
    assert "tensorflow" not in loaded
    assert "keras" not in loaded


def test_transformers_and_data_do_not_load_tensorflow():
    loaded = _modules_loaded_by(
        "import skdigits\n"
        "X, y = skdigits.load_mnist_sample(return_X_y=True)\n"
        "skdigits.ImageReshaper().fit_transform(skdigits.PixelScaler().fit_transform(X))"
    )
    assert "tensorflow" not in loaded


def test_cli_help_loads_neither_scikit_learn_nor_tensorflow():
    loaded = _modules_loaded_by(
        "import sys\nfrom skdigits.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert "tensorflow" not in loaded
    assert "sklearn" not in loaded


def test_public_api_is_flat_and_complete():
    for name in skdigits.__all__:
        assert getattr(skdigits, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = skdigits.nope
