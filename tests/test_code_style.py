"""The tools that keep the code tidy: ruff (lint and format) and numpydoc's docstring checks.

Their settings live in ``pyproject.toml`` (``[tool.ruff]``,
``[tool.numpydoc_validation]``); these tests run them on the repository, so a
change that breaks the house style fails the suite like any other bug.
"""

import importlib
import inspect
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PUBLIC_MODULES = (
    "skdigits",
    "skdigits.datasets",
    "skdigits.distributed",
    "skdigits.exceptions",
    "skdigits.pretrained",
)

pytestmark = pytest.mark.skipif(
    not os.path.isfile(os.path.join(ROOT, "pyproject.toml")),
    reason="runs on a source checkout (pyproject.toml beside tests/), not an installed copy",
)


def _ruff(*args):
    pytest.importorskip("ruff", reason="ruff is a test dependency: pip install '.[test]'")
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_finds_nothing_to_lint():
    result = _ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_every_file_as_it_is():
    result = _ruff("format", "--no-cache", "--check", ".")
    assert result.returncode == 0, (
        "run `ruff format .` on these files:\n" + result.stdout + result.stderr
    )


def _ignored_numpydoc_checks():
    """The checks pyproject.toml leaves out: its list reads ``["all", <left out>...]``."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        checks = tomllib.load(handle)["tool"]["numpydoc_validation"]["checks"]
    assert checks[0] == "all", "list 'all' first, then the checks left out"
    return set(checks[1:])


def _public_objects():
    """Qualified names of the public functions, classes and their public methods."""
    names = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            names.append(f"{module_name}.{name}")
            if inspect.isclass(obj) and obj.__module__.startswith("skdigits"):
                names.extend(
                    f"{module_name}.{name}.{attribute}"
                    for attribute, member in vars(obj).items()
                    if not attribute.startswith("_")
                    and (inspect.isfunction(member) or isinstance(member, property))
                )
    return sorted(set(names))


@pytest.mark.parametrize("name", _public_objects())
def test_public_docstrings_follow_numpydoc(name):
    from numpydoc.validate import validate

    ignored = _ignored_numpydoc_checks()
    errors = [
        f"{code}: {message}" for code, message in validate(name)["errors"] if code not in ignored
    ]
    assert not errors, f"{name}:\n  " + "\n  ".join(errors)
