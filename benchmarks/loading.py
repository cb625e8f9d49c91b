"""Loading the shipped model to predict, without TensorFlow, against loading it with Keras.

Each measurement runs in its own fresh process, ``--runs`` times; the
figures are medians. The baselines are measured in the same run: the
former path (every network's Keras model built as loading did before,
``clf.model_``), and a bare ``import skdigits``.

    python benchmarks/loading.py [--runs 5] [--photo PICTURE] [--write]

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
    "times = []\n"
    "for _ in range(5):\n"
    "    t = time.perf_counter(); pipe.predict_proba(X); times.append(time.perf_counter() - t)\n"
    "print(sorted(times)[2])\n"
)


def _measure(argv):
    """Wall seconds, CPU seconds and peak RSS (MB) of one fresh process; its stdout."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
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
    (w, c, m), _ = _median([*skdigits, "predict", photo], args.runs)
    (kw, kc, km), _ = _median([py, "-c", _PREDICT_KERAS, photo], args.runs)
    rows.append(("`skdigits predict PHOTO`, wall (s)", w, "Keras path", kw, "<= 2 s"))
    rows.append(("`skdigits predict PHOTO`, CPU (s)", c, "Keras path", kc, ""))
    rows.append(("`skdigits predict PHOTO`, peak RSS (MB)", m, "Keras path", km, "<= 300 MB"))
    (iw, ic, _), _ = _median([py, "-c", "import skdigits"], args.runs)
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
    # alternating, so that both see the same share of a busy machine
    times = {"numpy": [], "keras": []}
    for _ in range(args.runs):
        for path in times:
            times[path].append(float(_measure([py, "-c", _BATCH, path])[3]))
    batch, keras_batch = (statistics.median(t) for t in times.values())
    rows.append(
        (
            "predict_proba, 5,000 sample digits (ms)",
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
