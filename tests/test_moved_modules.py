"""Old module names (before the package's rooms) keep loading old pickles, with a warning."""

import io
import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest

import skdigits
from skdigits._moved import MOVED


def _old_pickle(estimator, new_module, old_module):
    """A protocol-0 pickle of ``estimator`` that names ``old_module`` as skdigits 0.x did."""
    data = pickle.dumps(estimator, protocol=0)
    assert new_module.encode() in data
    return data.replace(new_module.encode(), old_module.encode())


def test_an_old_joblib_pickle_of_a_scaler_loads_with_a_deprecation_warning():
    X = np.arange(2 * 28 * 28, dtype=float).reshape(2, 28, 28) % 256
    scaler = skdigits.PixelScaler().fit(X)
    data = _old_pickle(scaler, "skdigits.preprocessing._scaler", "skdigits._scaler")
    sys.modules.pop("skdigits._scaler", None)
    with pytest.warns(
        DeprecationWarning, match=r"skdigits\._scaler moved to skdigits\.preprocessing"
    ):
        loaded = joblib.load(io.BytesIO(data))
    assert type(loaded) is skdigits.PixelScaler
    np.testing.assert_array_equal(loaded.transform(X), scaler.transform(X))


def test_every_old_module_name_is_the_module_it_moved_to():
    code = (
        "import importlib, warnings, skdigits\n"
        "from skdigits._moved import MOVED\n"
        "warnings.simplefilter('ignore')\n"
        "bad = [old for old, new in MOVED.items()\n"
        "       if importlib.import_module(old) is not importlib.import_module(new)]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert all(old.startswith("skdigits._") for old in MOVED)


def test_an_unknown_old_name_is_still_an_import_error():
    with pytest.raises(ModuleNotFoundError):
        __import__("skdigits._no_such_module")
