"""make_digit_pipeline: scale -> reshape -> classify."""

#: Classifier settings of each preset; parameters given to make_digit_pipeline win.
PRESETS = {
    # the classic Keras tutorial's network: DigitClassifier's own defaults
    "reference": {},
    # the best test accuracy within 10 minutes of training on a 2-core CPU
    # (benchmarks/RESULTS.md): the reference network, trained longer on
    # randomly distorted digits with a cosine learning-rate decay
    "best": {
        "augment": "affine",
        "epochs": 40,
        "learning_rate_schedule": "cosine",
        "label_smoothing": 0.05,
    },
}


def make_digit_pipeline(
    *, preset="reference", pixel_range=(0, 255), raw_images=False, **classifier_params
):
    """Build the digit pipeline: PixelScaler, ImageReshaper, DigitClassifier.

    The three steps are named ``"scaler"``, ``"reshape"`` and
    ``"classifier"``, so a grid reaches the network as
    ``classifier__hidden_layer_sizes`` or ``classifier__epochs``. The pipeline
    takes images of shape (n_samples, height, width) with pixels 0-255, or
    their flattened rows, and integer labels.

    Parameters
    ----------
    preset : {"reference", "best"}, default="reference"
        Settings of the classifier. ``"reference"``: the classic tutorial's
        network and training (784 -> 1024 -> 128 -> 64 -> 10, Adam, 10
        epochs, batch 64). ``"best"``: the same network trained for 40 epochs
        on randomly distorted digits (``augment="affine"``) with a cosine
        learning-rate decay and label smoothing 0.05, the settings with the
        best MNIST test accuracy within 10 minutes of training on a 2-core
        CPU (see ``benchmarks/RESULTS.md``). ``classifier_params`` override
        either.
    pixel_range : tuple (min, max) or "fit", default=(0, 255)
        Passed to :class:`PixelScaler`.
    raw_images : bool or DigitImageNormalizer, default=False
        Put a :class:`DigitImageNormalizer` first (step ``"normalize"``), so
        the pipeline takes pictures of any size and kind — file paths, PIL
        images, arrays — and makes them MNIST-like before scaling. Pass a
        configured normaliser to change its settings.
    **classifier_params
        Parameters of :class:`DigitClassifier`, such as ``hidden_layer_sizes``,
        ``epochs``, ``random_state`` or ``verbose`` (Keras' progress output).
        The pipeline's own settings (``memory``, ``verbose``) are left at
        their defaults; change them with ``set_params``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        The unfitted pipeline.

    Examples
    --------
    >>> from skdigits import make_digit_pipeline
    >>> pipe = make_digit_pipeline(epochs=5, random_state=0)
    >>> list(pipe.named_steps)
    ['scaler', 'reshape', 'classifier']
    >>> pipe.get_params()["classifier__hidden_layer_sizes"]
    (1024, 128, 64)
    >>> list(make_digit_pipeline(raw_images=True).named_steps)
    ['normalize', 'scaler', 'reshape', 'classifier']
    >>> make_digit_pipeline(preset="best").get_params()["classifier__augment"]
    'affine'
    """
    from sklearn.pipeline import Pipeline

    from ..preprocessing import ImageReshaper, PixelScaler
    from ._classifier import DigitClassifier

    if preset not in PRESETS:
        raise ValueError(
            f"preset={preset!r} is not a known preset; use one of {', '.join(map(repr, PRESETS))}."
        )
    steps = [
        ("scaler", PixelScaler(pixel_range=pixel_range)),
        ("reshape", ImageReshaper()),
        ("classifier", DigitClassifier(**{**PRESETS[preset], **classifier_params})),
    ]
    if raw_images is not False:
        from ..images import DigitImageNormalizer

        normalizer = (
            raw_images if isinstance(raw_images, DigitImageNormalizer) else DigitImageNormalizer()
        )
        steps.insert(0, ("normalize", normalizer))
    return Pipeline(steps)
