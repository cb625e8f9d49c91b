"""Figures: checked for content with the Agg backend."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.cbook  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from skdigits import DigitClassifier, plot_digits, plot_history, plot_misclassified  # noqa: E402

from .conftest import small_pipeline  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


def test_plot_digits_grid_labels_and_marked_mistakes(mnist_sample):
    X, y = mnist_sample
    y_pred = y[:12].copy()
    y_pred[3] = (y_pred[3] + 1) % 10
    fig = plot_digits(X[:12], y[:12], y_pred, n_cols=5, title="twelve")
    axes = _image_axes(fig)
    assert len(axes) == 12
    assert axes[0].images[0].get_array().shape == (28, 28)
    assert axes[3].get_title() == f"{y[3]}>{y_pred[3]}"
    assert axes[3].title.get_color() == "red" and axes[0].title.get_color() == "black"
    assert fig._suptitle.get_text() == "twelve"


DOLLAR_LABELS = np.array(["$\\frac$", "US$5 or $6", "$x^$", "plain"])


def _shown(text):
    """The text matplotlib draws for a Text whose string is ``text``."""
    assert not matplotlib.cbook.is_math_text(text)
    return text.replace("\\$", "$")


def test_labels_with_dollars_are_shown_literally_not_as_maths(mnist_sample):
    X = mnist_sample[0][:4]
    y_pred = DOLLAR_LABELS[[1, 1, 2, 3]]
    fig = plot_digits(X, DOLLAR_LABELS, y_pred)
    fig.canvas.draw()  # "$\\frac$" as mathtext fails to draw
    titles = [_shown(ax.get_title()) for ax in _image_axes(fig)]
    assert titles == ["$\\frac$>US$5 or $6", "US$5 or $6", "$x^$", "plain"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_misclassified_labels_with_dollars_draw(mnist_sample):
    X, y = mnist_sample
    names = np.array([f"${d}$^" for d in range(10)])
    flat = X[:300].reshape(300, -1) / 255
    model = LogisticRegression(max_iter=30).fit(flat[:100], names[y[:100]])
    fig = plot_misclassified(model, flat[100:], names[y[100:300]], max_digits=4)
    fig.canvas.draw()
    true, predicted = _shown(_image_axes(fig)[0].get_title()).split("\n")[0].split(" -> ")
    assert true.startswith("$") and true.endswith("$^") and true != predicted


def test_plot_digits_takes_flat_rows_of_any_square_size():
    digits = load_digits()
    fig = plot_digits(digits.data[:6], digits.target[:6])
    assert _image_axes(fig)[0].images[0].get_array().shape == (8, 8)


def test_plot_digits_bad_input(mnist_sample):
    with pytest.raises(ValueError, match="not square"):
        plot_digits(np.zeros((3, 50)))
    with pytest.raises(ValueError, match="empty"):
        plot_digits(np.zeros((0, 28, 28)))
    with pytest.raises(ValueError, match="2 labels for 5 images"):
        plot_digits(mnist_sample[0][:5], [1, 2])


def test_plot_misclassified_most_confident_first(mnist_sample):
    X, y = mnist_sample
    flat = X[:400].reshape(400, -1) / 255
    model = LogisticRegression(max_iter=30).fit(flat[:100], y[:100])
    fig = plot_misclassified(model, flat[100:], y[100:400], max_digits=8)
    axes = _image_axes(fig)
    assert len(axes) == 8
    confidences = [float(ax.get_title().split("(")[1].rstrip(")")) for ax in axes]
    assert confidences == sorted(confidences, reverse=True)
    true, predicted = axes[0].get_title().split("\n")[0].split(" -> ")
    assert true != predicted


def test_plot_misclassified_checks_label_count(mnist_sample):
    X, y = mnist_sample
    model = LogisticRegression(max_iter=30).fit(X[:50].reshape(50, -1), y[:50])
    with pytest.raises(ValueError, match="y has 10 labels for 20 images"):
        plot_misclassified(model, X[:20].reshape(20, -1), y[:10])


def test_plot_misclassified_without_mistakes():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = LogisticRegression().fit(X, [0, 0, 1, 1])
    fig = plot_misclassified(model, X, [0, 0, 1, 1])
    assert "No mistakes" in fig.axes[0].texts[0].get_text()


def test_plot_history_training_and_validation(mnist_sample):
    X, y = mnist_sample
    pipe = small_pipeline(epochs=3, validation_split=0.2).fit(X[:400], y[:400])
    fig = plot_history(pipe)
    loss_ax, accuracy_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["training", "validation"]
    assert len(loss_ax.lines[0].get_xdata()) == 3
    assert accuracy_ax.get_title() == "accuracy"


def test_plot_history_needs_a_fitted_keras_classifier():
    with pytest.raises(NotFittedError):
        plot_history(DigitClassifier())
    with pytest.raises(ValueError, match="no training history"):
        plot_history(LogisticRegression().fit([[0], [1]], [0, 1]))
