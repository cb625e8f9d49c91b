"""The default model of ``skdigits predict`` and ``skdigits draw``: the one that ships."""


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


def load_default_model(*, log=print):
    """The model trained on full MNIST that ships with skdigits, reading pictures.

    Nothing is trained or downloaded, and no data home is read: the model is
    :func:`skdigits.load_pretrained` with a :class:`DigitImageNormalizer` in
    front. ``skdigits train --out FILE`` makes a model of your own, which
    ``--model FILE`` then uses.

    Parameters
    ----------
    log : callable, default=print
        Receives a one-line message saying which model is used.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Fitted, taking pictures (paths, PIL images or arrays).
    """
    from .pretrained import load_pretrained, pretrained_info

    pipeline = load_pretrained(raw_images=True)
    accuracy = pretrained_info()["test_accuracy"]
    log(
        f"Using the model that ships with skdigits (trained on full MNIST, "
        f"{accuracy:.2%} on its test digits)."
    )
    return pipeline
