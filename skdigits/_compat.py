"""The one place that imports private scikit-learn names.

scikit-learn keeps its parameter-validation and model-selection helpers
private. Every module of skdigits imports them from here, so a change upstream
is mended in one file. The same goes for the one hook into scikit-learn's
search, :func:`_search_fits_through`, which lets
:class:`~skdigits.EpochGridSearchCV` reuse ``BaseSearchCV.fit``.
"""

import contextlib
import importlib
import threading

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import _check_method_params, _check_sample_weight, _num_samples

# The search's helpers load on first use: they pull in scikit-learn's metrics
# and model selection, which the estimators themselves do not need.
_LAZY = {
    "_MultimetricScorer": "sklearn.metrics._scorer",
    "_get_output_config": "sklearn.utils._set_output",
    "_score": "sklearn.model_selection._validation",
    "_safe_split": "sklearn.utils.metaestimators",
}

__all__ = [
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "_check_method_params",
    "_check_partial_fit_first_call",
    "_check_sample_weight",
    "_fit_context",
    "_num_samples",
    "_search_fits_through",
    "validate_parameter_constraints",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# BaseSearchCV.fit hands all its fit-and-score calls to one ``Parallel`` of its
# module, ``sklearn.model_selection._search.Parallel`` (scikit-learn 1.6 to 1.9
# alike). _search_fits_through puts a subclass there while a search runs, and
# the first Parallel that fit builds in that thread passes its calls on.
_hook_lock = threading.Lock()
_hook = {"users": 0, "original": None}  # searches inside _search_fits_through, all threads
_hook_local = threading.local()


def _hooked_parallel(parallel_class):
    class _HookedParallel(parallel_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # the searching thread's next Parallel only: the search's own
            self._run_fits = getattr(_hook_local, "run_fits", None)
            _hook_local.run_fits = None

        def __call__(self, iterable):
            if self._run_fits is None:
                return super().__call__(iterable)
            return self._run_fits(list(iterable), super().__call__)

    return _HookedParallel


@contextlib.contextmanager
def _search_fits_through(run_fits):
    """Within the block, the next ``BaseSearchCV.fit`` of this thread runs its fits by ``run_fits``.

    ``run_fits(calls, parallel)`` receives the search's fit-and-score calls
    (joblib ``delayed`` triples ``(function, args, kwargs)`` of
    ``_fit_and_score``, in the search's order: candidate, then split) and the
    search's ``Parallel`` (a callable taking delayed calls, with the search's
    ``n_jobs``, ``pre_dispatch`` and joblib backend); it returns one
    ``_fit_and_score`` result per call, in the calls' order. Searches in
    other threads run as usual.
    """
    module = importlib.import_module("sklearn.model_selection._search")
    with _hook_lock:
        if not _hook["users"]:
            _hook["original"] = module.Parallel
            module.Parallel = _hooked_parallel(module.Parallel)
        _hook["users"] += 1
    _hook_local.run_fits = run_fits
    try:
        yield
    finally:
        _hook_local.run_fits = None
        with _hook_lock:
            _hook["users"] -= 1
            if not _hook["users"]:  # the last one out puts scikit-learn's back
                module.Parallel = _hook["original"]
