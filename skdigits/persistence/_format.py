"""The pickle-free ``.skdigits`` model format: a zip of a JSON manifest and Keras files.

A ``.skdigits`` file is a zip archive holding

- ``manifest.json``: the format name and version, the versions of skdigits,
  scikit-learn, Keras and TensorFlow that wrote it, and the estimator as a
  tree: each node names its class (from a fixed allow-list), its parameters
  and its fitted attributes as plain JSON numbers, strings and lists;
- ``networks/<n>.keras``: each classifier's network in Keras' own format,
  loaded back with ``safe_mode=True`` after its configuration has been
  checked to name nothing but Keras' own modules. Networks may be stored
  with float16 weights (half the size); they are loaded as float32.

Estimators nested in parameters or fitted attributes (the members of a
soft-voting :class:`~sklearn.ensemble.VotingClassifier` of networks) are
nodes of the same tree, tagged ``{"__estimator__": node}`` (format 2).

Reading a file never unpickles anything and never imports a name read from
the file: classes come from :data:`ALLOWED_CLASSES` only, the table at the end
of this module, which also says how each class is written and rebuilt.
:class:`ModelFile` opens a file once, tells what it holds (:func:`sniff`) and
reads the estimator from that same opening. This module holds the archive and
the estimator tree; :mod:`skdigits.persistence._json` the values in it and
:mod:`skdigits.persistence._networks` the Keras members.
"""

import json
import math
import os
import re
import tempfile
import weakref
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._compat import InvalidParameterError, validate_parameter_constraints
from .._version import __version__
from ..exceptions import ModelFormatError
from ._json import decode_value, encode_value, short
from ._keras_reader import check_member_sizes
from ._networks import WEIGHT_DTYPES, keras_versions, load_network, read_network, recast

FORMAT_NAME = "skdigits-model"
#: The version this skdigits writes; it reads every version up to this one.
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
#: Largest manifest read (bytes): a manifest is a few kilobytes to a few MB.
MAX_MANIFEST_BYTES = 64 * 2**20
#: Largest network member read (bytes, uncompressed).
MAX_NETWORK_BYTES = 2 * 2**30
#: Largest sum of all members' sizes (bytes, uncompressed), checked with each
#: member's limit and inflation ratio (see ``_keras_reader``) before any is read.
MAX_MODEL_BYTES = 4 * 2**30

_JOBLIB_HINT = (
    "save it with joblib instead (save_model(estimator, 'model.joblib')), and load that "
    "file only with load_model(path, trusted=True), from sources you trust"
)


def _class_name(estimator):
    """The allow-list name of ``estimator``'s class, or None."""
    cls = type(estimator)
    for name, handler in ALLOWED_CLASSES.items():
        if cls.__name__ == handler.attribute and _resolve_class(name) is cls:
            return name
    return None


def _resolve_class(name):
    import importlib

    handler = ALLOWED_CLASSES[name]
    return getattr(importlib.import_module(handler.module), handler.attribute)


# -- estimators -> manifest ------------------------------------------------------
def describe_estimator(estimator, where, networks):
    """The manifest node of ``estimator``; its networks are added to ``networks``.

    Raises TypeError naming what cannot be stored.
    """
    name = _class_name(estimator)
    if name is None:
        raise TypeError(
            f"{where} is a {type(estimator).__module__}.{type(estimator).__qualname__}, which "
            "the .skdigits format cannot hold (it holds pipelines of PixelScaler, "
            "ImageReshaper, DigitImageNormalizer and DigitClassifier, as "
            "make_digit_pipeline builds them, and soft-voting VotingClassifiers of "
            f"DigitClassifiers); {_JOBLIB_HINT}"
        )
    return ALLOWED_CLASSES[name].describe(estimator, name, where, networks)


def _describe_fitted(estimator, name, where, networks):
    """The node of an estimator: its parameters and its public fitted attributes."""

    def describe(sub, sub_where):
        return describe_estimator(sub, sub_where, networks)

    params = estimator.get_params(deep=False)
    node = {"class": name}
    node["params"] = {k: encode_value(v, f"{where}.{k}", describe) for k, v in params.items()}
    fitted = {}
    for attribute, value in vars(estimator).items():
        if not attribute.endswith("_") or attribute.startswith("_") or attribute in params:
            continue
        if attribute in ALLOWED_CLASSES[name].rebuilt:
            continue
        if isinstance(value, defaultdict):
            value = dict(value)
        fitted[attribute] = encode_value(value, f"{where}.{attribute}", describe)
    node["fitted"] = fitted
    return node


def _describe_pipeline(pipeline, name, where, networks):
    """The node of a Pipeline: its steps' nodes and its other parameters."""
    params = pipeline.get_params(deep=False)
    if params.get("memory") is not None:
        # a cache folder is this machine's, and joblib unpickles what it finds there
        raise TypeError(
            f"{where}.memory is {short(params['memory'], 80)}: a .skdigits file holds no "
            "cache folder (joblib's cache unpickles the files in it, so a shared file "
            "naming one could run code on a later fit); call set_params(memory=None) "
            "before saving"
        )
    node = {"class": name}
    node["steps"] = [
        [step, describe_estimator(step_est, f"{where}[{step!r}]", networks)]
        for step, step_est in pipeline.steps
    ]
    params.pop("steps")
    node["params"] = {k: encode_value(v, f"{where}.{k}") for k, v in params.items()}
    return node


