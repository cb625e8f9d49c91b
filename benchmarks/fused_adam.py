"""The fused Adam update of the training loop against Keras' ``optimizer.apply``.

``skdigits.model._training`` updates Adam's weights with TensorFlow's fused
``ResourceApplyAdam`` kernel when it can (``_fused_adam_slots``), and with
``optimizer.apply`` otherwise. This times one epoch of the reference network
(batch 64) both ways, inside the same compiled epoch function, the two
alternating round by round so that a noisy machine slows both alike; the
first round traces the functions and is dropped. Prints the epoch times and
the median ratio.

    SKDIGITS_DATA=../shared/data python benchmarks/fused_adam.py     # full MNIST
    python benchmarks/fused_adam.py --sample --repeats 3              # embedded sample

The issue that asked for it kept the fused branch only if it saves at least
10 % of an epoch; the figure is in ``_fused_adam_slots``' docstring.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", action="store_true", help="the 5,000 embedded digits")
    parser.add_argument("--repeats", type=int, default=5, help="timed epochs each (default 5)")
    args = parser.parse_args(argv)

    import numpy as np
    import tensorflow as tf

    import skdigits
    import skdigits.model._training as training
    from skdigits import DigitClassifier

    if args.sample:
        X, y = skdigits.load_mnist_sample(return_X_y=True)
    else:
        (X, y), _ = skdigits.load_mnist(download_if_missing=False)
    X = (X.reshape(len(X), -1) / 255.0).astype(np.float32)
    Y = np.eye(10, dtype=np.float32)[y]

    fused = training._fused_adam_slots
    epochs = {}
    for name in ("fused", "apply"):
        model = DigitClassifier(random_state=0, verbose=0).fit(X[:64], y[:64]).model_
        # _make_epoch_function asks _fused_adam_slots once, when it builds the loop
        training._fused_adam_slots = fused if name == "fused" else (lambda *args: None)
        try:
            epochs[name] = training._make_epoch_function(model, 64)
        finally:
            training._fused_adam_slots = fused

    tX, tY, tW = (tf.convert_to_tensor(a) for a in (X, Y, np.ones(len(X), np.float32)))
    seed = tf.zeros(2, tf.int32)
    rng = np.random.default_rng(0)
    times = {"fused": [], "apply": []}
    for round_ in range(args.repeats + 1):
        order = tf.convert_to_tensor(rng.permutation(len(X)).astype(np.int32))
        for name in ("fused", "apply") if round_ % 2 == 0 else ("apply", "fused"):
            start = time.perf_counter()
            loss, _ = epochs[name](tX, tY, tW, order, seed)
            float(loss)
            if round_:
                times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"{len(X):,} rows, batch 64, reference network; epoch seconds:")
    for name, values in times.items():
        print(f"  {name:6s} " + " ".join(f"{t:.3f}" for t in values))
    ratio = median["fused"] / median["apply"]
    print(
        f"median epoch: fused {median['fused']:.3f} s, optimizer.apply {median['apply']:.3f} s; "
        f"fused/apply = {ratio:.2f} (saves {1 - ratio:.0%})"
    )


if __name__ == "__main__":
    main()
