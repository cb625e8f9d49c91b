"""The drawing page: a local web server that reads digits drawn or uploaded in a browser.

Names load on first use (:func:`skdigits._lazy.attach`): importing this
package loads neither scikit-learn nor TensorFlow.
"""

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "make_server": "._server",
        "is_loopback": "._server",
    },
)
