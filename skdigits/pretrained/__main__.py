"""``python -m skdigits.pretrained build``: train the shipped model again, from MNIST.

The run needs the four MNIST IDX files (a data home holding ``mnist/``, see
``skdigits data``); it never downloads unless ``--download`` is given. It
trains :data:`skdigits.pretrained.SETTINGS` once per seed of
:data:`skdigits.pretrained.SEEDS` on the 60,000 training digits, each
network kept in a checkpoint folder as soon as it is trained (a stopped run
goes on where it stopped), joins them in a soft-voting ensemble, reports the
accuracy on the 10,000 test digits, and writes ``mnist_dense.skdigits``
(float16 weights) and ``mnist_dense.json`` into ``--out`` (by default this
package's folder), each atomically. ``--validation N`` instead holds out N
training digits and reports their accuracy: the way settings are chosen.
"""

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time


def _checkpoint_name(settings, seed, data_files, n_train):
    """A file name that changes whenever what the network is trained from changes."""
    key = json.dumps([settings, seed, data_files, n_train], sort_keys=True, default=list)
    return f"network-seed{seed}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.skdigits"


def train_networks(settings, seeds, X, y, *, checkpoints, data_files, log=print):
    """One fitted pipeline per seed, each loaded from ``checkpoints`` or trained and saved there.

    Returns the pipelines and the seconds each took to train (kept beside
    its checkpoint as ``<checkpoint>.json``; None when that is missing).
    """
    from ..model import make_digit_pipeline
    from ..persistence import load_model, save_model
    from ..utils import atomic_open

    pipelines, seconds = [], []
    for seed in seeds:
        path = None
        if checkpoints:
            os.makedirs(checkpoints, exist_ok=True)
            path = os.path.join(checkpoints, _checkpoint_name(settings, seed, data_files, len(y)))
        if path and os.path.isfile(path):
            log(f"Seed {seed}: trained earlier, read from {path}.")
            pipelines.append(load_model(path))
            try:
                with open(path + ".json", encoding="utf-8") as handle:
                    seconds.append(float(json.load(handle)["training_seconds"]))
            except (OSError, ValueError, KeyError, TypeError):
                seconds.append(None)
            continue
        pipeline = make_digit_pipeline(random_state=seed, verbose=2, **settings)
        log(f"Seed {seed}: training {settings} on {len(y):,} digits.")
        start = time.perf_counter()
        pipeline.fit(X, y)
        seconds.append(time.perf_counter() - start)
        pipeline.set_params(classifier__verbose=0)  # users of the model see no training output
        if path:
            save_model(pipeline, path, include_optimizer=False)
            with atomic_open(path + ".json", "w", encoding="utf-8") as handle:
                json.dump({"seed": seed, "training_seconds": round(seconds[-1], 1)}, handle)
        pipelines.append(pipeline)
    return pipelines, seconds


def join_networks(pipelines, names):
    """A fitted pipeline whose classifier averages the probabilities of ``pipelines``' networks.

    The pipelines must share their scaler and reshape steps (they do when
    fitted on the same digits); the result is ``scaler``, ``reshape`` and a
    fitted soft-voting :class:`~sklearn.ensemble.VotingClassifier`.
    """
    import numpy as np
    from sklearn.base import clone
    from sklearn.ensemble import VotingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import LabelEncoder
    from sklearn.utils import Bunch

    first = pipelines[0]
    for other in pipelines[1:]:
        for attribute in ("data_min_", "data_max_"):
            if not np.array_equal(
                getattr(first["scaler"], attribute), getattr(other["scaler"], attribute)
            ):
                raise ValueError(
                    "the networks were not trained on the same digits "
                    "(their scalers differ); they cannot be joined"
                )
    classifiers = [pipeline["classifier"] for pipeline in pipelines]
    voting = VotingClassifier(
        [(name, clone(clf)) for name, clf in zip(names, classifiers)], voting="soft"
    )
    # What VotingClassifier.fit leaves, from networks trained already.
    voting.le_ = LabelEncoder().fit(classifiers[0].classes_)
    voting.classes_ = voting.le_.classes_
    voting.estimators_ = classifiers
    voting.named_estimators_ = Bunch(**dict(zip(names, classifiers)))
    return Pipeline(
        [("scaler", first["scaler"]), ("reshape", first["reshape"]), ("classifier", voting)]
    )


