"""make_digit_pipeline: scale -> reshape -> classify."""


def make_digit_pipeline(*, pixel_range=(0, 255), raw_images=False, **classifier_params):
    """Build the digit pipeline: PixelScaler, ImageReshaper, DigitClassifier.

    The three steps are named ``"scaler"``, ``"reshape"`` and
    ``"classifier"``, so a grid reaches the network as
    ``classifier__hidden_layer_sizes`` or ``classifier__epochs``. The pipeline
    takes images of shape (n_samples, height, width) with pixels 0-255, or
    their flattened rows, and integer labels.

    Parameters
    ----------
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
    """
    from sklearn.pipeline import Pipeline

    from ._classifier import DigitClassifier
    from ._reshape import ImageReshaper
    from ._scaler import PixelScaler

    steps = [
        ("scaler", PixelScaler(pixel_range=pixel_range)),
        ("reshape", ImageReshaper()),
        ("classifier", DigitClassifier(**classifier_params)),
    ]
    if raw_images is not False:
        from ._normalize import DigitImageNormalizer

        normalizer = raw_images if isinstance(raw_images, DigitImageNormalizer) else DigitImageNormalizer()
        steps.insert(0, ("normalize", normalizer))
    return Pipeline(steps)
