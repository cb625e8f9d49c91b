"""Digit data sets: the embedded sample, full MNIST, Fashion-MNIST, and readers.

Nothing here downloads unless asked: :func:`load_mnist` and
:func:`load_fashion_mnist` look for local copies first (see
:func:`get_data_home`), and download only with ``download_if_missing=True``.
"""

from ._download import download_file
from ._formats import read_image_folder, read_kaggle_csv, read_mnist_npz
from ._home import get_data_home
from ._idx import read_idx, write_idx
from ._loaders import (
    FASHION_MNIST_CLASSES,
    dataset_status,
    download_dataset,
    load_fashion_mnist,
    load_mnist,
    locate_dataset,
    verify_file,
)
from ._registry import DATASETS
from ._sample import load_mnist_sample

__all__ = [
    "DATASETS",
    "FASHION_MNIST_CLASSES",
    "dataset_status",
    "download_dataset",
    "download_file",
    "get_data_home",
    "load_fashion_mnist",
    "load_mnist",
    "load_mnist_sample",
    "locate_dataset",
    "read_idx",
    "read_image_folder",
    "read_kaggle_csv",
    "read_mnist_npz",
    "verify_file",
    "write_idx",
]
