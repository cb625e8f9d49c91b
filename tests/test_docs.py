"""The documentation builds without warnings, running every gallery example."""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
def test_sphinx_build_with_warnings_as_errors_runs_the_gallery(tmp_path):
    pytest.importorskip("sphinx_gallery", reason="docs extra not installed: pip install '.[docs]'")
    pytest.importorskip("numpydoc", reason="docs extra not installed: pip install '.[docs]'")
    # Build from a fresh copy, so no gallery output cached by an earlier build
    # lets an example skip running.
    for folder in ("docs", "examples"):
        shutil.copytree(
            os.path.join(ROOT, folder),
            tmp_path / folder,
            ignore=shutil.ignore_patterns("_build", "auto_examples", "generated"),
        )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(tmp_path / "docs"),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    n_examples = len(
        [f for f in os.listdir(os.path.join(ROOT, "examples")) if f.startswith("plot_")]
    )
    executed = f"executed {n_examples} out of {n_examples}"
    assert executed in result.stdout or result.returncode != 0, result.stdout[-2000:]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    built = os.listdir(tmp_path / "html" / "auto_examples")
    for example in os.listdir(os.path.join(ROOT, "examples")):
        if example.startswith("plot_"):
            assert example.replace(".py", ".html") in built
    assert (tmp_path / "html" / "_images" / "sphx_glr_plot_tutorial_001.png").exists()
