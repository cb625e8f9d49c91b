"""Early stopping against the best fixed ``epochs`` of a 1-40 sweep, and what it costs per epoch.

Three fits of the reference network (batch 64, Adam 0.001, ``random_state=0``):

1. the sweep: one 40-epoch fit on the whole training set, scored on the test
   set after each epoch (``skdigits.model.observing_epochs``). With a constant
   learning rate, a fit of ``k`` epochs is the first ``k`` epochs of this one
   (same seed, same shuffles; ``--check`` verifies it on a small case), so its
   40 test scores are those of the fits ``epochs=1..40``;
2. early stopping: ``early_stopping=True, epochs=40`` (``validation_fraction=0.1``,
   ``n_iter_no_change=10``, ``tol=1e-4``, the defaults);
3. the same training rows as 2 (its stratified 90 %), without early stopping,
   for as many epochs as 2 ran.

Per-epoch times are the gaps between the ends of successive epochs (the first
epoch, which traces the compiled functions, is left out), medians per fit.
Separate fits on a shared machine differ by more than early stopping costs,
so its cost is measured inside fit 2 itself: each epoch's validation pass is
timed (and the copy of the best weights, on the epochs that improve), and the
ratio is the median epoch against the median epoch without those parts --
"with" and "without" from the same epochs, in one run. ``--overhead`` runs
fit 2 only.

    SKDIGITS_DATA=../shared/data python benchmarks/early_stopping.py         # full MNIST
    python benchmarks/early_stopping.py --sample --epochs 10                  # embedded sample
    python benchmarks/early_stopping.py --check                               # k of 2k == k
    SKDIGITS_DATA=../shared/data python benchmarks/early_stopping.py --seeds 0 1 2

``--seeds`` compares accuracies only, as medians over seeds (one seed's gap is
inside the epoch-to-epoch wandering of the test score), and replays the
stopping rule on the validation loss beside the accuracy (see
:func:`seed_study`).
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _data(sample):
    import numpy as np

    import skdigits

    if sample:
        X, y = skdigits.load_mnist_sample(return_X_y=True)
        X, Xt, y, yt = X[:4000], X[4000:], y[:4000], y[4000:]
    else:
        (X, y), (Xt, yt) = skdigits.load_mnist(download_if_missing=False)
    flat = lambda images: images.reshape(len(images), -1).astype(np.float32) / 255  # noqa: E731
    return flat(X), np.asarray(y), flat(Xt), np.asarray(yt)


def _timed_fit(clf, X, y, on_epoch=None):
    """Fit ``clf``; return (seconds, per-epoch gaps), scoring with ``on_epoch`` untimed."""
    from skdigits.model import observing_epochs

    ends, scoring = [], [0.0]

    def epoch_done(done):
        ends.append(time.perf_counter() - scoring[0])
        if on_epoch is not None:
            start = time.perf_counter()
            on_epoch(done)
            scoring[0] += time.perf_counter() - start

    start = time.perf_counter()
    with observing_epochs(clf, epoch_done):
        clf.fit(X, y)
    seconds = time.perf_counter() - start - scoring[0]
    gaps = [b - a for a, b in zip(ends, ends[1:])]
    return seconds, gaps


def _timing_validation():
    """Time every validation pass of the training loop; returns the list it fills."""
    import skdigits.model._training as training

    seconds, make = [], training._make_validation_function

    def timed_maker(*args, **kwargs):
        score = make(*args, **kwargs)

        def timed(*tensors):
            start = time.perf_counter()
            loss, accuracy = score(*tensors)
            result = float(loss), float(accuracy)  # waits for the values
            seconds.append(time.perf_counter() - start)
            return result

        return timed

    training._make_validation_function = timed_maker
    return seconds


def overhead(stopped, stop_gaps, validation_seconds):
    """Early stopping's per-epoch cost within its own fit: (ratio, val s, copy s)."""
    scores, best, copies = stopped.validation_scores_, -float("inf"), []
    for score in scores:
        copies.append(score > best)
        best = max(best, score)
    weights = stopped.model_.weights
    start = time.perf_counter()
    for _ in range(5):
        [w.numpy() for w in weights]
    copy = (time.perf_counter() - start) / 5
    # gaps[i] is epoch i + 2 (the first epoch, tracing, has no gap)
    without = [
        gap - validation_seconds[i + 1] - copy * copies[i + 1] for i, gap in enumerate(stop_gaps)
    ]
    med = statistics.median
    return med(stop_gaps) / med(without), med(validation_seconds[1:]), copy


