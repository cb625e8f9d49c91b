"""Saving, loading and inspecting fitted pipelines and classifiers.

The default format is ``.skdigits`` (see :mod:`skdigits.persistence._format`): a
zip of a JSON manifest and Keras networks that loads without running any
code from the file. joblib (pickle) files are written only when their name
asks for it and loaded only with ``trusted=True``.
"""

import os

from ..exceptions import ModelFormatError, UntrustedModelError
from ..utils import atomic_open

#: File name endings that make :func:`save_model` write joblib (pickle).
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")
_FORMATS = ("auto", "skdigits", "joblib")


def save_model(
    estimator,
    path,
    *,
    format="auto",
    compress=3,
    include_optimizer=True,
    weights_dtype=None,
    training_data=None,
):
    """Save an estimator, atomically, in the pickle-free ``.skdigits`` format.

    The ``.skdigits`` format holds a JSON manifest (versions, the pipeline's
    steps with their parameters, fitted state as plain numbers) and each
    network in Keras' ``.keras`` format; loading it never runs code from the
    file, so it is the format to share. It holds every pipeline
    :func:`make_digit_pipeline` builds, a bare :class:`DigitClassifier`, and
    a soft-voting :class:`~sklearn.ensemble.VotingClassifier` of
    DigitClassifiers (alone or as a pipeline's last step); anything else is
    refused with a message naming what cannot be stored.

    A name ending in ``.joblib``, ``.pkl`` or ``.pickle`` (or
    ``format="joblib"``) writes a joblib pickle instead, which holds any
    estimator but can be loaded only with ``load_model(path, trusted=True)``.

    The file is written under a temporary name in the target folder and
    renamed into place only once complete, so a failed save never leaves a
    file that looks like a model.

    Parameters
    ----------
    estimator : estimator instance
        Typically a fitted pipeline from :func:`make_digit_pipeline`.
    path : str or os.PathLike
        Destination file, conventionally ending in ``.skdigits``.
    format : {"auto", "skdigits", "joblib"}, default="auto"
        ``"auto"``: joblib for names ending in ``.joblib``, ``.pkl`` or
        ``.pickle``, else ``.skdigits``.
    compress : int, default=3
        The joblib compression level (0-9); unused by the ``.skdigits`` format.
    include_optimizer : bool, default=True
        Keep the optimizer's state (Adam's moments) in a ``.skdigits`` file,
        so that ``partial_fit`` after loading continues exactly. ``False``
        stores only its settings: a file a third of the size, for a model
        that is shared to predict.
    weights_dtype : {None, "float32", "float16"}, default=None
        Store the networks' weights as trained (None, float32) or rounded to
        float16: half the size again, probabilities within about 1e-3 of the
        float32 model's. The networks are read back as float32. float16
        needs ``include_optimizer=False``.
    training_data : dict, default=None
        What the model was trained on, as
        :func:`skdigits.datasets.training_record` describes it (``skdigits
        train`` passes it): stored in the ``.skdigits`` manifest, where
        :func:`inspect_model` shows it, ``skdigits evaluate`` and ``report``
        read it and leave out the digits the model trained on. Not stored by
        joblib.

    Returns
    -------
    path : str
        The path written.

    Raises
    ------
    TypeError
        When the ``.skdigits`` format cannot hold the estimator (the message
        names the step or value and points at joblib).

    See Also
    --------
    load_model : Load a saved model.
    inspect_model : Read a ``.skdigits`` file's manifest without loading it.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigits import PixelScaler, load_model, save_model
    >>> path = save_model(PixelScaler(), os.path.join(tempfile.mkdtemp(), "s.skdigits"))
    >>> load_model(path)
    PixelScaler()
    """
    path = os.fspath(path)
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {', '.join(map(repr, _FORMATS))}; got {format!r}")
    if format == "joblib" or (format == "auto" and path.lower().endswith(PICKLE_SUFFIXES)):
        import joblib

        with atomic_open(path) as handle:
            joblib.dump(estimator, handle, compress=compress)
        return path
    from ._format import write_model

    with atomic_open(path) as handle:
        write_model(
            estimator,
            handle,
            include_optimizer=include_optimizer,
            weights_dtype=weights_dtype,
            training_data=training_data,
        )
    return path


