"""Digit data sets: the embedded MNIST sample (full MNIST loaders come later)."""

from ._sample import load_mnist_sample

__all__ = ["load_mnist_sample"]
