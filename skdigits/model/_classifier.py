"""DigitClassifier: the scikeras classifier around the dense softmax network."""

import contextlib
import random
import time
import warnings
from collections import defaultdict
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import ClassifierTags
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .._compat import (
    Interval,
    StrOptions,
    _check_partial_fit_first_call,
    _check_sample_weight,
    _fit_context,
    _num_samples,
)
from ..utils import validate_fitted_array
from ._augment import make_augmenter, resolve_augment
from ._epochs import keras_fit_reason
from ._inference import forget_forward_pass, forward_pass, numpy_activation_reason
from ._network import REFERENCE_HIDDEN_LAYER_SIZES, build_dense_network, resolve_layers
from ._scikeras import KerasClassifier, become_keras_classifier
from ._targets import OneHotLabelEncoder
from ._training import EarlyStopping, fit_in_graph


@contextlib.contextmanager
def _seeded(seed):
    """Seed Python, NumPy, TensorFlow and Keras; restore Python's and NumPy's states after."""
    if seed is None:
        yield
        return
    import keras

    python_state, numpy_state = random.getstate(), np.random.get_state()
    keras.utils.set_random_seed(int(seed))
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def _looks_one_hot(y):
    """True for a 2-D 0/1 array with exactly one 1 per row and several columns."""
    y = np.asarray(y)
    if y.ndim != 2 or y.shape[1] < 2 or y.dtype.kind not in "biuf" or y.size == 0:
        return False
    return bool(np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all())


