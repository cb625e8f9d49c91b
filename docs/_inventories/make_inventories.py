"""Write the Sphinx inventories that link the docs to scikit-learn, NumPy and Keras.

``sphinx.ext.intersphinx`` normally fetches each project's ``objects.inv``
from its web site at build time; the docs build here must work offline, so
the inventories are written once by this script, checked in next to it, and
``docs/conf.py`` maps each site to its local file.

The scikit-learn and NumPy inventories list the public API of the installed
packages (each module's ``__all__``), placed where the two projects publish
their reference pages:

- scikit-learn: ``modules/generated/<name>.html`` for classes and functions
  (methods share their class's page), ``api/<module>.html`` for modules, a few
  glossary terms;
- NumPy: ``reference/generated/<name>.html`` for functions, classes and
  ``ndarray`` members, ``reference/arrays.scalars.html`` for scalar types,
  ``reference/constants.html`` for constants, ``reference/random/...`` for
  the random generators.

Keras' site is not built with Sphinx and publishes no inventory: the Keras
inventory is a short hand-kept table of the names the docs use, each with its
keras.io page. A like table of Python builtins (``python.inv``) lets numpydoc
link the types it knows (``str``, ``int``, ``None``, ...) without fetching
docs.python.org's inventory.

Run it again after upgrading scikit-learn or NumPy::

    python docs/_inventories/make_inventories.py
"""

import importlib
import inspect
import os
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

SKLEARN_TERMS = {
    # glossary term: anchor on https://scikit-learn.org/stable/glossary.html
    "array-like": "term-array-like",
    "classifier": "term-classifier",
    "clone": "term-clone",
    "cross-validation splitter": "term-cross-validation-splitter",
    "early stopping": "term-early-stopping",
    "estimator": "term-estimator",
    "fit": "term-fit",
    "meta-estimator": "term-meta-estimator",
    "n_jobs": "term-n_jobs",
    "partial_fit": "term-partial_fit",
    "predict": "term-predict",
    "predict_proba": "term-predict_proba",
    "random_state": "term-random_state",
    "sample_weight": "term-sample_weight",
    "transformer": "term-transformer",
    "warm_start": "term-warm_start",
}

# (name, Sphinx role, page under https://keras.io/api/)
KERAS_OBJECTS = [
    ("keras", "py:module", ""),
    ("keras.Model", "py:class", "models/model/"),
    ("keras.Model.fit", "py:method", "models/model_training_apis/#fit-method"),
    ("keras.Sequential", "py:class", "models/sequential/"),
    ("keras.Input", "py:function", "layers/core_layers/input/"),
    ("keras.layers.Dense", "py:class", "layers/core_layers/dense/"),
    ("keras.layers.Dropout", "py:class", "layers/regularization_layers/dropout/"),
    ("keras.callbacks.Callback", "py:class", "callbacks/base_callback/"),
    ("keras.callbacks.EarlyStopping", "py:class", "callbacks/early_stopping/"),
    ("keras.callbacks.History", "py:class", "models/model_training_apis/#fit-method"),
    ("keras.optimizers.Adam", "py:class", "optimizers/adam/"),
    ("keras.optimizers.SGD", "py:class", "optimizers/sgd/"),
    (
        "keras.optimizers.schedules.ExponentialDecay",
        "py:class",
        "optimizers/learning_rate_schedules/exponential_decay/",
    ),
    (
        "keras.optimizers.schedules.CosineDecay",
        "py:class",
        "optimizers/learning_rate_schedules/cosine_decay/",
    ),
    (
        "keras.losses.CategoricalCrossentropy",
        "py:class",
        "losses/probabilistic_losses/#categoricalcrossentropy-class",
    ),
    (
        "keras.losses.categorical_crossentropy",
        "py:function",
        "losses/probabilistic_losses/#categoricalcrossentropy-function",
    ),
    ("keras.initializers.GlorotUniform", "py:class", "layers/initializers/#glorotuniform-class"),
    ("keras.models.clone_model", "py:function", "models/cloning/"),
    (
        "keras.saving.load_model",
        "py:function",
        "models/model_saving_apis/model_saving_and_loading/",
    ),
    ("keras.utils.to_categorical", "py:function", "utils/python_utils/#tocategorical-function"),
    ("keras.utils.set_random_seed", "py:function", "utils/python_utils/#setrandomseed-function"),
    ("keras.datasets.mnist.load_data", "py:function", "datasets/mnist/#loaddata-function"),
]


