"""The one place that imports private scikit-learn names.

scikit-learn keeps its parameter-validation helpers private. Every module of
skdigits imports them from here, so a change upstream is mended in one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight

__all__ = ["Interval", "StrOptions", "_check_sample_weight", "_fit_context"]
