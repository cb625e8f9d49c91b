"""Can a fit be observed epoch by epoch? The one answer, for the classifier and the search.

A :class:`DigitClassifier` trains either through its in-graph loop or through
Keras' ``Model.fit``. Only the in-graph loop reports each epoch, and a fit
stopped there after ``k`` epochs holds the weights a ``k``-epoch fit ends with
only when nothing in the training depends on the total number of epochs.
:func:`keras_fit_reason` says when Keras' loop must train,
:func:`epoch_observation` whether a fit can stand for its shorter fits, and
:func:`observing_epochs` is the hook that reports the epochs.
"""

import contextlib


def keras_fit_reason(classifier, fit_kwargs=None):
    """Why ``classifier`` trains through Keras' ``Model.fit``, or None for the in-graph loop.

    Parameters
    ----------
    classifier : DigitClassifier
        The classifier about to be fitted.
    fit_kwargs : dict, default=None
        Extra keyword arguments of the fit for ``Model.fit`` (scikeras passes
        those of :meth:`~scikeras.wrappers.BaseWrapper.partial_fit` on).

    Returns
    -------
    reason : str or None
        ``None`` when the in-graph loop can stand in for ``Model.fit``.
    """
    if classifier.training_loop != "auto":
        return f"training_loop={classifier.training_loop!r} trains through Keras' Model.fit"
    if classifier.callbacks:
        return (
            "callbacks (early stopping, learning-rate schedules) train through Keras' "
            "Model.fit and may depend on the total epochs"
        )
    if classifier.validation_split:
        return "validation_split trains through Keras' Model.fit"
    if fit_kwargs:
        return f"fit arguments for Model.fit ({', '.join(sorted(fit_kwargs))}) train through it"
    return None


def epoch_observation(classifier):
    """Whether a fit of ``classifier`` can be observed per epoch as its shorter fits, and why not.

    A fit can stand for its shorter fits when, seeded alike, its weights after
    ``k`` epochs are those a ``k``-epoch fit ends with: that needs the
    in-graph loop (see :func:`keras_fit_reason`), no warm start, no early
    stopping (which keeps its best epoch's weights) and a learning rate that
    does not depend on the number of epochs.
    :class:`~skdigits.EpochGridSearchCV` shares one training run between
    candidates differing only in ``epochs`` when this holds.

    Parameters
    ----------
    classifier : DigitClassifier
        The classifier with its parameters set.

    Returns
    -------
    observable : bool
        Whether the fit's epochs can be observed as shorter fits.
    reason : str or None
        Why they cannot (a phrase for a warning), or ``None`` when they can.
    """
    if classifier.warm_start:
        return False, "warm_start=True continues the previous fit"
    if getattr(classifier, "early_stopping", False):
        return False, (
            "early_stopping=True chooses its own epoch (epochs is its upper bound) and "
            "trains on a held-out split"
        )
    schedule = classifier.learning_rate_schedule
    if schedule is not None:
        return False, (
            f"learning_rate_schedule={schedule!r} spreads its decay over the total epochs, "
            "so a shorter fit learns at other rates"
        )
    reason = keras_fit_reason(classifier)
    return reason is None, reason


@contextlib.contextmanager
def observing_epochs(classifier, on_epoch_end):
    """Within the block, ``classifier.fit`` calls ``on_epoch_end(epochs_done)`` after each epoch.

    During the call the classifier predicts with the weights of that epoch:
    those a fit of ``epochs_done`` epochs ends with when
    :func:`epoch_observation` says the fit can be observed. A fit through
    Keras' ``Model.fit`` (see :func:`keras_fit_reason`) raises a
    ``ValueError``. The hook of :class:`~skdigits.EpochGridSearchCV`.

    Parameters
    ----------
    classifier : DigitClassifier
        The classifier whose next fits are observed.
    on_epoch_end : callable
        Called with the number of epochs done.

    Yields
    ------
    classifier : DigitClassifier
        The classifier given.
    """
    classifier._epoch_observer = on_epoch_end
    try:
        yield classifier
    finally:
        del classifier._epoch_observer
