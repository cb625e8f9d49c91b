"""The in-graph training loop: one call into TensorFlow per epoch.

Keras' ``Model.fit`` drives every batch through a general machinery (data
adapters, callbacks, metric objects, a distribution-aware optimizer update).
On a CPU, for the small dense networks built here, that machinery costs more
than the arithmetic: about 5 ms per batch of 64 against about 1.2 ms of matrix
products. This loop runs a whole epoch inside one compiled TensorFlow
function: the rows of the epoch are gathered by index from the training set,
the loss is Keras' categorical cross-entropy plus the layers' own losses
(``model.losses``: weight and activity regularisers), and Adam's update is
TensorFlow's fused kernel working on the Keras optimizer's own slots, so
the model and its optimizer end in the state ``Model.fit`` would leave them
in. Other optimizers go through ``optimizer.apply`` inside the same loop.

The optimisation is the same as ``Model.fit``'s, batch by batch: fixed the
order of the rows, both give the same weights to float rounding (pinned by a
test). Only the shuffling differs (NumPy permutations here).

Early stopping happens in the same loop: after each epoch a second compiled
function scores a held-out set (its loss and accuracy, in large chunks, in
inference mode), an :class:`EarlyStopping` rule (``MLPClassifier``'s) decides
whether to go on, and the weights of the best epoch are copied aside and put
back at the end.
"""

import time

import numpy as np


def _fused_adam_slots(optimizer, variables):
    """The ``(momentum, velocity)`` pairs of a plain Keras Adam, else None.

    Plain means what TensorFlow's ``ApplyAdam`` kernel computes: no AMSGrad,
    weight decay, gradient clipping, moving average or accumulation.

    The fused kernel is worth the private Keras attributes it reads
    (``_momentums``, ``_velocities``, ``_get_variable_index``; any other
    Keras falls back to ``optimizer.apply``): on full MNIST (60,000 rows),
    the reference network and batch 64, an epoch with it takes 0.53x to
    0.67x the time of ``optimizer.apply`` in the same compiled loop (four
    runs, each the medians of 5 to 7 alternating epochs on a shared 2-core
    CPU, e.g. 2.20 s against 3.29 s; ``benchmarks/fused_adam.py``).
    """
    import keras

    if type(optimizer) is not keras.optimizers.Adam:
        return None
    plain = (
        not optimizer.amsgrad
        and not optimizer.weight_decay
        and optimizer.clipnorm is None
        and optimizer.clipvalue is None
        and optimizer.global_clipnorm is None
        and not optimizer.use_ema
        and not optimizer.gradient_accumulation_steps
        and optimizer.loss_scale_factor is None
    )
    if not plain:
        return None
    try:
        if not optimizer.built:
            optimizer.build(variables)
        slots = [
            (
                optimizer._momentums[optimizer._get_variable_index(variable)],
                optimizer._velocities[optimizer._get_variable_index(variable)],
            )
            for variable in variables
        ]
    except (AttributeError, KeyError, IndexError):  # internals of another Keras version
        return None
    return slots


def _handle(variable):
    """The TensorFlow resource handle behind a Keras variable."""
    value = getattr(variable, "value", variable)  # Keras 3 wraps a tf.Variable
    return value.handle


#: Rows distorted per call of the augmentation, when an epoch starts.
_AUGMENT_CHUNK = 4096


