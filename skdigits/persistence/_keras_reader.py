"""Our own checked reader of the ``.keras`` members: architecture and weights without Keras.

A ``.keras`` file is a zip of ``config.json`` (the architecture),
``metadata.json`` (versions) and ``model.weights.h5`` (the weights, HDF5).
:func:`read_keras_member` checks every part of it before Keras or NumPy is
given anything:

- the zip holds those three members and nothing else (no ``assets/``), each
  within its size limit and :data:`MAX_RATIO` times its compressed size,
  checked from the zip's directory before a byte is inflated
  (:func:`check_member_sizes`, which the outer archive uses too);
- the configuration names nothing but Keras' own layers
  (:func:`check_keras_config`);
- the HDF5 file holds groups and datasets reached through hard links only
  (no external or soft links, no external or virtual storage), of float16,
  float32 or integer data whose declared sizes add up to no more than the
  file itself (so an unallocated or compressed dataset cannot inflate), and
  every weight is finite.

It then reads a Sequential network of ``InputLayer``, ``Dense`` and
``Dropout`` layers into NumPy arrays (:class:`KerasMember`); any other
architecture is described by a reason, and the caller loads it with Keras.
"""

import io
import json
import zipfile
import zlib

import numpy as np

from ..exceptions import ModelFormatError

#: Largest ``config.json`` read (bytes, uncompressed): a dense network's is a few kB.
MAX_CONFIG_BYTES = 4 * 2**20
#: Largest ``metadata.json`` read (bytes, uncompressed).
MAX_METADATA_BYTES = 64 * 2**10
#: Largest ``model.weights.h5`` read (bytes, uncompressed).
MAX_WEIGHTS_BYTES = 2 * 2**30
#: Most a member may inflate, as a multiple of its compressed size (above
#: :data:`RATIO_FLOOR`): real members inflate 1-20 times, zip bombs 1,000.
MAX_RATIO = 100
#: Members up to this size (bytes) are not held to :data:`MAX_RATIO`.
RATIO_FLOOR = 2**20
#: The members of a ``.keras`` file, each with its size limit.
KERAS_MEMBERS = {
    "config.json": MAX_CONFIG_BYTES,
    "metadata.json": MAX_METADATA_BYTES,
    "model.weights.h5": MAX_WEIGHTS_BYTES,
}
#: Weight dtypes a network may be stored in.
WEIGHT_DTYPES = ("float32", "float16")


def check_member_sizes(archive, where, limits, total_limit):
    """Refuse a zip whose members would inflate too far, from its directory alone.

    Parameters
    ----------
    archive : zipfile.ZipFile
        The open archive.
    where : str
        What to name in messages (the file, the member).
    limits : callable
        ``limits(name) -> int or None``: the largest size of member
        ``name``, or None for a member that has no place in the archive.
    total_limit : int
        The largest sum of the members' sizes.

    Raises
    ------
    ModelFormatError
        Naming the member and its sizes.
    """
    total = 0
    for info in archive.infolist():
        limit = limits(info.filename)
        if limit is None:
            raise ModelFormatError(f"{where} holds an unexpected member {info.filename!r}.")
        if info.file_size > limit:
            raise ModelFormatError(
                f"{where}: {info.filename} is {info.file_size:,} bytes uncompressed, too "
                f"large (at most {limit:,} are read)."
            )
        if info.file_size > max(RATIO_FLOOR, MAX_RATIO * info.compress_size):
            raise ModelFormatError(
                f"{where}: {info.filename} inflates {info.compress_size:,} bytes to "
                f"{info.file_size:,}, more than {MAX_RATIO} times: a zip bomb, not a model."
            )
        total += info.file_size
        if total > total_limit:
            raise ModelFormatError(
                f"{where}: its members inflate to more than {total_limit:,} bytes in all."
            )


def read_checked(archive, name, where):
    """The bytes of member ``name`` of the checked ``archive``."""
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, zlib.error) as exc:
        raise ModelFormatError(f"{where} is damaged or truncated ({exc}).") from None


