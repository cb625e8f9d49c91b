"""evaluate and most_confused_pairs: the numbers behind a fitted model.

``evaluate_with_probabilities`` is ``evaluate`` handing back the probabilities it
predicted too, so that the report predicts its data once.
"""

import time

import numpy as np

from ..model import count_parameters
from ..utils import find_classifier


def most_confused_pairs(y_true, y_pred, *, n=5, labels=None):
    """The most frequent mistakes: (true label, predicted label) pairs by count.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    n : int, default=5
        How many pairs to return (fewer when there are fewer kinds of mistake).
    labels : array-like, default=None
        Labels to consider, in order; by default those in either array.

    Returns
    -------
    pairs : pandas.DataFrame
        Columns ``true``, ``predicted``, ``count`` and ``share`` (the count as
        a fraction of that true label's samples), most frequent first.

    Examples
    --------
    >>> from skdigits import most_confused_pairs
    >>> most_confused_pairs([4, 4, 9, 9, 9, 5], [9, 9, 4, 9, 9, 6], n=2)
       true  predicted  count  share
    0     4          9      2    1.0
    1     5          6      1    1.0
    """
    import pandas as pd
    from sklearn.metrics import confusion_matrix

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    labels = np.asarray(labels)
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    support = matrix.sum(axis=1)
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    rows, cols = np.nonzero(off)
    order = np.lexsort((cols, rows, -off[rows, cols]))[:n]
    return pd.DataFrame(
        {
            "true": labels[rows[order]],
            "predicted": labels[cols[order]],
            "count": off[rows[order], cols[order]],
            "share": off[rows[order], cols[order]] / np.maximum(support[rows[order]], 1),
        }
    )


def evaluate(estimator, X, y, *, n_pairs=5):
    """Measure a fitted classifier on ``(X, y)``: everything a report needs.

    Parameters
    ----------
    estimator : fitted classifier or pipeline
        Typically from :func:`make_digit_pipeline`; any scikit-learn
        classifier with ``predict_proba`` works.
    X : array-like
        Test images (or whatever the estimator takes).
    y : array-like of shape (n_samples,)
        True labels.
    n_pairs : int, default=5
        How many most-confused pairs to list.

    Returns
    -------
    result : dict
        Plain Python values (``json.dumps`` takes it as is): ``n_samples``,
        ``accuracy``, ``log_loss``, ``labels``, ``per_class`` (label ->
        precision, recall, f1-score, support), ``macro_avg``,
        ``confusion_matrix`` (rows: true, columns: predicted),
        ``most_confused`` (list of pairs), ``n_parameters`` (None when the
        estimator has no Keras model) and ``predict_seconds`` (time to predict
        all of X). ``pandas.DataFrame(result["per_class"]).T`` is the
        per-class table.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdigits import evaluate
    >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    >>> result = evaluate(LogisticRegression().fit(X, y), X, y)
    >>> result["accuracy"], result["confusion_matrix"]
    (1.0, [[2, 0], [0, 2]])
    """
    return evaluate_with_probabilities(estimator, X, y, n_pairs=n_pairs)[0]


def evaluate_with_probabilities(estimator, X, y, *, n_pairs=5):
    """:func:`evaluate`, with the probabilities it predicted: ``(result, proba)``.

    ``proba`` is ``estimator.predict_proba(X)``, of shape (n_samples,
    n_classes) in the order of ``estimator.classes_``; the predicted labels
    are ``classes_[proba.argmax(axis=1)]``.
    """
    from sklearn.metrics import classification_report, confusion_matrix, log_loss

    y = np.asarray(y)
    if len(y) == 0:
        raise ValueError("evaluate needs at least one labelled sample; y is empty.")
    start = time.perf_counter()
    proba = estimator.predict_proba(X)
    predict_seconds = time.perf_counter() - start
    classes = np.asarray(estimator.classes_)
    y_pred = classes[np.argmax(proba, axis=1)]
    unknown = np.setdiff1d(np.unique(y), classes)
    if unknown.size:
        raise ValueError(
            f"y holds labels the model does not know: {unknown.tolist()}; it predicts "
            f"{classes.tolist()}."
        )
    report = classification_report(y, y_pred, labels=classes, output_dict=True, zero_division=0)
    per_class = {
        _plain(label): {k: _plain(v) for k, v in report[str(label)].items()} for label in classes
    }
    result = {
        "n_samples": int(len(y)),
        "accuracy": float(np.mean(y_pred == y)),
        "log_loss": float(log_loss(y, proba, labels=classes)),
        "labels": [_plain(c) for c in classes],
        "per_class": per_class,
        "macro_avg": {k: _plain(v) for k, v in report["macro avg"].items()},
        "confusion_matrix": confusion_matrix(y, y_pred, labels=classes).tolist(),
        "most_confused": [
            {k: _plain(v) for k, v in row.items()}
            for row in most_confused_pairs(y, y_pred, n=n_pairs, labels=classes).to_dict("records")
        ],
        "n_parameters": count_parameters(find_classifier(estimator)),
        "predict_seconds": float(predict_seconds),
    }
    return result, proba


def _plain(value):
    """NumPy scalars to Python ones, so json.dumps accepts the result."""
    return value.item() if isinstance(value, np.generic) else value
