"""EpochGridSearchCV: a grid search that trains once for all its epochs values.

scikit-learn's :class:`~sklearn.model_selection.GridSearchCV` fits every
candidate from scratch, so ``epochs=[5, 10, 20]`` trains 35 epochs per fold
where 20 tell the same: seeded alike, the network after 10 of 20 epochs is the
network a 10-epoch fit ends with. Here the candidates that differ only in
``epochs`` share one training run per fold, trained to the largest value and
scored at each requested epoch on the way, the way scikit-learn's ``LassoCV``
computes a whole regularisation path per fold. The rest -- candidates,
``cv_results_``, the choice of the best and its refit -- is
``GridSearchCV``'s.
"""

import time
import warnings
from functools import partial
from numbers import Integral
from traceback import format_exc

from joblib import logger
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, ParameterGrid
from sklearn.utils.parallel import delayed

from .._compat import (
    _check_method_params,
    _fit_context,
    _MultimetricScorer,
    _num_samples,
    _safe_split,
    _score,
    _search_fits_through,
)
from ..model import epoch_observation, observing_epochs


class EpochGridSearchCV(GridSearchCV):
    """Grid search where candidates differing only in ``epochs`` share one training run.

    A :class:`~sklearn.model_selection.GridSearchCV` for a
    :class:`DigitClassifier`, bare or as the last step of a pipeline such as
    :func:`make_digit_pipeline`'s. For each fold and each setting of the other
    parameters, the network is trained once, to the largest ``epochs`` of the
    grid, and scored after each smaller value on the way: ``epochs=[5, 10, 20]``
    costs 20 epochs per fold instead of 35. The scores are those of separate
    fits: with an integer ``random_state``, a fit stopped after ``k`` epochs
    holds the weights a ``k``-epoch fit ends with (same initial weights, same
    shuffles, same updates), so ``cv_results_``, ``best_params_`` and the
    refitted ``best_estimator_`` equal ``GridSearchCV``'s.

    Everything else is ``GridSearchCV``'s: the constructor, ``cv_results_``'s
    layout (``param_*``, ``split*_test_score``, means, ranks, times, train
    scores, several metrics), the refit of the best candidate on all the data.

    Candidates whose training cannot be observed between epochs as a shorter
    fit -- a ``learning_rate_schedule`` (its decay spans the total epochs),
    ``training_loop="keras"``, ``callbacks`` (early stopping, a Keras
    schedule), ``validation_split``, ``warm_start`` or ``early_stopping`` (it
    keeps its best epoch, with ``epochs`` as the upper bound) -- are fitted
    separately, with a one-line warning. A grid with one ``epochs``
    value per setting (or none) is fitted exactly as ``GridSearchCV`` fits it.

    Parameters
    ----------
    estimator : DigitClassifier or Pipeline
        A :class:`DigitClassifier` or a pipeline whose last step is one (for
        instance :func:`make_digit_pipeline`'s). Anything else raises a
        ``TypeError``: use ``GridSearchCV``.
    param_grid : dict or list of dict
        Parameter names (``"classifier__epochs"`` in a pipeline) to lists of
        values, as for ``GridSearchCV``. ``epochs`` may also be left at the
        classifier's value.
    scoring : str, callable, list, tuple or dict, default=None
        Strategy to score the candidates on the held-out folds, as for
        ``GridSearchCV``; ``None``: the classifier's accuracy.
    n_jobs : int, default=None
        Training runs in parallel (a run is one fold and one setting of the
        parameters other than ``epochs``). ``None``: 1 unless in a
        :func:`joblib.parallel_config` context, e.g. the Dask backend of
        :func:`skdigits.distributed.fit_on_cluster`.
    refit : bool, str or callable, default=True
        Refit the best candidate on the whole data (``best_estimator_``); with
        several metrics, the name of the metric that picks it.
    cv : int, cross-validation generator or iterable, default=None
        Splitting strategy, as for ``GridSearchCV`` (``None``: 5 stratified
        folds).
    verbose : int, default=0
        Above 0, the number of fits and training runs; above 1, one line per
        candidate and fold (with scores above 2).
    pre_dispatch : int or str, default="2*n_jobs"
        Runs dispatched ahead during parallel execution.
    error_score : "raise" or float, default=np.nan
        Score of a candidate whose fit fails. A run failing at epoch ``k``
        keeps the scores of the smaller ``epochs`` values it reached.
    return_train_score : bool, default=False
        Also score each candidate on its training folds.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        ``GridSearchCV``'s table. ``fit_time`` of a candidate trained in a
        shared run is its share of the run: the epochs since the previous
        requested value (the first also builds the network and fits the
        preprocessing), so the fit times of a run add up to the run's time.
        A separate fit of ``k`` epochs would take about the sum of the shares
        up to ``k``.
    best_estimator_ : estimator
        The best candidate refitted on all the data (with ``refit``).
    best_score_ : float
        Mean cross-validated score of the best candidate.
    best_params_ : dict
        Parameter setting of the best candidate.
    best_index_ : int
        Row of the best candidate in ``cv_results_``.
    scorer_ : function or dict
        Scorer(s) used on the held-out folds.
    n_splits_ : int
        Number of cross-validation splits.
    refit_time_ : float
        Seconds refitting the best candidate took.
    multimetric_ : bool
        Whether several metrics were scored.
    classes_ : ndarray of shape (n_classes,)
        Class labels (with ``refit``).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during :meth:`fit`, when they are strings.
    epochs_trained_ : int
        Epochs trained over all folds, without the refit.
    epochs_saved_ : int
        Epochs ``GridSearchCV`` would have trained on top of
        ``epochs_trained_``.

    See Also
    --------
    sklearn.model_selection.GridSearchCV : The search this one equals.
    skdigits.distributed.fit_on_cluster : Run the training runs on a Dask cluster.

    Notes
    -----
    Equality with ``GridSearchCV`` needs a fixed integer ``random_state``:
    without one, every fit of either search is differently random. A scorer
    runs between epochs, while the network trains; scorers that draw from
    NumPy's global random generator get a different draw than after a
    separate fit.

    Examples
    --------
    >>> from skdigits import EpochGridSearchCV, load_mnist_sample, make_digit_pipeline
    >>> X, y = load_mnist_sample(return_X_y=True)
    >>> search = EpochGridSearchCV(
    ...     make_digit_pipeline(hidden_layer_sizes=(16,), random_state=0),
    ...     {"classifier__epochs": [1, 2, 3]}, cv=2,
    ... ).fit(X[:300], y[:300])
    >>> len(search.cv_results_["params"]), search.epochs_trained_, search.epochs_saved_
    (3, 6, 6)
    >>> search.best_estimator_.predict(X[:4]).shape
    (4,)
    """

    @_fit_context(
        # the estimator is validated by its own fit
        prefer_skip_nested_validation=False
    )
    def fit(self, X, y=None, **params):
        """Run fit with all sets of parameters, one training run for all epochs values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Training data, as the estimator takes it.
        y : array-like of shape (n_samples,)
            Class labels.
        **params : dict of str -> object
            Parameters of the estimator's ``fit`` (split along with ``X``, such
            as ``sample_weight``), the scorer and the CV splitter (``groups``).

        Returns
        -------
        self : EpochGridSearchCV
            The fitted search.
        """
        candidates = list(ParameterGrid(self.param_grid))
        plan = _plan(self.estimator, candidates)
        if plan.runs and getattr(self, "_skl_callbacks", None):
            # scikit-learn's (experimental) callbacks follow GridSearchCV's own fits
            plan.reasons.setdefault("the search has scikit-learn callbacks", []).extend(
                index for run in plan.runs for index in run.candidates
            )
            plan.separate = list(range(len(candidates)))
            plan.runs = []
        plan.warn_separate()
        if plan.runs:
            # GridSearchCV's fit, but for its fit-and-score step (_run_fits). The
            # "Fitting ..." line is _run_fits' too, with the training runs.
            verbose, self.verbose = self.verbose, 0
            try:
                with _search_fits_through(partial(self._run_fits, plan, verbose)):
                    super().fit(X, y, **params)
            finally:
                self.verbose = verbose
            if not plan.ran:  # a scikit-learn whose fit no longer goes through the hook
                warnings.warn(
                    "EpochGridSearchCV could not share training runs in this version of "
                    "scikit-learn: it fitted every candidate as GridSearchCV does.",
                    UserWarning,
                    stacklevel=3,
                )
                plan.separate, plan.runs = list(range(len(candidates))), []
        else:
            super().fit(X, y, **params)
        self.epochs_trained_ = plan.epochs_trained(self.n_splits_)
        self.epochs_saved_ = plan.epochs_total(self.n_splits_) - self.epochs_trained_
        return self

    def _run_fits(self, plan, verbose, calls, parallel):
        """``BaseSearchCV.fit``'s fit-and-score step, with the fits grouped into training runs.

        ``calls`` are the search's ``_fit_and_score`` calls, one per candidate
        and split; each run's candidates are trained once per split by
        :func:`_fit_and_score_epochs` instead, the others fitted by their own
        call. Returns one ``_fit_and_score`` result per call, in their order.
        """
        plan.ran = True
        by_place = {}  # (candidate, split) -> its call, in the calls' order
        for call in calls:
            candidate, n_candidates = call[2]["candidate_progress"]
            split, n_splits = call[2]["split_progress"]
            by_place[candidate, split] = call
        if n_candidates != len(plan.epochs) or len(by_place) != n_candidates * n_splits:
            raise RuntimeError("EpochGridSearchCV got other candidates than its param_grid's.")
        if verbose > 0:
            print(
                f"Fitting {n_splits} folds for each of {n_candidates} candidates, totalling "
                f"{n_candidates * n_splits} fits, in {plan.n_units * n_splits} training runs "
                f"({plan.epochs_trained(n_splits)} epochs instead of "
                f"{plan.epochs_total(n_splits)})"
            )
        jobs = []  # (cost, the (candidate, split) places it scores, the call)
        for split in range(n_splits):
            for run in plan.runs:
                _, (estimator, X, y), kwargs = by_place[run.candidates[0], split]
                call = delayed(_fit_and_score_epochs)(
                    estimator,
                    X,
                    y,
                    parameters=run.parameters,
                    epochs_param=run.epochs_param,
                    epochs=run.epochs,
                    verbose=verbose,
                    **{name: kwargs[name] for name in _RUN_ARGUMENTS},
                )
                jobs.append((max(run.epochs), [(index, split) for index in run.candidates], call))
            for index in plan.separate:
                function, args, kwargs = by_place[index, split]
                call = function, args, {**kwargs, "verbose": verbose}
                jobs.append((plan.epochs[index] or 0, [(index, split)], call))
        # The longest runs first, so parallel workers finish together.
        jobs.sort(key=lambda job: -job[0])
        results = {}
        for (_, places, _), output in zip(jobs, parallel(call for _, _, call in jobs)):
            results.update(zip(places, output if isinstance(output, list) else [output]))
        return [results[place] for place in by_place]


