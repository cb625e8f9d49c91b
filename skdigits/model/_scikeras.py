"""scikeras' KerasClassifier, imported only when a network is trained or built.

scikeras imports Keras, and with it TensorFlow: seconds and hundreds of
megabytes, which a loaded model that only predicts (with NumPy, see
:mod:`skdigits.model._inference`) never needs. So
:class:`~skdigits.DigitClassifier` is defined on :class:`KerasClassifier`,
a stand-in holding scikit-learn's base and the two prediction methods
scikeras would give; the first time anything else of scikeras is needed
(``fit``, ``partial_fit``, ``initialize``, ``initialized_``, a rebuilt
``model_``...) :func:`become_keras_classifier` imports scikeras, quietly
(:func:`skdigits.utils.quiet_tensorflow` first), and puts scikeras' own
``KerasClassifier`` in the stand-in's place among the bases of every class
derived from it. From then on the classes are exactly what they would be
had scikeras been their base from the start: same method resolution order,
same methods.
"""

from sklearn.base import BaseEstimator

from ..utils import quiet_tensorflow

__all__ = ["KerasClassifier", "become_keras_classifier"]

#: Attributes of scikeras' KerasClassifier and BaseWrapper (scikeras 0.13)
#: that scikit-learn's BaseEstimator lacks: asking a stand-in instance for one
#: of them loads scikeras first. tests/test_lazy_loading.py checks the list.
SCIKERAS_NAMES = frozenset(
    {
        "_build_keras_model",
        "_check_model_compatibility",
        "_check_model_param",
        "_compile_kwargs",
        "_ensure_compiled_model",
        "_fit",
        "_fit_keras_model",
        "_fit_kwargs",
        "_get_compile_kwargs",
        "_get_metadata",
        "_initialize",
        "_initialize_callbacks",
        "_more_tags",
        "_predict_kwargs",
        "_routing_prefixes",
        "_tags",
        "_type_of_target",
        "_validate_sample_weight",
        "_wrapper_params",
        "current_epoch",
        "feature_encoder",
        "initialize",
        "initialized_",
        "partial_fit",
        "scorer",
        "set_fit_request",
        "set_partial_fit_request",
        "set_score_request",
    }
)


class KerasClassifier(BaseEstimator):
    """Stands in for scikeras' ``KerasClassifier`` until Keras is needed.

    It predicts as scikeras' class does (``_predict_raw``, then the target
    encoder's ``inverse_transform``), so a loaded classifier predicts
    without TensorFlow; any scikeras attribute asked for replaces it by the
    real class (:func:`become_keras_classifier`).
    """

    _estimator_type = "classifier"

    def __getattr__(self, name):
        # Only called when normal lookup fails: a scikeras name not here yet.
        if name in SCIKERAS_NAMES and become_keras_classifier():
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def predict(self, X):
        """Predict the class of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input vectors.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        return self.target_encoder_.inverse_transform(self._predict_raw(X))

    def predict_proba(self, X):
        """Class probabilities of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input vectors.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, in the order of ``classes_``.
        """
        return self.target_encoder_.inverse_transform(self._predict_raw(X), return_proba=True)


def become_keras_classifier():
    """Import scikeras and put its ``KerasClassifier`` in place of the stand-in.

    Every class whose bases name the stand-in :class:`KerasClassifier` gets
    scikeras' class there instead (subclasses of those follow). Nothing
    happens the second time.

    Returns
    -------
    changed : bool
        True when a class's bases were replaced by this call.
    """
    derived = KerasClassifier.__subclasses__()
    if not derived:
        return False
    quiet_tensorflow()
    from scikeras.wrappers import KerasClassifier as ScikerasClassifier

    for cls in derived:
        cls.__bases__ = tuple(
            ScikerasClassifier if base is KerasClassifier else base for base in cls.__bases__
        )
    return True
