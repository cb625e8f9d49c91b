"""build_report: one self-contained HTML page and metrics.json about a model.

The page is a list of sections, each written by one ``_*_section`` function
below from the numbers of a single prediction of the data.
"""

import base64
import datetime
import html
import io
import json
import os
import platform

import numpy as np

from .._version import __version__
from ..model import network_layers
from ..utils import as_images, atomic_open, find_classifier
from ._evaluation import evaluate_with_probabilities
from ._plotting import misclassified_figure, plain_text, plot_digits, plot_history

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 1000px; padding: 1.5em 2em 4em; color: #1f2933; line-height: 1.45; }
h1 { margin-bottom: .1em; } .subtitle { color: #52606d; margin-top: 0; }
h2 { border-bottom: 2px solid #e4e7eb; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #d9e2ec; padding: .25em .6em; text-align: right; }
th { background: #f0f4f8; } td.text, th.text { text-align: left; }
.figures img { max-width: 100%; display: block; margin: .6em 0; }
.headline { font-size: 2.2em; font-weight: 600; color: #0b6e4f; }
.cards { display: flex; gap: 1.2em; flex-wrap: wrap; }
.card { background: #f5f7fa; border-radius: 6px; padding: .6em 1em; min-width: 10em; }
.card .label { color: #52606d; font-size: .85em; }
.card .value { font-size: 1.3em; font-weight: 600; }
.diag { background: #d8f3dc; font-weight: 600; } .confused { background: #ffe3e3; }
footer { margin-top: 3em; color: #7b8794; font-size: .85em; }
.pictures { display: flex; flex-wrap: wrap; gap: .8em; }
figure.misread { margin: 0; width: 260px; font-size: .8em; color: #52606d; }
figure.misread img { width: 100%; display: block; }
"""

_IMAGES_LOADED_SCRIPT = """
window.addEventListener("load", function () {
  var images = document.images, loaded = 0;
  for (var i = 0; i < images.length; i++) {
    if (images[i].complete && images[i].naturalWidth > 0) { loaded++; }
  }
  document.body.setAttribute("data-images-loaded", loaded + "/" + images.length);
});
"""


def _figure_to_data_uri(fig):
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _table(header, rows, text_columns=(0,)):
    head = "".join(
        f'<th class="{"text" if i in text_columns else ""}">{html.escape(str(h))}</th>'
        for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"text" if i in text_columns else ""}">{html.escape(str(v))}</td>'
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def model_summary(estimator):
    """Layers, parameter count and hyper-parameters of a fitted skdigits model.

    Parameters
    ----------
    estimator : fitted DigitClassifier or pipeline ending in one
        The model to describe.

    Returns
    -------
    summary : dict
        ``layers`` (name, type, units, activation, dropout rate, parameters),
        ``n_parameters``, ``hyper_parameters`` and ``training_seconds``.

    Examples
    --------
    >>> from skdigits import load_mnist_sample, make_digit_pipeline
    >>> from skdigits.reporting._report import model_summary
    >>> X, y = load_mnist_sample(return_X_y=True)
    >>> pipe = make_digit_pipeline(hidden_layer_sizes=(16,), epochs=1).fit(X[:200], y[:200])
    >>> [layer["type"] for layer in model_summary(pipe)["layers"]]
    ['Dense', 'Dense']
    """
    classifier = find_classifier(estimator)
    layers = network_layers(classifier)
    params = {
        key: (
            value
            if isinstance(value, (int, float, str, bool, type(None), tuple, list))
            else repr(value)
        )
        for key, value in classifier.get_params().items()
    }
    return {
        "estimator": type(classifier).__name__,
        "layers": [] if layers is None else layers,
        "n_parameters": None if layers is None else sum(layer["parameters"] for layer in layers),
        "hyper_parameters": params,
        "training_seconds": getattr(classifier, "fit_time_", None),
    }


def _versions():
    import importlib.metadata as metadata

    versions = {"python": platform.python_version(), "skdigits": __version__}
    for package in ("scikit-learn", "keras", "tensorflow", "tensorflow-cpu", "scikeras", "numpy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return versions


def build_report(
    estimator,
    X,
    y,
    out_dir,
    *,
    dataset="test data",
    title=None,
    n_samples_shown=40,
    misread_pictures=None,
):
    """Write an HTML report and ``metrics.json`` about a fitted model.

    The HTML file is self-contained (images embedded, no network needed to view
    it): dataset and model summary (layers, parameters, hyper-parameters,
    training time, library versions), accuracy with a per-class table, the
    confusion matrix, the most-confused pairs, a gallery of mistakes, learning
    curves and a gallery of sample digits. ``metrics.json`` holds the numbers
    of :func:`evaluate` with the model summary.

    Parameters
    ----------
    estimator : fitted classifier or pipeline
        Typically a fitted :func:`make_digit_pipeline`.
    X : array-like of shape (n, height, width)
        Evaluation images.
    y : array-like of shape (n,)
        Their labels.
    out_dir : str or os.PathLike
        Folder to write ``report.html`` and ``metrics.json`` to (created if needed).
    dataset : str, default="test data"
        How the report names the evaluation data.
    title : str, default=None
        Page title; by default names the model and the data.
    n_samples_shown : int, default=40
        Digits in the sample gallery.
    misread_pictures : list of DigitReading, default=None
        For a model evaluated on people's own pictures (``X`` then holds
        what the model saw): the misread ones, as
        :class:`~skdigits.images.DigitReader` read them with their
        ``label``, shown each beside what the model saw: ``picture`` (the
        picture, small) and ``seen`` (the 28x28 image), or ``error`` for a
        picture that gave no digit.

    Returns
    -------
    path : str
        The path of ``report.html``.

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skdigits import build_report, load_mnist_sample, make_digit_pipeline
    >>> X, y = load_mnist_sample(return_X_y=True)
    >>> pipe = make_digit_pipeline(hidden_layer_sizes=(16,), epochs=1, random_state=0)
    >>> path = build_report(pipe.fit(X[:400], y[:400]), X[400:600], y[400:600], tempfile.mkdtemp())
    >>> path.endswith("report.html")
    True
    """
    y = np.asarray(y)
    metrics, proba = evaluate_with_probabilities(estimator, X, y)
    y_pred = np.asarray(estimator.classes_)[np.argmax(proba, axis=1)]
    summary = model_summary(estimator)
    versions = _versions()
    images = as_images(X)
    title = title or f"Digit classifier report: {summary['estimator']} on {dataset}"
    sections = [
        _summary_section(metrics, summary, dataset, images.shape[1:]),
        _model_section(summary),
        _per_class_section(metrics),
        _confusion_matrix_section(metrics),
        _most_confused_section(metrics),
        _misclassified_section(X, y, proba, estimator.classes_),
        *([_misread_pictures_section(misread_pictures)] if misread_pictures else []),
        _learning_curves_section(estimator),
        _samples_section(images[:n_samples_shown], y[:n_samples_shown], y_pred[:n_samples_shown]),
        _environment_section(versions),
    ]
    created = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    document = {
        "title": title,
        "dataset": {
            "name": dataset,
            "n_samples": metrics["n_samples"],
            "image_shape": list(images.shape[1:]),
        },
        "metrics": metrics,
        "model": summary,
        "versions": versions,
        "created": created,
    }
    if misread_pictures is not None:
        document["misread_pictures"] = [_misread_entry(reading) for reading in misread_pictures]
    os.makedirs(out_dir, exist_ok=True)
    html_path = os.path.join(os.fspath(out_dir), "report.html")
    with atomic_open(html_path, "w", encoding="utf-8") as handle:
        handle.write(_page(title, sections, created))
    with atomic_open(
        os.path.join(os.fspath(out_dir), "metrics.json"), "w", encoding="utf-8"
    ) as handle:
        json.dump(document, handle, indent=2, default=str)
    return html_path


def _page(title, sections, created):
    """The HTML document: title, the ``(id, heading, content)`` sections, footer."""
    body = "\n".join(
        f'<section id="{sid}"><h2>{html.escape(heading)}</h2>{content}</section>'
        for sid, heading, content in sections
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title><style>{_CSS}</style>
<script>{_IMAGES_LOADED_SCRIPT}</script></head>
<body><h1>{html.escape(title)}</h1>
<p class="subtitle">Made by skdigits {__version__} on {created}.</p>
{body}
<footer>Self-contained report: every image is embedded;
metrics.json beside this file holds the numbers.</footer>
</body></html>
"""


# -- the sections: each returns (id, heading, HTML content) --------------------------
def _summary_section(metrics, summary, dataset, image_shape):
    training = summary["training_seconds"]
    cards = [
        ("accuracy", f"{100 * metrics['accuracy']:.2f} %"),
        ("log loss", f"{metrics['log_loss']:.4f}"),
        ("samples", f"{metrics['n_samples']:,}"),
        (
            "parameters",
            "n/a" if summary["n_parameters"] is None else f"{summary['n_parameters']:,}",
        ),
        ("training time", "n/a" if training is None else f"{training:.1f} s"),
        ("predict time", f"{metrics['predict_seconds']:.2f} s"),
    ]
    cards_html = "".join(
        f'<div class="card"><div class="label">{html.escape(k)}</div>'
        f'<div class="value">{html.escape(v)}</div></div>'
        for k, v in cards
    )
    shape = "x".join(str(s) for s in image_shape)
    return (
        "summary",
        "Summary",
        f"""
<p>Evaluated on <strong>{html.escape(dataset)}</strong>: {metrics["n_samples"]:,} images of
{shape} pixels. Accuracy</p><p class="headline">{100 * metrics["accuracy"]:.2f} %</p>
<div class="cards">{cards_html}</div>""",
    )


def _model_section(summary):
    layer_rows = [
        (
            layer["name"],
            layer["type"],
            layer["units"] or "",
            layer["activation"] or "",
            "" if layer["rate"] is None else layer["rate"],
            f"{layer['parameters']:,}",
        )
        for layer in summary["layers"]
    ]
    hyper_rows = sorted((k, v) for k, v in summary["hyper_parameters"].items())
    return (
        "model",
        "Model",
        f"""
<p>{html.escape(summary["estimator"])} with {len(summary["layers"])} Keras layers.</p>
{_table(("layer", "type", "units", "activation", "dropout", "parameters"), layer_rows, (0, 1, 3))}
<h3>Hyper-parameters</h3>{_table(("parameter", "value"), hyper_rows, (0, 1))}""",
    )


def _per_class_section(metrics):
    rows = [
        (
            label,
            f"{m['precision']:.4f}",
            f"{m['recall']:.4f}",
            f"{m['f1-score']:.4f}",
            int(m["support"]),
        )
        for label, m in metrics["per_class"].items()
    ]
    macro = metrics["macro_avg"]
    rows.append(
        (
            "macro avg",
            f"{macro['precision']:.4f}",
            f"{macro['recall']:.4f}",
            f"{macro['f1-score']:.4f}",
            int(macro["support"]),
        )
    )
    return (
        "per-class",
        "Accuracy per class",
        _table(("class", "precision", "recall", "f1-score", "support"), rows),
    )


def _confusion_matrix_section(metrics):
    from sklearn.metrics import ConfusionMatrixDisplay

    display = ConfusionMatrixDisplay(
        np.asarray(metrics["confusion_matrix"]),
        display_labels=[plain_text(label) for label in metrics["labels"]],
    )
    display.plot(colorbar=False, cmap="Blues")
    display.ax_.set_title("Confusion matrix (rows: true, columns: predicted)")
    png = _figure_to_data_uri(display.figure_)
    return (
        "confusion-matrix",
        "Confusion matrix",
        f'<div class="figures"><img alt="confusion matrix" src="{png}"></div>',
    )


def _most_confused_section(metrics):
    rows = [
        (p["true"], p["predicted"], p["count"], f"{100 * p['share']:.1f} %")
        for p in metrics["most_confused"]
    ]
    return (
        "most-confused",
        "Most-confused pairs",
        _table(("true", "predicted as", "count", "share of true class"), rows, ())
        if rows
        else "<p>No mistakes.</p>",
    )


def _misclassified_section(X, y, proba, classes):
    png = _figure_to_data_uri(misclassified_figure(X, y, proba, classes, max_digits=30, n_cols=10))
    return (
        "misclassified",
        "Misclassified digits",
        "<p>The most confident mistakes first: true -> predicted (probability).</p>"
        f'<div class="figures"><img alt="misclassified digits" src="{png}"></div>',
    )


def _misread_entry(reading):
    """What metrics.json says of a misread picture (a DigitReading)."""
    probability = reading.probability
    return {
        "file": reading.name,
        "label": reading.label,
        "read_as": reading.digit,
        "probability": None if probability is None else round(probability, 4),
        "error": reading.error,
    }


def _misread_pictures_section(misread, limit=60):
    """Each misread picture (a DigitReading) beside what the model saw, one embedded PNG each."""
    import matplotlib.pyplot as plt

    items = []
    for reading in misread[:limit]:
        entry = _misread_entry(reading)
        name = html.escape(os.path.basename(str(entry["file"])))
        if entry.get("error"):
            items.append(
                f'<figure class="misread"><figcaption>{name}: labelled '
                f"{entry['label']}, no digit found: {html.escape(entry['error'])}"
                "</figcaption></figure>"
            )
            continue
        fig, (left, right) = plt.subplots(1, 2, figsize=(3.6, 1.9))
        picture = reading.picture
        left.imshow(picture, cmap="gray" if picture.ndim == 2 else None, vmin=0, vmax=255)
        right.imshow(reading.seen, cmap="gray", vmin=0, vmax=255)
        for ax in (left, right):
            ax.axis("off")
        fig.tight_layout()
        uri = _figure_to_data_uri(fig)
        caption = (
            f"{name}: labelled {entry['label']}, read as {entry['read_as']} "
            f"(p={entry['probability']:.2f})"
        )
        items.append(
            f'<figure class="misread"><img alt="{caption}" src="{uri}">'
            f"<figcaption>{caption}</figcaption></figure>"
        )
    more = (
        f"<p>... and {len(misread) - limit} more (skdigits evaluate --show DIR saves them all).</p>"
        if len(misread) > limit
        else ""
    )
    return (
        "misread-pictures",
        f"Misread pictures ({len(misread)})",
        "<p>Each picture as it was (left) and what the model saw (right).</p>"
        f'<div class="pictures">{"".join(items)}</div>{more}',
    )


def _learning_curves_section(estimator):
    if not getattr(find_classifier(estimator), "history_", None):
        return (
            "learning-curves",
            "Learning curves",
            "<p>This model recorded no training history.</p>",
        )
    png = _figure_to_data_uri(plot_history(estimator))
    return (
        "learning-curves",
        "Learning curves",
        f"<p>{html.escape(_training_summary(find_classifier(estimator)))}</p>"
        f'<div class="figures"><img alt="learning curves" src="{png}"></div>',
    )


def _training_summary(classifier):
    """Where the training stopped, in words: epochs run, and the epoch kept by early stopping."""
    ran = getattr(classifier, "n_iter_", None) or len(classifier.history_["loss"])
    kept = getattr(classifier, "best_epoch_", None)
    if kept is None:
        return f"Trained {ran} epoch{'s' if ran != 1 else ''}."
    limit = getattr(classifier, "epochs", None)
    stopped = (
        f"Early stopping ended the training after epoch {ran} of at most {limit}"
        if limit is not None and ran < limit
        else f"Trained {ran} epochs; early stopping did not end the training sooner"
    )
    score = classifier.best_validation_score_
    return (
        f"{stopped} and kept the weights of epoch {kept}, the best on its held-out split "
        f"(validation accuracy {score:.2%})."
    )


def _samples_section(images, y, y_pred):
    png = _figure_to_data_uri(plot_digits(images, y, y_pred))
    return (
        "samples",
        "Sample digits",
        "<p>The first digits with their labels; mistakes in red as true>predicted.</p>"
        f'<div class="figures"><img alt="sample digits" src="{png}"></div>',
    )


def _environment_section(versions):
    return (
        "environment",
        "Environment",
        _table(("library", "version"), sorted(versions.items()), (0, 1)),
    )
