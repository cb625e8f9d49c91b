"""The one place that imports private scikit-learn names.

scikit-learn keeps its parameter-validation helpers private. Every module of
skdigits imports them from here, so a change upstream is mended in one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, Options, StrOptions

__all__ = ["Interval", "Options", "StrOptions", "_fit_context"]
