"""Training-time distortions of digit images, as TensorFlow ops on a batch.

Random affine maps (rotation, scale, shear, shift) go through TensorFlow's
fused projective-transform kernel; with Simard et al.'s elastic distortion
(2003: random displacement fields smoothed by a Gaussian) the two are
combined into one source coordinate per output pixel and sampled bilinearly.
They run inside the compiled training loop only (see
:mod:`skdigits.model._training`), on many rows at once, seeded by stateless random
ops, never at prediction time.
"""

from numbers import Real

import numpy as np

from ..utils import quiet_tensorflow

#: The named settings of ``DigitClassifier(augment=...)``.
AUGMENT_PRESETS = {
    "affine": {"rotation": 12.0, "scale": (0.9, 1.1), "shear": 8.0, "shift": 2.0},
    "elastic": {
        "rotation": 10.0,
        "scale": (0.9, 1.1),
        "shear": 6.0,
        "shift": 2.0,
        "elastic": (30.0, 4.0),
    },
}
_KEYS = ("rotation", "scale", "shear", "shift", "elastic")


def resolve_augment(augment):
    """The distortion ranges of ``augment``: a dict with every key, or None.

    Parameters
    ----------
    augment : None, "affine", "elastic" or dict
        A dict may give any of ``rotation`` (degrees, +-), ``scale`` (a
        ``(low, high)`` factor range, or one number ``s`` for ``(1 - s, 1 + s)``),
        ``shear`` (degrees, +-), ``shift`` (pixels, +-) and ``elastic``
        (``(alpha, sigma)``: displacement strength and smoothness in pixels).

    Returns
    -------
    ranges : dict or None
        ``None`` when nothing is distorted.

    Examples
    --------
    >>> from skdigits.model._augment import resolve_augment
    >>> resolve_augment({"rotation": 5})
    {'rotation': 5.0, 'scale': (1.0, 1.0), 'shear': 0.0, 'shift': 0.0, 'elastic': None}
    >>> resolve_augment(None) is None
    True
    """
    if augment is None:
        return None
    if isinstance(augment, str):
        if augment not in AUGMENT_PRESETS:
            raise ValueError(
                f"augment={augment!r} is not a known setting; use None, "
                f"{', '.join(map(repr, AUGMENT_PRESETS))} or a dict of ranges such as "
                "{'rotation': 12, 'scale': (0.9, 1.1), 'shift': 2, 'elastic': (34, 4)}."
            )
        augment = AUGMENT_PRESETS[augment]
    if not isinstance(augment, dict):
        raise ValueError(
            f"augment must be None, 'affine', 'elastic' or a dict of ranges; got "
            f"{type(augment).__name__}."
        )
    unknown = sorted(set(augment) - set(_KEYS))
    if unknown:
        raise ValueError(f"augment has unknown keys {unknown}; known keys are {list(_KEYS)}.")
    ranges = {
        "rotation": _nonnegative(augment.get("rotation", 0.0), "rotation", 180),
        "scale": _scale(augment.get("scale", (1.0, 1.0))),
        "shear": _nonnegative(augment.get("shear", 0.0), "shear", 60),
        "shift": _nonnegative(augment.get("shift", 0.0), "shift", None),
        "elastic": _elastic(augment.get("elastic")),
    }
    return ranges


def _number(value, name):
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise ValueError(f"augment[{name!r}] must be a finite number; got {value!r}.")
    return float(value)


def _nonnegative(value, name, limit):
    value = _number(value, name)
    if value < 0 or (limit is not None and value > limit):
        bound = f"between 0 and {limit}" if limit is not None else "at least 0"
        raise ValueError(f"augment[{name!r}] must be {bound}; got {value!r}.")
    return value


def _scale(value):
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"augment['scale'] must be (low, high); got {value!r}.")
        low, high = (_number(v, "scale") for v in value)
    else:
        spread = _number(value, "scale")
        low, high = 1.0 - spread, 1.0 + spread
    if not 0 < low <= high:
        raise ValueError(f"augment['scale'] needs 0 < low <= high; got {value!r}.")
    return (low, high)


