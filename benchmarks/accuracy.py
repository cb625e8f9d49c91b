"""Accuracy benchmark: preset="best" on full MNIST, and what augmentation costs.

Each training runs in its own process. Two measurements:

- ``best``: ``make_digit_pipeline(preset="best")`` trained on the 60,000
  MNIST training digits with seeds 0, 1, 2, each timed (wall) and scored on
  the 10,000 test digits; target: mean >= 99.3 %, each run <= 10 minutes.
- ``overhead``: seconds per epoch of the reference network with
  ``augment=None``, ``"affine"`` and ``"elastic"``, alternating in one run,
  medians over repeats; target: augmentation <= 1.3x the plain epoch.

    python benchmarks/accuracy.py --write            # both; updates RESULTS.md
    python benchmarks/accuracy.py --overhead-only    # a few minutes

Full MNIST comes from the data home (``SKDIGITS_DATA``); nothing is downloaded.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _markers(name):
    return (
        f"<!-- benchmarks/accuracy.py {name}: start -->",
        f"<!-- benchmarks/accuracy.py {name}: end -->",
    )


def _write_section(name, body):
    """Replace (or append) the section ``name`` of RESULTS.md, leaving the others."""
    start, end = _markers(name)
    section = f"{start}\n{body}\n{end}"
    path = os.path.join(HERE, "RESULTS.md")
    text = open(path, encoding="utf-8").read()
    if start in text:
        text = text[: text.index(start)] + section + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def child_best(seed):
    import time

    import skdigits

    (X, y), (Xt, yt) = skdigits.load_mnist(download_if_missing=False)
    pipe = skdigits.make_digit_pipeline(preset="best", random_state=seed)
    start = time.perf_counter()
    pipe.fit(X, y)
    seconds = time.perf_counter() - start
    return {"seed": seed, "seconds": seconds, "accuracy": float(pipe.score(Xt, yt))}


def child_epoch(augment, epochs):
    import skdigits

    (X, y), _ = skdigits.load_mnist(download_if_missing=False)
    augment = None if augment == "none" else augment
    pipe = skdigits.make_digit_pipeline(epochs=1, random_state=0, augment=augment)
    pipe.fit(X[:2000], y[:2000])  # trace the loop once outside the timing
    clf = pipe["classifier"].set_params(warm_start=True, epochs=epochs)
    Z = pipe[:-1].transform(X)
    import time

    start = time.perf_counter()
    clf.fit(Z, y)
    return {
        "augment": augment or "none",
        "seconds_per_epoch": (time.perf_counter() - start) / epochs,
    }


def _child(*argv):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run(
        [sys.executable, __file__, "child", *argv],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(options):
    command = "Command: `SKDIGITS_DATA=../shared/data python benchmarks/accuracy.py --write`"
    if not options.overhead_only:
        results = []
        for seed in range(options.seeds):
            results.append(_child("best", str(seed)))
            print(json.dumps(results[-1]), flush=True)
        mean = statistics.mean(r["accuracy"] for r in results)
        best = [
            '## Accuracy: preset="best" on full MNIST',
            "",
            command,
            "",
            "| seed | training wall time (s) | test accuracy |",
            "| ---: | ---: | ---: |",
            *(f"| {r['seed']} | {r['seconds']:.0f} | {r['accuracy']:.4f} |" for r in results),
            f"| mean | {statistics.mean(r['seconds'] for r in results):.0f} | {mean:.4f} |",
            "",
            "Targets: mean test accuracy >= 0.993, each training <= 600 s.",
        ]
        print("\n".join(best))
        if options.write:
            _write_section("best", "\n".join(best))
    per_kind = {"none": [], "affine": [], "elastic": []}
    for _ in range(options.repeats):
        for kind in per_kind:  # alternate, so load changes hit all kinds alike
            per_kind[kind].append(_child("epoch", kind, str(options.epochs))["seconds_per_epoch"])
            print(kind, per_kind[kind][-1], flush=True)
    plain = statistics.median(per_kind["none"])
    overhead = [
        "## What augmentation costs (reference network, full MNIST, seconds per epoch)",
        "",
        command + " (or `--overhead-only`)",
        "",
        "| augment | median s/epoch | ratio to none | target |",
        "| --- | ---: | ---: | --- |",
        *(
            f"| {kind} | {statistics.median(v):.2f} | {statistics.median(v) / plain:.2f} | "
            f"{'' if kind == 'none' else '<= 1.30'} |"
            for kind, v in per_kind.items()
        ),
        "",
        f"Medians of {options.repeats} alternating runs of {options.epochs} epochs each, "
        "every run in its own process.",
    ]
    print("\n".join(overhead))
    if options.write:
        _write_section("overhead", "\n".join(overhead))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "child":
        kind, *rest = argv[1:]
        result = child_best(int(rest[0])) if kind == "best" else child_epoch(rest[0], int(rest[1]))
        print(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2, help="epochs per overhead run")
    parser.add_argument("--overhead-only", action="store_true")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    run(parser.parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