def check_keras_config(config, member, path):
    """Refuse a ``.keras`` configuration that names a non-Keras module or function."""

    def walk(value, trail):
        if isinstance(value, dict):
            module = value.get("module")
            if module is not None and not (
                isinstance(module, str) and (module == "keras" or module.startswith("keras."))
            ):
                raise ModelFormatError(
                    f"{path!r}: network {member!r} refers to module {module!r} at {trail}; "
                    "only Keras' own layers are loaded."
                )
            if value.get("class_name") in ("Lambda", "__lambda__", "function") or (
                value.get("registered_name") not in (None, value.get("class_name"))
                and isinstance(value.get("registered_name"), str)
                and not value["registered_name"].startswith("keras")
            ):
                raise ModelFormatError(
                    f"{path!r}: network {member!r} holds custom code ({value.get('class_name')!r} "
                    f"at {trail}); only Keras' own layers are loaded."
                )
            for key, sub in value.items():
                walk(sub, f"{trail}.{key}")
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                walk(sub, f"{trail}[{i}]")

    walk(config, "config")


class KerasMember:
    """What :func:`read_keras_member` read from a ``.keras`` member.

    Attributes
    ----------
    config : dict
        The checked ``config.json``.
    n_inputs, n_outputs : int or None
        Features the network takes and classes it gives (None when the
        architecture is not a dense stack).
    dense_layers : list of tuple (ndarray, ndarray, str) or None
        ``(kernel, bias, activation)`` of each Dense layer, float32, in
        order (Dropout is the identity when predicting); None when the
        network is not a Sequential stack of Dense and Dropout layers.
    reason : str or None
        Why ``dense_layers`` is None.
    """

    def __init__(self, config, n_inputs, n_outputs, dense_layers, reason):
        self.config = config
        self.n_inputs = n_inputs
        self.n_outputs = n_outputs
        self.dense_layers = dense_layers
        self.reason = reason