def check_prefix_claim():
    """A fit of k epochs equals the first k epochs of a longer one (same seed)."""
    import numpy as np

    from skdigits import DigitClassifier

    X, y, Xt, _ = _data(sample=True)
    X, y = X[:1500], y[:1500]
    params = dict(hidden_layer_sizes=(128, 64), random_state=0)
    seen = {}

    def keep(done):
        seen[done] = long.predict_proba(Xt)

    long = DigitClassifier(epochs=6, **params)
    _timed_fit(long, X, y, keep)
    worst = 0.0
    for k in (1, 3, 5):
        short = DigitClassifier(epochs=k, **params).fit(X, y)
        worst = max(worst, float(np.abs(short.predict_proba(Xt) - seen[k]).max()))
    print(f"fits of 1, 3, 5 epochs against epochs 1, 3, 5 of a 6-epoch fit: max |dp| = {worst:.2e}")
    return worst


def _replay(scores, n_iter_no_change=10, tol=1e-4):
    """The epoch early stopping keeps and the epochs it runs, given each epoch's score.

    The classifier's own rule (``skdigits.model._training.EarlyStopping``),
    replayed on scores recorded after every epoch of a fit run to the end.
    """
    from skdigits.model._training import EarlyStopping

    rule = EarlyStopping(n_iter_no_change, tol)
    for score in scores:
        rule.update(score)
        if rule.stopped:
            break
    return rule.best_epoch, rule.epochs_done


def _scored_fits(seed, epochs, X, y, Xt, yt):
    """The two fits of one seed: per-epoch test accuracy of each, validation scores of one."""
    import numpy as np
    from sklearn.metrics import log_loss
    from sklearn.model_selection import train_test_split

    from skdigits import DigitClassifier

    sweep = DigitClassifier(epochs=epochs, random_state=seed)
    test_all = []
    _timed_fit(sweep, X, y, lambda done: test_all.append(sweep.score(Xt, yt)))

    # early stopping's own rows: the split train_test_split gives for this seed
    X_fit, X_val, y_fit, y_val = train_test_split(
        X, y, test_size=0.1, stratify=y, random_state=seed
    )
    held = DigitClassifier(epochs=epochs, random_state=seed)
    val_acc, val_loss, test_held = [], [], []

    def score_held(done):
        proba = held.predict_proba(X_val)
        val_acc.append(float(np.mean(held.classes_[proba.argmax(axis=1)] == y_val)))
        val_loss.append(float(log_loss(y_val, proba, labels=held.classes_)))
        test_held.append(held.score(Xt, yt))

    _timed_fit(held, X_fit, y_fit, score_held)
    return test_all, val_acc, val_loss, test_held