#: What a training run takes from the fit-and-score call of its first candidate.
_RUN_ARGUMENTS = (
    "train",
    "test",
    "scorer",
    "fit_params",
    "score_params",
    "return_train_score",
    "error_score",
    "split_progress",
)


# -- the plan: which candidates share a run -----------------------------------------
def _final_classifier(estimator, prefix=""):
    """``(parameter prefix, DigitClassifier)`` ending ``estimator``, or None."""
    from sklearn.pipeline import Pipeline

    from ..model import DigitClassifier

    if isinstance(estimator, DigitClassifier):
        return prefix, estimator
    if isinstance(estimator, Pipeline) and estimator.steps:
        name, last = estimator.steps[-1]
        return _final_classifier(last, f"{prefix}{name}__")
    return None


def _same_value(a, b):
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays and other values without a plain ==
        return False


class _Run:
    """Candidates sharing one training run per fold: same parameters but ``epochs``."""

    def __init__(self, parameters, epochs_param, reason):
        self.parameters = parameters  # the candidates' parameters without epochs
        self.epochs_param = epochs_param
        self.reason = reason  # why the run cannot be observed between epochs, or None
        self.candidates = []
        self.epochs = []  # of each candidate

    def matches(self, parameters, epochs_param):
        return (
            epochs_param == self.epochs_param
            and parameters.keys() == self.parameters.keys()
            and all(_same_value(parameters[k], self.parameters[k]) for k in parameters)
        )


