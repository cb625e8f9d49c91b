"""skdigits benchmarks: ours against raw Keras, naive scikeras and MLPClassifier.

One entry point runs every comparison, each measurement in a fresh child
process (so peak memory is per process), repeats them, and prints a table of
medians: ours, the baseline, and their ratio, with the target. Ratios measured
in one run are what count; absolute times depend on the machine.

    python benchmarks/run.py --quick            # embedded sample, 1 epoch: about a minute
    python benchmarks/run.py --full --write     # full MNIST, 10 epochs, 3 seeds; writes RESULTS.md

Full MNIST comes from the data home (``SKDIGITS_DATA``); nothing is downloaded.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HIDDEN = (1024, 128, 64)


# -- children: each prints one JSON line -------------------------------------------
def _data(kind):
    import numpy as np

    import skdigits

    if kind == "full":
        (X, y), (Xt, yt) = skdigits.load_mnist(download_if_missing=False)
        return X, y, Xt, yt
    X, y = skdigits.load_mnist_sample(return_X_y=True)
    return X[:4000], y[:4000], X[4000:], np.asarray(y[4000:])


def _peak_rss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _keras_network(keras):
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(1024, activation="relu"),
            keras.layers.Dense(128, activation="tanh"),
            keras.layers.Dropout(0.05),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def child_train(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import numpy as np

    X, y, Xt, yt = _data(args.data)
    if args.who == "skdigits":
        import skdigits

        model = skdigits.make_digit_pipeline(epochs=args.epochs, random_state=args.seed)
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
        accuracy = model.score(Xt, yt)
    elif args.who == "keras":
        import keras

        keras.utils.set_random_seed(args.seed)
        Xf = X.reshape(len(X), -1).astype(np.float32) / np.float32(255)
        Xtf = Xt.reshape(len(Xt), -1).astype(np.float32) / np.float32(255)
        model = _keras_network(keras)
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(
            Xf,
            keras.utils.to_categorical(y, 10),
            epochs=args.epochs,
            batch_size=64,
            shuffle=True,
            verbose=0,
        )
        seconds = time.perf_counter() - start
        accuracy = float(np.mean(model.predict(Xtf, verbose=0).argmax(axis=1) == yt))
    elif args.who == "naive":
        import keras
        from scikeras.wrappers import KerasClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer

        keras.utils.set_random_seed(args.seed)
        model = make_pipeline(
            FunctionTransformer(lambda a: a / 255.0),
            FunctionTransformer(lambda a: a.reshape(len(a), -1)),
            KerasClassifier(
                model=lambda: _keras_network(keras),
                loss="categorical_crossentropy",
                optimizer="adam",
                epochs=args.epochs,
                batch_size=64,
                verbose=0,
                random_state=args.seed,
            ),
        )
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
        accuracy = float(np.mean(model.predict(Xt) == yt))
    else:  # mlp
        from sklearn.neural_network import MLPClassifier

        model = MLPClassifier(
            hidden_layer_sizes=HIDDEN, batch_size=64, max_iter=args.epochs, random_state=args.seed
        )
        Xf = X.reshape(len(X), -1) / 255.0
        start = time.perf_counter()
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(Xf, y)
        seconds = time.perf_counter() - start
        accuracy = model.score(Xt.reshape(len(Xt), -1) / 255.0, yt)
    print(
        json.dumps({"seconds": seconds, "accuracy": float(accuracy), "peak_rss_mb": _peak_rss_mb()})
    )


def child_predict(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import numpy as np

    X, y, Xt, yt = _data(args.data)
    n = min(len(X), 2000)

    def median_ms(function, repeats):
        function()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        return 1000 * statistics.median(times)

    one = Xt[:1]
    result = {}
    if args.who == "skdigits":
        import skdigits

        model = skdigits.make_digit_pipeline(epochs=1, random_state=0).fit(X[:n], y[:n])
        result["one_ms"] = median_ms(lambda: model.predict(one), 200)
        result["batch_ms"] = median_ms(lambda: model.predict_proba(Xt), 5)
        keras_proba = model[-1].model_.predict(model[:-1].transform(Xt), verbose=0)
        result["max_abs_diff"] = float(np.abs(model.predict_proba(Xt) - keras_proba).max())
    elif args.who == "keras":
        import keras

        model = _keras_network(keras)
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        Xf = (X[:n].reshape(n, -1) / 255.0).astype(np.float32)
        model.fit(Xf, keras.utils.to_categorical(y[:n], 10), epochs=1, verbose=0)
        Xtf = (Xt.reshape(len(Xt), -1) / 255.0).astype(np.float32)
        onef = Xtf[:1]
        result["one_ms"] = median_ms(lambda: model.predict(onef, verbose=0).argmax(axis=1), 30)
        result["batch_ms"] = median_ms(lambda: model.predict(Xtf, batch_size=2048, verbose=0), 5)
    else:  # mlp
        from sklearn.neural_network import MLPClassifier

        model = MLPClassifier(hidden_layer_sizes=HIDDEN, max_iter=1, random_state=0)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X[:n].reshape(n, -1) / 255.0, y[:n])
        Xtf = Xt.reshape(len(Xt), -1) / 255.0
        result["one_ms"] = median_ms(lambda: model.predict(Xtf[:1]), 200)
        result["batch_ms"] = median_ms(lambda: model.predict_proba(Xtf), 5)
    print(json.dumps(result))


# -- the parent -------------------------------------------------------------------
def _child(*argv):
    out = subprocess.run(
        [sys.executable, __file__, *argv],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    if out.returncode:
        raise RuntimeError(f"benchmark child {argv} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _command_seconds(code, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(code, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _machine():
    import numpy
    import sklearn

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    versions = {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scikit-learn": sklearn.__version__,
    }
    import importlib.metadata as metadata

    for package in ("tensorflow", "tensorflow-cpu", "keras", "scikeras"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return f"{cpu}, {os.cpu_count()} cores", versions


def run(options):
    data, epochs, seeds = ("full", 10, options.seeds) if options.full else ("sample", 1, 1)
    rows = []

    def median(values):
        return statistics.median(values)

    print(f"Training: {data} data, {epochs} epoch(s), {seeds} seed(s) ...", flush=True)
    # Seeds interleave the contenders, so a machine slowing down mid-run hits
    # all of them. MLPClassifier is a reference point, not a target: one seed.
    train = {who: [] for who in ("skdigits", "keras", "naive", "mlp")}
    for seed in range(seeds):
        for who in train:
            if who != "mlp" or seed == 0:
                train[who].append(_child("train", who, data, str(epochs), str(seed)))
    t = {who: median([r["seconds"] for r in runs]) for who, runs in train.items()}
    acc = {who: statistics.mean([r["accuracy"] for r in runs]) for who, runs in train.items()}
    rss = {who: median([r["peak_rss_mb"] for r in runs]) for who, runs in train.items()}
    rows.append(("train wall time (s)", t["skdigits"], "raw Keras fit", t["keras"], "<= 0.7"))
    rows.append(("train wall time (s)", t["skdigits"], "naive scikeras", t["naive"], ""))
    rows.append(("train wall time (s)", t["skdigits"], "MLPClassifier", t["mlp"], ""))
    rows.append(
        (
            "test accuracy (mean of seeds)",
            acc["skdigits"],
            "raw Keras fit",
            acc["keras"],
            ">= 0.980 (full)",
        )
    )
    rows.append(
        ("peak RSS, training (MB)", rss["skdigits"], "raw Keras fit", rss["keras"], "<= 1.0")
    )
    rows.append(("peak RSS, training (MB)", rss["skdigits"], "naive scikeras", rss["naive"], ""))

    print("Prediction ...", flush=True)
    predict = {who: _child("predict", who, data) for who in ("skdigits", "keras", "mlp")}
    rows.append(
        (
            "predict 1 image (ms, median)",
            predict["skdigits"]["one_ms"],
            "raw Keras predict",
            predict["keras"]["one_ms"],
            "ours <= 1 ms",
        )
    )
    rows.append(
        (
            "predict 1 image (ms, median)",
            predict["skdigits"]["one_ms"],
            "MLPClassifier",
            predict["mlp"]["one_ms"],
            "",
        )
    )
    rows.append(
        (
            "predict test set (ms, median)",
            predict["skdigits"]["batch_ms"],
            "raw Keras predict (batch 2048)",
            predict["keras"]["batch_ms"],
            "<= 1.0",
        )
    )
    rows.append(
        (
            "predict test set (ms, median)",
            predict["skdigits"]["batch_ms"],
            "MLPClassifier",
            predict["mlp"]["batch_ms"],
            "",
        )
    )

    print("Start-up ...", flush=True)
    python = sys.executable
    repeats = 5 if options.full else 3
    ours_import = _command_seconds([python, "-c", "import skdigits, sklearn.pipeline"], repeats)
    sklearn_import = _command_seconds([python, "-c", "import sklearn.pipeline"], repeats)
    bare = _command_seconds([python, "-c", "pass"], repeats)
    helper = _command_seconds([python, "-m", "skdigits", "--help"], repeats)
    rows.append(
        (
            "import skdigits + sklearn.pipeline (s)",
            ours_import,
            "import sklearn.pipeline",
            sklearn_import,
            "diff <= 0.15 s",
        )
    )
    rows.append(("skdigits --help (s)", helper, "python -c pass", bare, "ours <= 0.3 s"))

    lines = [
        "| measure | skdigits | baseline | baseline value | ratio | target |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]
    for measure, ours, baseline, value, target in rows:
        ratio = ours / value if value else float("nan")
        lines.append(
            f"| {measure} | {ours:.4g} | {baseline} | {value:.4g} | {ratio:.2f} | {target} |"
        )
    table = "\n".join(lines)
    extra = (
        f"\nNumPy and Keras probabilities differ by at most "
        f"{predict['skdigits']['max_abs_diff']:.2e}.\n\nPer seed (0, 1, ...), training "
        "seconds / test accuracy:\n\n"
    )
    for who, runs in train.items():
        extra += (
            f"- {who}: "
            + ", ".join(f"{r['seconds']:.1f} s / {r['accuracy']:.4f}" for r in runs)
            + "\n"
        )
    print("\n" + table + extra)
    if options.write:
        cpu, versions = _machine()
        command = "python benchmarks/run.py " + (
            "--full --write" if options.full else "--quick --write"
        )
        path = os.path.join(HERE, "RESULTS.md")
        kept = ""  # the sections other scripts wrote (benchmarks/search.py's), from their marker
        if os.path.exists(path):
            with open(path) as handle:
                text = handle.read()
            if "\n<!-- benchmarks/" in text:
                kept = "\n" + text[text.index("\n<!-- benchmarks/") + 1 :]
        with open(path, "w") as handle:
            handle.write(
                f"# Benchmark results\n\nCommand: `{command}` (with `SKDIGITS_DATA` pointing "
                f"at full MNIST for --full)\n\nMachine: {cpu}; "
                + ", ".join(f"{k} {v}" for k, v in versions.items())
                + f"\n\nData: {data}, {epochs} epoch(s), {seeds} seed(s); times are medians over "
                "seeds (training) or repeated calls (prediction), each measurement in its own "
                f"process.\n\n{table}\n{extra}{kept}"
            )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="child")
    train = sub.add_parser("train")
    for name in ("who", "data", "epochs", "seed"):
        train.add_argument(name, type=int if name in ("epochs", "seed") else str)
    predict = sub.add_parser("predict")
    predict.add_argument("who")
    predict.add_argument("data")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="embedded sample, 1 epoch (default)")
    mode.add_argument("--full", action="store_true", help="full MNIST, 10 epochs")
    parser.add_argument("--seeds", type=int, default=3, help="seeds for --full (default 3)")
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    options = parser.parse_args(argv)
    if options.child == "train":
        return child_train(options)
    if options.child == "predict":
        return child_predict(options)
    run(options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
