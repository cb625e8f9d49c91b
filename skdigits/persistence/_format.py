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
the file: classes come from :data:`ALLOWED_CLASSES` only. This module holds
the archive and the estimator tree; :mod:`skdigits.persistence._json` the values
in it and :mod:`skdigits.persistence._networks` the Keras members.
"""

import json
import os
import tempfile
import zipfile
import zlib
from collections import defaultdict

import numpy as np

from .._version import __version__
from ..exceptions import ModelFormatError
from ._json import decode_value, encode_value
from ._networks import WEIGHT_DTYPES, keras_versions, load_network, recast

FORMAT_NAME = "skdigits-model"
#: The version this skdigits writes; it reads every version up to this one.
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
#: Largest manifest read (bytes): a manifest is a few kilobytes to a few MB.
MAX_MANIFEST_BYTES = 64 * 2**20
#: Largest network member read (bytes, uncompressed).
MAX_NETWORK_BYTES = 2 * 2**30

# Class names in a manifest -> (module, attribute); the only classes a file can name.
ALLOWED_CLASSES = {
    "sklearn.pipeline.Pipeline": ("sklearn.pipeline", "Pipeline"),
    "skdigits.PixelScaler": ("skdigits.preprocessing._scaler", "PixelScaler"),
    "skdigits.ImageReshaper": ("skdigits.preprocessing._reshape", "ImageReshaper"),
    "skdigits.DigitClassifier": ("skdigits.model._classifier", "DigitClassifier"),
    "skdigits.DigitImageNormalizer": ("skdigits.images._normalizer", "DigitImageNormalizer"),
    "sklearn.ensemble.VotingClassifier": ("sklearn.ensemble", "VotingClassifier"),
    "sklearn.preprocessing.LabelEncoder": ("sklearn.preprocessing", "LabelEncoder"),
}
# Fitted attributes rebuilt on load rather than stored, per class.
_REBUILT = {
    "skdigits.DigitClassifier": {"model_", "target_encoder_", "feature_encoder_"},
    "sklearn.ensemble.VotingClassifier": {"named_estimators_"},
}

_JOBLIB_HINT = (
    "save it with joblib instead (save_model(estimator, 'model.joblib')), and load that "
    "file only with load_model(path, trusted=True), from sources you trust"
)


def _class_name(estimator):
    """The allow-list name of ``estimator``'s class, or None."""
    cls = type(estimator)
    for name, (_, attribute) in ALLOWED_CLASSES.items():
        if cls.__name__ == attribute and _resolve_class(name) is cls:
            return name
    return None


def _resolve_class(name):
    import importlib

    module, attribute = ALLOWED_CLASSES[name]
    return getattr(importlib.import_module(module), attribute)


# -- estimators -> manifest ------------------------------------------------------
def describe_estimator(estimator, where, networks):
    """The manifest node of ``estimator``; its networks are added to ``networks``.

    Raises TypeError naming what cannot be stored.
    """
    from sklearn.pipeline import Pipeline

    name = _class_name(estimator)
    if name is None:
        raise TypeError(
            f"{where} is a {type(estimator).__module__}.{type(estimator).__qualname__}, which "
            "the .skdigits format cannot hold (it holds pipelines of PixelScaler, "
            "ImageReshaper, DigitImageNormalizer and DigitClassifier, as "
            "make_digit_pipeline builds them, and soft-voting VotingClassifiers of "
            f"DigitClassifiers); {_JOBLIB_HINT}"
        )
    params = estimator.get_params(deep=False)
    node = {"class": name}
    if isinstance(estimator, Pipeline):
        if params.get("memory") is not None and not isinstance(params["memory"], str):
            raise TypeError(
                f"{where}.memory is a {type(params['memory']).__name__}; {_JOBLIB_HINT}"
            )
        node["steps"] = [
            [step, describe_estimator(step_est, f"{where}[{step!r}]", networks)]
            for step, step_est in estimator.steps
        ]
        params.pop("steps")
        node["params"] = {k: encode_value(v, f"{where}.{k}") for k, v in params.items()}
        return node
    if name == "skdigits.DigitClassifier":
        if params.get("callbacks"):
            raise TypeError(
                f"{where}.callbacks holds Keras callbacks, which the .skdigits format cannot "
                f"hold; set callbacks=None before saving, or {_JOBLIB_HINT}"
            )
        if isinstance(params.get("random_state"), np.random.RandomState):
            raise TypeError(
                f"{where}.random_state is a RandomState; set an integer seed before saving, "
                f"or {_JOBLIB_HINT}"
            )

    def describe(sub, sub_where):
        return describe_estimator(sub, sub_where, networks)

    node["params"] = {k: encode_value(v, f"{where}.{k}", describe) for k, v in params.items()}
    fitted = {}
    for attribute, value in vars(estimator).items():
        if not attribute.endswith("_") or attribute.startswith("_") or attribute in params:
            continue
        if attribute in _REBUILT.get(name, ()):
            continue
        if isinstance(value, defaultdict):
            value = dict(value)
        fitted[attribute] = encode_value(value, f"{where}.{attribute}", describe)
    node["fitted"] = fitted
    model = getattr(estimator, "model_", None) if name == "skdigits.DigitClassifier" else None
    if model is not None:
        member = f"networks/{len(networks)}.keras"
        networks[member] = model
        node["network"] = member
    return node