class _Plan:
    """Which candidates share training runs (``runs``) and which are fitted alone."""

    def __init__(self, epochs, runs, separate, reasons):
        self.epochs = epochs  # of each DigitClassifier candidate, else None
        self.runs = runs
        self.separate = separate
        self.reasons = reasons  # reason -> candidates that could have shared a run
        self.ran = False  # whether the search's fits went through _run_fits

    @property
    def n_units(self):
        return len(self.runs) + len(self.separate)

    def epochs_trained(self, n_splits):
        shared = sum(max(run.epochs) for run in self.runs)
        alone = sum(self.epochs[index] or 0 for index in self.separate)
        return (shared + alone) * n_splits

    def epochs_total(self, n_splits):
        return sum(epochs or 0 for epochs in self.epochs) * n_splits

    def warn_separate(self):
        for reason, indices in self.reasons.items():
            warnings.warn(
                f"EpochGridSearchCV fits {len(indices)} candidate(s) separately, as "
                f"GridSearchCV does: {reason}.",
                UserWarning,
                stacklevel=4,
            )


def _plan(estimator, candidates):
    """Group the candidates that differ only in ``epochs`` into training runs."""
    if _final_classifier(estimator) is None:
        raise TypeError(
            "EpochGridSearchCV searches a DigitClassifier or a pipeline ending in one "
            f"(such as make_digit_pipeline's); got {type(estimator).__name__}. Use "
            "sklearn.model_selection.GridSearchCV for other estimators."
        )
    epochs, runs, separate = [], [], []
    for index, parameters in enumerate(candidates):
        candidate = clone(estimator).set_params(**clone(parameters, safe=False))
        found = _final_classifier(candidate)
        value = None if found is None else found[1].epochs  # None: the grid replaced it
        valid = isinstance(value, Integral) and not isinstance(value, bool) and value >= 1
        epochs.append(int(value) if valid else None)
        if not valid:  # fitted (and failing) as GridSearchCV would
            separate.append(index)
            continue
        prefix, classifier = found
        epochs_param = f"{prefix}epochs"
        rest = {k: v for k, v in parameters.items() if k != epochs_param}
        run = next((r for r in runs if r.matches(rest, epochs_param)), None)
        if run is None:
            run = _Run(rest, epochs_param, epoch_observation(classifier)[1])
            runs.append(run)
        run.candidates.append(index)
        run.epochs.append(int(value))
    shared, reasons = [], {}
    for run in runs:
        several = len(set(run.epochs)) > 1
        if several and run.reason is None:
            shared.append(run)
            continue
        if several:
            reasons.setdefault(run.reason, []).extend(run.candidates)
        separate.extend(run.candidates)
    return _Plan(epochs, shared, sorted(separate), reasons)


