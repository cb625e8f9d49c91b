"""Loading the shipped model to predict, without TensorFlow, against loading it with Keras.

Each measurement runs in its own fresh process, ``--runs`` times; the
figures are medians. The baselines are measured in the same run: the
former path (every network's Keras model built as loading did before,
``clf.model_``), and a bare ``import skdigits``.

    python benchmarks/loading.py [--runs 5] [--photo PICTURE] [--write]

``load_pretrained()`` is split into its floor -- importing what the loaded
pipeline is made of (NumPy, scikit-learn's pipeline and ensemble modules),
which any loader of that object pays -- and the rest, skdigits' own part.
Batch prediction is timed twice: wall time with NumPy's default BLAS
threads, and CPU time on one BLAS thread, which a busy machine disturbs
far less (a multi-threaded BLAS waits for its slowest thread).

``--write`` replaces the "Loading to predict" section of benchmarks/RESULTS.md.
CPU seconds (user + system) are given beside wall seconds: on a shared
machine the wall time also counts the other programs' turns.
"""

import argparse
import glob
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
# the dev set's photos of threes: SKDIGITS_REALDIGITS, else ../shared beside the repository
DEV_SET = os.environ.get(
    "SKDIGITS_REALDIGITS", os.path.join(HERE, "..", "..", "shared", "data", "realdigits-dev")
)
PHOTOS = os.path.join(DEV_SET, "photos", "3", "*")

# The former path: each network loaded with Keras as the file is read (the NumPy
# reader told to refuse it), predictions then on the NumPy pass of its weights.
_KERAS_PATH = (
    "import warnings; warnings.simplefilter('ignore'); "
    "import skdigits.model._classifier as c; "
    "c.numpy_activation_reason = lambda layers: 'baseline'; "
)
_LOAD = "import skdigits; skdigits.load_pretrained()"
# What the loaded pipeline is made of, whoever loads it: the floor of _LOAD.
_FLOOR = "import skdigits, numpy, sklearn.pipeline, sklearn.ensemble"
_LOAD_KERAS = _KERAS_PATH + _LOAD
_PREDICT_KERAS = (
    _KERAS_PATH
    + "import sys; from skdigits.cli import main; sys.exit(main(['predict', sys.argv[1]]))"
)
_BATCH = (
    "import sys, time, numpy as np, skdigits\n"
    "if sys.argv[1] == 'keras':\n"
    "    import skdigits.model._classifier as c\n"
    "    c.numpy_activation_reason = lambda layers: 'baseline'\n"
    "    import warnings; warnings.simplefilter('ignore')\n"
    "pipe = skdigits.load_pretrained()\n"
    "X, _ = skdigits.load_mnist_sample(return_X_y=True)\n"
    "pipe.predict_proba(X[:100])\n"
    "clock = time.process_time if sys.argv[2] == 'cpu' else time.perf_counter\n"
    "times = []\n"
    "for _ in range(5):\n"
    "    t = clock(); pipe.predict_proba(X); times.append(clock() - t)\n"
    "print(sorted(times)[2])\n"
)

# Both pipelines in one process (so TensorFlow is imported for both), their
# predict_proba timed alternately: the prediction itself, without the
# differences between a process with TensorFlow and one without.
_BATCH_ONE_PROCESS = (
    "import time, warnings, numpy as np, skdigits\n"
    "import skdigits.model._classifier as c\n"
    "warnings.simplefilter('ignore')\n"
    "ours = skdigits.load_pretrained()\n"
    "reason = c.numpy_activation_reason\n"
    "c.numpy_activation_reason = lambda layers: 'baseline'\n"
    "keras = skdigits.load_pretrained()\n"
    "c.numpy_activation_reason = reason\n"
    "X, _ = skdigits.load_mnist_sample(return_X_y=True)\n"
    "times = {'ours': [], 'keras': []}\n"
    "for _ in range(7):\n"
    "    for name, pipe in (('ours', ours), ('keras', keras)):\n"
    "        t = time.process_time(); pipe.predict_proba(X)\n"
    "        times[name].append(time.process_time() - t)\n"
    "print(np.median(times['ours']), np.median(times['keras']))\n"
)


# As an installed package runs: from compiled bytecode (pip writes it at install),
# even where the environment says not to write it (PYTHONDONTWRITEBYTECODE).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _measure(argv, env=None):
    """Wall seconds, CPU seconds and peak RSS (MB) of one fresh process; its stdout."""
    env = {**_ENV, **(env or {})}
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"{argv} failed ({status})")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.decode()


def _median(argv, runs):
    results = [_measure(argv) for _ in range(runs)]
    return [statistics.median(r[i] for r in results) for i in range(3)], results[-1][3]


