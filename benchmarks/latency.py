"""Latency of one prediction: the fitted digit pipeline against MLPClassifier.

Both models are fitted on the first 2,000 digits of the embedded sample
(``make_digit_pipeline(epochs=1)`` and ``MLPClassifier`` with the same hidden
layers, ``max_iter=1``: the training does not matter here) and then predict
one held-out digit, over and over, in the same process: rounds of calls
alternate between the two, so a busy machine slows both alike. The pipeline
gets the raw 28x28 image of 0-255 pixels and checks it in full (scaler,
reshape, classifier); MLPClassifier gets the row already scaled and
flattened, as in ``benchmarks/run.py``.

    python benchmarks/latency.py                 # about 30 seconds
    python benchmarks/latency.py --write         # and its section of RESULTS.md
"""

import argparse
import os
import statistics
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
HIDDEN = (1024, 128, 64)
MARKERS = ("<!-- benchmarks/latency.py: start -->", "<!-- benchmarks/latency.py: end -->")


def measure(rounds, calls):
    """Median microseconds per call of each contender."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from sklearn.neural_network import MLPClassifier

    import skdigits

    X, y = skdigits.load_mnist_sample(return_X_y=True)
    n = 2000
    one = X[4000:4001]
    pipe = skdigits.make_digit_pipeline(epochs=1, random_state=0).fit(X[:n], y[:n])
    mlp = MLPClassifier(hidden_layer_sizes=HIDDEN, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one iteration does not converge
        mlp.fit(X[:n].reshape(n, -1) / 255.0, y[:n])
    one_scaled = one.reshape(1, -1) / 255.0
    contenders = {
        "skdigits pipeline predict": lambda: pipe.predict(one),
        "skdigits pipeline predict_proba": lambda: pipe.predict_proba(one),
        "MLPClassifier predict": lambda: mlp.predict(one_scaled),
    }
    times = {name: [] for name in contenders}
    for function in contenders.values():  # warm caches and lazy imports
        for _ in range(50):
            function()
    for r in range(rounds):
        order = list(contenders.items())
        for name, function in order if r % 2 == 0 else order[::-1]:
            for _ in range(calls):
                start = time.perf_counter()
                function()
                times[name].append(time.perf_counter() - start)
    return {name: 1e6 * statistics.median(values) for name, values in times.items()}


def table(medians):
    mlp = medians["MLPClassifier predict"]
    rows = [
        "| measure | median (us) | ratio to MLPClassifier predict | target |",
        "| --- | ---: | ---: | --- |",
    ]
    for name, value in medians.items():
        target = "<= 200 us" if name == "skdigits pipeline predict" else ""
        rows.append(f"| {name} | {value:.1f} | {value / mlp:.2f} | {target} |")
    return "\n".join(rows)


def write(text, rounds, calls):
    sys.path.insert(0, HERE)
    from run import _machine

    cpu, versions = _machine()
    command = (
        "python benchmarks/latency.py"
        + (f" --rounds {rounds}" if rounds != 30 else "")
        + (f" --calls {calls}" if calls != 100 else "")
        + " --write"
    )
    section = (
        "## Predicting one image: the fitted pipeline against MLPClassifier\n\n"
        f"Command: `{command}`\n\nMachine: {cpu}; "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + f"\n\nOne held-out 28x28 digit, predicted {rounds} x {calls} times by each model, "
        "in rounds alternating between them in one process (medians of all calls). The "
        "pipeline gets raw 0-255 pixels and checks them in full; MLPClassifier "
        f"(hidden layers {HIDDEN}) gets the row already scaled and flattened.\n\n{text}\n"
    )
    path = os.path.join(HERE, "RESULTS.md")
    with open(path) as handle:
        old = handle.read()
    start, end = MARKERS
    block = f"{start}\n{section}{end}\n"
    if start in old and end in old:
        new = old[: old.index(start)] + block + old[old.index(end) + len(end) + 1 :]
    else:
        new = old.rstrip("\n") + "\n\n" + block
    with open(path, "w") as handle:
        handle.write(new)
    print(f"Wrote {path}.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="alternating rounds (default 30)")
    parser.add_argument("--calls", type=int, default=100, help="calls per round (default 100)")
    parser.add_argument("--write", action="store_true", help="write the section of RESULTS.md")
    options = parser.parse_args(argv)
    medians = measure(options.rounds, options.calls)
    text = table(medians)
    print(text)
    if options.write:
        write(text, options.rounds, options.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
