"""Measuring a fitted model: evaluation, plots and the HTML report.

Names load on first use (:func:`skdigits._lazy.attach`): importing this
package loads neither scikit-learn nor TensorFlow.
"""

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "evaluate": "._evaluation",
        "most_confused_pairs": "._evaluation",
        "plot_digits": "._plotting",
        "plot_misclassified": "._plotting",
        "plot_history": "._plotting",
        "build_report": "._report",
    },
)