def _describe_classifier(clf, name, where, networks):
    """The node of a DigitClassifier; its network becomes a member of ``networks``."""
    if clf.callbacks:
        raise TypeError(
            f"{where}.callbacks holds Keras callbacks, which the .skdigits format cannot "
            f"hold; set callbacks=None before saving, or {_JOBLIB_HINT}"
        )
    if isinstance(clf.random_state, np.random.RandomState):
        raise TypeError(
            f"{where}.random_state is a RandomState; set an integer seed before saving, "
            f"or {_JOBLIB_HINT}"
        )
    node = _describe_fitted(clf, name, where, networks)
    model = getattr(clf, "model_", None)
    if model is not None:
        member = f"networks/{len(networks)}.keras"
        networks[member] = model
        node["network"] = member
    return node


def write_model(estimator, handle, include_optimizer=True, weights_dtype=None, training_data=None):
    """Write ``estimator`` as a ``.skdigits`` zip to the binary file ``handle``.

    Without ``include_optimizer``, each network is saved with a fresh copy of
    its optimizer (its settings, not its state): a third of the size for Adam,
    for models that are shipped to predict rather than to train further.
    ``weights_dtype="float16"`` (which needs ``include_optimizer=False``)
    halves that again; the weights are rounded to float16 and read back as
    float32. ``training_data`` (a dict of JSON values) is stored as the
    manifest's ``"training_data"``.
    """
    import sklearn

    if weights_dtype not in (None, *WEIGHT_DTYPES):
        raise ValueError(
            f"weights_dtype must be None, 'float32' or 'float16'; got {weights_dtype!r}"
        )
    if weights_dtype == "float16" and include_optimizer:
        raise ValueError(
            "weights_dtype='float16' stores no optimizer state: "
            "pass include_optimizer=False with it"
        )
    networks = {}
    tree = describe_estimator(estimator, "model", networks)
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "skdigits_version": __version__,
        "versions": {"sklearn": sklearn.__version__, **keras_versions(bool(networks))},
        "estimator": tree,
    }
    if training_data is not None:
        if not isinstance(training_data, dict):
            raise TypeError(
                f"training_data must be a dict (see skdigits.datasets.training_record); "
                f"got {type(training_data).__name__}"
            )
        manifest["training_data"] = json.loads(json.dumps(training_data, allow_nan=False))
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1, allow_nan=False))
        if networks:
            with tempfile.TemporaryDirectory(prefix="skdigits-save-") as tmp:
                for member, model in networks.items():
                    path = os.path.join(tmp, "network.keras")
                    stored = model if include_optimizer else recast(model, weights_dtype)
                    stored.save(path)
                    # .keras is a zip already: store it as it is.
                    archive.write(path, member, compress_type=zipfile.ZIP_STORED)


# -- what a file is --------------------------------------------------------------
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_PICKLE_MAGIC = (
    b"\x80",  # pickle protocol 2 and newer
    b"\x78\x01",
    b"\x78\x5e",
    b"\x78\x9c",
    b"\x78\xda",  # zlib (joblib's default)
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"\x5d\x00\x00",  # gzip, bz2, xz, lzma
    b"ZF",  # joblib's old zlib container
)


def _names_the_format(archive):
    """True when the open zip ``archive`` has a ``manifest.json`` naming the skdigits format."""
    try:
        with archive.open(MANIFEST) as member:
            head = member.read(4096)
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError, EOFError):
        return False
    return FORMAT_NAME.encode() in head


def _sniff_handle(handle):
    """``(kind, archive)`` for the binary file ``handle``: see :func:`sniff`.

    ``archive`` is the open zip of a ``"skdigits"`` file (over ``handle``), else None.
    """
    head = handle.read(8)
    if head.startswith(_ZIP_MAGIC):
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, EOFError):
            return "damaged", None
        if _names_the_format(archive):
            return "skdigits", archive
        archive.close()
        return "zip", None
    if head.startswith(_PICKLE_MAGIC):
        return "pickle", None
    return "other", None


