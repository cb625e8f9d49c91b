"""Lazy public names for a package: each name is imported from its module on first use.

``import skdigits`` and its subpackages stay quick this way: they load neither
scikit-learn nor TensorFlow until a name that needs them is asked for. The same
idea as scikit-image's ``lazy_loader.attach``, in a dozen lines.
"""

import importlib


def attach(package, names):
    """Module-level ``__getattr__``, ``__dir__`` and ``__all__`` for a package.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names : dict of str to str
        Public name -> the module (relative to ``package``) that defines it.

    Returns
    -------
    __getattr__, __dir__ : callable
    __all__ : list of str
    """

    def __getattr__(name):
        if name in names:
            value = getattr(importlib.import_module(names[name], package), name)
            setattr(importlib.import_module(package), name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted([*vars(importlib.import_module(package)), *names])

    return __getattr__, __dir__, sorted(names)
