"""The documentation builds without warnings, running every gallery example."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
def test_sphinx_build_with_warnings_as_errors_runs_the_gallery(tmp_path):
    pytest.importorskip("sphinx_gallery", reason="docs extra not installed: pip install '.[docs]'")
    pytest.importorskip("numpydoc", reason="docs extra not installed: pip install '.[docs]'")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
         "-d", str(tmp_path / "doctrees"), os.path.join(ROOT, "docs"), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    built = os.listdir(tmp_path / "html" / "auto_examples")
    for example in os.listdir(os.path.join(ROOT, "examples")):
        if example.startswith("plot_"):
            assert example.replace(".py", ".html") in built
    assert (tmp_path / "html" / "_images" / "sphx_glr_plot_tutorial_001.png").exists()
