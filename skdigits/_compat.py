"""The one place that imports private scikit-learn names.

scikit-learn keeps its parameter-validation and model-selection helpers
private. Every module of skdigits imports them from here, so a change upstream
is mended in one file.
"""

import importlib

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_method_params, _check_sample_weight, _num_samples

# The search's helpers load on first use: they pull in scikit-learn's metrics
# and model selection, which the estimators themselves do not need.
_LAZY = {
    "_MultimetricScorer": "sklearn.metrics._scorer",
    "_fit_and_score": "sklearn.model_selection._validation",
    "_insert_error_scores": "sklearn.model_selection._validation",
    "_score": "sklearn.model_selection._validation",
    "_warn_or_raise_about_fit_failures": "sklearn.model_selection._validation",
    "_safe_split": "sklearn.utils.metaestimators",
}

__all__ = [
    "Interval",
    "StrOptions",
    "_check_method_params",
    "_check_sample_weight",
    "_fit_context",
    "_num_samples",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
