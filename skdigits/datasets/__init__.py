"""Digit data sets: the embedded sample, full MNIST, Fashion-MNIST, and readers.

Nothing here downloads unless asked: :func:`load_mnist` and
:func:`load_fashion_mnist` look for local copies first (see
:func:`get_data_home`), and download only with ``download_if_missing=True``.
"""

# Where each thing lives:
#   _loaders   load_mnist, load_fashion_mnist (find, else download, then read)
#   _locate    locate_dataset, the Source record, the search order
#   _download  download_file, download_dataset, dataset_status
#   _verify    verify_file, the data home's digest check at load
#   _home      get_data_home, the data set folders, Keras' cache path
#   _registry  DATASETS: names, mirrors, files and digests
#   _provenance training_record, check_overlap: what a model was trained on
#   _idx, _formats, _sample   readers: IDX; npz, CSV, image folders, folders of
#                             pictures (load_picture_folder); the sample

from ._download import dataset_status, download_dataset, download_file
from ._formats import load_picture_folder, read_image_folder, read_kaggle_csv, read_mnist_npz
from ._home import get_data_home
from ._idx import read_idx, write_idx
from ._loaders import FASHION_MNIST_CLASSES, load_fashion_mnist, load_mnist
from ._locate import locate_dataset
from ._provenance import (
    SAMPLE,
    check_overlap,
    is_training_record,
    row_fingerprints,
    training_record,
)
from ._registry import DATASETS
from ._sample import load_mnist_sample
from ._verify import verify_file

__all__ = [
    "DATASETS",
    "FASHION_MNIST_CLASSES",
    "SAMPLE",
    "check_overlap",
    "dataset_status",
    "download_dataset",
    "download_file",
    "get_data_home",
    "is_training_record",
    "load_fashion_mnist",
    "load_mnist",
    "load_mnist_sample",
    "load_picture_folder",
    "locate_dataset",
    "read_idx",
    "read_image_folder",
    "read_kaggle_csv",
    "read_mnist_npz",
    "row_fingerprints",
    "training_record",
    "verify_file",
    "write_idx",
]