def _make_epoch_function(model, batch_size, augment=None, label_smoothing=0.0):
    """Compile ``epoch(X, Y, W, order, seed) -> (mean loss, accuracy)`` for ``model``.

    ``augment(x, seed)`` distorts the epoch's rows before its first batch, in
    chunks of :data:`_AUGMENT_CHUNK` rows seeded from the epoch's ``seed``; the
    loss is the categorical cross-entropy with ``label_smoothing``, plus the
    layers' losses.
    """
    import keras
    import tensorflow as tf

    optimizer = model.optimizer
    variables = list(model.trainable_variables)
    slots = _fused_adam_slots(optimizer, variables)

    def update(gradients):
        if slots is None:
            optimizer.apply(gradients, variables)
            return
        step = tf.cast(optimizer.iterations + 1, tf.float32)
        beta_1, beta_2 = float(optimizer.beta_1), float(optimizer.beta_2)
        beta_1_power, beta_2_power = tf.pow(beta_1, step), tf.pow(beta_2, step)
        learning_rate = tf.cast(optimizer.learning_rate, tf.float32)
        for variable, (momentum, velocity), gradient in zip(variables, slots, gradients):
            tf.raw_ops.ResourceApplyAdam(
                var=_handle(variable),
                m=_handle(momentum),
                v=_handle(velocity),
                beta1_power=beta_1_power,
                beta2_power=beta_2_power,
                lr=learning_rate,
                beta1=beta_1,
                beta2=beta_2,
                epsilon=float(optimizer.epsilon),
                grad=gradient,
            )
        optimizer.iterations.assign_add(1)

    @tf.function
    def epoch(X, Y, W, order, seed):
        n_samples = tf.size(order)
        n_batches = (n_samples + batch_size - 1) // batch_size
        loss_sum = tf.constant(0.0)
        n_correct = tf.constant(0.0)
        if augment is not None:
            # Distort the epoch's rows up front, in large chunks: the same ops on
            # thousands of rows at once cost a fraction of their per-batch calls.
            shuffled = tf.gather(X, order)
            n_chunks = (n_samples + _AUGMENT_CHUNK - 1) // _AUGMENT_CHUNK
            chunks = tf.TensorArray(tf.float32, size=n_chunks, infer_shape=False)
            for j in tf.range(n_chunks):
                part = shuffled[j * _AUGMENT_CHUNK : (j + 1) * _AUGMENT_CHUNK]
                chunks = chunks.write(j, augment(part, seed + tf.stack([j, 0])))
            distorted = tf.ensure_shape(chunks.concat(), [None, X.shape[1]])
        for i in tf.range(n_batches):
            rows = order[i * batch_size : (i + 1) * batch_size]
            y, w = tf.gather(Y, rows), tf.gather(W, rows)
            if augment is None:
                x = tf.gather(X, rows)
            else:
                x = distorted[i * batch_size : (i + 1) * batch_size]
            size = tf.cast(tf.size(rows), tf.float32)
            with tf.GradientTape() as tape:
                # float32 loss, as Keras computes it, whatever the layers' precision
                proba = tf.cast(model(x, training=True), tf.float32)
                per_sample = keras.losses.categorical_crossentropy(
                    y, proba, label_smoothing=label_smoothing
                )
                # Keras' "sum over batch size" reduction of weighted losses,
                # plus the layers' regularisers, as Keras' compute_loss adds them.
                loss = tf.reduce_sum(per_sample * w) / size
                for extra in model.losses:
                    loss += tf.reduce_sum(tf.cast(extra, tf.float32))
                # as Keras' train_step: a loss-scaling optimizer scales, apply unscales
                scaled = loss if slots is not None else optimizer.scale_loss(loss)
            update(tape.gradient(scaled, variables))
            loss_sum += loss * size
            hits = tf.equal(tf.argmax(proba, axis=1), tf.argmax(y, axis=1))
            n_correct += tf.reduce_sum(tf.cast(hits, tf.float32))
        n = tf.cast(n_samples, tf.float32)
        return loss_sum / n, n_correct / n

    # One function per network, traced once per fit by design: TensorFlow's
    # "frequent retracing" warning would misfire on searches of short fits.
    epoch._omit_frequent_tracing_warning = True
    return epoch


class EarlyStopping:
    """``MLPClassifier``'s stopping rule on a validation score, epoch by epoch.

    An epoch improves when its score exceeds the best so far by more than
    ``tol``; training stops once ``n_iter_no_change + 1`` epochs in a row have
    not (``MLPClassifier`` counts the same way). The best epoch is the first
    with the highest score (any increase, even under ``tol``, makes a new best).

    Parameters
    ----------
    n_iter_no_change : int
        Epochs without an improvement larger than ``tol`` that are tolerated.
    tol : float
        Least increase of the score that counts as an improvement.
    best_score : float, default=-inf
        The best score before the first epoch (a warm start's previous best):
        an epoch must beat it to become the best.

    Attributes
    ----------
    best_score : float
        Highest score so far.
    best_epoch : int or None
        Epoch (1-based, of this fit) with ``best_score``; None while no epoch
        has beaten the starting ``best_score``.
    epochs_done : int
        Epochs scored.
    stopped : bool
        Whether the rule has stopped the training.
    """

    def __init__(self, n_iter_no_change, tol, best_score=-np.inf):
        self.n_iter_no_change = int(n_iter_no_change)
        self.tol = float(tol)
        self.best_score = float(best_score)
        self.best_epoch = None
        self.epochs_done = 0
        self.stopped = False
        self._no_improvement = 0

    def update(self, score):
        """Record the score of the next epoch.

        Parameters
        ----------
        score : float
            Validation score of the epoch just trained (higher is better).

        Returns
        -------
        is_best : bool
            Whether this epoch is the new best (its weights are to be kept).
        """
        self.epochs_done += 1
        if score < self.best_score + self.tol:
            self._no_improvement += 1
        else:
            self._no_improvement = 0
        is_best = score > self.best_score
        if is_best:
            self.best_score = float(score)
            self.best_epoch = self.epochs_done
        self.stopped = self._no_improvement > self.n_iter_no_change
        return is_best


