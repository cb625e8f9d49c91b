"""The bundled default model: trained once on the best data offline, then cached."""

import os

from ._version import __version__


def default_model_path(data_home=None):
    """Where the default model is cached: ``<data home>/models/default-<version>.skdigits``."""
    from .datasets import get_data_home

    return os.path.join(get_data_home(data_home), "models", f"default-{__version__}.skdigits")


def raw_image_pipeline(fitted):
    """Put a DigitImageNormalizer in front of a pipeline fitted on MNIST-form digits.

    The normaliser learns nothing and leaves MNIST-form digits nearly
    unchanged, so a pipeline trained on MNIST arrays predicts from pictures
    once it is in front; training through it would only cost time.
    """
    from sklearn.pipeline import Pipeline

    from ._normalize import DigitImageNormalizer

    if "normalize" in getattr(fitted, "named_steps", {}):
        return fitted
    steps = fitted.steps if hasattr(fitted, "steps") else [("classifier", fitted)]
    return Pipeline([("normalize", DigitImageNormalizer()), *steps])


def _untrained_default_pipeline():
    """The pipeline the default model is trained from: the reference network, seed 0."""
    from ._pipeline import make_digit_pipeline

    return make_digit_pipeline(random_state=0)


def load_default_model(data_home=None, *, log=print):
    """Load the cached default model, training and caching it first if needed.

    The model is the reference pipeline trained on full MNIST when it is on
    this machine, else on the embedded sample, with a
    :class:`DigitImageNormalizer` in front so it reads pictures. Training
    never downloads. If the data home cannot be written, the model is used
    without being cached. A cached file that cannot be read (damaged, or not
    a ``.skdigits`` file) is replaced; full MNIST files that do not read are
    passed over for the sample, with a message.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        See :func:`skdigits.datasets.get_data_home`.
    log : callable, default=print
        Receives one-line messages saying what happens.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Fitted, taking pictures (paths, PIL images or arrays).
    """
    from ._persistence import load_model, save_model
    from .exceptions import DataFormatError

    path = default_model_path(data_home)
    if os.path.isfile(path):
        try:
            model = load_model(path)
        except ValueError as exc:
            log(f"The cached default model cannot be read ({exc}); training a new one.")
        else:
            log(f"Using the default model cached at {path}.")
            return model
    from .datasets import load_mnist, load_mnist_sample, locate_dataset

    X = None
    if locate_dataset("mnist", data_home=data_home) is not None:
        try:
            (X, y), _ = load_mnist(data_home=data_home, download_if_missing=False)
            source = f"full MNIST ({len(y):,} digits)"
        except DataFormatError as exc:
            log(f"Full MNIST in the data home cannot be read ({exc}); using the sample "
                "instead ('skdigits data' checks the files).")
    if X is None:
        X, y = load_mnist_sample(return_X_y=True)
        source = f"the embedded MNIST sample ({len(y):,} digits; full MNIST makes a better model)"
    log(f"No default model yet: training the reference network on {source}, once.")
    pipeline = raw_image_pipeline(_untrained_default_pipeline().fit(X, y))
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        save_model(pipeline, path)
        log(f"Cached the default model at {path}.")
    except OSError as exc:
        log(f"Could not cache the default model at {path} ({exc.strerror or exc}); using it uncached.")
    return pipeline