def _public(module):
    """Names a module exports: its ``__all__``, else its names without an underscore."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return sorted(set(names))


def _members(cls):
    """Public methods and attributes (properties, C getters) of a class, inherited ones too."""
    out = []
    for name, value in inspect.getmembers(cls):
        if name.startswith("_"):
            continue
        static = inspect.getattr_static(cls, name)
        if inspect.isroutine(value):
            out.append((name, "py:method"))
        elif isinstance(static, property) or inspect.isgetsetdescriptor(static):
            out.append((name, "py:attribute"))
    return out


def sklearn_entries():
    """Inventory lines for scikit-learn's public modules, classes, functions and terms."""
    import sklearn
    from sklearn.experimental import (  # noqa: F401  (documented under their modules)
        enable_halving_search_cv,
        enable_iterative_imputer,
    )

    entries = []
    modules = ["sklearn"] + [f"sklearn.{m}" for m in sklearn.__all__ if "_" != m[0]]
    modules += [
        "sklearn.utils.validation",
        "sklearn.utils.multiclass",
        "sklearn.utils.estimator_checks",
        "sklearn.utils.class_weight",
    ]
    seen = set()
    for modname in modules:
        try:
            module = importlib.import_module(modname)
        except ImportError:
            continue  # a name in sklearn.__all__ that is a function, not a module
        if not inspect.ismodule(module):
            continue
        if modname != "sklearn":
            entries.append((modname, "py:module", f"api/{modname}.html#module-$"))
        for name in _public(module):
            obj = getattr(module, name, None)
            full = f"{modname}.{name}"
            if obj is None or inspect.ismodule(obj) or full in seen:
                continue
            seen.add(full)
            page = f"modules/generated/{full}.html#$"
            if inspect.isclass(obj):
                entries.append((full, "py:class", page))
                for member, role in _members(obj):
                    uri = f"modules/generated/{full}.html#{full}.{member}"
                    entries.append((f"{full}.{member}", role, uri))
            elif callable(obj):
                entries.append((full, "py:function", page))
    for term, anchor in SKLEARN_TERMS.items():
        entries.append((term, "std:term", f"glossary.html#{anchor}"))
    return "scikit-learn", sklearn.__version__, entries


def numpy_entries():
    """Inventory lines for NumPy's top-level API, ``numpy.linalg`` and the random generators."""
    import numpy as np

    entries = [
        ("numpy", "py:module", "reference/index.html#module-$"),
        ("numpy.linalg", "py:module", "reference/routines.linalg.html#module-$"),
        ("numpy.random", "py:module", "reference/random/index.html#module-$"),
        ("array_like", "std:term", "glossary.html#term-array_like"),
    ]
    for name in _public(np):
        obj = getattr(np, name, None)
        full = f"numpy.{name}"
        if obj is None or inspect.ismodule(obj):
            continue
        if inspect.isclass(obj) and issubclass(obj, np.generic):
            entries.append((full, "py:class", "reference/arrays.scalars.html#$"))
        elif inspect.isclass(obj):
            entries.append((full, "py:class", "reference/generated/$.html#$"))
            if obj is np.ndarray or obj is np.dtype:
                for member, role in _members(obj):
                    entries.append((f"{full}.{member}", role, "reference/generated/$.html#$"))
        elif callable(obj):
            entries.append((full, "py:function", "reference/generated/$.html#$"))
        elif isinstance(obj, float):  # inf, nan, pi, e, euler_gamma
            entries.append((full, "py:data", "reference/constants.html#$"))
    for name in _public(np.linalg):
        if callable(getattr(np.linalg, name)) and not name[0].isupper():
            entries.append((f"numpy.linalg.{name}", "py:function", "reference/generated/$.html#$"))
    entries += [
        ("numpy.random.default_rng", "py:function", "reference/random/generator.html#$"),
        ("numpy.random.Generator", "py:class", "reference/random/generator.html#$"),
        ("numpy.random.RandomState", "py:class", "reference/random/legacy.html#$"),
    ]
    for member, role in _members(np.random.Generator):
        full = f"numpy.random.Generator.{member}"
        entries.append((full, role, "reference/random/generated/$.html#$"))
    return "NumPy", np.__version__, entries