class DigitClassifier(KerasClassifier):
    """Dense softmax network classifier with a scikit-learn interface.

    A :class:`scikeras.wrappers.KerasClassifier` whose network and training
    settings are its own parameters, so :class:`~sklearn.model_selection.GridSearchCV`
    reaches them without a ``model__`` prefix. Labels are given as integers (or
    any class labels); one-hot encoding for the categorical cross-entropy loss
    happens inside. With the defaults it trains the reference network
    (784 -> 1024 relu -> 128 tanh -> Dropout 0.05 -> 64 relu -> softmax) with
    Adam for 10 epochs in shuffled batches of 64.

    It is a classifier for scikit-learn (``is_classifier`` is True), so
    :class:`~sklearn.metrics.ConfusionMatrixDisplay`,
    :class:`~sklearn.ensemble.VotingClassifier` and the model-selection tools
    accept it.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(1024, 128, 64)
        Units of each hidden layer.
    activations : str or tuple of str, default=None
        Activation of each hidden layer, or one for all. ``None``: ``relu``
        everywhere except ``tanh`` on the second-to-last hidden layer (see
        :func:`resolve_layers`).
    dropout : float or tuple of float, default=None
        Dropout rate after each hidden layer, or one rate after all of them.
        ``None``: 0.05 after the second-to-last hidden layer only.
    optimizer : str, default="adam"
        Name of a Keras optimizer ("adam", "sgd", "rmsprop", "adamw", ...).
    learning_rate : float, default=0.001
        Learning rate of the optimizer.
    epochs : int, default=10
        Passes over the training data.
    batch_size : int, default=64
        Samples per gradient update (and per prediction batch).
    shuffle : bool, default=True
        Shuffle the training data before each epoch.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (a stratified
        split drawn from ``random_state``), score it after each epoch, stop
        once the validation accuracy has not improved by more than ``tol``
        for ``n_iter_no_change`` consecutive epochs, and keep the weights of
        the best epoch, as :class:`~sklearn.neural_network.MLPClassifier`
        does; ``epochs`` is then the most epochs trained. It runs inside the
        compiled training loop, with ``augment``, ``class_weight`` and
        ``sample_weight`` (the validation accuracy is weighted as the loss
        is). :meth:`partial_fit` trains one epoch on all it is given, without
        a split. Without early stopping, ``epochs`` epochs are trained (unlike
        ``MLPClassifier``, the training loss never stops the training).
    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping, strictly
        between 0 and 1. Only used if ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Epochs without an improvement of the validation accuracy by more than
        ``tol`` that are tolerated before stopping. Only used if
        ``early_stopping=True``.
    tol : float, default=1e-4
        Least increase of the validation accuracy that counts as an
        improvement. Only used if ``early_stopping=True``.
    validation_split : float, default=0.0
        Fraction of the training data, taken from its end (not stratified),
        held out to report ``val_loss`` and ``val_accuracy`` in ``history_``
        after each epoch, through Keras' ``Model.fit``. ``early_stopping``
        holds out a stratified split in the compiled loop and records the same
        metrics; the two cannot be combined.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn's classifiers.
    warm_start : bool, default=False
        Continue training the current network on the next :meth:`fit` instead
        of building a new one.
    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks for training, e.g. ``EarlyStopping``.
    random_state : int, RandomState instance or None, default=None
        Seed of weight initialisation, dropout and shuffling. The same integer
        gives identical models in one process.
    verbose : int, default=0
        Progress output during training: 0 silent, 1 or 2 one line per epoch
        (loss, accuracy, seconds; Keras' own loop shows a progress bar for 1).
        Predictions are always silent.
    training_loop : {"auto", "keras"}, default="auto"
        How the network is trained. ``"auto"`` runs each epoch as one call
        into a compiled TensorFlow function (Adam through TensorFlow's fused
        kernel): the same updates as Keras' ``Model.fit``, batch by batch, in
        well under half its wall time on a CPU; only the shuffling differs. It
        falls back to ``Model.fit`` when ``callbacks`` or ``validation_split``
        need Keras' loop. ``"keras"`` always uses ``Model.fit``.
    steps_per_execution : int, default=32
        Training batches Keras runs per call into its compiled function
        (``Model.compile``'s setting) when it trains through ``Model.fit``:
        larger values cut Python overhead per batch. The optimisation is the
        same batch by batch.
    predict_batch_size : int, default=4096
        Rows per chunk when predicting, which bounds the memory of the
        activations.
    augment : None, "affine", "elastic" or dict, default=None
        Distort each training image anew every epoch, inside the compiled
        training loop (TensorFlow ops on the batch), never when predicting.
        ``"affine"``: random rotation (+-12 degrees), scale (0.9-1.1), shear
        (+-8 degrees) and shift (+-2 pixels); ``"elastic"``: milder affine
        ranges plus Simard et al.'s elastic distortion (alpha 30, sigma 4). A
        dict sets the ranges itself, e.g. ``{"rotation": 12, "scale": (0.9,
        1.1), "shift": 2, "elastic": (34, 4)}`` (keys ``rotation``, ``scale``,
        ``shear``, ``shift``, ``elastic``; see
        :func:`skdigits.model._augment.resolve_augment`). Deterministic with
        ``random_state``; needs the in-graph loop (no ``callbacks``,
        ``validation_split`` or ``training_loop="keras"``).
    image_shape : tuple of int (height, width), default=None
        Shape of the images behind the feature vectors, for ``augment``.
        ``None``: square images (28x28 for 784 features).
    learning_rate_schedule : {None, "cosine", "exponential"}, default=None
        How the learning rate changes over the ``epochs`` of a fit: ``None``
        keeps it constant; ``"cosine"`` lowers it along a half cosine to 0 at
        the last batch; ``"exponential"`` lowers it smoothly to a hundredth.
        It depends on the number of epochs, so
        :class:`~skdigits.EpochGridSearchCV` fits such candidates one by one.
    label_smoothing : float, default=0.0
        Label smoothing of the cross-entropy: the targets become
        ``1 - label_smoothing`` for the true class and share
        ``label_smoothing`` among all classes.

    Attributes
    ----------
    model_ : keras.Model
        The trained Keras network.
    classes_ : ndarray of shape (n_classes,)
        Class labels seen during :meth:`fit`.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Number of features (pixels) seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during :meth:`fit`, when ``X`` was a DataFrame.
    history_ : dict of str to list of float
        Per-epoch ``loss`` and ``accuracy`` (and ``val_loss``,
        ``val_accuracy`` with early stopping or ``validation_split``) of
        every epoch since the network was built: ``warm_start`` fits and
        :meth:`partial_fit` calls add theirs, as ``MLPClassifier``'s
        ``loss_curve_`` grows.
    loss_curve_ : list of shape (`n_iter_`,)
        Training loss of each epoch (``history_["loss"]``).
    n_iter_ : int
        Epochs trained since the network was built (over warm starts and
        :meth:`partial_fit` calls, so that ``len(loss_curve_) == n_iter_``;
        ``MLPClassifier`` counts the last call only).
    t_ : int
        Training samples seen since the network was built (``n_iter_`` times
        the rows trained on per epoch).
    best_loss_ : float or None
        Lowest training loss in ``loss_curve_``; None with early stopping
        (see ``best_validation_score_``).
    validation_scores_ : list of float or None
        Validation accuracy after each epoch trained with early stopping (one
        per epoch, ``n_iter_`` of them when every fit had it on); None
        without early stopping.
    best_validation_score_ : float or None
        Best validation accuracy, that of the epoch whose weights were kept;
        None without early stopping.
    best_epoch_ : int or None
        The epoch (counted as ``n_iter_``) whose weights early stopping kept;
        None without early stopping, or once :meth:`partial_fit` has trained
        further.
    fit_time_ : float
        Seconds the last :meth:`fit` took (building and training the network).

    See Also
    --------
    make_digit_pipeline : This classifier behind a pixel scaler and a reshape.
    sklearn.neural_network.MLPClassifier : The dense network of scikit-learn.

    Examples
    --------
    >>> from skdigits import DigitClassifier, load_mnist_sample
    >>> X, y = load_mnist_sample(return_X_y=True)
    >>> X = X[:500].reshape(500, -1) / 255.0
    >>> clf = DigitClassifier(hidden_layer_sizes=(32,), epochs=2, random_state=0)
    >>> clf.fit(X, y[:500]).predict(X[:3]).shape
    (3,)
    >>> clf.classes_
    array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activations": [None, str, "array-like"],
        "dropout": [None, Interval(Real, 0, 1, closed="left"), "array-like"],
        "optimizer": [str],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "validation_split": [Interval(Real, 0, 1, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "callbacks": [list, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "training_loop": [StrOptions({"auto", "keras"})],
        "steps_per_execution": [Interval(Integral, 1, None, closed="left")],
        "predict_batch_size": [Interval(Integral, 1, None, closed="left")],
        "augment": [None, StrOptions({"affine", "elastic"}), dict],
        "image_shape": [None, tuple, list],
        "learning_rate_schedule": [None, StrOptions({"cosine", "exponential"})],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        hidden_layer_sizes=REFERENCE_HIDDEN_LAYER_SIZES,
        *,
        activations=None,
        dropout=None,
        optimizer="adam",
        learning_rate=0.001,
        epochs=10,
        batch_size=64,
        shuffle=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        validation_split=0.0,
        class_weight=None,
        warm_start=False,
        callbacks=None,
        random_state=None,
        verbose=0,
        training_loop="auto",
        steps_per_execution=32,
        predict_batch_size=4096,
        augment=None,
        image_shape=None,
        learning_rate_schedule=None,
        label_smoothing=0.0,
    ):
        # scikeras' own __init__ stores **kwargs through vars(); ours stores
        # exactly its parameters, as scikit-learn's contract wants.
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activations = activations
        self.dropout = dropout
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.validation_split = validation_split
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose
        self.training_loop = training_loop
        self.steps_per_execution = steps_per_execution
        self.predict_batch_size = predict_batch_size
        self.augment = augment
        self.image_shape = image_shape
        self.learning_rate_schedule = learning_rate_schedule
        self.label_smoothing = label_smoothing

    # -- scikit-learn's machinery, where scikeras replaced it -----------------
    # Parameters come from the __init__ signature (scikeras reads them from
    # vars(self)); set_params refuses unknown names; the repr is scikit-learn's.
    _get_param_names = classmethod(BaseEstimator._get_param_names.__func__)
    set_params = BaseEstimator.set_params
    __repr__ = BaseEstimator.__repr__

    def __sklearn_tags__(self):
        # scikeras lists ClassifierMixin after BaseEstimator, so the mixin's
        # tags never apply (is_classifier() would be False): set them here.
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags

    def __sklearn_is_fitted__(self):
        return "model_" in vars(self) or "_stored_network" in vars(self)

    def __getattr__(self, name):
        # Only called when normal lookup fails. A classifier loaded from a file
        # predicts without Keras; its Keras model is built when first asked for.
        if name == "model_" and "_stored_network" in vars(self):
            self._restore_keras_model()
            return vars(self)["model_"]
        parent = getattr(super(), "__getattr__", None)  # the scikeras stand-in's
        if parent is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return parent(name)

    def _restore_keras_model(self):
        """Build ``model_`` from the network loaded from a file (imports Keras)."""
        stored = vars(self)["_stored_network"]
        model = stored.to_keras()
        del self._stored_network
        self._restore(
            model,
            classes=self.classes_,
            n_features_in=self.n_features_in_,
            feature_names_in=vars(self).get("feature_names_in_"),
            history=vars(self).get("history_"),
        )

    def _restore(self, network, *, classes, n_features_in, feature_names_in=None, history=None):
        """Make this unfitted classifier the fitted one whose trained network is ``network``.

        What :func:`~skdigits.load_model` calls for a saved classifier, in
        place of :meth:`fit`. Given a Keras model, scikeras' ``_initialize``
        runs as ``fit`` runs it (random state, target and feature encoders
        and their metadata, callbacks), on one placeholder row per class,
        with ``network`` in place of a newly built one; nothing is trained.
        Given a network read from a file without Keras (a
        :class:`~skdigits.persistence._networks.StoredNetwork`: its dense
        layers' weights and a ``to_keras()`` method), the classifier keeps
        it and predicts with NumPy, Keras unimported; ``model_`` is built
        from it (and the rest of scikeras' state with it) the first time it
        is asked for, by ``partial_fit``, a warm start or the caller. A
        network NumPy cannot run is built at once, with a warning. The
        other fitted attributes a file holds (``fit_time_``, ...) are the
        caller's to set.

        Parameters
        ----------
        network : keras.Model or StoredNetwork
            The trained network: ``n_features_in`` inputs, one softmax
            output per class; a Keras model compiled.
        classes : ndarray of shape (n_classes,)
            The class labels the network's outputs stand for, sorted.
        n_features_in : int
            Number of features the network takes.
        feature_names_in : ndarray of shape (n_features_in,), default=None
            Column names of the original fit's ``X``, if it had any.
        history : dict of str to list of float, default=None
            The original fit's ``history_``.

        Returns
        -------
        self : DigitClassifier
            The classifier, fitted: it predicts with ``network``, and
            ``partial_fit`` trains it further.
        """
        if hasattr(network, "to_keras"):  # read from a file, without Keras
            reason = network.reason
            if reason is None:
                reason = numpy_activation_reason(network.dense_layers)
            if reason is None:
                return self._restore_stored(
                    network, classes, n_features_in, feature_names_in, history
                )
            network = network.to_keras()
        elif forward_pass(network) is None:
            reason = "not a stack of Dense and Dropout layers"
        else:
            reason = None
        if reason is not None:
            warnings.warn(
                f"This network cannot run on skdigits' NumPy forward pass ({reason}): it "
                "predicts through Keras, which loading it imports.",
                UserWarning,
                stacklevel=3,
            )
        become_keras_classifier()
        self.classes_ = classes  # the target encoder's classes, as partial_fit's
        placeholder = np.zeros((len(classes), n_features_in), dtype=np.float32)
        self._build_keras_model = lambda: network  # what _initialize "builds"
        try:
            self._initialize(placeholder, classes)
        finally:
            del self._build_keras_model
        if feature_names_in is not None:  # the placeholder has no column names
            self.feature_names_in_ = feature_names_in
        if history is not None:
            # as fit leaves it: epochs append to its own lists
            self.history_ = defaultdict(list, {key: list(v) for key, v in history.items()})
        return self

    def _restore_stored(self, network, classes, n_features_in, feature_names_in, history):
        # What _initialize leaves that predicting reads, without Keras; the
        # rest comes with model_ (_restore_keras_model).
        self._random_state = self.random_state  # an int or None in a file
        self.classes_ = classes
        self.target_encoder_ = self.target_encoder.fit(classes)
        vars(self).update(self.target_encoder_.get_metadata())
        self.n_features_in_ = n_features_in
        if feature_names_in is not None:
            self.feature_names_in_ = feature_names_in
        if history is not None:
            self.history_ = defaultdict(list, {key: list(v) for key, v in history.items()})
        self._stored_network = network
        return self

    # -- training -------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Build the network and train it on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training vectors, e.g. scaled and flattened images.
        y : array-like of shape (n_samples,)
            Class labels, e.g. the digits 0-9 (not one-hot encoded).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.

        Returns
        -------
        self : DigitClassifier
            The fitted classifier.
        """
        resolve_layers(self.hidden_layer_sizes, self.activations, self.dropout)
        resolve_augment(self.augment)
        if not (self.warm_start and self.initialized_):
            self.classes_ = None  # learn the classes afresh (partial_fit may preset them)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        if self.class_weight is not None:
            weights = compute_sample_weight(self.class_weight, np.ravel(y))
            sample_weight = weights if sample_weight is None else sample_weight * weights
        start = time.perf_counter()
        self._fit(
            X,
            y,
            sample_weight=sample_weight,
            warm_start=self.warm_start,
            epochs=self.epochs,
            # a warm start goes on from the epochs done (new shuffles, a growing history_)
            initial_epoch=self.current_epoch if self.warm_start and self.initialized_ else 0,
        )
        self.fit_time_ = time.perf_counter() - start
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train the network for one epoch on ``(X, y)``, building it on the first call.

        ``MLPClassifier``'s contract: ``classes`` is required on the first
        call (unless the classifier is already fitted) and, if given later,
        must be the same; ``y`` need not hold every class. The network,
        its optimizer state and ``history_``, ``loss_curve_``, ``n_iter_``
        and ``t_`` carry over from call to call (and from a previous
        :meth:`fit`). ``early_stopping`` applies to :meth:`fit` only: each
        call trains one epoch on all the rows it is given, without a split,
        and ``validation_scores_`` is not extended (``MLPClassifier`` refuses
        ``partial_fit`` with ``early_stopping=True``; here a model fitted with
        early stopping can be trained further).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training vectors.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            All the classes the calls will see, e.g. ``np.unique(y_all)``.
            Required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss (times ``class_weight``'s
            weights, computed on this call's ``y``).

        Returns
        -------
        self : DigitClassifier
            The classifier, trained one epoch further.
        """
        resolve_layers(self.hidden_layer_sizes, self.activations, self.dropout)
        resolve_augment(self.augment)
        if self.initialized_ and getattr(self, "classes_", None) is None:
            self.classes_ = self.target_encoder_.classes_
        _check_partial_fit_first_call(self, classes)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        if self.class_weight is not None:
            weights = compute_sample_weight(self.class_weight, np.ravel(y))
            sample_weight = weights if sample_weight is None else sample_weight * weights
        self._partial = True
        try:
            self._fit(
                X,
                y,
                sample_weight=sample_weight,
                warm_start=True,
                epochs=1,
                initial_epoch=self.current_epoch,
            )
        finally:
            del self._partial
        return self

    # scikeras seeds through a context that turns TensorFlow's op determinism
    # on and, with TensorFlow 2.21, leaves it on: every later unseeded fit in
    # the process then fails ("Random ops require a seed"). Seed ourselves.
    # The network always comes from _keras_build_fn (scikeras' model= and
    # build_fn= parameters, which its _check_model_param reads, are not ours).
    def _build_keras_model(self):
        with _seeded(self._random_state):
            return self._keras_build_fn(meta=self._get_metadata())

    def _initialize(self, X, y=None):
        # Batches a fit of `epochs` epochs runs: the span of a learning-rate schedule.
        held_out = self.validation_fraction if self.early_stopping else self.validation_split
        n_train = int(_num_samples(X) * (1 - held_out)) or 1
        self._schedule_steps = int(self.epochs) * -(-n_train // int(self.batch_size))
        return super()._initialize(X, y)

    def _augmenter(self, n_features):
        """The batch distortion of ``augment`` for images of ``image_shape``, or None."""
        ranges = resolve_augment(self.augment)
        if ranges is None:
            return None
        if self.image_shape is None:
            side = int(round(np.sqrt(n_features)))
            if side * side != n_features:
                raise ValueError(
                    f"augment needs the image shape: {n_features} features are not a square "
                    "image; set image_shape=(height, width)."
                )
            shape = (side, side)
        else:
            shape = tuple(self.image_shape)
            if len(shape) != 2 or int(np.prod(shape)) != n_features or min(shape) < 1:
                raise ValueError(
                    f"image_shape={self.image_shape!r} does not hold the {n_features} features "
                    "of each sample; give (height, width) with height * width == n_features."
                )
        return make_augmenter(ranges, shape)

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        observer = getattr(self, "_epoch_observer", None)  # set by observing_epochs
        in_graph = keras_fit_reason(self, kwargs) is None
        if observer is not None and not in_graph:
            raise ValueError("Epochs can be observed in the in-graph training loop only.")
        for name, value in (("augment", self.augment), ("early_stopping", self.early_stopping)):
            if value and not in_graph:
                raise ValueError(
                    f"{name} runs inside the in-graph training loop, which callbacks, "
                    "validation_split and training_loop='keras' replace with Keras' "
                    f"Model.fit; drop those or set {name}={None if name == 'augment' else False}."
                )
        augment = self._augmenter(X.shape[1])
        partial = getattr(self, "_partial", False)
        stopper = validation = None
        if self.early_stopping and not partial:
            X, y, sample_weight, validation = self._validation_split(X, y, sample_weight)
            previous = getattr(self, "best_validation_score_", None) if self._continuing else None
            stopper = EarlyStopping(
                self.n_iter_no_change, self.tol, -np.inf if previous is None else previous
            )
        seed, self._random_state = self._random_state, None  # skip scikeras' context
        old_history = self.__dict__.pop("history_", None)  # scikeras' loop makes its own
        try:
            with _seeded(seed):
                if not in_graph:
                    super()._fit_keras_model(
                        X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
                    )
                    history = self.history_
                    n_train = int(len(X) * (1 - self.validation_split))
                else:
                    n_train = len(X)
                    history = fit_in_graph(
                        self.model_,
                        X,
                        y,
                        sample_weight,
                        epochs=epochs,
                        batch_size=self.batch_size,
                        shuffle=self.shuffle,
                        # partial_fit's successive epochs get different orders
                        seed=None if seed is None else (int(seed), int(initial_epoch)),
                        verbose=self.verbose,
                        on_epoch_end=None if observer is None else self._epoch_done,
                        augment=augment,
                        label_smoothing=self.label_smoothing,
                        validation=validation,
                        stopper=stopper,
                    )
        finally:
            self._random_state = seed
            if old_history is not None:
                self.history_ = old_history
        self._record_training(history, n_train, stopper, partial)

    def _validation_split(self, X, y, sample_weight):
        """Hold out ``validation_fraction`` of the rows, stratified, drawn from ``random_state``.

        The rows are those ``train_test_split(X, y, test_size=validation_fraction,
        stratify=y, random_state=random_state)`` gives (with ``y`` the labels,
        here one-hot). Returns the training rows and ``(X_val, y_val, w_val)``.
        """
        from sklearn.model_selection import train_test_split

        labels = np.argmax(y, axis=1)
        try:
            train, val = train_test_split(
                np.arange(len(X)),
                test_size=self.validation_fraction,
                stratify=labels,
                random_state=self._random_state,
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping=True holds out validation_fraction={self.validation_fraction} "
                f"of the {len(X)} samples, stratified by class, and cannot here: {exc} Use "
                "more samples, another validation_fraction, or early_stopping=False."
            ) from None
        weights = None if sample_weight is None else sample_weight[train]
        val_weights = None if sample_weight is None else sample_weight[val]
        return X[train], y[train], weights, (X[val], y[val], val_weights)

    def _record_training(self, history, n_train, stopper, partial):
        """Add a fit's epochs to ``history_``, ``loss_curve_``, ``n_iter_``, ``t_``, the scores."""
        continuing = self._continuing and hasattr(self, "history_")
        if not continuing:
            self.history_ = defaultdict(list)
        for key, values in history.items():
            self.history_[key] += list(values)
        n_epochs = len(history["loss"])
        self.loss_curve_ = list(self.history_["loss"])
        self.n_iter_ = len(self.loss_curve_)
        self.t_ = (getattr(self, "t_", 0) if continuing else 0) + n_epochs * int(n_train)
        if stopper is not None:
            scores = getattr(self, "validation_scores_", None) if continuing else None
            self.validation_scores_ = (scores or []) + list(history["val_accuracy"])
            self.best_validation_score_ = stopper.best_score
            if stopper.best_epoch is not None:
                self.best_epoch_ = self.n_iter_ - n_epochs + stopper.best_epoch
            elif not continuing:
                self.best_epoch_ = None
            self.best_loss_ = None
        elif partial and self.early_stopping and continuing:
            self.best_epoch_ = None  # the kept weights have trained further
        else:
            self.validation_scores_ = self.best_validation_score_ = self.best_epoch_ = None
            self.best_loss_ = min(self.loss_curve_)

    def _epoch_done(self, epochs_done):
        # The in-graph loop's end of an epoch, under model.observing_epochs.
        forget_forward_pass(self.model_)  # predict with this epoch's weights...
        try:
            self._epoch_observer(epochs_done)
        finally:
            forget_forward_pass(self.model_)  # ...and not after the next one

    def _keras_build_fn(self, meta):
        import keras

        model = build_dense_network(
            meta["n_features_in_"],
            meta["n_classes_"],
            hidden_layer_sizes=self.hidden_layer_sizes,
            activations=self.activations,
            dropout=self.dropout,
            seed=self._random_state,
        )
        learning_rate = self.learning_rate
        steps = getattr(self, "_schedule_steps", None) or 1
        if self.learning_rate_schedule == "cosine":
            learning_rate = keras.optimizers.schedules.CosineDecay(
                self.learning_rate, decay_steps=steps, alpha=0.0
            )
        elif self.learning_rate_schedule == "exponential":
            learning_rate = keras.optimizers.schedules.ExponentialDecay(
                self.learning_rate, decay_steps=steps, decay_rate=0.01
            )
        try:
            optimizer = keras.optimizers.get(
                {"class_name": self.optimizer, "config": {"learning_rate": learning_rate}}
            )
        except ValueError:
            raise ValueError(
                f"optimizer={self.optimizer!r} is not a Keras optimizer name; use "
                "e.g. 'adam', 'sgd', 'rmsprop' or 'adamw'."
            ) from None
        loss = "categorical_crossentropy"
        if self.label_smoothing:
            loss = keras.losses.CategoricalCrossentropy(label_smoothing=self.label_smoothing)
        model.compile(
            optimizer=optimizer,
            loss=loss,
            metrics=["accuracy"],
            steps_per_execution=self.steps_per_execution,
        )
        return model

    @property
    def target_encoder(self):
        """The transformer that one-hot encodes labels for the network.

        It takes its classes from ``classes_`` when set (``partial_fit``'s
        ``classes``), else from the labels it is fitted on.
        """
        return OneHotLabelEncoder(classes=getattr(self, "classes_", None))

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        """Validate inputs the scikit-learn way (scikeras calls this hook).

        scikeras' own hook also records ``target_type_``, ``X_dtype_``,
        ``X_shape_``, ``y_dtype_`` and ``y_ndim_``; only that hook reads them
        (to check later inputs, as ``validate_data`` does here), so this one
        sets none of them. Models saved with them still load.
        """
        if not reset and X is not None:
            check_is_fitted(self)
            if y is None:
                # predict's checks of a plain array in a few microseconds
                checked = validate_fitted_array(self, X, dtype=np.float32)
                if checked is not None:
                    return checked, None
        if y is not None:
            y = self._validate_target(y)
        if X is not None and y is not None:
            X, y = validate_data(self, X, y, reset=reset, dtype=np.float32)
        elif X is not None:
            X = validate_data(self, X, reset=reset, dtype=np.float32)
        return X, y

    def _validate_target(self, y):
        if _looks_one_hot(y):
            raise ValueError(
                f"y looks one-hot encoded (shape {np.shape(y)}, a single 1 per row), "
                "as keras.utils.to_categorical makes it. DigitClassifier one-hot "
                "encodes labels itself: pass the integer labels instead, e.g. "
                "y.argmax(axis=1)."
            )
        y_array = np.asarray(y)
        if y_array.ndim == 2 and y_array.shape[1] > 1:
            raise ValueError(f"y must be a 1-D array of class labels; got shape {y_array.shape}.")
        check_classification_targets(y)
        classes = np.unique(np.ravel(y_array))
        if classes.size == 0:
            raise ValueError("y is empty: DigitClassifier needs labelled samples.")
        if classes.size < 2:
            raise ValueError(
                "DigitClassifier needs at least 2 classes to learn from; y has 1 class "
                f"({classes[0].item()!r}) in {y_array.shape[0]} sample(s)."
            )
        return y

    # -- prediction -------------------------------------------------------------
    def _predict_raw(self, X):
        """Class probabilities from the network, silently and fast.

        The dense networks built here are evaluated with NumPy, in chunks of
        ``predict_batch_size`` rows: the same probabilities as Keras'
        ``model.predict`` to float32 rounding, without its per-call overhead
        (tens of milliseconds, which dominate small batches). A network NumPy
        cannot reproduce goes through ``model.predict``.
        """
        X, _ = self._validate_data(X=X)  # checks that it is fitted first
        stored = vars(self).get("_stored_network")  # loaded from a file, no Keras yet
        if stored is not None:
            forward = forward_pass(stored, stored.dense_layers)
        else:
            forward = forward_pass(self.model_)
        if forward is None:
            return self.model_.predict(X, batch_size=self.predict_batch_size, verbose=0)
        size = self.predict_batch_size
        if len(X) <= size:
            return forward(X)
        return np.concatenate([forward(X[i : i + size]) for i in range(0, len(X), size)])

    def _fit(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        become_keras_classifier()  # scikeras' methods from here on
        # scikeras' own test: the network goes on training, its record grows
        # (a network loaded from a file is built in Keras to go on)
        self._continuing = (self.warm_start or warm_start) and self.initialized_
        if not self._continuing:
            vars(self).pop("_stored_network", None)  # a new network replaces it
        if "model_" in vars(self):
            forget_forward_pass(self.model_)  # warm start: the weights will change
        super()._fit(X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs)

    def score(self, X, y, sample_weight=None):
        """Return the accuracy on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test vectors.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Fraction of correctly classified samples.
        """
        return ClassifierMixin.score(self, X, y, sample_weight=sample_weight)
