"""One-hot encoding of class labels for the softmax network."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, column_or_1d


class OneHotLabelEncoder(TransformerMixin, BaseEstimator):
    """Encode class labels as one-hot float32 rows, and probabilities back.

    This is the target encoder of :class:`~skdigits.DigitClassifier` (the
    scikeras ``target_encoder`` hook). Unlike scikeras' default it one-hot
    encodes two-class problems too, so the softmax output always has one unit
    per class.

    Parameters
    ----------
    classes : array-like of shape (n_classes,), default=None
        All the classes, when the labels seen in :meth:`fit` may miss some
        (as in ``partial_fit``); None learns them from the labels.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Sorted class labels seen during :meth:`fit`.
    n_classes_ : int
        Number of classes.

    Examples
    --------
    >>> from skdigits.model._targets import OneHotLabelEncoder
    >>> encoder = OneHotLabelEncoder().fit([3, 7, 3])
    >>> encoder.transform([7, 3])
    array([[0., 1.],
           [1., 0.]], dtype=float32)
    """

    def __init__(self, classes=None):
        self.classes = classes

    def fit(self, y):
        """Learn the classes of ``y`` (or take ``classes``)."""
        y = column_or_1d(y)
        self.classes_ = np.unique(y if self.classes is None else np.asarray(self.classes))
        self.n_classes_ = len(self.classes_)
        self.transform(y)  # labels outside the given classes are an error now
        return self

    def transform(self, y):
        """One-hot encode labels; unknown labels are an error."""
        check_is_fitted(self)
        y = column_or_1d(y)
        index = np.searchsorted(self.classes_, y)
        index[index == self.n_classes_] = 0
        unknown = self.classes_[index] != y
        if unknown.any():
            raise ValueError(
                f"y contains labels not seen in fit: {np.unique(y[unknown])[:10]}; "
                f"known classes are {self.classes_}."
            )
        return np.eye(self.n_classes_, dtype=np.float32)[index]

    def inverse_transform(self, y, return_proba=False):
        """Map network outputs to labels, or pass the probabilities through."""
        check_is_fitted(self)
        if return_proba:
            return y
        return self.classes_[np.argmax(y, axis=1)]

    def get_metadata(self):
        """Attributes scikeras copies onto the classifier after fitting."""
        return {
            "classes_": self.classes_,
            "n_classes_": self.n_classes_,
            "n_outputs_": 1,
            "n_outputs_expected_": 1,
        }