def is_model_file(path):
    """True when ``path`` is a zip whose ``manifest.json`` names the skdigits format."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _names_the_format(archive)
    except (OSError, zipfile.BadZipFile, RuntimeError, EOFError):
        return False


def sniff(path):
    """What the file at ``path`` looks like, from its content alone.

    ``"skdigits"`` (a zip with a skdigits manifest), ``"damaged"`` (starts
    like a zip but cannot be opened: truncated or corrupt), ``"zip"`` (another
    zip archive), ``"pickle"`` (a pickle, or a compressed stream as joblib
    writes them) or ``"other"``. Nothing is unpickled.
    """
    with open(path, "rb") as handle:
        kind, archive = _sniff_handle(handle)
        if archive is not None:
            archive.close()
    return kind


class ModelFile(os.PathLike):
    """A model file opened once: what it holds, then the estimator read from that opening.

    The file is opened and sniffed when the object is made; a ``.skdigits``
    file stays open until :meth:`read` (or :meth:`close`, or the object is
    dropped), so that :func:`~skdigits.persistence.load_model` given this
    object reads the estimator without opening or sniffing the file again.
    It is a path-like object (``os.fspath`` gives its path).

    Parameters
    ----------
    path : str or os.PathLike
        A file.

    Attributes
    ----------
    path : str
        The file's path.
    kind : {"skdigits", "damaged", "zip", "pickle", "other"}
        What the file's content is, as :func:`sniff` says.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.isfile(self.path):
            raise FileNotFoundError(f"No model file at {self.path!r}.")
        handle = open(self.path, "rb")  # stays open for read() when a .skdigits file
        try:
            self.kind, self._archive = _sniff_handle(handle)
        except BaseException:
            handle.close()
            raise
        if self._archive is None:
            handle.close()
        self._closer = weakref.finalize(self, _close, self._archive, handle)

    def __fspath__(self):
        return self.path

    def __str__(self):
        return self.path

    def __repr__(self):
        return f"ModelFile({self.path!r}, kind={self.kind!r})"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Close the file (again: nothing happens)."""
        self._closer()

    def read(self):
        """The estimator of a ``.skdigits`` file, rebuilt from it; the file is closed after.

        Returns
        -------
        estimator : estimator instance
            The estimator the manifest describes, with its networks.

        Raises
        ------
        ModelFormatError
            When the file cannot be read as a valid model.
        ValueError
            When it is no ``.skdigits`` file (:attr:`kind`), or was read already.
        """
        if self.kind != "skdigits":
            raise ValueError(f"{self.path!r} is not a .skdigits model file (it is {self.kind}).")
        if not self._closer.alive:
            raise ValueError(f"{self.path!r} was read or closed already: open it again.")
        try:
            return _read_archive(self._archive, self.path)
        finally:
            self.close()


def _close(archive, handle):
    if archive is not None:
        archive.close()
    handle.close()


# -- manifest -> estimators ------------------------------------------------------
def _open_archive(path):
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ModelFormatError(
            f"{path!r} is not a .skdigits model file (not a zip archive, or truncated)."
        ) from None


def read_manifest(path):
    """The manifest of the ``.skdigits`` file at ``path``, checked but not loaded."""
    path = os.fspath(path)
    with _open_archive(path) as archive:
        return _manifest_of(archive, path)


def _read_member(archive, member, path, limit, missing):
    """The bytes of ``member``, refusing one over ``limit`` bytes; ``missing`` says its absence."""
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise ModelFormatError(f"{path!r} {missing}.") from None
    if info.file_size > limit:
        raise ModelFormatError(f"{path!r}: {member} is {info.file_size:,} bytes, too large.")
    try:
        return archive.read(member)
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, zlib.error) as exc:
        raise ModelFormatError(f"{path!r} is damaged or truncated ({exc}).") from None


def _member_limit(name):
    if name == MANIFEST:
        return MAX_MANIFEST_BYTES
    return MAX_NETWORK_BYTES if name.startswith("networks/") else MAX_MANIFEST_BYTES


def _manifest_of(archive, path):
    check_member_sizes(archive, repr(path), _member_limit, MAX_MODEL_BYTES)
    data = _read_member(
        archive,
        MANIFEST,
        path,
        MAX_MANIFEST_BYTES,
        f"has no {MANIFEST}: not a .skdigits model file",
    )
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelFormatError(f"{path!r}: {MANIFEST} is not valid JSON ({exc}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ModelFormatError(f"{path!r}: {MANIFEST} does not describe a skdigits model.")
    version = manifest.get("format_version")
    writer = manifest.get("skdigits_version", "an unknown version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ModelFormatError(f"{path!r}: {MANIFEST} has no valid format_version.")
    if version > FORMAT_VERSION:
        raise ModelFormatError(
            f"{path!r} was written by skdigits {writer} in model format {version}; this "
            f"skdigits {__version__} reads formats up to {FORMAT_VERSION}: upgrade skdigits "
            "(pip install -U skdigits)."
        )
    if version < 1:
        raise ModelFormatError(
            f"{path!r} was written by skdigits {writer} in model format {version}, which this "
            f"skdigits {__version__} cannot read: re-save it with that version."
        )
    if not isinstance(manifest.get("estimator"), dict):
        raise ModelFormatError(f"{path!r}: {MANIFEST} has no estimator.")
    return manifest


def _read_archive(archive, path):
    """Rebuild the estimator of the open ``.skdigits`` zip ``archive`` (read from ``path``)."""
    try:
        return _rebuild(archive, path)
    except ModelFormatError as exc:
        message = " ".join(str(exc).split())  # one line, whatever the file held
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE // 2 - 3] + " ... " + message[-MAX_MESSAGE // 2 + 2 :]
        if message == str(exc):
            raise
        raise ModelFormatError(message) from None


#: Longest refusal message (characters): whatever a file holds, its refusal is one short line.
MAX_MESSAGE = 600


def _rebuild(archive, path):
    manifest = _manifest_of(archive, path)
    try:
        return _build(manifest["estimator"], "model", archive, path)
    except ModelFormatError:
        raise
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ModelFormatError(f"{path!r} is damaged or truncated ({_one_line(exc)}).") from None
    except (
        TypeError,
        ValueError,
        KeyError,
        IndexError,
        AttributeError,
        ArithmeticError,
        RecursionError,
    ) as exc:
        raise ModelFormatError(
            f"{path!r}: the manifest does not describe a valid model ({_one_line(exc)})."
        ) from None


def _one_line(exc, limit=200):
    """``exc``'s type and the first line of its message, at most ``limit`` characters."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _build(node, where, archive, path):
    if not isinstance(node, dict) or not isinstance(node.get("class"), str):
        raise ModelFormatError(f"{path!r}: {where} is not an estimator description.")
    name = node["class"]
    if name not in ALLOWED_CLASSES:
        raise ModelFormatError(
            f"{path!r}: {where} names class {short(name, 60)}, which is not one skdigits loads "
            f"(allowed: {', '.join(sorted(ALLOWED_CLASSES))})."
        )
    cls = _resolve_class(name)

    def build(sub, sub_where):
        return _build(sub, sub_where, archive, path)

    params = _decode_params(node, cls, where, path, build)
    _check_params(cls, params, where, path)
    return ALLOWED_CLASSES[name].build(node, cls, params, where, archive, path)