def build(args):
    import numpy as np

    from .. import __version__
    from ..datasets import dataset_status, load_mnist
    from ..persistence import save_model
    from ..utils import atomic_open
    from . import MODEL_FILE, RECORD_FILE, SEEDS, SETTINGS, sha256_of

    (X_train, y_train), (X_test, y_test) = load_mnist(
        data_home=args.data_home, download_if_missing=args.download
    )
    status = dataset_status("mnist", data_home=args.data_home)
    if not status["verified"]:
        print(
            "skdigits: error: the MNIST files do not match the published checksums "
            "('skdigits data' says which)",
            file=sys.stderr,
        )
        return 1
    data_files = {
        role: {"name": os.path.basename(info["path"]), "sha256": sha256_of(info["path"])}
        for role, info in status["files"].items()
    }
    settings = dict(SETTINGS)
    if args.epochs:
        settings["epochs"] = args.epochs
    seeds = list(SEEDS) if args.seed is None else [args.seed]
    if args.networks:
        seeds = [seeds[0] + i for i in range(args.networks)]
    if args.validation:
        rng = np.random.default_rng(seeds[0])
        order = rng.permutation(len(y_train))
        held, kept = order[: args.validation], order[args.validation :]
        X_train, X_test, y_train, y_test = (
            X_train[kept],
            X_train[held],
            y_train[kept],
            y_train[held],
        )
    checkpoints = None if args.validation else args.checkpoints
    pipelines, seconds = train_networks(
        settings, seeds, X_train, y_train, checkpoints=checkpoints, data_files=data_files
    )
    names = [f"seed{seed}" for seed in seeds]
    split = "validation" if args.validation else "test"
    single = [float(p.score(X_test, y_test)) for p in pipelines]
    for seed, accuracy, spent in zip(seeds, single, seconds):
        print(
            f"Seed {seed}: {split} accuracy {accuracy:.4f}"
            + (f", trained in {spent:.0f} s." if spent is not None else ".")
        )
    pipeline = join_networks(pipelines, names) if len(pipelines) > 1 else pipelines[0]
    if args.validation:
        accuracy = float(pipeline.score(X_test, y_test))
        print(
            f"{split} accuracy: {accuracy:.4f} ({len(y_test):,} digits, "
            f"{len(pipelines)} network{'s' * (len(pipelines) > 1)})."
        )
        return 0
    os.makedirs(args.out, exist_ok=True)
    model_path = save_model(
        pipeline,
        os.path.join(args.out, MODEL_FILE),
        include_optimizer=False,
        weights_dtype="float16",
    )
    from ..persistence import load_model

    stored = load_model(model_path)  # the accuracy of what ships: float16 weights
    accuracy = float(stored.score(X_test, y_test))
    print(
        f"{split} accuracy: {accuracy:.4f} ({len(y_test):,} digits, "
        f"{len(pipelines)} network{'s' * (len(pipelines) > 1)}, as stored)."
    )
    import keras
    import sklearn
    import tensorflow as tf

    record = {
        "model_file": MODEL_FILE,
        "model_sha256": sha256_of(model_path),
        "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()},
        "seeds": seeds,
        "networks": len(seeds),
        "weights_dtype": "float16",
        "data": {
            "name": "mnist",
            "files": data_files,
            "n_train": int(len(y_train)),
            "n_test": int(len(y_test)),
        },
        "test_accuracy": round(accuracy, 4),
        "test_errors": int(round((1 - accuracy) * len(y_test))),
        "network_test_accuracy": [round(a, 4) for a in single],
        "training_seconds": [None if s is None else round(s) for s in seconds],
        "built_with": {
            "skdigits": __version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "sklearn": sklearn.__version__,
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        },
        "command": "python -m skdigits.pretrained build",
    }
    with atomic_open(os.path.join(args.out, RECORD_FILE), "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=2)
        handle.write("\n")
    print(f"Wrote {model_path} ({os.path.getsize(model_path) / 1e6:.1f} MB) and {RECORD_FILE}.")
    return 0


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text}")
    return value


def main(argv=None):
    from . import package_folder

    parser = argparse.ArgumentParser(
        prog="python -m skdigits.pretrained",
        description="Train the model shipped with skdigits again, from the MNIST files.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("build", help="train on MNIST and write the model and its record")
    run.add_argument("--data-home", metavar="DIR", help="data home holding mnist/")
    run.add_argument("--download", action="store_true", help="download MNIST if missing")
    run.add_argument(
        "--out",
        default=package_folder(),
        metavar="DIR",
        help="folder for the model and its record (default: the package's)",
    )
    run.add_argument(
        "--checkpoints",
        metavar="DIR",
        default=os.path.join(tempfile.gettempdir(), "skdigits-pretrained-build"),
        help="folder keeping each trained network, so a stopped build goes on "
        "where it stopped (default: %(default)s)",
    )
    run.add_argument("--epochs", type=_positive, help="override the recorded number of epochs")
    run.add_argument("--seed", type=int, help="train one network with this seed")
    run.add_argument(
        "--networks",
        type=_positive,
        metavar="K",
        help="train K networks (seeds counted up from the first)",
    )
    run.add_argument(
        "--validation",
        type=_positive,
        metavar="N",
        help="hold out N training digits, report their accuracy, write nothing",
    )
    args = parser.parse_args(argv)
    return build(args)


if __name__ == "__main__":
    sys.exit(main())
