"""build_report: the HTML page and metrics.json, parsed and rendered."""

import json
import os
import subprocess
from html.parser import HTMLParser

import matplotlib
import pytest

from skdigits import build_report

from ._browser import find_chromium

matplotlib.use("Agg")

SECTIONS = [
    "summary",
    "model",
    "per-class",
    "confusion-matrix",
    "most-confused",
    "misclassified",
    "learning-curves",
    "samples",
    "environment",
]


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.images, self.external, self.title = [], [], [], ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append(attrs.get("id"))
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag in ("link", "script") and (attrs.get("href") or attrs.get("src")):
            self.external.append(attrs.get("href") or attrs.get("src"))
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, fitted_pipeline, small_split):
    _, X_test, _, y_test = small_split
    out = tmp_path_factory.mktemp("report")
    build_report(fitted_pipeline, X_test, y_test, out, dataset="the test split")
    return out


def test_report_has_every_section_and_embedded_images(report_dir):
    page = _Page()
    page.feed((report_dir / "report.html").read_text(encoding="utf-8"))
    assert page.sections == SECTIONS
    assert "the test split" in page.title
    assert len(page.images) == 4
    assert all(src.startswith("data:image/png;base64,") for src in page.images)
    assert page.external == []  # self-contained: nothing to fetch


def test_metrics_json(report_dir, small_split):
    document = json.loads((report_dir / "metrics.json").read_text())
    assert document["dataset"] == {
        "name": "the test split",
        "n_samples": len(small_split[3]),
        "image_shape": [28, 28],
    }
    assert 0 <= document["metrics"]["accuracy"] <= 1
    assert document["model"]["n_parameters"] == 50890
    assert [layer["units"] for layer in document["model"]["layers"]] == [64, 10]
    assert document["model"]["training_seconds"] > 0
    assert "scikit-learn" in document["versions"] and "keras" in document["versions"]
    assert sorted(os.listdir(report_dir)) == ["metrics.json", "report.html"]


@pytest.mark.skipif(
    find_chromium() is None, reason="Chromium is not installed (Debian: apt-get install chromium)"
)
def test_report_renders_in_headless_chromium_with_its_images(report_dir, tmp_path):
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--virtual-time-budget=5000",
    ]
    url = (report_dir / "report.html").as_uri()
    dom = subprocess.run(
        [find_chromium(), *flags, f"--user-data-dir={tmp_path / 'profile-dom'}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert 'data-images-loaded="4/4"' in dom
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [
            find_chromium(),
            *flags,
            f"--user-data-dir={tmp_path / 'profile-png'}",
            "--window-size=1100,3000",
            f"--screenshot={screenshot}",
            url,
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    from PIL import Image

    with Image.open(screenshot) as image:
        assert image.size == (1100, 3000)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is None or len(colours) > 50  # text, tables and figures, not a blank page


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_class_labels_with_dollars_are_not_read_as_maths(tmp_path, mnist_sample):
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skdigits import ImageReshaper, PixelScaler

    X, y = mnist_sample
    names = np.array([f"${d}$^" if d % 2 else f"$\\frac{{{d}}}$" for d in range(10)])
    model = make_pipeline(PixelScaler(), ImageReshaper(), LogisticRegression(max_iter=30))
    model.fit(X[:200], names[y[:200]])
    path = build_report(model, X[200:300], names[y[200:300]], tmp_path)  # mathtext would fail
    assert os.path.isfile(path)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_report_predicts_its_data_once(tmp_path, mnist_sample):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skdigits import ImageReshaper, PixelScaler

    X, y = mnist_sample
    model = make_pipeline(PixelScaler(), ImageReshaper(), LogisticRegression(max_iter=30))
    model.fit(X[:200], y[:200])
    calls, predict_proba = [], model.predict_proba

    def counted(X):
        calls.append(len(X))
        return predict_proba(X)

    model.predict_proba, model.predict = counted, None  # predict: never called
    build_report(model, X[200:300], y[200:300], tmp_path)
    assert calls == [100]