def _check_params(cls, params, where, path):
    """Refuse parameters that ``cls``'s own ``_parameter_constraints`` refuse, one by one.

    The same rules as ``fit`` applies, checked before anything is built; the
    message names the parameter and what it must be.
    """
    constraints = getattr(cls, "_parameter_constraints", {})
    for key, value in params.items():
        if key not in constraints:
            continue
        try:
            validate_parameter_constraints(
                {key: constraints[key]}, {key: value}, caller_name=cls.__name__
            )
        except InvalidParameterError as exc:
            rule = str(exc).split(" Got ")[0]  # "The 'x' parameter of C must be ..."
            raise ModelFormatError(
                f"{path!r}: {where}.{key} is {short(_plain(value), 60)}: {rule}"
            ) from None


def _plain(value):
    """``value`` as JSON can show it (for messages)."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value if not isinstance(value, float) or np.isfinite(value) else repr(value)
    return f"a {type(value).__name__}"


def _build_fitted(node, cls, params, where, archive, path):
    """An estimator from its parameters and fitted attributes, checked by its handler."""
    handler = ALLOWED_CLASSES[node["class"]]

    def build(sub, sub_where):
        return _build(sub, sub_where, archive, path)

    estimator = cls(**params)
    fitted = node.get("fitted", {})
    if not isinstance(fitted, dict):
        raise ModelFormatError(f"{path!r}: {where}.fitted is not a mapping.")
    for attribute, value in fitted.items():
        if not (
            isinstance(attribute, str)
            and attribute.endswith("_")
            and not attribute.startswith("_")
            and attribute not in handler.rebuilt
            and not hasattr(cls, attribute)
        ):
            raise ModelFormatError(
                f"{path!r}: {where} has a bad fitted attribute {short(attribute, 60)}."
            )
        if len(attribute) > 100:
            raise ModelFormatError(f"{path!r}: {where} has a fitted attribute of a long name.")
        setattr(estimator, attribute, decode_value(value, f"{where}.{attribute}", build))
    handler.restore(estimator, node, where, archive, path)
    return estimator


def _build_pipeline(node, cls, params, where, archive, path):
    """A Pipeline from its steps' nodes."""
    steps = node.get("steps")
    if (
        not isinstance(steps, list)
        or not steps
        or not all(isinstance(s, list) and len(s) == 2 and isinstance(s[0], str) for s in steps)
    ):
        raise ModelFormatError(f"{path!r}: {where} has no valid list of steps.")
    if params.get("memory") is not None:
        raise ModelFormatError(
            f"{path!r}: {where}.memory is {short(params['memory'], 80)}; a model file may "
            "name no cache folder (joblib's cache would unpickle the files in it on the "
            "next fit), so memory must be null."
        )
    built = [
        (step, _build(sub, f"{where}[{short(step, 40)}]", archive, path)) for step, sub in steps
    ]
    _check_steps(built, where, path)
    return cls(built, **params)