def _first_draw_prediction(photo):
    """Seconds from starting ``skdigits draw`` to its first answered ``POST /predict``."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open(photo, "rb") as handle:
        body = handle.read()
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "skdigits", "draw", "--no-browser", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_ENV,
    )
    try:
        while time.perf_counter() - start < 120:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/predict", data=body, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    answer.read()
                return time.perf_counter() - start
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("draw never answered")
    finally:
        server.terminate()
        server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--photo", default=None)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    photo = args.photo or sorted(glob.glob(PHOTOS))[0]
    py = sys.executable
    skdigits = [py, "-m", "skdigits"]
    rows = []
    _measure([py, "-c", _PREDICT_KERAS, photo])  # writes the bytecode of every module used
    (w, c, m), _ = _median([*skdigits, "predict", photo], args.runs)
    (kw, kc, km), _ = _median([py, "-c", _PREDICT_KERAS, photo], args.runs)
    rows.append(("`skdigits predict PHOTO`, wall (s)", w, "Keras path", kw, "<= 2 s"))
    rows.append(("`skdigits predict PHOTO`, CPU (s)", c, "Keras path", kc, ""))
    rows.append(("`skdigits predict PHOTO`, peak RSS (MB)", m, "Keras path", km, "<= 300 MB"))
    (iw, ic, _), _ = _median([py, "-c", "import skdigits"], args.runs)
    (fw, fc, _), _ = _median([py, "-c", _FLOOR], args.runs)
    (lw, lc, lm), _ = _median([py, "-c", _LOAD], args.runs)
    (kw, kc, km), _ = _median([py, "-c", _LOAD_KERAS], args.runs)
    rows.append(
        (
            "load_pretrained() over import skdigits, wall (s)",
            lw - iw,
            "Keras path",
            kw - iw,
            "<= 1 s",
        )
    )
    rows.append(
        ("load_pretrained() over import skdigits, CPU (s)", lc - ic, "Keras path", kc - ic, "")
    )
    rows.append(("load_pretrained(), peak RSS (MB)", lm, "Keras path", km, ""))
    rows.append(
        (
            "of which importing numpy, sklearn.pipeline, sklearn.ensemble, wall (s)",
            fw - iw,
            "",
            None,
            "",
        )
    )
    rows.append(
        (
            "of which the rest: reading the file, building the pipeline, wall (s)",
            lw - fw,
            "",
            None,
            "",
        )
    )
    draws = [_first_draw_prediction(photo) for _ in range(args.runs)]
    rows.append(
        (
            "`skdigits draw`: first prediction after start (s)",
            statistics.median(draws),
            "",
            None,
            "<= 3 s",
        )
    )
    # alternating, so that both see the same share of a busy machine; wall
    # time with NumPy's own BLAS threads, and CPU time on one BLAS thread
    # (what the arithmetic costs, whatever else the machine runs)
    one_thread = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    for clock, env, label in (
        ("wall", None, "wall, default BLAS threads"),
        ("cpu", one_thread, "CPU, one BLAS thread"),
    ):
        times = {"numpy": [], "keras": []}
        for _ in range(args.runs):
            for path in times:
                argv = [py, "-c", _BATCH, path, clock]
                times[path].append(float(_measure(argv, env)[3]))
        batch, keras_batch = (statistics.median(t) for t in times.values())
        rows.append(
            (
                f"predict_proba, 5,000 sample digits, {label} (ms)",
                1000 * batch,
                "Keras-built networks",
                1000 * keras_batch,
                "ratio <= 1.0",
            )
        )
    pairs = [_measure([py, "-c", _BATCH_ONE_PROCESS], one_thread)[3].split() for _ in range(3)]
    batch, keras_batch = (statistics.median(float(p[i]) for p in pairs) for i in (0, 1))
    rows.append(
        (
            "predict_proba, 5,000 sample digits, CPU, one BLAS thread, both in one process (ms)",
            1000 * batch,
            "Keras-built networks",
            1000 * keras_batch,
            "ratio <= 1.0",
        )
    )
    lines = [
        "## Loading to predict: the shipped model without TensorFlow",
        "",
        f"Command: `python benchmarks/loading.py --runs {args.runs} --write`; photo "
        f"`{os.path.relpath(photo, '/work/shared/data')}`; medians of {args.runs} fresh "
        "processes each. Baseline, same run: the former path, every network loaded with "
        "Keras as the file is read. CPU = user + system seconds (the machine is shared, "
        f"so wall times include other programs' turns); load average at start: "
        f"{os.getloadavg()[0]:.1f}.",
        "",
        "| measure | skdigits | baseline | baseline value | ratio | target |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]
    for name, ours, base_name, base, target in rows:
        ratio = "" if base is None else f"{ours / base:.2f}"
        base_value = "" if base is None else f"{base:.3g}"
        lines.append(f"| {name} | {ours:.3g} | {base_name} | {base_value} | {ratio} | {target} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        path = os.path.join(HERE, "RESULTS.md")
        with open(path, encoding="utf-8") as handle:
            results = handle.read()
        section = re.compile(r"## Loading to predict:.*?(?=\n## |\Z)", re.S)
        if section.search(results):
            results = section.sub(lambda _: text.rstrip("\n") + "\n", results)
        else:
            results = results.rstrip("\n") + "\n\n" + text
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(results)


if __name__ == "__main__":
    main()
