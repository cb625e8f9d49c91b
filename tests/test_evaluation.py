"""evaluate and most_confused_pairs."""

import json

import numpy as np
import pytest

from skdigits import evaluate, most_confused_pairs


def test_most_confused_pairs_counts_and_shares():
    y_true = [4, 4, 4, 9, 9, 7, 7, 7, 7]
    y_pred = [9, 9, 4, 4, 9, 1, 7, 7, 7]
    pairs = most_confused_pairs(y_true, y_pred, n=3)
    assert pairs[["true", "predicted", "count"]].values.tolist() == [
        [4, 9, 2],
        [7, 1, 1],
        [9, 4, 1],
    ]
    assert pairs["share"].round(3).tolist() == [0.667, 0.25, 0.5]


def test_evaluate_on_the_fitted_pipeline_is_json_ready(fitted_pipeline, small_split):
    _, X_test, _, y_test = small_split
    result = evaluate(fitted_pipeline, X_test, y_test)
    json.dumps(result)
    assert result["n_samples"] == len(y_test)
    assert result["accuracy"] == pytest.approx(fitted_pipeline.score(X_test, y_test))
    matrix = np.array(result["confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == len(y_test)
    assert np.trace(matrix) == round(result["accuracy"] * len(y_test))
    assert set(result["per_class"][3]) == {"precision", "recall", "f1-score", "support"}
    assert result["n_parameters"] == 784 * 64 + 64 + 64 * 10 + 10
    assert result["log_loss"] > 0 and result["predict_seconds"] > 0
    assert len(result["most_confused"]) == 5


def test_evaluate_refuses_unknown_labels_and_empty_data(fitted_pipeline, small_split):
    _, X_test, _, y_test = small_split
    with pytest.raises(ValueError, match=r"labels the model does not know: \[42\]"):
        evaluate(fitted_pipeline, X_test[:3], [1, 2, 42])
    with pytest.raises(ValueError, match="empty"):
        evaluate(fitted_pipeline, X_test[:0], y_test[:0])