#: make_digit_pipeline's step names -> the classes (allow-list names) it puts there.
DIGIT_PIPELINE_STEPS = {
    "normalize": ("skdigits.DigitImageNormalizer",),
    "scaler": ("skdigits.PixelScaler",),
    "reshape": ("skdigits.ImageReshaper",),
    "classifier": ("skdigits.DigitClassifier", "sklearn.ensemble.VotingClassifier"),
}
_TRANSFORMERS = ("skdigits.DigitImageNormalizer", "skdigits.PixelScaler", "skdigits.ImageReshaper")
_CLASSIFIERS = ("skdigits.DigitClassifier", "sklearn.ensemble.VotingClassifier")
#: The shape of the images a DigitImageNormalizer gives.
NORMALIZED_SHAPE = (28, 28)


def _check_steps(steps, where, path):
    """Refuse a pipeline that make_digit_pipeline could not have built, or whose shapes disagree.

    Step names are unique; a step named as one of make_digit_pipeline's holds
    the class it puts there; a normaliser comes first and a classifier last;
    each fitted step takes the samples the one before gives, and the
    classifier takes rows of its ``n_features_in_`` values. When the last
    step is fitted, every step is.
    """
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    names = [name for name, _ in steps]
    last_fitted = _is_fitted(steps[-1][1], check_is_fitted, NotFittedError)
    shape = None  # of one sample, as the step before gives it (unknown before the first)
    for i, (name, step) in enumerate(steps):
        at = f"{where}[{short(name, 40)}]"
        kind = _class_name(step)
        if not name or "__" in name or names.count(name) > 1:
            raise ModelFormatError(
                f"{path!r}: {where} has a step named {short(name, 60)}: step names must be "
                "unique, non-empty and free of '__'."
            )
        last = i == len(steps) - 1
        if kind not in _TRANSFORMERS + (_CLASSIFIERS if last else ()):
            raise ModelFormatError(
                f"{path!r}: {at} is a {type(step).__name__}, which a .skdigits pipeline holds "
                f"only {'as its last step' if kind in _CLASSIFIERS else 'nowhere'}; its steps "
                "are those of make_digit_pipeline (normalize, scaler, reshape, classifier)."
            )
        expected = DIGIT_PIPELINE_STEPS.get(name, (kind,))
        if kind not in expected:
            raise ModelFormatError(
                f"{path!r}: {at} holds a {type(step).__name__}, but make_digit_pipeline's step "
                f"{short(name, 40)} is a {' or '.join(n.rsplit('.', 1)[1] for n in expected)}."
            )
        if kind == "skdigits.DigitImageNormalizer":
            if i:
                raise ModelFormatError(
                    f"{path!r}: {at} is a DigitImageNormalizer, which takes pictures: it can "
                    "only be a pipeline's first step."
                )
            shape = NORMALIZED_SHAPE
            continue
        if last_fitted and not _is_fitted(step, check_is_fitted, NotFittedError):
            raise ModelFormatError(
                f"{path!r}: {at} is not fitted, but the pipeline's last step is."
            )
        shape = _step_shape(step, kind, shape, at, path)


def _is_fitted(estimator, check_is_fitted, not_fitted_error):
    try:
        check_is_fitted(estimator)
    except not_fitted_error:
        return False
    return True


def _step_shape(step, kind, shape, at, path):
    """The sample shape ``step`` gives for samples of ``shape`` (None: unknown), or refuse."""
    if kind in _CLASSIFIERS:
        members = [step] if kind == "skdigits.DigitClassifier" else getattr(step, "estimators_", [])
        n_features = getattr(members[0], "n_features_in_", None) if members else None
        wanted = None if n_features is None else (n_features,)
        if wanted is not None and shape is not None and tuple(shape) != wanted:
            raise ModelFormatError(
                f"{path!r}: {at} takes rows of {wanted[0]} values, but the step before gives "
                f"samples of shape {tuple(shape)}."
            )
        return None
    fitted_shape = getattr(step, "input_shape_", None)
    n_features = getattr(step, "n_features_in_", None)
    if shape is not None and (
        (fitted_shape is not None and tuple(fitted_shape) != tuple(shape))
        or (n_features is not None and n_features != math.prod(shape))
    ):
        raise ModelFormatError(
            f"{path!r}: {at} was fitted on samples of shape "
            f"{tuple(fitted_shape) if fitted_shape is not None else (n_features,)}, but the "
            f"step before gives samples of shape {tuple(shape)}."
        )
    if kind == "skdigits.ImageReshaper":
        return getattr(step, "output_shape_", None)
    return shape if shape is not None else fitted_shape  # the scaler keeps the shape


def _decode_params(node, cls, where, path, build):
    import inspect

    params = node.get("params", {})
    if not isinstance(params, dict):
        raise ModelFormatError(f"{path!r}: {where}.params is not a mapping.")
    known = {
        p.name
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name not in ("self", "steps") and p.kind != p.VAR_KEYWORD
    }
    unknown = sorted(set(params) - known)
    if unknown:
        raise ModelFormatError(
            f"{path!r}: {where} ({cls.__name__}) has parameters "
            f"[{', '.join(short(name, 40) for name in unknown[:5])}] that this skdigits "
            f"{__version__} does not know; the file may come from a newer skdigits."
        )
    return {k: decode_value(v, f"{where}.{k}", build) for k, v in params.items()}