def write_model(estimator, handle, include_optimizer=True, weights_dtype=None):
    """Write ``estimator`` as a ``.skdigits`` zip to the binary file ``handle``.

    Without ``include_optimizer``, each network is saved with a fresh copy of
    its optimizer (its settings, not its state): a third of the size for Adam,
    for models that are shipped to predict rather than to train further.
    ``weights_dtype="float16"`` (which needs ``include_optimizer=False``)
    halves that again; the weights are rounded to float16 and read back as
    float32.
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


# -- manifest -> estimators ------------------------------------------------------
def is_model_file(path):
    """True when ``path`` is a zip whose ``manifest.json`` names the skdigits format."""
    try:
        with zipfile.ZipFile(path) as archive:
            with archive.open(MANIFEST) as member:
                head = member.read(4096)
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError, EOFError):
        return False
    return FORMAT_NAME.encode() in head


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


def sniff(path):
    """What the file at ``path`` looks like, from its content alone.

    ``"skdigits"`` (a zip with a skdigits manifest), ``"damaged"`` (starts
    like a zip but cannot be opened: truncated or corrupt), ``"zip"`` (another
    zip archive), ``"pickle"`` (a pickle, or a compressed stream as joblib
    writes them) or ``"other"``. Nothing is unpickled.
    """
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if is_model_file(path):
            return "skdigits"
        try:
            zipfile.ZipFile(path).close()
        except (zipfile.BadZipFile, OSError, EOFError):
            return "damaged"
        return "zip"
    if head.startswith(_PICKLE_MAGIC):
        return "pickle"
    return "other"


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


def _manifest_of(archive, path):
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


def read_model(path):
    """Rebuild the estimator stored in the ``.skdigits`` file at ``path``."""
    path = os.fspath(path)
    with _open_archive(path) as archive:
        manifest = _manifest_of(archive, path)
        try:
            return _build(manifest["estimator"], "model", archive, path)
        except ModelFormatError:
            raise
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise ModelFormatError(f"{path!r} is damaged or truncated ({exc}).") from None
        except (TypeError, ValueError, KeyError, RecursionError) as exc:
            raise ModelFormatError(
                f"{path!r}: the manifest does not describe a valid model ({exc})."
            ) from None


def _build(node, where, archive, path):
    from sklearn.pipeline import Pipeline

    if not isinstance(node, dict) or not isinstance(node.get("class"), str):
        raise ModelFormatError(f"{path!r}: {where} is not an estimator description.")
    name = node["class"]
    if name not in ALLOWED_CLASSES:
        raise ModelFormatError(
            f"{path!r}: {where} names class {name!r}, which is not one skdigits loads "
            f"(allowed: {', '.join(sorted(ALLOWED_CLASSES))})."
        )
    cls = _resolve_class(name)

    def build(sub, sub_where):
        return _build(sub, sub_where, archive, path)

    params = _decode_params(node, cls, where, path, build)
    if cls is Pipeline:
        steps = node.get("steps")
        if (
            not isinstance(steps, list)
            or not steps
            or not all(isinstance(s, list) and len(s) == 2 and isinstance(s[0], str) for s in steps)
        ):
            raise ModelFormatError(f"{path!r}: {where} has no valid list of steps.")
        built = [(step, _build(sub, f"{where}[{step!r}]", archive, path)) for step, sub in steps]
        return Pipeline(built, **params)
    estimator = cls(**params)
    fitted = node.get("fitted", {})
    if not isinstance(fitted, dict):
        raise ModelFormatError(f"{path!r}: {where}.fitted is not a mapping.")
    for attribute, value in fitted.items():
        if not (
            isinstance(attribute, str)
            and attribute.endswith("_")
            and not attribute.startswith("_")
            and attribute not in _REBUILT.get(name, ())
            and not hasattr(cls, attribute)
        ):
            raise ModelFormatError(f"{path!r}: {where} has a bad fitted attribute {attribute!r}.")
        setattr(estimator, attribute, decode_value(value, f"{where}.{attribute}", build))
    if name == "skdigits.DigitClassifier":
        _restore_classifier(estimator, node, where, archive, path)
    elif name == "sklearn.ensemble.VotingClassifier":
        _restore_voting(estimator, where, path)
    elif name == "sklearn.preprocessing.LabelEncoder":
        _check_labels(getattr(estimator, "classes_", None), f"{where}.classes_", path)
    else:
        _check_transformer(estimator, where, path)
    return estimator


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
            f"{path!r}: {where} ({cls.__name__}) has parameters {unknown} that this skdigits "
            f"{__version__} does not know; the file may come from a newer skdigits."
        )
    return {k: decode_value(v, f"{where}.{k}", build) for k, v in params.items()}


def _check_transformer(estimator, where, path):
    """Refuse fitted transformer state whose shapes do not agree with each other."""
    n_features = getattr(estimator, "n_features_in_", None)
    if n_features is not None and (not isinstance(n_features, int) or n_features < 1):
        raise ModelFormatError(f"{path!r}: {where}.n_features_in_ is {n_features!r}.")
    for attribute in ("input_shape_", "output_shape_"):
        shape = getattr(estimator, attribute, None)
        if shape is None:
            continue
        if not (isinstance(shape, tuple) and all(isinstance(n, int) and n > 0 for n in shape)):
            raise ModelFormatError(f"{path!r}: {where}.{attribute} is not a shape: {shape!r}.")
        if n_features is not None and int(np.prod(shape)) != n_features:
            raise ModelFormatError(
                f"{path!r}: {where}.{attribute} {shape} does not hold n_features_in_="
                f"{n_features} values."
            )
    for attribute in ("data_min_", "data_max_", "scale_", "min_"):
        value = getattr(estimator, attribute, None)
        if value is not None and not np.all(np.isfinite(np.asarray(value, dtype=float))):
            raise ModelFormatError(f"{path!r}: {where}.{attribute} is not a finite number.")


def _restore_classifier(clf, node, where, archive, path):
    """Give a DigitClassifier built from its parameters the state ``fit`` leaves."""
    member = node.get("network")
    if member is None:
        if vars(clf).keys() & {"classes_", "n_features_in_"}:
            raise ModelFormatError(f"{path!r}: {where} has fitted state but no network.")
        return
    if not isinstance(member, str) or not member.startswith("networks/"):
        raise ModelFormatError(f"{path!r}: {where}.network is not a network member name.")
    for attribute in ("classes_", "n_features_in_"):
        if not hasattr(clf, attribute):
            raise ModelFormatError(f"{path!r}: {where} has a network but no {attribute}.")
    classes = clf.classes_
    _check_labels(classes, f"{where}.classes_", path)
    data = _read_member(
        archive, member, path, MAX_NETWORK_BYTES, f"is missing its network {member!r}"
    )
    model = load_network(data, member, path)
    inputs, outputs = model.inputs[0].shape[-1], model.outputs[0].shape[-1]
    if inputs != clf.n_features_in_ or outputs != len(classes):
        raise ModelFormatError(
            f"{path!r}: {where}'s network takes {inputs} inputs and gives {outputs} outputs, "
            f"but the manifest says {clf.n_features_in_} features and {len(classes)} classes."
        )
    # What scikeras' _initialize sets, without building a network.
    clf._random_state = clf.random_state
    clf.target_encoder_ = clf.target_encoder.fit(classes)
    vars(clf).update(clf.target_encoder_.get_metadata())
    clf.feature_encoder_ = clf.feature_encoder.fit(
        np.zeros((1, clf.n_features_in_), dtype=np.float32)
    )
    clf.model_ = model
    clf._initialize_callbacks()
    if hasattr(clf, "history_"):
        history = clf.history_
        if not isinstance(history, dict) or not all(
            isinstance(v, list) and all(isinstance(x, (int, float)) for x in v)
            for v in history.values()
        ):
            raise ModelFormatError(f"{path!r}: {where}.history_ is not lists of numbers.")
        clf.history_ = defaultdict(list, history)


def _check_labels(classes, where, path):
    if not isinstance(classes, np.ndarray) or classes.ndim != 1 or len(classes) < 2:
        raise ModelFormatError(f"{path!r}: {where} must be a 1-D array of 2+ labels.")


def _restore_voting(voting, where, path):
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
    if not hasattr(voting, "estimators_"):
        return  # not fitted
    members = voting.estimators_
    kept = [name for name, est in voting.estimators if est != "drop"]
    if (
        not isinstance(members, list)
        or len(members) != len(kept)
        or not all(
            isinstance(member, DigitClassifier) and hasattr(member, "model_") for member in members
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