#: Rows scored per step of the validation pass.
_VALIDATION_CHUNK = 8192


def _make_validation_function(model, label_smoothing=0.0):
    """Compile ``score(X, Y, W) -> (loss, accuracy)`` on held-out rows, in inference mode.

    The loss is Keras' ``val_loss`` (weighted cross-entropy summed over the
    rows divided by their number, plus the layers' losses); the accuracy is
    weighted by ``W``, as :func:`sklearn.metrics.accuracy_score` weights it.
    """
    import keras
    import tensorflow as tf

    @tf.function
    def score(X, Y, W):
        n_samples = tf.shape(X)[0]
        n_chunks = (n_samples + _VALIDATION_CHUNK - 1) // _VALIDATION_CHUNK
        loss_sum, hit_sum = tf.constant(0.0), tf.constant(0.0)
        for i in tf.range(n_chunks):
            x = X[i * _VALIDATION_CHUNK : (i + 1) * _VALIDATION_CHUNK]
            y = Y[i * _VALIDATION_CHUNK : (i + 1) * _VALIDATION_CHUNK]
            w = W[i * _VALIDATION_CHUNK : (i + 1) * _VALIDATION_CHUNK]
            proba = tf.cast(model(x, training=False), tf.float32)
            per_sample = keras.losses.categorical_crossentropy(
                y, proba, label_smoothing=label_smoothing
            )
            loss_sum += tf.reduce_sum(per_sample * w)
            hits = tf.cast(tf.equal(tf.argmax(proba, axis=1), tf.argmax(y, axis=1)), tf.float32)
            hit_sum += tf.reduce_sum(hits * w)
        loss = loss_sum / tf.cast(n_samples, tf.float32)
        for extra in model.losses:
            loss += tf.reduce_sum(tf.cast(extra, tf.float32))
        return loss, hit_sum / tf.reduce_sum(W)

    score._omit_frequent_tracing_warning = True
    return score