# -- per-class checks and restores, once the fitted attributes are set ------------
def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_number(value):
    """True for a finite real number (not a boolean)."""
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, (bool, np.bool_))
        and bool(np.isfinite(value))
    )


def _check_features(estimator, where, path):
    """Refuse an ``n_features_in_`` or ``feature_names_in_`` that is not what fit leaves."""
    fitted = vars(estimator)
    n_features = fitted.get("n_features_in_")
    if "n_features_in_" in fitted and (not _is_int(n_features) or n_features < 1):
        raise ModelFormatError(
            f"{path!r}: {where}.n_features_in_ is {short(_plain(n_features), 60)}; "
            "expected a positive integer."
        )
    names = fitted.get("feature_names_in_")
    if "feature_names_in_" in fitted and not (
        isinstance(names, np.ndarray) and names.dtype.kind == "U" and names.shape == (n_features,)
    ):
        raise ModelFormatError(
            f"{path!r}: {where}.feature_names_in_ must be an array of {n_features} column names."
        )


def _check_transformer(estimator, node, where, archive, path):
    """Refuse fitted transformer state whose shapes do not agree with each other."""
    _check_features(estimator, where, path)
    fitted = vars(estimator)
    n_features = fitted.get("n_features_in_")
    for attribute in ("input_shape_", "output_shape_"):
        if attribute not in fitted:
            continue
        shape = fitted[attribute]
        if n_features is None:
            raise ModelFormatError(f"{path!r}: {where} has {attribute} but no n_features_in_.")
        if not (isinstance(shape, tuple) and shape and all(_is_int(n) and n > 0 for n in shape)):
            raise ModelFormatError(
                f"{path!r}: {where}.{attribute} is not a shape: {short(_plain(shape), 60)}."
            )
        if n_features is not None and math.prod(shape) != n_features:
            raise ModelFormatError(
                f"{path!r}: {where}.{attribute} {shape} does not hold n_features_in_="
                f"{n_features} values."
            )
    for attribute in ("data_min_", "data_max_", "scale_", "min_"):
        value = getattr(estimator, attribute, None)
        if value is not None and not np.all(np.isfinite(np.asarray(value, dtype=float))):
            raise ModelFormatError(f"{path!r}: {where}.{attribute} is not a finite number.")


#: Largest pixel or feature value a scaler's range may name: PixelScaler
#: computes in float32, and a wider range would scale pixels to infinity.
MAX_RANGE = 1e38


def _check_range(value, where, path, name):
    """Refuse a range that is not two finite numbers, low < high (PixelScaler's rule)."""
    if not (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(_is_number(v) and abs(v) <= MAX_RANGE / 2 for v in value)
        and value[0] < value[1]
    ):
        raise ModelFormatError(
            f"{path!r}: {where}.{name} is {short(_plain(value), 60)}; expected a pair of "
            f"numbers (low, high) with low < high, within +-{MAX_RANGE / 2:g}."
        )
    return float(value[0]), float(value[1])


#: A PixelScaler's fitted attributes: all of them, or (unfitted) none.
_SCALER_FITTED = ("data_min_", "data_max_", "scale_", "min_")


def _check_scaler(scaler, node, where, archive, path):
    """Check a PixelScaler's ranges as ``fit`` does, and its fitted range against them."""
    out_low, out_high = _check_range(scaler.feature_range, where, path, "feature_range")
    fixed = scaler.pixel_range != "fit"
    if fixed:
        pixel_range = _check_range(scaler.pixel_range, where, path, "pixel_range")
    present = [a for a in _SCALER_FITTED if hasattr(scaler, a)]
    if present and len(present) != len(_SCALER_FITTED):
        raise ModelFormatError(
            f"{path!r}: {where} has {', '.join(present)} but not all of "
            f"{', '.join(_SCALER_FITTED)}."
        )
    for attribute in present:
        value = getattr(scaler, attribute)
        if not (_is_number(value) and abs(value) <= MAX_RANGE):
            raise ModelFormatError(
                f"{path!r}: {where}.{attribute} is {short(_plain(value), 60)}; expected a "
                f"number within +-{MAX_RANGE:g}."
            )
    _check_transformer(scaler, node, where, archive, path)
    if not present:
        return
    low, high = scaler.data_min_, scaler.data_max_
    if low > high or scaler.scale_ <= 0 or (fixed and (low, high) != pixel_range):
        raise ModelFormatError(
            f"{path!r}: {where}'s fitted range (data_min_={low:g}, data_max_={high:g}, "
            f"scale_={scaler.scale_:g}) is not one its pixel_range gives."
        )


