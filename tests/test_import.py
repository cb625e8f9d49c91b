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


def _run_quietly_unless_told(code, **env):
    import os

    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**environment, **env},
    )


_BUILD_AND_FIT = (
    "import os, numpy as np, skdigits\n"
    "X, y = skdigits.load_mnist_sample(return_X_y=True)\n"
    "pipe = skdigits.make_digit_pipeline(hidden_layer_sizes=(8,), epochs=1, random_state=0)\n"
    "pipe.set_params(classifier__verbose=0).fit(X[:200], y[:200])\n"
    "skdigits.augment_images(X[:2], random_state=0)\n"
    "print(pipe.predict(X[:2]).shape, os.environ['TF_CPP_MIN_LOG_LEVEL'])\n"
)


@pytest.mark.slow
def test_building_and_fitting_a_model_prints_nothing_on_stderr():
    # TensorFlow's C++ start-up lines (CUDA probes, "E0000 ... cuInit") stay off
    result = _run_quietly_unless_told(_BUILD_AND_FIT)
    assert result.stderr == ""
    assert result.stdout.split() == ["(2,)", "3"]


def test_loading_the_shipped_model_prints_nothing_on_stderr():
    result = _run_quietly_unless_told("import skdigits\nskdigits.load_pretrained()")
    assert result.stderr == ""


@pytest.mark.slow
def test_a_log_level_set_by_the_user_is_left_as_it_is():
    result = _run_quietly_unless_told(_BUILD_AND_FIT, TF_CPP_MIN_LOG_LEVEL="1")
    assert result.stdout.split() == ["(2,)", "1"]
