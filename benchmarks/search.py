"""EpochGridSearchCV against GridSearchCV: wall time in the same run, and identical results.

Each search runs in a fresh child process (TensorFlow loaded before the clock
starts), the two alternating over the repeats so a machine slowing down
mid-run hits both; the ratio of their median wall times (``fit``, refit of the
best candidate included) is what counts. The results must be the same: the
split scores, the best parameters and the refitted model's probabilities on
held-out digits.

    python benchmarks/search.py                   # 3,000 sample digits: a few minutes on 2 cores
    python benchmarks/search.py --write           # the same, and its section of RESULTS.md
    python benchmarks/search.py --full --repeats 1 --write   # full MNIST (SKDIGITS_DATA): ~10 min
    python benchmarks/search.py --tiny            # 600 digits, a tiny network: the smoke test

Full MNIST comes from the data home (``SKDIGITS_DATA``); nothing is downloaded.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# mode -> (data, digits searched, layer settings, epochs values, folds)
SETTINGS = {
    "sample": ("sample", 3000, [(1024, 128, 64), (256, 64)], [1, 2, 4, 6], 3),
    "full": ("full", 60000, [(1024, 128, 64), (256, 64)], [5, 10, 20], 3),
    "tiny": ("sample", 600, [(16,), (8,)], [1, 2], 2),
}
TARGET = 0.6


def _markers(mode):
    """Where the section of ``mode`` starts and ends in RESULTS.md."""
    marker = f"<!-- benchmarks/search.py {mode}"
    return f"{marker}: start -->", f"{marker}: end -->"


# -- the child: one search, one JSON line -------------------------------------------------
def _data(mode):
    import numpy as np

    import skdigits

    kind, n, _, _, _ = SETTINGS[mode]
    if kind == "full":
        (X, y), (Xt, yt) = skdigits.load_mnist(download_if_missing=False)
        return X, y, Xt
    X, y = skdigits.load_mnist_sample(return_X_y=True)
    return X[:n], np.asarray(y[:n]), X[n:]


def child(mode, who):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow  # noqa: F401  loaded before the clock starts
    from sklearn.model_selection import GridSearchCV

    import skdigits

    X, y, X_held_out = _data(mode)
    _, _, layers, epochs, folds = SETTINGS[mode]
    search_class = skdigits.EpochGridSearchCV if who == "epoch" else GridSearchCV
    search = search_class(
        skdigits.make_digit_pipeline(random_state=0),
        {"classifier__hidden_layer_sizes": layers, "classifier__epochs": epochs},
        cv=folds,
    )
    load = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    search.fit(X, y)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    results = search.cv_results_
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,  # all of the process's threads
                "load": load,  # the machine's 1-minute load average as the search started
                "refit_seconds": search.refit_time_,
                "split_scores": [results[f"split{i}_test_score"].tolist() for i in range(folds)],
                "mean_scores": results["mean_test_score"].tolist(),
                "best_params": repr(search.best_params_),
                "best_score": float(search.best_score_),
                "proba": search.predict_proba(X_held_out).astype(float).round(7).tolist(),
                "epochs_trained": getattr(search, "epochs_trained_", None),
                "epochs_saved": getattr(search, "epochs_saved_", None),
            }
        )
    )


def _child(mode, who):
    out = subprocess.run(
        [sys.executable, __file__, "child", mode, who],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    if out.returncode:
        raise RuntimeError(f"benchmark child {mode} {who} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- the parent ---------------------------------------------------------------------------
def run(mode, repeats):
    import numpy as np

    kind, n, layers, epochs, folds = SETTINGS[mode]
    print(
        f"{len(layers)} layer settings x epochs {epochs}, {n:,} {kind} digits, cv={folds}, "
        f"{repeats} repeat(s) ...",
        flush=True,
    )
    runs = {"epoch": [], "grid": []}
    for repeat in range(repeats):
        for who in ("epoch", "grid") if repeat % 2 == 0 else ("grid", "epoch"):
            runs[who].append(_child(mode, who))
            print(f"  {who}: {runs[who][-1]['seconds']:.1f} s", flush=True)
    ours, theirs = runs["epoch"][0], runs["grid"][0]
    score_diff = float(np.abs(np.subtract(ours["split_scores"], theirs["split_scores"])).max())
    proba_diff = float(np.abs(np.subtract(ours["proba"], theirs["proba"])).max())
    same_best = ours["best_params"] == theirs["best_params"]
    t_ours = statistics.median(r["seconds"] for r in runs["epoch"])
    t_theirs = statistics.median(r["seconds"] for r in runs["grid"])
    refit = statistics.median(r["refit_seconds"] for r in runs["epoch"] + runs["grid"])
    cpu_ours = statistics.median(r["cpu_seconds"] for r in runs["epoch"])
    cpu_theirs = statistics.median(r["cpu_seconds"] for r in runs["grid"])
    ratio = t_ours / t_theirs
    trained, saved = ours["epochs_trained"], ours["epochs_saved"]
    lines = [
        "| measure | EpochGridSearchCV | GridSearchCV | ratio | target |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| search wall time, refit included (s, median) | {t_ours:.1f} | {t_theirs:.1f} | "
        f"{ratio:.2f} | <= {TARGET} |",
        f"| search wall time without the refit (s) | {t_ours - refit:.1f} | "
        f"{t_theirs - refit:.1f} | {(t_ours - refit) / (t_theirs - refit):.2f} | |",
        f"| search CPU time, all threads (s, median) | {cpu_ours:.1f} | {cpu_theirs:.1f} | "
        f"{cpu_ours / cpu_theirs:.2f} | |",
        f"| epochs trained over the folds | {trained} | {trained + saved} | "
        f"{trained / (trained + saved):.2f} | |",
        f"| best parameters | {ours['best_params']} | {theirs['best_params']} | "
        f"{'same' if same_best else 'DIFFERENT'} | same |",
        f"| best mean CV accuracy | {ours['best_score']:.4f} | {theirs['best_score']:.4f} | | |",
    ]
    table = "\n".join(lines)
    equality = (
        f"Largest difference of a split score: {score_diff:.2e}; of the refitted best "
        f"model's probabilities on {len(ours['proba']):,} held-out digits: "
        f"{proba_diff:.2e}."
    )
    per_run = (
        "Wall times per run (s): EpochGridSearchCV "
        + ", ".join(f"{r['seconds']:.1f}" for r in runs["epoch"])
        + "; GridSearchCV "
        + ", ".join(f"{r['seconds']:.1f}" for r in runs["grid"])
        + f". The refit of the best candidate took about {refit:.1f} s in each. Load "
        "average (1 min) as each search started: "
        + ", ".join(f"{r['load']:.1f}" for r in runs["epoch"] + runs["grid"])
        + f" on {os.cpu_count()} cores; on a shared machine, the CPU times are the "
        "steadier measure."
    )
    print("\n" + table + "\n\n" + equality + "\n\n" + per_run)
    ok = same_best and score_diff < 1e-6 and proba_diff < 1e-5
    return table, equality, per_run, ok


def write(mode, repeats, table, equality, per_run):
    sys.path.insert(0, HERE)
    from run import _machine

    cpu, versions = _machine()
    kind, n, layers, epochs, folds = SETTINGS[mode]
    command = (
        "python benchmarks/search.py"
        + (" --full" if mode == "full" else "")
        + (f" --repeats {repeats}" if repeats != 3 else "")
        + " --write"
    )
    title = "full MNIST" if mode == "full" else "sample digits"
    section = (
        f"## Grid search over epochs, {title}: EpochGridSearchCV against GridSearchCV\n\n"
        f"Command: `{command}`\n\nMachine: {cpu}; "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + f"\n\nGrid: hidden_layer_sizes {layers} x epochs {epochs}, {n:,} {kind} MNIST "
        f"digits, cv={folds}, random_state=0; each search in its own process, the two "
        f"alternating over {repeats} repeat(s).\n\n{table}\n\n{equality}\n\n{per_run}\n"
    )
    path = os.path.join(HERE, "RESULTS.md")
    with open(path) as handle:
        text = handle.read()
    text = _put_section(text, mode, section)
    if mode != "full" and _markers("full")[0] not in text:
        _, _, layers, epochs, folds = SETTINGS["full"]
        text = _put_section(
            text,
            "full",
            (
                "## Grid search over epochs, full MNIST: EpochGridSearchCV against GridSearchCV"
                "\n\n"
                f"Grid: hidden_layer_sizes {layers} x epochs {epochs}, 60,000 digits, cv={folds}. "
                "Not yet run. Command: `SKDIGITS_DATA=../shared/data python benchmarks/search.py "
                "--full --repeats 1 --write` (`SKDIGITS_DATA`: a data home holding mnist/). "
                "Estimate from run.py's full-MNIST timings: about 10 minutes for the two searches "
                "on an idle 2-core machine (GridSearchCV trains 3 x 35 epochs per layer setting "
                "on 40,000 digits, EpochGridSearchCV 3 x 20, plus one 20-epoch refit each).\n"
            ),
        )
    with open(path, "w") as handle:
        handle.write(text)
    print(f"Wrote {path}.")


def _put_section(text, mode, section):
    """``text`` with the section of ``mode`` replaced by ``section``, or ``section`` added."""
    start, end = _markers(mode)
    block = f"{start}\n{section}{end}\n"
    if start in text and end in text:
        return text[: text.index(start)] + block + text[text.index(end) + len(end) + 1 :]
    return text.rstrip("\n") + "\n\n" + block


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["child"]:
        return child(*argv[1:3])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--full", action="store_true", help="full MNIST, epochs 5, 10, 20")
    mode.add_argument("--tiny", action="store_true", help="600 digits, a tiny network")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each search (default 3)")
    parser.add_argument("--write", action="store_true", help="write the section of RESULTS.md")
    options = parser.parse_args(argv)
    mode = "full" if options.full else "tiny" if options.tiny else "sample"
    table, equality, per_run, ok = run(mode, options.repeats)
    if options.write and mode != "tiny":
        write(mode, options.repeats, table, equality, per_run)
    if not ok:
        print("The two searches differ.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