def _check_reshaper(reshaper, node, where, archive, path):
    """Check an ImageReshaper's target_shape as ``fit`` does, and its shapes against it."""
    target = reshaper.target_shape
    if not (
        isinstance(target, (tuple, list))
        and target
        and len(target) <= 32
        and all(_is_int(d) and (d > 0 or d == -1) for d in target)
        and list(target).count(-1) <= 1
    ):
        raise ModelFormatError(
            f"{path!r}: {where}.target_shape is {short(_plain(target), 60)}; expected a tuple "
            "of positive sizes with at most one -1, such as (-1,) or (28, 28)."
        )
    fitted = [
        a for a in ("input_shape_", "output_shape_", "n_features_in_") if hasattr(reshaper, a)
    ]
    if fitted and len(fitted) != 3:
        raise ModelFormatError(
            f"{path!r}: {where} has {', '.join(fitted)} but not all of input_shape_, "
            "output_shape_ and n_features_in_."
        )
    _check_transformer(reshaper, node, where, archive, path)
    if fitted and not (
        len(reshaper.output_shape_) == len(target)
        and all(d == -1 or d == n for d, n in zip(target, reshaper.output_shape_))
    ):
        raise ModelFormatError(
            f"{path!r}: {where}.output_shape_ {reshaper.output_shape_} is not its "
            f"target_shape {tuple(target)}."
        )


def _check_label_encoder(encoder, node, where, archive, path):
    _check_labels(getattr(encoder, "classes_", None), f"{where}.classes_", path)


def _check_labels(classes, where, path, sort=True):
    """Refuse labels that are not what fit leaves: 2+ labels, and (``sort``) distinct, sorted."""
    if not isinstance(classes, np.ndarray) or classes.ndim != 1 or len(classes) < 2:
        raise ModelFormatError(f"{path!r}: {where} must be a 1-D array of 2+ labels.")
    if classes.dtype.kind == "f" and not np.all(np.isfinite(classes)):
        raise ModelFormatError(f"{path!r}: {where} holds labels that are not finite numbers.")
    if sort and not np.all(classes[1:] > classes[:-1]):
        raise ModelFormatError(
            f"{path!r}: {where} must hold distinct labels in sorted order, as fit leaves "
            f"them; the file has {short(_plain(classes.tolist()), 60)}."
        )


def _restore_classifier(clf, node, where, archive, path):
    """Check a DigitClassifier's stored state and network; give them to its ``_restore``."""
    member = node.get("network")
    if member is None:
        if vars(clf).keys() & {"classes_", "n_features_in_"}:
            raise ModelFormatError(f"{path!r}: {where} has fitted state but no network.")
        return
    if not isinstance(member, str) or not re.fullmatch(r"networks/[0-9]{1,6}\.keras", member):
        raise ModelFormatError(f"{path!r}: {where}.network is not a network member name.")
    for attribute in ("classes_", "n_features_in_"):
        if not hasattr(clf, attribute):
            raise ModelFormatError(f"{path!r}: {where} has a network but no {attribute}.")
    classes = clf.classes_
    # an ensemble's member predicts its encoded labels 0..n-1, which the
    # ensemble checks itself (naming the member)
    _check_labels(classes, f"{where}.classes_", path, sort=".estimators_[" not in where)
    _check_features(clf, where, path)
    _check_classifier_state(clf, where, path)
    data = _read_member(
        archive, member, path, MAX_NETWORK_BYTES, f"is missing its network {member!r}"
    )
    # Read with our own reader, Keras left unimported; Keras loads a network
    # NumPy cannot run (not a dense stack) at once.
    model = read_network(data, member, path)
    if model.dense_layers is None:
        model = load_network(data, member, path)
        inputs, outputs = model.inputs[0].shape[-1], model.outputs[0].shape[-1]
    else:
        inputs, outputs = model.n_inputs, model.n_outputs
    if inputs != clf.n_features_in_ or outputs != len(classes):
        raise ModelFormatError(
            f"{path!r}: {where}'s network takes {inputs} inputs and gives {outputs} outputs, "
            f"but the manifest says {clf.n_features_in_} features and {len(classes)} classes."
        )
    history = getattr(clf, "history_", None)
    if history is not None and not (
        isinstance(history, dict)
        and all(
            isinstance(v, list) and all(isinstance(x, (int, float)) for x in v)
            for v in history.values()
        )
    ):
        raise ModelFormatError(f"{path!r}: {where}.history_ is not lists of numbers.")
    clf._restore(
        model,
        classes=classes,
        n_features_in=clf.n_features_in_,
        feature_names_in=getattr(clf, "feature_names_in_", None),
        history=history,
    )


def _check_classifier_state(clf, where, path):
    """Refuse a DigitClassifier's stored settings and counts that fit never leaves."""
    if clf.callbacks:
        raise ModelFormatError(
            f"{path!r}: {where}.callbacks is set; a .skdigits file holds no callbacks."
        )
    expected = {"n_classes_": len(clf.classes_), "n_outputs_": 1, "n_outputs_expected_": 1}
    for attribute, value in expected.items():
        stored = getattr(clf, attribute, value)
        if not _is_int(stored) or stored != value:
            raise ModelFormatError(
                f"{path!r}: {where}.{attribute} is {short(_plain(stored), 60)}; expected {value}."
            )
    fit_time = getattr(clf, "fit_time_", 0.0)
    if not _is_number(fit_time) or fit_time < 0:
        raise ModelFormatError(
            f"{path!r}: {where}.fit_time_ is {short(_plain(fit_time), 60)}; expected seconds."
        )