def keras_entries():
    """Inventory lines for the Keras names the docs use (keras.io has no inventory)."""
    return "Keras", "3", [(name, role, page) for name, role, page in KERAS_OBJECTS]


# The Python names numpydoc links in parameter types (its own defaults and
# docs/conf.py's aliases), each with its page under https://docs.python.org/3/.
PYTHON_OBJECTS = [
    ("None", "py:data", "library/constants.html#None"),
    ("True", "py:data", "library/constants.html#True"),
    ("False", "py:data", "library/constants.html#False"),
    ("bool", "py:class", "library/functions.html#bool"),
    ("int", "py:class", "library/functions.html#int"),
    ("float", "py:class", "library/functions.html#float"),
    ("object", "py:class", "library/functions.html#object"),
    ("type", "py:class", "library/functions.html#type"),
    ("callable", "py:function", "library/functions.html#callable"),
    ("str", "py:class", "library/stdtypes.html#str"),
    ("bytes", "py:class", "library/stdtypes.html#bytes"),
    ("list", "py:class", "library/stdtypes.html#list"),
    ("tuple", "py:class", "library/stdtypes.html#tuple"),
    ("dict", "py:class", "library/stdtypes.html#dict"),
    ("set", "py:class", "library/stdtypes.html#set"),
    ("os.PathLike", "py:class", "library/os.html#os.PathLike"),
    ("pathlib.Path", "py:class", "library/pathlib.html#pathlib.Path"),
    (
        "contextlib.contextmanager",
        "py:function",
        "library/contextlib.html#contextlib.contextmanager",
    ),
    ("collections.namedtuple", "py:function", "library/collections.html#collections.namedtuple"),
    ("iterable", "std:term", "glossary.html#term-iterable"),
    ("sequence", "std:term", "glossary.html#term-sequence"),
    ("generator", "std:term", "glossary.html#term-generator"),
]


def python_entries():
    """Inventory lines for the Python builtins that parameter types name."""
    return "Python", f"{sys.version_info[0]}", list(PYTHON_OBJECTS)


def write_inventory(path, project, version, entries):
    """Write ``entries`` as a Sphinx inventory (version 2, zlib-compressed).

    Parameters
    ----------
    path : str
        File to write.
    project : str
        Project name written in the header.
    version : str
        Project version written in the header.
    entries : list of tuple (str, str, str)
        ``(name, domain:role, uri)``, ``uri`` relative to the site's root;
        ``$`` in ``uri`` stands for the name (a final one is kept, as Sphinx's
        own inventories do).

    Returns
    -------
    n_objects : int
        Number of objects written.
    """
    lines = []
    for name, role, uri in sorted(set(entries)):
        # Sphinx expands a final "$" itself; any other is expanded here.
        if uri.endswith("$"):
            uri = uri[:-1].replace("$", name) + "$"
        else:
            uri = uri.replace("$", name)
        lines.append(f"{name} {role} 1 {uri} -")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = zlib.compress(("\n".join(lines) + "\n").encode("utf-8"), 9)
    with open(path, "wb") as fh:
        fh.write(header.encode("utf-8") + body)
    return len(lines)


def main(argv=None):
    """Write sklearn.inv, numpy.inv, keras.inv and python.inv next to this script."""
    for filename, make in [
        ("sklearn.inv", sklearn_entries),
        ("numpy.inv", numpy_entries),
        ("keras.inv", keras_entries),
        ("python.inv", python_entries),
    ]:
        project, version, entries = make()
        n = write_inventory(os.path.join(HERE, filename), project, version, entries)
        print(f"{filename}: {n} objects ({project} {version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