def read_keras_member(data, member, path):
    """Check the ``.keras`` bytes ``data`` and read their architecture and weights.

    Parameters
    ----------
    data : bytes
        The member's content.
    member : str
        Its name in the model file, for messages.
    path : str
        The model file, for messages.

    Returns
    -------
    network : KerasMember

    Raises
    ------
    ModelFormatError
        When the member is no valid ``.keras`` file, is too large, names
        code outside Keras, or holds weights that are not finite.
    """
    where = f"{path!r}: network {member!r}"
    try:
        inner = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise ModelFormatError(f"{where} is not a valid .keras file ({exc}).") from None
    with inner:
        check_member_sizes(inner, where, KERAS_MEMBERS.get, MAX_WEIGHTS_BYTES + MAX_CONFIG_BYTES)
        names = set(inner.namelist())
        if not {"config.json", "model.weights.h5"} <= names:
            raise ModelFormatError(
                f"{where} is not a valid .keras file (no config.json or model.weights.h5)."
            )
        try:
            config = json.loads(read_checked(inner, "config.json", where).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ModelFormatError(f"{where}: config.json is not valid JSON ({exc}).") from None
        check_keras_config(config, member, path)
        weights = _read_weights(read_checked(inner, "model.weights.h5", where), where)
    layers, reason = _dense_stack(config)
    if layers is None:
        return KerasMember(config, None, None, None, reason)
    return _with_weights(config, layers, weights, where)


def _read_weights(data, where):
    """``{layer name: [arrays]}`` of a Keras weights file, every part checked."""
    import h5py

    budget = len(data)  # Keras stores weights uncompressed: they fit in the file
    layers = {}

    def walk(group, trail):
        nonlocal budget
        for key in group:
            link = group.get(key, getlink=True)
            if not isinstance(link, h5py.HardLink):
                raise ModelFormatError(
                    f"{where}: the weights file links {trail}/{key} elsewhere "
                    f"({type(link).__name__})."
                )
            item = group[key]
            if isinstance(item, h5py.Group):
                walk(item, f"{trail}/{key}")
                continue
            if not isinstance(item, h5py.Dataset):
                raise ModelFormatError(f"{where}: {trail}/{key} is no dataset.")
            if item.external or item.is_virtual or item.dtype.kind not in "fiu":
                raise ModelFormatError(
                    f"{where}: {trail}/{key} is not plain numeric data held in the file."
                )
            budget -= int(np.prod(item.shape, dtype=np.float64)) * item.dtype.itemsize
            if budget < 0:
                raise ModelFormatError(
                    f"{where}: the weights declare more data than the file holds."
                )

    try:
        with h5py.File(io.BytesIO(data), "r") as weights:
            walk(weights, "")
            for key, group in weights.get("layers", {}).items():
                arrays = group.get("vars")
                name = arrays.attrs.get("name") if arrays is not None else None
                if isinstance(name, bytes):
                    name = name.decode("utf-8", "replace")
                if not isinstance(name, str):
                    raise ModelFormatError(f"{where}: weights of layer {key!r} have no name.")
                if not all(k.isdigit() for k in arrays):
                    raise ModelFormatError(f"{where}: weights of layer {name!r} are misnamed.")
                layers[name] = [arrays[k][()] for k in sorted(arrays, key=int)]
    except ModelFormatError:
        raise
    except Exception as exc:  # h5py raises many types for a bad file
        raise ModelFormatError(
            f"{where}: model.weights.h5 is not a readable weights file ({type(exc).__name__})."
        ) from None
    for name, arrays in layers.items():
        for array in arrays:
            if array.dtype.kind == "f" and str(array.dtype) not in WEIGHT_DTYPES:
                raise ModelFormatError(f"{where}: layer {name!r} has weights of {array.dtype}.")
            if array.dtype.kind == "f" and not np.isfinite(array).all():
                raise ModelFormatError(
                    f"{where}: layer {name!r} holds NaN or infinite weights; such a "
                    "network predicts nothing meaningful."
                )
    return layers


def _policy(config):
    """The name of a layer's dtype policy (a string or a DTypePolicy config)."""
    dtype = config.get("dtype", "float32")
    if isinstance(dtype, dict):
        dtype = dtype.get("config", {}).get("name")
    return dtype


def _dense_stack(config):
    """``(n_inputs, [(name, units, activation, use_bias)])`` of a dense Sequential, or a reason."""
    if not isinstance(config, dict) or config.get("class_name") != "Sequential":
        return None, "the network is not a Sequential stack"
    layers = config.get("config", {}).get("layers")
    if not isinstance(layers, list) or not layers:
        return None, "the network lists no layers"
    n_inputs, dense = None, []
    for layer in layers:
        kind = layer.get("class_name") if isinstance(layer, dict) else None
        settings = layer.get("config") if isinstance(layer, dict) else None
        if not isinstance(settings, dict):
            return None, "a layer has no configuration"
        if kind == "InputLayer":
            shape = settings.get("batch_shape") or settings.get("batch_input_shape")
            if not (isinstance(shape, list) and len(shape) == 2 and isinstance(shape[1], int)):
                return None, f"input shape {shape!r} is not (batch, features)"
            n_inputs = shape[1]
            continue
        if _policy(settings) not in WEIGHT_DTYPES:
            return None, f"layer dtype policy {_policy(settings)!r}"
        if kind == "Dropout":
            continue  # the identity when predicting
        if kind != "Dense":
            return None, f"a {kind} layer"
        activation = settings.get("activation", "linear")
        if not isinstance(activation, str) or settings.get("use_bias") is not True:
            return None, f"Dense layer {settings.get('name')!r} has no plain activation and bias"
        dense.append((settings.get("name"), settings.get("units"), activation))
    if n_inputs is None or not dense:
        return None, "no input layer or no Dense layer"
    return (n_inputs, dense), None


def _with_weights(config, layers, weights, where):
    """The :class:`KerasMember` of a dense stack, its weights' shapes checked."""
    n_inputs, dense = layers
    stack, width = [], n_inputs
    for name, units, activation in dense:
        arrays = weights.get(name)
        if (
            arrays is None
            or len(arrays) != 2
            or arrays[0].shape != (width, units)
            or arrays[1].shape != (units,)
        ):
            raise ModelFormatError(
                f"{where}: the weights of Dense layer {name!r} are missing or not of shape "
                f"({width}, {units}) and ({units},)."
            )
        kernel, bias = (a.astype(np.float32, copy=False) for a in arrays)  # float16 widened
        stack.append((kernel, bias, activation))
        width = units
    return KerasMember(config, n_inputs, width, stack, None)