# -- one training run: fit to the largest epochs, score at each ----------------------
def _fit_and_score_epochs(
    estimator,
    X,
    y,
    *,
    train,
    test,
    parameters,
    epochs_param,
    epochs,
    scorer,
    fit_params,
    score_params,
    return_train_score,
    error_score,
    verbose,
    split_progress,
):
    """Fit ``estimator`` once to ``max(epochs)``; score it after each of ``epochs``.

    Returns one result per entry of ``epochs``, each as scikit-learn's
    ``_fit_and_score`` returns it (with the test sample count and times): the
    fit time of an epochs value is the training since the previous value.
    """
    fit_params = _check_method_params(X, params=fit_params or {}, indices=train)
    score_params = score_params or {}
    score_params_train = _check_method_params(X, params=score_params, indices=train)
    score_params_test = _check_method_params(X, params=score_params, indices=test)
    wanted = sorted(set(epochs))
    estimator = estimator.set_params(**clone(parameters, safe=False), **{epochs_param: wanted[-1]})
    _, classifier = _final_classifier(estimator)

    start = time.perf_counter()
    X_train, y_train = _safe_split(estimator, X, y, train)
    X_test, y_test = _safe_split(estimator, X, y, test, train)
    scored = {}  # epochs -> result
    clock = {"scoring": 0.0, "fit": 0.0}  # seconds so far

    def score(epochs_done):
        if epochs_done not in wanted:
            return
        now = time.perf_counter()
        fit_so_far = now - start - clock["scoring"]
        result = {"fit_error": None, "fit_time": fit_so_far - clock["fit"]}
        clock["fit"] = fit_so_far
        result["test_scores"] = _score(
            estimator, X_test, y_test, scorer, score_params_test, error_score
        )
        if return_train_score:
            result["train_scores"] = _score(
                estimator, X_train, y_train, scorer, score_params_train, error_score
            )
        result["score_time"] = time.perf_counter() - now
        clock["scoring"] += result["score_time"]
        scored[epochs_done] = result

    error = None
    try:
        with observing_epochs(classifier, score):
            if y_train is None:
                estimator.fit(X_train, **fit_params)
            else:
                estimator.fit(X_train, y_train, **fit_params)
    except Exception:
        if error_score == "raise":
            raise
        error = format_exc()
    if error is not None:  # the fit to the largest value did not finish
        scored.pop(wanted[-1], None)
    # What the fit did after the last epoch (bookkeeping) is the last share's.
    if scored and error is None:
        scored[wanted[-1]]["fit_time"] += (
            time.perf_counter() - start - clock["scoring"] - clock["fit"]
        )
    n_test = _num_samples(X_test)
    results = []
    for value in epochs:
        if value in scored:
            result = dict(scored[value])
            # a value asked for twice: its share is split between the candidates
            result["fit_time"] /= epochs.count(value)
        else:
            if error is None:  # the fit ended without reaching this epoch
                raise RuntimeError(
                    f"The fit of {type(estimator).__name__} stopped before epoch {value}."
                )
            result = _failed_result(
                scorer,
                error_score,
                return_train_score,
                error,
                time.perf_counter() - start - clock["scoring"],
            )
        result["n_test_samples"] = n_test
        results.append(result)
        if verbose > 1:
            _print_end(
                parameters, epochs_param, value, result, split_progress, verbose, return_train_score
            )
    return results


