"""The Keras networks of a ``.skdigits`` file: saving copies, checking and loading them.

Each classifier's network is a ``.keras`` member. Before Keras reads one,
:func:`check_keras_config` refuses any configuration naming a module outside
Keras or custom code; :func:`load_network` then loads it with
``safe_mode=True``. :func:`recast` makes the copies that are saved (a fresh
optimizer, optionally float16 weights) and turns float16 networks back into
float32 ones.
"""

import contextlib
import io
import json
import os
import tempfile
import zipfile

from ..exceptions import ModelFormatError

#: Weight dtypes a network may be stored in.
WEIGHT_DTYPES = ("float32", "float16")


def recast(model, dtype=None):
    """A copy of ``model`` with its weights and a new, unbuilt optimizer of the same settings.

    With ``dtype``, every layer of the copy stores and computes in it.
    """
    import keras

    def in_dtype(layer):
        return layer.__class__.from_config({**layer.get_config(), "dtype": dtype})

    copy = keras.models.clone_model(model, clone_function=in_dtype if dtype else None)
    copy.set_weights([w.astype(dtype) if dtype else w for w in model.get_weights()])
    optimizer = model.optimizer.__class__.from_config(model.optimizer.get_config())
    copy.compile(optimizer=optimizer, loss=model.loss, metrics=["accuracy"])
    return copy


def keras_versions(needed):
    if not needed:
        return {}
    import keras
    import tensorflow as tf

    return {"keras": keras.__version__, "tensorflow": tf.__version__}


def load_network(data, member, path):
    """Load a ``.keras`` member's bytes with ``safe_mode=True`` once its configuration is checked.

    Networks stored in float16 come back as float32.
    """
    import keras

    check_keras_config(data, member, path)
    with tempfile.TemporaryDirectory(prefix="skdigits-load-") as tmp:
        network = os.path.join(tmp, "network.keras")
        with open(network, "wb") as handle:
            handle.write(data)
        try:
            with quiet_keras():
                model = keras.saving.load_model(network, compile=True, safe_mode=True)
                stored = {str(w.dtype) for w in model.weights}
                if not stored <= set(WEIGHT_DTYPES):
                    raise ValueError(f"weights of dtype {sorted(stored)}")
                return recast(model, "float32") if "float16" in stored else model
        except Exception as exc:  # Keras raises many types for a bad file
            raise ModelFormatError(
                f"{path!r}: network {member!r} cannot be loaded by Keras "
                f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})."
            ) from None


def check_keras_config(data, member, path):
    """Refuse a ``.keras`` member whose configuration names a non-Keras module or function."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            config = json.loads(inner.read("config.json").decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise ModelFormatError(
            f"{path!r}: network {member!r} is not a valid .keras file ({exc})."
        ) from None

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


@contextlib.contextmanager
def quiet_keras():
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Cc]ompiled the loaded model.*")
        warnings.filterwarnings("ignore", message=".*optimizer.*variables.*")
        yield
