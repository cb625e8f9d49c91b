"""Values of a ``.skdigits`` manifest: parameters and fitted state <-> plain JSON.

Numbers, strings, booleans and None stay as they are; tuples, dicts, NumPy
dtypes and arrays (numbers, booleans and text only) are tagged objects such
as ``{"__ndarray__": {"dtype", "shape", "data"}}``; estimators nested in a
value are ``{"__estimator__": node}``, described and rebuilt by callbacks
from :mod:`skdigits.persistence._format`. Decoding accepts nothing else.
"""

import json
import math

import numpy as np

from ..exceptions import ModelFormatError

#: Array dtypes a manifest may hold: numbers, booleans and text.
ARRAY_KINDS = "biufU"
#: Largest array item (bytes): text of up to 256 characters. NumPy would give
#: every item of an array the dtype's size, so a few short strings under a
#: dtype such as ``<U1000000000`` would ask for gigabytes.
MAX_ITEM_BYTES = 1024
#: Most dimensions an array may have (NumPy's own limit is 64).
MAX_ARRAY_DIMS = 32


def encode_value(value, where, describe=None):
    """A JSON-ready form of ``value``; TypeError naming ``where`` if it has none.

    ``describe(estimator, where)`` gives the node of an estimator found in
    ``value``; without it, estimators cannot be encoded.
    """
    from sklearn.base import BaseEstimator

    if describe is not None and isinstance(value, BaseEstimator):
        return {"__estimator__": describe(value, where)}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if np.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, tuple):
        return {
            "__tuple__": [encode_value(v, f"{where}[{i}]", describe) for i, v in enumerate(value)]
        }
    if isinstance(value, list):
        return [encode_value(v, f"{where}[{i}]", describe) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {
            "__dict__": [
                [encode_value(k, f"{where} key"), encode_value(v, f"{where}[{k!r}]", describe)]
                for k, v in value.items()
            ]
        }
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        dtype = np.dtype(value)
        if dtype.kind not in ARRAY_KINDS:
            raise TypeError(f"{where} is a dtype the format cannot hold ({dtype})")
        return {"__dtype__": dtype.str}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in ARRAY_KINDS:
            raise TypeError(f"{where} is an array of {value.dtype}, which the format cannot hold")
        flat = value.ravel().tolist()
        if value.dtype.kind == "f":
            flat = [v if np.isfinite(v) else {"__float__": repr(v)} for v in flat]
        return {"__ndarray__": {"dtype": value.dtype.str, "shape": list(value.shape), "data": flat}}
    raise TypeError(f"{where} is a {type(value).__name__}, which the format cannot hold")


def decode_value(value, where, build=None):
    """Inverse of :func:`encode_value`; ModelFormatError on anything else.

    ``build(node, where)`` rebuilds an estimator node; without it, a value
    holding one is refused.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [decode_value(v, f"{where}[{i}]", build) for i, v in enumerate(value)]
    if not isinstance(value, dict) or len(value) != 1:
        raise ModelFormatError(f"{where}: unexpected value {short(value)}")
    ((tag, content),) = value.items()
    if tag == "__float__" and content in ("nan", "inf", "-inf"):
        return float(content)
    if tag == "__tuple__" and isinstance(content, list):
        return tuple(decode_value(v, f"{where}[{i}]", build) for i, v in enumerate(content))
    if (
        tag == "__dict__"
        and isinstance(content, list)
        and all(isinstance(pair, list) and len(pair) == 2 for pair in content)
    ):
        return {
            decode_value(k, where): decode_value(v, f"{where}[{short(k, 40)}]", build)
            for k, v in content
        }
    if tag == "__estimator__" and build is not None:
        return build(content, where)
    if tag == "__dtype__" and isinstance(content, str):
        return _dtype(content, where)
    if tag == "__ndarray__" and isinstance(content, dict):
        return _decode_array(content, where)
    raise ModelFormatError(f"{where}: unexpected value {short(value)}")


def _dtype(text, where):
    if not isinstance(text, str) or len(text) > 16:
        raise ModelFormatError(f"{where}: unknown dtype {short(text)}")
    try:
        dtype = np.dtype(text)
    except (TypeError, ValueError, SyntaxError):
        raise ModelFormatError(f"{where}: unknown dtype {short(text)}") from None
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ModelFormatError(
            f"{where}: dtype {short(text)} is not allowed (numbers and text only)"
        )
    if dtype.itemsize > MAX_ITEM_BYTES:
        raise ModelFormatError(
            f"{where}: dtype {short(text)} has {dtype.itemsize:,}-byte items; at most "
            f"{MAX_ITEM_BYTES:,} bytes (text of {MAX_ITEM_BYTES // 4} characters) are allowed"
        )
    return dtype


def _decode_array(content, where):
    if set(content) != {"dtype", "shape", "data"}:
        raise ModelFormatError(f"{where}: an array needs exactly dtype, shape and data")
    dtype = _dtype(content["dtype"], where)
    shape = content["shape"]
    if not (
        isinstance(shape, list)
        and len(shape) <= MAX_ARRAY_DIMS
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
    ):
        raise ModelFormatError(f"{where}: bad array shape {short(shape)}")
    data = content["data"]
    size = math.prod(shape)  # Python ints: a huge shape cannot overflow
    if not isinstance(data, list) or len(data) != size:
        raise ModelFormatError(
            f"{where}: array of shape {tuple(shape)} needs {size if size < 10**12 else 'too many'} "
            f"values; the file has {len(data) if isinstance(data, list) else 'none'}"
        )
    values = [decode_value(v, where) if isinstance(v, dict) else v for v in data]
    if any(not isinstance(v, (bool, int, float, str)) for v in values):
        raise ModelFormatError(f"{where}: array values must be numbers or text")
    try:
        return np.asarray(values, dtype=dtype).reshape(shape)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ModelFormatError(f"{where}: values do not fit dtype {dtype}: {exc}") from None


def short(value, limit=80):
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