def _failed_result(scorer, error_score, return_train_score, error, fit_time):
    if isinstance(scorer, _MultimetricScorer):
        scores = {name: error_score for name in scorer._scorers}
    else:
        scores = error_score
    result = {"fit_error": error, "fit_time": fit_time, "score_time": 0.0, "test_scores": scores}
    if return_train_score:
        result["train_scores"] = scores.copy() if isinstance(scores, dict) else scores
    return result


def _print_end(
    parameters, epochs_param, epochs, result, split_progress, verbose, return_train_score
):
    """The line ``_fit_and_score`` prints at the end of a fit, for one epochs value."""
    shown = {**parameters, epochs_param: epochs}
    message = ", ".join(f"{k}={shown[k]}" for k in sorted(shown)) + ";"
    test, train = result["test_scores"], result.get("train_scores")
    if verbose > 2:
        if isinstance(test, dict):
            for name in sorted(test):
                message += f" {name}: ("
                if return_train_score:
                    message += f"train={train[name]:.3f}, "
                message += f"test={test[name]:.3f})"
        elif return_train_score:
            message += f", score=(train={train:.3f}, test={test:.3f})"
        else:
            message += f", score={test:.3f}"
    seconds = result["fit_time"] + result["score_time"]
    message += f" time={logger.short_format_time(seconds)} (shared run)"
    start = f"[CV {split_progress[0] + 1}/{split_progress[1]}] END "
    print(start + "." * max(80 - len(start) - len(message), 0) + message)
