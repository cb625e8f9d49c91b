"""scikeras' KerasClassifier, imported without TensorFlow's start-up noise on the terminal.

scikeras imports Keras, and with it TensorFlow, which prints a dozen C++ log
lines as it starts (CUDA probes on a machine without a GPU among them). The
classifier imports scikeras through this module, so the first network of a
Python session starts as quietly as the command line does; see
:func:`skdigits.utils.quiet_tensorflow` for how to get the logs back.
"""

from ..utils import quiet_tensorflow

quiet_tensorflow()

from scikeras.wrappers import KerasClassifier  # noqa: E402

__all__ = ["KerasClassifier"]
