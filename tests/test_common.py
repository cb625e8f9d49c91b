"""scikit-learn's own estimator checks on every skdigits estimator."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdigits import DigitClassifier, ImageReshaper, PixelScaler

# Each expected failure names the check and the true reason it cannot pass.
CLASSIFIER_XFAILS = {
    "check_estimator_tags_renamed": (
        "scikeras' BaseWrapper still defines the pre-1.6 _more_tags; DigitClassifier's "
        "tags come from its own __sklearn_tags__"
    ),
    "check_mixin_order": (
        "scikeras' KerasClassifier lists BaseEstimator before ClassifierMixin, and a "
        "subclass cannot reorder its bases (MRO error); __sklearn_tags__ sets the "
        "classifier tags instead"
    ),
    "check_sample_weight_equivalence_on_dense_data": (
        "mini-batch SGD with shuffling: repeating a sample changes the batches, so "
        "weights and repetitions give different networks"
    ),
}


def _estimators():
    return [
        PixelScaler(),
        PixelScaler(pixel_range="fit", clip=True),
        ImageReshaper(),
        ImageReshaper(target_shape=(-1, 1)),
        DigitClassifier(
            hidden_layer_sizes=(32,),
            epochs=6,
            batch_size=16,
            learning_rate=0.025,
            random_state=0,
        ),
    ]


def _expected_failed_checks(estimator):
    if isinstance(estimator, DigitClassifier):
        return CLASSIFIER_XFAILS
    return {}


@pytest.mark.slow
@parametrize_with_checks(_estimators(), expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
