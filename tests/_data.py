"""Small generated data sets in the formats skdigits reads."""

import numpy as np

from skdigits.datasets import write_idx


def tiny_digits(n, seed):
    """``n`` random 28x28 uint8 images and labels cycling through 0-9."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    return images, labels


def write_idx_set(folder, n_train=30, n_test=10, gz=True):
    """Write the four MNIST IDX files of a tiny set; return its arrays."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    train, test = tiny_digits(n_train, 0), tiny_digits(n_test, 1)
    for prefix, (images, labels) in [("train", train), ("t10k", test)]:
        write_idx(images, folder / f"{prefix}-images-idx3-ubyte{suffix}")
        write_idx(labels, folder / f"{prefix}-labels-idx1-ubyte{suffix}")
    return train, test
