"""The quick benchmark runs end to end, so it cannot rot (no timing assertions)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
def test_quick_benchmark_runs_and_prints_its_table():
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout
    for measure in (
        "train wall time",
        "peak RSS, training",
        "predict 1 image",
        "predict test set",
        "import skdigits",
        "skdigits --help",
    ):
        assert measure in table
    assert "| ratio |" in table