def _elastic(value):
    if value is None:
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"augment['elastic'] must be (alpha, sigma); got {value!r}.")
    alpha, sigma = (_number(v, "elastic") for v in value)
    if alpha < 0 or sigma <= 0:
        raise ValueError(f"augment['elastic'] needs alpha >= 0 and sigma > 0; got {value!r}.")
    return (alpha, sigma)


def _gaussian_matrix(size, sigma):
    """``G @ v`` smooths ``v`` with a Gaussian (zero beyond the edges), as a convolution would."""
    radius = max(1, int(round(2 * sigma)))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    matrix = np.zeros((size, size), dtype=np.float32)
    for i in range(size):
        for offset, weight in zip(range(-radius, radius + 1), taps):
            if 0 <= i + offset < size:
                matrix[i, i + offset] = weight
    return matrix


def make_augmenter(ranges, image_shape):
    """A function ``distort(x, seed) -> x`` for flattened image batches.

    ``x`` is a float32 tensor of shape (batch, height * width); ``seed`` a
    shape-(2,) int32 tensor for TensorFlow's stateless random ops, so the same
    seed distorts the same batch the same way.
    """
    import tensorflow as tf

    height, width = (int(n) for n in image_shape)
    rows, cols = np.meshgrid(
        np.arange(height, dtype=np.float32), np.arange(width, dtype=np.float32), indexing="ij"
    )
    centre_r, centre_c = (height - 1) / 2.0, (width - 1) / 2.0
    grid_r = tf.constant((rows - centre_r).reshape(1, -1))  # (1, pixels)
    grid_c = tf.constant((cols - centre_c).reshape(1, -1))
    rotation = np.deg2rad(ranges["rotation"])
    shear = np.deg2rad(ranges["shear"])
    low, high = ranges["scale"]
    shift = ranges["shift"]
    elastic = ranges["elastic"]
    if elastic is not None:
        alpha, sigma = elastic
        smooth_r = tf.constant(_gaussian_matrix(height, sigma) * alpha)  # (H, H)
        smooth_c = tf.constant(_gaussian_matrix(width, sigma).T)  # (W, W)

    def uniform(seed, index, batch, bound_low, bound_high):
        return tf.random.stateless_uniform(
            [batch, 1],
            seed=seed + tf.constant([0, 1], tf.int32) * index,
            minval=bound_low,
            maxval=bound_high,
        )

    def distort(x, seed):
        batch = tf.shape(x)[0]
        theta = uniform(seed, 1, batch, -rotation, rotation)
        phi = uniform(seed, 2, batch, -shear, shear)
        zoom = uniform(seed, 3, batch, low, high)
        shift_r = uniform(seed, 4, batch, -shift, shift)
        shift_c = uniform(seed, 5, batch, -shift, shift)
        # Output pixel p comes from source A^-1 (p - t) with A = R(theta) Sh(phi) zoom:
        # the inverse of rotation, then shear, then scale, written out for 2x2 matrices.
        cos, sin = tf.cos(theta), tf.sin(theta)
        tan = tf.tan(phi)
        # source = M (p - centre - shift) + centre, with rows r and columns c:
        m_rr, m_rc = cos / zoom, sin / zoom
        m_cr, m_cc = (-sin - tan * cos) / zoom, (cos - tan * sin) / zoom
        if elastic is None:
            # TensorFlow's fused kernel: several times faster than sampling by gathers
            off_r, off_c = centre_r + shift_r, centre_c + shift_c
            transforms = tf.concat(
                [
                    m_cc,
                    m_cr,
                    centre_c - m_cc * off_c - m_cr * off_r,
                    m_rc,
                    m_rr,
                    centre_r - m_rc * off_c - m_rr * off_r,
                    tf.zeros([batch, 2]),
                ],
                axis=1,
            )
            images = tf.raw_ops.ImageProjectiveTransformV3(
                images=tf.reshape(x, [batch, height, width, 1]),
                transforms=transforms,
                output_shape=tf.constant([height, width]),
                fill_value=0.0,
                interpolation="BILINEAR",
                fill_mode="CONSTANT",
            )
            return tf.reshape(images, [batch, height * width])
        d_r, d_c = grid_r - shift_r, grid_c - shift_c
        src_r = m_rr * d_r + m_rc * d_c + centre_r
        src_c = m_cr * d_r + m_cc * d_c + centre_c
        # the elastic field: uniform noise smoothed by a Gaussian along rows and
        # columns (two small matrix products), scaled by alpha
        noise = tf.random.stateless_uniform(
            [2 * batch, height, width],
            seed=seed + tf.constant([0, 6], tf.int32),
            minval=-1.0,
            maxval=1.0,
        )
        fields = tf.reshape(tf.einsum("ij,bjk,kl->bil", smooth_r, noise, smooth_c), [2, batch, -1])
        return _bilinear(x, src_r + fields[0], src_c + fields[1], height, width)

    return distort


