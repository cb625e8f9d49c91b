"""Pictures of digits, mistakes and training curves (matplotlib, never plt.show)."""

import math

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..utils import as_images, find_classifier


def plain_text(label):
    """``label`` as text matplotlib shows literally: ``$`` escaped, no mathtext.

    matplotlib reads text between two ``$`` as mathematics (``"US$ 5 or $6"``
    would lose its dollars, and ``"$\\frac$"`` fails to draw); labels are data,
    never formulas.
    """
    return str(label).replace("$", r"\$")


def _grid(n_images, n_cols, cell=1.1):
    import matplotlib.pyplot as plt

    n_cols = max(1, min(n_cols, n_images))
    n_rows = max(1, math.ceil(n_images / n_cols))
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(cell * n_cols, (cell + 0.25) * n_rows), squeeze=False
    )
    for ax in axes.ravel():
        ax.axis("off")
    return fig, axes.ravel()


def plot_digits(X, y=None, y_pred=None, *, max_digits=50, n_cols=10, cmap="gray_r", title=None):
    """Show digits in a grid, with their labels and, if given, predictions.

    Wrong predictions are titled in red as ``true>predicted``.

    Parameters
    ----------
    X : array-like of shape (n, height, width) or (n, pixels)
        Images, or rows of a square number of pixels (784, 64, ...).
    y : array-like of shape (n,), default=None
        True labels, shown above each digit as plain text (a ``$`` in a
        label is shown as it is, never read as matplotlib mathtext).
    y_pred : array-like of shape (n,), default=None
        Predicted labels; mistakes are marked.
    max_digits : int, default=50
        How many digits to show, from the start of ``X``.
    n_cols : int, default=10
        Digits per row.
    cmap : str, default="gray_r"
        Colour map (``gray_r``: dark ink on white paper).
    title : str, default=None
        Figure title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure; show it with ``plt.show()`` or save it with ``savefig``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skdigits import load_mnist_sample, plot_digits
    >>> X, y = load_mnist_sample(return_X_y=True)
    >>> fig = plot_digits(X[:20], y[:20])
    >>> len([ax for ax in fig.axes if ax.images])
    20
    """
    images = as_images(X)[:max_digits]
    if len(images) == 0:
        raise ValueError("plot_digits needs at least one image; X is empty.")
    for name, labels in (("y", y), ("y_pred", y_pred)):
        if labels is not None and len(labels) < len(images):
            raise ValueError(f"{name} has {len(labels)} labels for {len(images)} images.")
    fig, axes = _grid(len(images), n_cols)
    for i, (ax, image) in enumerate(zip(axes, images)):
        ax.imshow(image, cmap=cmap)
        if y is not None and y_pred is not None:
            wrong = y[i] != y_pred[i]
            true, predicted = plain_text(y[i]), plain_text(y_pred[i])
            ax.set_title(
                f"{true}>{predicted}" if wrong else true,
                color="red" if wrong else "black",
                fontsize=9,
            )
        elif y is not None or y_pred is not None:
            ax.set_title(plain_text((y if y is not None else y_pred)[i]), fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_misclassified(estimator, X, y, *, max_digits=25, n_cols=5, cmap="gray_r"):
    """Show the mistakes of a fitted classifier, most confident first.

    Each digit is titled ``true -> predicted`` with the probability the model
    gave its prediction.

    Parameters
    ----------
    estimator : fitted classifier or pipeline with ``predict_proba``
        E.g. a fitted :func:`make_digit_pipeline`.
    X : array-like of shape (n, height, width) or (n, pixels)
        Images, as the estimator takes them.
    y : array-like of shape (n,)
        True labels.
    max_digits : int, default=25
        How many mistakes to show.
    n_cols : int, default=5
        Digits per row.
    cmap : str, default="gray_r"
        Colour map.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure (a note instead of digits when there is no mistake).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdigits import load_mnist_sample, plot_misclassified
    >>> X, y = load_mnist_sample(return_X_y=True)
    >>> flat = X[:300].reshape(300, -1) / 255
    >>> model = LogisticRegression(max_iter=500).fit(flat[:200], y[:200])
    >>> fig = plot_misclassified(model, flat[200:], y[200:300], max_digits=5)
    >>> fig.axes[0].get_title().count("->")
    1
    """
    return misclassified_figure(
        X,
        y,
        estimator.predict_proba(X),
        estimator.classes_,
        max_digits=max_digits,
        n_cols=n_cols,
        cmap=cmap,
    )


def misclassified_figure(X, y, proba, classes, *, max_digits=25, n_cols=5, cmap="gray_r"):
    """:func:`plot_misclassified` from probabilities already predicted.

    ``proba`` is the estimator's ``predict_proba(X)``, its columns in the
    order of ``classes`` (the estimator's ``classes_``).
    """
    import matplotlib.pyplot as plt

    y = np.asarray(y)
    if len(y) != len(proba):
        raise ValueError(f"y has {len(y)} labels for {len(proba)} images.")
    classes = np.asarray(classes)
    predicted = proba.argmax(axis=1)
    confidence = proba[np.arange(len(proba)), predicted]
    y_pred = classes[predicted]
    wrong = np.flatnonzero(y_pred != y)
    wrong = wrong[np.argsort(-confidence[wrong], kind="stable")][:max_digits]
    if len(wrong) == 0:
        fig, ax = plt.subplots(figsize=(4, 1))
        ax.axis("off")
        ax.text(0.5, 0.5, f"No mistakes on these {len(y)} digits.", ha="center", va="center")
        return fig
    images = as_images(X)
    fig, axes = _grid(len(wrong), n_cols, cell=1.3)
    for ax, index in zip(axes, wrong):
        ax.imshow(images[index], cmap=cmap)
        ax.set_title(
            f"{plain_text(y[index])} -> {plain_text(y_pred[index])}\n({confidence[index]:.2f})",
            fontsize=9,
            color="red",
        )
    fig.suptitle(
        f"{len(np.flatnonzero(y_pred != y))} mistakes in {len(y)} digits "
        "(true -> predicted, probability)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def plot_history(estimator):
    """Plot loss and accuracy per epoch, with validation curves when recorded.

    With early stopping (``early_stopping=True``), the validation curves are
    those of its held-out split and a dotted line marks the epoch whose
    weights were kept (``best_epoch_``).

    Parameters
    ----------
    estimator : fitted DigitClassifier or pipeline ending in one
        Its ``history_`` holds the per-epoch metrics.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Two axes: loss and accuracy against the epoch.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skdigits import load_mnist_sample, make_digit_pipeline, plot_history
    >>> X, y = load_mnist_sample(return_X_y=True)
    >>> pipe = make_digit_pipeline(hidden_layer_sizes=(16,), epochs=2, random_state=0)
    >>> fig = plot_history(pipe.fit(X[:300], y[:300]))
    >>> [ax.get_title() for ax in fig.axes]
    ['loss', 'accuracy']
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    classifier = find_classifier(estimator)
    check_is_fitted(classifier)
    history = getattr(classifier, "history_", None)
    if not history:
        raise ValueError(
            f"{type(classifier).__name__} has no training history (history_); "
            "plot_history needs a fitted DigitClassifier."
        )
    n_epochs = len(history["loss"])
    kept = getattr(classifier, "best_epoch_", None)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for ax, metric in zip(axes, ("loss", "accuracy")):
        for key, style, label in (
            (metric, "-o", "training"),
            (f"val_{metric}", "--o", "validation"),
        ):
            if key in history:
                # a curve recorded for the last epochs only (early stopping turned
                # on in a warm start) ends where the training curve ends
                epochs = np.arange(n_epochs - len(history[key]), n_epochs) + 1
                ax.plot(epochs, history[key], style, label=label, markersize=3)
        if kept is not None:
            ax.axvline(kept, color="0.3", linestyle=":", label=f"kept: epoch {kept}")
        ax.set_title(metric)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig
