"""``python -m skdigits.pretrained build``: train the shipped model again, from MNIST.

The run needs the four MNIST IDX files (a data home holding ``mnist/``, see
``skdigits data``); it never downloads unless ``--download`` is given. It
trains :data:`skdigits.pretrained.SETTINGS` with :data:`SEED` on the 60,000
training digits, reports the accuracy on the 10,000 test digits, and writes
``mnist_dense.skdigits`` and ``mnist_dense.json`` into ``--out`` (by default
this package's folder), each atomically. ``--validation N`` instead holds out
N training digits and reports their accuracy: the way settings are chosen.
"""

import argparse
import json
import os
import platform
import sys
import time


def build(args):
    import numpy as np

    from .. import __version__
    from .._atomic import atomic_open
    from .._persistence import save_model
    from .._pipeline import make_digit_pipeline
    from ..datasets import dataset_status, load_mnist
    from . import MODEL_FILE, RECORD_FILE, SEED, SETTINGS, sha256_of

    status = dataset_status("mnist", data_home=args.data_home)
    (X_train, y_train), (X_test, y_test) = load_mnist(
        data_home=args.data_home, download_if_missing=args.download
    )
    status = dataset_status("mnist", data_home=args.data_home)
    if not status["verified"]:
        print("skdigits: error: the MNIST files do not match the published checksums "
              "('skdigits data' says which)", file=sys.stderr)
        return 1
    settings = dict(SETTINGS)
    if args.epochs:
        settings["epochs"] = args.epochs
    seed = SEED if args.seed is None else args.seed
    if args.validation:
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(y_train))
        held, kept = order[: args.validation], order[args.validation:]
        X_train, X_test, y_train, y_test = X_train[kept], X_train[held], y_train[kept], y_train[held]
    pipeline = make_digit_pipeline(random_state=seed, verbose=2, **settings)
    print(f"Training {settings} with seed {seed} on {len(y_train):,} digits.", flush=True)
    start = time.perf_counter()
    pipeline.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    accuracy = float(pipeline.score(X_test, y_test))
    split = "validation" if args.validation else "test"
    print(f"{split} accuracy: {accuracy:.4f} ({len(y_test):,} digits), trained in {seconds:.0f} s.")
    if args.validation:
        return 0
    os.makedirs(args.out, exist_ok=True)
    pipeline.set_params(classifier__verbose=0)  # users of the model see no training output
    model_path = save_model(pipeline, os.path.join(args.out, MODEL_FILE), include_optimizer=False)
    import keras
    import sklearn
    import tensorflow as tf

    record = {
        "model_file": MODEL_FILE,
        "model_sha256": sha256_of(model_path),
        "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()},
        "seed": seed,
        "data": {
            "name": "mnist",
            "files": {role: {"name": os.path.basename(info["path"]), "sha256": sha256_of(info["path"])}
                      for role, info in status["files"].items()},
            "n_train": int(len(y_train)),
            "n_test": int(len(y_test)),
        },
        "test_accuracy": round(accuracy, 4),
        "test_errors": int(round((1 - accuracy) * len(y_test))),
        "training_seconds": round(seconds),
        "built_with": {
            "skdigits": __version__, "tensorflow": tf.__version__, "keras": keras.__version__,
            "sklearn": sklearn.__version__, "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        },
        "command": "python -m skdigits.pretrained build",
    }
    with atomic_open(os.path.join(args.out, RECORD_FILE), "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=2)
        handle.write("\n")
    print(f"Wrote {model_path} ({os.path.getsize(model_path) / 1e6:.1f} MB) and {RECORD_FILE}.")
    return 0


def main(argv=None):
    from . import _folder

    parser = argparse.ArgumentParser(
        prog="python -m skdigits.pretrained",
        description="Train the model shipped with skdigits again, from the MNIST files.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("build", help="train on MNIST and write the model and its record")
    run.add_argument("--data-home", metavar="DIR", help="data home holding mnist/")
    run.add_argument("--download", action="store_true", help="download MNIST if missing")
    run.add_argument("--out", default=_folder(), metavar="DIR",
                     help="folder for the model and its record (default: the package's)")
    run.add_argument("--epochs", type=int, help="override the recorded number of epochs")
    run.add_argument("--seed", type=int, help="override the recorded seed")
    run.add_argument("--validation", type=int, metavar="N",
                     help="hold out N training digits, report their accuracy, write nothing")
    args = parser.parse_args(argv)
    return build(args)


if __name__ == "__main__":
    sys.exit(main())