def _restore_voting(voting, node, where, archive, path):
    """Check a VotingClassifier's members against its labels; rebuild ``named_estimators_``."""
    from sklearn.utils import Bunch

    from ..model import DigitClassifier

    if not isinstance(voting.estimators, list) or not all(
        isinstance(pair, tuple)
        and len(pair) == 2
        and isinstance(pair[0], str)
        and (pair[1] == "drop" or isinstance(pair[1], DigitClassifier))
        for pair in voting.estimators
    ):
        raise ModelFormatError(
            f"{path!r}: {where}.estimators must be (name, DigitClassifier or 'drop') pairs."
        )
    weights = voting.weights
    if weights is not None and not (
        isinstance(weights, (list, tuple))
        and len(weights) == len(voting.estimators)
        and all(_is_number(w) and w >= 0 for w in weights)
    ):
        raise ModelFormatError(
            f"{path!r}: {where}.weights must be None or {len(voting.estimators)} non-negative "
            "numbers, one per member."
        )
    if not hasattr(voting, "estimators_"):
        return  # not fitted
    members = voting.estimators_
    kept = [name for name, est in voting.estimators if est != "drop"]
    if (
        not isinstance(members, list)
        or len(members) != len(kept)
        or not all(
            isinstance(member, DigitClassifier) and member.__sklearn_is_fitted__()
            for member in members
        )
    ):
        raise ModelFormatError(
            f"{path!r}: {where}.estimators_ must hold one fitted DigitClassifier per member "
            f"({len(kept)})."
        )
    for attribute in ("classes_", "le_"):
        if not hasattr(voting, attribute):
            raise ModelFormatError(f"{path!r}: {where} is fitted but has no {attribute}.")
    _check_labels(voting.classes_, f"{where}.classes_", path)
    encoded = np.arange(len(voting.classes_))
    for name, member in zip(kept, members):
        if not np.array_equal(member.classes_, encoded) or (
            member.n_features_in_ != members[0].n_features_in_
        ):
            raise ModelFormatError(
                f"{path!r}: {where} member {name!r} does not predict the ensemble's "
                f"{len(encoded)} encoded labels from {members[0].n_features_in_} features."
            )
    if not np.array_equal(getattr(voting.le_, "classes_", None), voting.classes_):
        raise ModelFormatError(f"{path!r}: {where}.le_ does not hold the ensemble's labels.")
    members_left = iter(members)
    voting.named_estimators_ = Bunch(
        **{name: est if est == "drop" else next(members_left) for name, est in voting.estimators}
    )


# -- the allow-list ----------------------------------------------------------------
@dataclass(frozen=True)
class _Handler:
    """How the format writes and rebuilds one allowed class.

    Parameters
    ----------
    module, attribute : str
        Where the class is imported from (a room's public name).
    describe : callable, default=_describe_fitted
        ``describe(estimator, name, where, networks) -> node``.
    build : callable, default=_build_fitted
        ``build(node, cls, params, where, archive, path) -> estimator``.
    restore : callable, default=_check_transformer
        ``restore(estimator, node, where, archive, path)``, which
        :func:`_build_fitted` calls once the fitted attributes are set: it
        checks them and rebuilds what is not stored.
    rebuilt : frozenset of str, default=frozenset()
        Fitted attributes rebuilt on load rather than stored.
    """

    module: str
    attribute: str
    describe: Callable = _describe_fitted
    build: Callable = _build_fitted
    restore: Callable = _check_transformer
    rebuilt: frozenset = frozenset()


#: Class names in a manifest -> how each is written and rebuilt; the only classes
#: a file can name. Adding a class is adding an entry.
ALLOWED_CLASSES = {
    "sklearn.pipeline.Pipeline": _Handler(
        "sklearn.pipeline", "Pipeline", describe=_describe_pipeline, build=_build_pipeline
    ),
    "skdigits.PixelScaler": _Handler(
        "skdigits.preprocessing", "PixelScaler", restore=_check_scaler
    ),
    "skdigits.ImageReshaper": _Handler(
        "skdigits.preprocessing", "ImageReshaper", restore=_check_reshaper
    ),
    "skdigits.DigitClassifier": _Handler(
        "skdigits.model",
        "DigitClassifier",
        describe=_describe_classifier,
        restore=_restore_classifier,
        rebuilt=frozenset({"model_", "target_encoder_", "feature_encoder_"}),
    ),
    "skdigits.DigitImageNormalizer": _Handler("skdigits.images", "DigitImageNormalizer"),
    "sklearn.ensemble.VotingClassifier": _Handler(
        "sklearn.ensemble",
        "VotingClassifier",
        restore=_restore_voting,
        rebuilt=frozenset({"named_estimators_"}),
    ),
    "sklearn.preprocessing.LabelEncoder": _Handler(
        "sklearn.preprocessing", "LabelEncoder", restore=_check_label_encoder
    ),
}