def load_model(path, *, trusted=False):
    """Load an estimator saved by :func:`save_model`.

    A ``.skdigits`` file is rebuilt from its manifest and Keras networks:
    nothing in it is unpickled or run, classes come from a fixed allow-list
    of skdigits and scikit-learn classes, and networks load with Keras'
    ``safe_mode=True``. A damaged, truncated or tampered file, or one from a
    newer skdigits, raises :class:`~skdigits.exceptions.ModelFormatError`
    before anything is returned.

    Any other file is treated as a joblib pickle, which can run any code on
    this machine when loaded: it is refused unless ``trusted=True``.

    Parameters
    ----------
    path : str, os.PathLike or ModelFile
        File written by :func:`save_model` (or ``joblib.dump``). A
        :class:`~skdigits.persistence.ModelFile` is read from its opening,
        without opening or sniffing the file again.
    trusted : bool, default=False
        Load joblib/pickle files too. Only for files you made yourself or
        whose source you trust as you would trust a program from it.

    Returns
    -------
    estimator : estimator instance
        The estimator, ready to predict.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ModelFormatError
        When a ``.skdigits`` file cannot be read (a ``ValueError``).
    UntrustedModelError
        When the file is not a ``.skdigits`` file and ``trusted`` is False
        (a ``ValueError``).
    ValueError
        When a trusted file is not a readable joblib file either.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigits import ImageReshaper, load_model, save_model
    >>> folder = tempfile.mkdtemp()
    >>> path = save_model(ImageReshaper(target_shape=(28, 28)),
    ...                   os.path.join(folder, "reshape.skdigits"))
    >>> load_model(path)
    ImageReshaper(target_shape=(28, 28))

    A joblib file needs the caller's word:

    >>> path = save_model(ImageReshaper(), os.path.join(folder, "reshape.joblib"))
    >>> load_model(path, trusted=True)
    ImageReshaper()
    """
    from ._format import ModelFile

    # A ModelFile (the command line's first input) was opened and sniffed already.
    with path if isinstance(path, ModelFile) else ModelFile(path) as file:
        kind, path = file.kind, file.path
        if kind == "skdigits":
            return file.read()
    if kind == "damaged":
        raise ModelFormatError(
            f"{path!r} is a damaged or truncated model file: its zip archive cannot be read."
        )
    if kind == "zip":
        raise ModelFormatError(
            f"{path!r} is a zip archive but not a .skdigits model file (no skdigits manifest)."
        )
    if not trusted:
        if kind == "pickle":
            raise UntrustedModelError(
                f"{path!r} is a pickle (joblib) file, and loading a pickle can run any code it "
                "holds: skdigits loads one only when you trust its source, with "
                "load_model(path, trusted=True) or --allow-pickle on the command line. "
                "Re-save it with save_model(model, 'model.skdigits') to share it safely."
            )
        raise UntrustedModelError(
            f"{path!r} is not a .skdigits model file (no zip archive with a skdigits "
            "manifest). If it is a joblib/pickle model from a source you trust, load it with "
            "load_model(path, trusted=True) or --allow-pickle: loading a pickle can run any "
            "code it holds."
        )
    import joblib

    try:
        return joblib.load(path)
    except Exception as exc:  # joblib/pickle raise many types for bad files
        raise ValueError(
            f"{path!r} is not a readable skdigits model file (corrupt, truncated, or "
            f"not written by save_model/joblib): {type(exc).__name__}: {exc}"
        ) from exc


def inspect_model(path):
    """Read the manifest of a ``.skdigits`` file without loading the model.

    Nothing is built and no network is loaded: the result is the JSON
    manifest as a dict, with the format version, the versions of skdigits,
    scikit-learn, Keras and TensorFlow that wrote it, and the estimator tree
    (classes, parameters, fitted state).

    Parameters
    ----------
    path : str or os.PathLike
        A ``.skdigits`` file.

    Returns
    -------
    manifest : dict
        The parsed ``manifest.json``.

    Raises
    ------
    ModelFormatError
        When the file is not a readable ``.skdigits`` file.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigits import PixelScaler, inspect_model, save_model
    >>> path = save_model(PixelScaler(), os.path.join(tempfile.mkdtemp(), "s.skdigits"))
    >>> manifest = inspect_model(path)
    >>> manifest["format"], manifest["estimator"]["class"]
    ('skdigits-model', 'skdigits.PixelScaler')
    """
    from ._format import read_manifest

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No model file at {path!r}.")
    return read_manifest(path)