def fit_in_graph(
    model,
    X,
    y,
    sample_weight=None,
    *,
    epochs,
    batch_size,
    shuffle=True,
    seed=None,
    verbose=0,
    on_epoch_end=None,
    augment=None,
    label_smoothing=0.0,
    validation=None,
    stopper=None,
):
    """Train a compiled Keras classifier, one TensorFlow call per epoch.

    Parameters
    ----------
    model : keras.Model
        A network compiled with an optimizer, ending in a softmax, trained on
        the categorical cross-entropy plus its layers' losses (``model.losses``).
    X : ndarray of shape (n_samples, n_features)
        Training inputs.
    y : ndarray of shape (n_samples, n_classes)
        One-hot targets.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weight of each sample in the loss.
    epochs, batch_size : int
        Passes over the data and rows per gradient update.
    shuffle : bool, default=True
        Visit the rows in a new random order each epoch.
    seed : int or sequence of int, default=None
        Seed of the shuffling (``numpy.random.default_rng``'s).
    verbose : int, default=0
        Above 0, print one line per epoch (loss, accuracy, seconds).
    on_epoch_end : callable, default=None
        Called as ``on_epoch_end(epochs_done)`` after each epoch, with the
        model in the state a fit of ``epochs_done`` epochs ends in (the
        shuffling of epoch ``e`` does not depend on ``epochs``).
    augment : callable, default=None
        ``augment(x, seed)`` distorts rows inside the compiled loop, new each
        epoch (see :func:`skdigits.model._augment.make_augmenter`); its seeds come
        from a generator of their own, so the shuffling is the same with or
        without it.
    label_smoothing : float, default=0.0
        Label smoothing of the categorical cross-entropy.
    validation : tuple (X_val, y_val, sample_weight_val), default=None
        Held-out rows (one-hot targets; weights or None) scored after each
        epoch, in inference mode: ``val_loss`` and ``val_accuracy`` (weighted)
        join the history.
    stopper : EarlyStopping, default=None
        With ``validation``: the rule fed each epoch's ``val_accuracy``.
        Training stops when it says so (``epochs`` is then an upper bound),
        and the model ends with the weights of its best epoch (if no epoch
        beat its starting score, with the weights it started with). The
        optimizer's state stays that of the last epoch, as
        ``MLPClassifier``'s does.

    Returns
    -------
    history : dict of str to list of float
        Per-epoch ``loss`` (mean over samples) and ``accuracy``, as Keras'
        ``History`` holds them, and ``val_loss``, ``val_accuracy`` with
        ``validation``: one entry per epoch trained.
    """
    import tensorflow as tf

    n_samples = len(X)
    X = tf.convert_to_tensor(np.asarray(X, dtype=np.float32))
    Y = tf.convert_to_tensor(np.asarray(y, dtype=np.float32))
    weights = np.ones(n_samples, np.float32) if sample_weight is None else sample_weight
    W = tf.convert_to_tensor(np.asarray(weights, dtype=np.float32))
    epoch = _make_epoch_function(model, int(batch_size), augment, float(label_smoothing))
    rng = np.random.default_rng(seed)
    # the distortions' seeds: a stream apart from the shuffling's
    augment_rng = np.random.default_rng(None if seed is None else [*np.atleast_1d(seed), 7])
    history = {"loss": [], "accuracy": []}
    if validation is not None:
        X_val, y_val, w_val = validation
        w_val = np.ones(len(X_val), np.float32) if w_val is None else w_val
        validation = [
            tf.convert_to_tensor(np.asarray(value, dtype=np.float32))
            for value in (X_val, y_val, w_val)
        ]
        score = _make_validation_function(model, float(label_smoothing))
        history.update(val_loss=[], val_accuracy=[])
    if stopper is not None and validation is None:
        raise ValueError("Early stopping needs validation data.")
    # the weights to end with: those of the best epoch, at first the initial ones
    kept = None if stopper is None else [w.numpy() for w in model.weights]
    for e in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
        epoch_seed = augment_rng.integers(0, 2**30, size=2, dtype=np.int32)
        loss, accuracy = epoch(
            X, Y, W, tf.convert_to_tensor(order.astype(np.int32)), tf.convert_to_tensor(epoch_seed)
        )
        history["loss"].append(float(loss))
        history["accuracy"].append(float(accuracy))
        line = f"loss: {history['loss'][-1]:.4f} - accuracy: {history['accuracy'][-1]:.4f}"
        if validation is not None:
            val_loss, val_accuracy = score(*validation)
            history["val_loss"].append(float(val_loss))
            history["val_accuracy"].append(float(val_accuracy))
            line += (
                f" - val_loss: {history['val_loss'][-1]:.4f}"
                f" - val_accuracy: {history['val_accuracy'][-1]:.4f}"
            )
            if stopper is not None and stopper.update(history["val_accuracy"][-1]):
                kept = [w.numpy() for w in model.weights]
        if verbose:
            seconds = time.perf_counter() - start
            print(f"Epoch {e + 1}/{epochs} - {seconds:.1f}s - {line}", flush=True)
        if on_epoch_end is not None:
            on_epoch_end(e + 1)
        if stopper is not None and stopper.stopped:
            if verbose:
                print(
                    f"Validation accuracy did not improve more than tol={stopper.tol:g} for "
                    f"{stopper.n_iter_no_change} consecutive epochs: stopping.",
                    flush=True,
                )
            break
    if stopper is not None:
        for weight, value in zip(model.weights, kept):
            weight.assign(value)
        if verbose:
            where = f"epoch {stopper.best_epoch}" if stopper.best_epoch else "the start of this fit"
            print(
                f"Kept the weights of {where} (val_accuracy {stopper.best_score:.4f}).",
                flush=True,
            )
    return history