def seed_study(seeds, epochs, sample):
    """Median over seeds of the sweep's best epochs and of early stopping, by accuracy and loss.

    Per seed, two fits run to ``epochs`` without stopping, each scored after every
    epoch: the sweep on all training rows (test accuracy of ``epochs=1..N``),
    and a fit on early stopping's own 90 % (the stratified split of that seed),
    scoring its 10 % (accuracy and log-loss) and the test set. A fit of ``k``
    epochs is the first ``k`` epochs of a longer one (``--check``), so
    replaying the stopping rule on those scores gives what
    ``early_stopping=True`` keeps: on validation accuracy (the classifier's
    rule, ``MLPClassifier``'s) and on validation loss (Keras' default monitor).
    """
    import numpy as np

    X, y, Xt, yt = _data(sample)
    rows = []
    for seed in seeds:
        start = time.perf_counter()
        test_all, val_acc, val_loss, test_held = _scored_fits(seed, epochs, X, y, Xt, yt)
        best_k = int(np.argmax(test_all)) + 1
        kept_acc, ran_acc = _replay(val_acc)
        kept_loss, ran_loss = _replay([-v for v in val_loss])
        row = {
            "seed": seed,
            "best_k": best_k,
            "best": test_all[best_k - 1],
            "plateau": float(np.median(test_all[7:] or test_all)),
            "acc_kept": kept_acc,
            "acc_ran": ran_acc,
            "acc": test_held[kept_acc - 1],
            "loss_kept": kept_loss,
            "loss_ran": ran_loss,
            "loss": test_held[kept_loss - 1],
            "minutes": (time.perf_counter() - start) / 60,
            "sweep": test_all,
        }
        rows.append(row)
        print(
            f"seed {seed}: best fixed epochs {best_k} -> {row['best']:.4f} (median of "
            f"epochs 8-{epochs}: {row['plateau']:.4f}); early stopping on accuracy: ran "
            f"{ran_acc}, kept {kept_acc} -> {row['acc']:.4f}; on loss: ran {ran_loss}, kept "
            f"{kept_loss} -> {row['loss']:.4f} ({row['minutes']:.1f} min)",
            flush=True,
        )
        print("  sweep: " + " ".join(f"{s:.4f}" for s in test_all), flush=True)
        print("  held-out fit, test: " + " ".join(f"{s:.4f}" for s in test_held), flush=True)
        print("  validation accuracy: " + " ".join(f"{s:.4f}" for s in val_acc), flush=True)
        print("  validation loss: " + " ".join(f"{s:.4f}" for s in val_loss), flush=True)

    med = statistics.median
    print()
    print("| seed | best fixed epochs (test-chosen) | early stopping, accuracy | on loss |")
    print("| --- | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['seed']} | {r['best']:.4f} (epochs={r['best_k']}) | {r['acc']:.4f} "
            f"(ran {r['acc_ran']}, kept {r['acc_kept']}) | {r['loss']:.4f} (ran "
            f"{r['loss_ran']}, kept {r['loss_kept']}) |"
        )
    best = med(r["best"] for r in rows)
    acc = med(r["acc"] for r in rows)
    loss = med(r["loss"] for r in rows)
    print(f"| median | {best:.4f} | {acc:.4f} | {loss:.4f} |")
    print(
        f"| gap to the best fixed epochs, points (median) | | {100 * (best - acc):.2f} | "
        f"{100 * (best - loss):.2f} |"
    )
    gaps = [100 * (r["best"] - r["acc"]) for r in rows]
    print(f"| median of the per-seed gaps, points | | {med(gaps):.2f} | |")
    # The best of 40 noisy scores of one seed is biased upwards (it picks the
    # noise); the best *value* of epochs is the one whose median over seeds is
    # highest, still chosen on the test set.
    per_value = [med(r["sweep"][k] for r in rows) for k in range(epochs)]
    k = max(range(epochs), key=per_value.__getitem__)
    print(
        f"| one epochs value for every seed, the best median (test-chosen) | "
        f"{per_value[k]:.4f} (epochs={k + 1}) | gap {100 * (per_value[k] - acc):.2f} | "
        f"gap {100 * (per_value[k] - loss):.2f} |"
    )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", action="store_true", help="the 5,000 embedded digits")
    parser.add_argument("--epochs", type=int, default=40, help="sweep length (default 40)")
    parser.add_argument("--check", action="store_true", help="only verify the prefix claim")
    parser.add_argument("--overhead", action="store_true", help="only early stopping's cost")
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        help="only the accuracy comparison, medians over these seeds (by accuracy and by loss)",
    )
    args = parser.parse_args(argv)
    if args.check:
        check_prefix_claim()
        return 0
    if args.seeds:
        seed_study(args.seeds, args.epochs, args.sample)
        return 0

    import numpy as np
    from sklearn.model_selection import train_test_split

    from skdigits import DigitClassifier

    X, y, Xt, yt = _data(args.sample)
    validation_seconds = _timing_validation()
    if args.overhead:
        stopped = DigitClassifier(epochs=args.epochs, early_stopping=True, random_state=0)
        _, stop_gaps = _timed_fit(stopped, X, y)
        ratio, val, copy = overhead(stopped, stop_gaps, validation_seconds)
        print(
            f"early stopping ran {stopped.n_iter_} epochs: median epoch "
            f"{statistics.median(stop_gaps):.3f} s, validation pass {val:.3f} s, weight copy "
            f"{copy:.4f} s; per-epoch ratio with / without them: {ratio:.3f} (target <= 1.05)"
        )
        return 0
    print(f"data: {len(y):,} training, {len(yt):,} test digits; sweep 1-{args.epochs} epochs")

    sweep = DigitClassifier(epochs=args.epochs, random_state=0)
    scores = []
    sweep_seconds, sweep_gaps = _timed_fit(
        sweep, X, y, lambda done: scores.append(sweep.score(Xt, yt))
    )
    best_k = int(np.argmax(scores)) + 1
    print(f"sweep: {sweep_seconds:.1f} s for {args.epochs} epochs; test accuracy per epochs value:")
    print("  " + " ".join(f"{k}:{s:.4f}" for k, s in enumerate(scores, 1)))
    print(f"  best fixed epochs = {best_k}: {scores[best_k - 1]:.4f}")

    stopped = DigitClassifier(epochs=args.epochs, early_stopping=True, random_state=0)
    stop_seconds, stop_gaps = _timed_fit(stopped, X, y)
    stop_score = stopped.score(Xt, yt)
    print(
        f"early stopping: {stop_seconds:.1f} s, ran {stopped.n_iter_} epochs, kept epoch "
        f"{stopped.best_epoch_} (validation {stopped.best_validation_score_:.4f}), "
        f"test accuracy {stop_score:.4f}"
    )

    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.1, stratify=y, random_state=0)
    same_rows = DigitClassifier(epochs=stopped.n_iter_, random_state=0)
    _, same_gaps = _timed_fit(same_rows, X_train, y_train)

    med = statistics.median
    ratio, val, copy = overhead(stopped, stop_gaps, validation_seconds)
    print()
    print("| measure | value | target |")
    print("| --- | ---: | --- |")
    print(
        f"| best fixed epochs (1-{args.epochs}), test accuracy | {scores[best_k - 1]:.4f} "
        f"(epochs={best_k}) | |"
    )
    print(
        f"| early stopping, test accuracy | {stop_score:.4f} (ran {stopped.n_iter_}, kept "
        f"{stopped.best_epoch_}) | |"
    )
    gap = 100 * (scores[best_k - 1] - stop_score)
    print(f"| accuracy gap (points) | {gap:.2f} | <= 0.2 |")
    print(f"| {args.epochs} epochs, seconds | {sweep_seconds:.1f} | |")
    print(f"| early stopping, seconds | {stop_seconds:.1f} | |")
    print(
        f"| time ratio, early stopping / {args.epochs} epochs | "
        f"{stop_seconds / sweep_seconds:.2f} | < 1 |"
    )
    print(f"| s/epoch, early stopping (90 % trained + 10 % scored) | {med(stop_gaps):.3f} | |")
    print(f"| s/epoch, same 90 % without early stopping | {med(same_gaps):.3f} | |")
    print(f"| s/epoch, all rows without early stopping (the sweep) | {med(sweep_gaps):.3f} | |")
    print(f"| validation pass / weight copy, s per epoch | {val:.3f} / {copy:.4f} | |")
    print(
        f"| per-epoch ratio within the early-stopping fit, with / without them | {ratio:.3f} "
        "| <= 1.05 |"
    )
    print(
        f"| per-epoch ratio, early stopping / same rows without (separate fits) | "
        f"{med(stop_gaps) / med(same_gaps):.3f} | |"
    )
    print(
        f"| per-epoch ratio, early stopping / all rows without | "
        f"{med(stop_gaps) / med(sweep_gaps):.3f} | |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
