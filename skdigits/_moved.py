"""Old module names, kept importable for one release so that old joblib pickles load.

Version 0.x kept every module flat in ``skdigits/`` (``skdigits._classifier``,
``skdigits._scaler``, ...); they now live in the package's rooms
(``skdigits.model``, ``skdigits.preprocessing``, ...). A pickle names the
module of each class it holds, so a joblib file written before the move asks
for the old names. Importing one of them gives the module it moved to, with a
:class:`DeprecationWarning` that names the new place. ``.skdigits`` files name
public classes only and are not affected.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

#: Old module -> the module that holds its contents now.
MOVED = {
    "skdigits._atomic": "skdigits.utils._atomic",
    "skdigits._augment": "skdigits.model._augment",
    "skdigits._classifier": "skdigits.model._classifier",
    "skdigits._default_model": "skdigits.pretrained",
    "skdigits._draw": "skdigits.draw._server",
    "skdigits._evaluation": "skdigits.reporting._evaluation",
    "skdigits._images": "skdigits.images._read",
    "skdigits._inference": "skdigits.model._inference",
    "skdigits._model_format": "skdigits.persistence._format",
    "skdigits._model_json": "skdigits.persistence._json",
    "skdigits._model_networks": "skdigits.persistence._networks",
    "skdigits._network": "skdigits.model._network",
    "skdigits._normalize": "skdigits.images._normalizer",
    "skdigits._persistence": "skdigits.persistence._api",
    "skdigits._pipeline": "skdigits.model._pipeline",
    "skdigits._plotting": "skdigits.reporting._plotting",
    "skdigits._quiet": "skdigits.utils._quiet",
    "skdigits._report": "skdigits.reporting._report",
    "skdigits._reshape": "skdigits.preprocessing._reshape",
    "skdigits._scaler": "skdigits.preprocessing._scaler",
    "skdigits._search": "skdigits.model_selection._search",
    "skdigits._targets": "skdigits.model._targets",
    "skdigits._training": "skdigits.model._training",
    "skdigits._utils": "skdigits.utils._estimators",
    "skdigits._validation": "skdigits.utils._validation",
}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old module name and loads it as the module it moved to."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        new = MOVED[spec.name]
        warnings.warn(
            f"{spec.name} moved to {new}; old pickles that name it load for one more "
            "release. Save the model again (skdigits.save_model) to stop this warning.",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module(new)

    def exec_module(self, module):
        """The module is the one it moved to, already executed."""


def install():
    """Put the finder of old module names on :data:`sys.meta_path` (once)."""
    if not any(isinstance(finder, _Alias) for finder in sys.meta_path):
        sys.meta_path.append(_Alias())
