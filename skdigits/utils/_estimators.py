"""Small helpers shared by evaluation, plotting and the report: find_classifier, as_images."""

import math

import numpy as np


def find_classifier(estimator):
    """Return the classifier of a pipeline (its last step) or the estimator itself."""
    return estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator


def as_images(X):
    """Return ``X`` as an (n, h, w) array: image stacks as they are, square rows reshaped."""
    if hasattr(X, "to_numpy"):
        X = X.to_numpy()
    X = np.asarray(X)
    if X.ndim == 3:
        return X
    if X.ndim == 2:
        side = math.isqrt(X.shape[1])
        if side * side == X.shape[1]:
            return X.reshape(len(X), side, side)
        raise ValueError(
            f"Rows of {X.shape[1]} pixels are not square images; pass images of shape "
            "(n, height, width) instead."
        )
    raise ValueError(
        f"Expected images (n, height, width) or rows (n, pixels); got shape {X.shape}."
    )