def _bilinear(x, src_r, src_c, height, width):
    """Sample the flattened images ``x`` at (row, column) points; zero outside."""
    import tensorflow as tf

    r0, c0 = tf.floor(src_r), tf.floor(src_c)
    fr, fc = src_r - r0, src_c - c0
    r0, c0 = tf.cast(r0, tf.int32), tf.cast(c0, tf.int32)
    padded = tf.pad(tf.reshape(x, [-1, height, width]), [[0, 0], [1, 1], [1, 1]])
    flat = tf.reshape(padded, [tf.shape(x)[0], -1])
    stride = width + 2

    def tap(dr, dc):
        r = tf.clip_by_value(r0 + dr + 1, 0, height + 1)  # outside reads the zero border
        c = tf.clip_by_value(c0 + dc + 1, 0, width + 1)
        return tf.gather(flat, r * stride + c, batch_dims=1)

    top = tap(0, 0) * (1 - fc) + tap(0, 1) * fc
    bottom = tap(1, 0) * (1 - fc) + tap(1, 1) * fc
    return top * (1 - fr) + bottom * fr


def augment_images(X, augment="affine", *, random_state=None):
    """Distort images as ``DigitClassifier(augment=...)`` does while training.

    To see what the network is trained on: the distortions are the same
    TensorFlow ops that run inside the training loop.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width)
        Images, e.g. MNIST digits with pixels 0-255 (the values are kept).
    augment : "affine", "elastic" or dict, default="affine"
        See :class:`~skdigits.DigitClassifier`.
    random_state : int or None, default=None
        Seed of the distortions.

    Returns
    -------
    distorted : ndarray of shape (n_samples, height, width), float32
        The distorted images, in the value range of ``X``.

    Examples
    --------
    >>> import skdigits
    >>> X, _ = skdigits.load_mnist_sample(return_X_y=True)
    >>> skdigits.augment_images(X[:4], "elastic", random_state=0).shape
    (4, 28, 28)
    """
    quiet_tensorflow()
    import tensorflow as tf

    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 3 or min(X.shape) == 0:
        raise ValueError(
            f"augment_images takes a stack of images of shape (n_samples, height, width); "
            f"got shape {X.shape}."
        )
    if not np.isfinite(X).all():
        raise ValueError("augment_images: the images hold NaN or infinite values.")
    ranges = resolve_augment(augment)
    if ranges is None:
        return X.copy()
    seed = np.random.default_rng(random_state).integers(0, 2**30, size=2, dtype=np.int32)
    distort = make_augmenter(ranges, X.shape[1:])
    flat = tf.constant(X.reshape(len(X), -1))
    return np.asarray(distort(flat, tf.constant(seed))).reshape(X.shape)
