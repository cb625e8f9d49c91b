"""save_model / load_model."""

import os

import numpy as np
import pytest

from skdigits import load_model, save_model


def test_round_trip_keeps_predictions(tmp_path, fitted_pipeline, small_split):
    _, X_test, _, _ = small_split
    path = save_model(fitted_pipeline, tmp_path / "model.joblib")
    restored = load_model(path)
    np.testing.assert_array_equal(
        restored.predict_proba(X_test), fitted_pipeline.predict_proba(X_test)
    )
    assert os.listdir(tmp_path) == ["model.joblib"]


def test_failed_save_leaves_no_file(tmp_path):
    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError("cannot pickle")

    with pytest.raises(RuntimeError):
        save_model(Unpicklable(), tmp_path / "model.joblib")
    assert os.listdir(tmp_path) == []


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file"):
        load_model(tmp_path / "nothing.joblib")


@pytest.mark.parametrize("content", [b"", b"not a model at all"])
def test_corrupt_file(tmp_path, content):
    path = tmp_path / "bad.joblib"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not a readable skdigits model file"):
        load_model(path)


def test_truncated_file(tmp_path, fitted_pipeline):
    path = save_model(fitted_pipeline, tmp_path / "model.joblib")
    data = open(path, "rb").read()
    with open(path, "wb") as handle:
        handle.write(data[: len(data) // 2])
    with pytest.raises(ValueError, match="corrupt, truncated"):
        load_model(path)


def test_saved_files_get_the_usual_permissions(tmp_path):
    from skdigits import PixelScaler

    umask = os.umask(0o022)
    try:
        path = save_model(PixelScaler(), tmp_path / "scaler.joblib")
    finally:
        os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o644
