"""Shared fixtures: seeding, Keras state, and small digit data sets."""

import os
import random
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# scikit-learn's array API check (NumPy inputs with array API dispatch on)
# needs this set before SciPy is imported; without it the check is skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

import skdigits

from ._browser import find_chromium


@pytest.fixture(autouse=True)
def _seed_everything():
    """Seed every generator, and free Keras' graph state after each test."""
    random.seed(0)
    np.random.seed(0)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(0)
    yield
    if "keras" in sys.modules:
        sys.modules["keras"].backend.clear_session()


@pytest.fixture(scope="session")
def mnist_sample():
    """The embedded 5,000-digit sample as (images, labels)."""
    return skdigits.load_mnist_sample(return_X_y=True)


@pytest.fixture(scope="session")
def small_split(mnist_sample):
    """A stratified 1,000 / 300 split of the sample, for quick training."""
    X, y = mnist_sample
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=1000, test_size=300, stratify=y, random_state=0
    )
    return X_train, X_test, y_train, y_test


@pytest.fixture(scope="session")
def full_mnist_home():
    """The data home holding full MNIST (from SKDIGITS_DATA), or skip."""
    from skdigits.datasets import get_data_home, locate_dataset

    home = os.environ.get("SKDIGITS_DATA")
    if not home or locate_dataset("mnist", data_home=home) is None:
        pytest.skip(
            "full MNIST is not on this machine: set SKDIGITS_DATA to a data home "
            "holding mnist/ (for development and CI: ../shared/data)"
        )
    return get_data_home(home)


def small_pipeline(**params):
    """A fast pipeline: one hidden layer of 64 units, 3 epochs."""
    defaults = dict(hidden_layer_sizes=(64,), epochs=3, batch_size=32, random_state=0)
    return skdigits.make_digit_pipeline(**{**defaults, **params})


@pytest.fixture(scope="session")
def fitted_pipeline(small_split):
    """The small pipeline, fitted once for the whole session."""
    X_train, _, y_train, _ = small_split
    return small_pipeline().fit(X_train, y_train)


@pytest.fixture
def empty_data_home(tmp_path, monkeypatch):
    """A data home (and Keras cache) with nothing in it: only the embedded sample exists."""
    monkeypatch.setenv("SKDIGITS_DATA", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    return tmp_path / "home"


# --- a real browser, for the drawing page's tests ---------------------------------

_CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium under Playwright, or a skip saying what is missing."""
    executable = find_chromium()
    if executable is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: pip install '.[test]'"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=_CHROMIUM_FLAGS)
        yield browser
        browser.close()
