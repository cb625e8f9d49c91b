"""What skdigits knows about the data sets it can download."""

from dataclasses import dataclass

SPLIT_FILES = ("train_images", "train_labels", "test_images", "test_labels")


@dataclass(frozen=True)
class RemoteFile:
    """One file of a data set.

    ``md5_gz`` is the digest of the file as distributed (gzip-compressed);
    ``sha256_raw`` the digest of its decompressed IDX bytes, which does not
    depend on how a copy was recompressed (None where unknown).
    """

    filename: str
    md5_gz: str
    sha256_raw: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """A downloadable IDX data set: where it lives and how to recognise it."""

    name: str
    title: str
    mirrors: tuple
    files: dict
    class_names: tuple
    keras_cache: str  # file or folder name under Keras' datasets cache
    download_mb: int
    loader: str  # the skdigits function that loads it


DATASETS = {
    "mnist": DatasetSpec(
        name="mnist",
        title="MNIST handwritten digits",
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
        files={
            "train_images": RemoteFile(
                "train-images-idx3-ubyte.gz",
                "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            ),
            "train_labels": RemoteFile(
                "train-labels-idx1-ubyte.gz",
                "d53e105ee54ea40749a09fcbcd1e9432",
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            ),
            "test_images": RemoteFile(
                "t10k-images-idx3-ubyte.gz",
                "9fb629c4189551a2d022fa330f9573f3",
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            ),
            "test_labels": RemoteFile(
                "t10k-labels-idx1-ubyte.gz",
                "ec29112dd5afa0611ce80d1b7f02629c",
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            ),
        },
        class_names=tuple(str(d) for d in range(10)),
        keras_cache="mnist.npz",
        download_mb=12,
        loader="load_mnist",
    ),
    "fashion-mnist": DatasetSpec(
        name="fashion-mnist",
        title="Fashion-MNIST clothing images (Zalando Research)",
        mirrors=(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
        ),
        files={
            "train_images": RemoteFile(
                "train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"
            ),
            "train_labels": RemoteFile(
                "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"
            ),
            "test_images": RemoteFile(
                "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"
            ),
            "test_labels": RemoteFile(
                "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"
            ),
        },
        class_names=(
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ),
        keras_cache="fashion-mnist",
        download_mb=31,
        loader="load_fashion_mnist",
    ),
}


def get_spec(name):
    """Return the spec of a data set by name, with a clear error for unknown names."""
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(
            f"Unknown data set {name!r}; known ones are {', '.join(sorted(DATASETS))}."
        ) from None
