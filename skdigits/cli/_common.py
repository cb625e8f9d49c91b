"""What the commands share at run time: user errors, output checks, models, data, printing."""

import os
import tempfile

from ..utils import quiet_tensorflow  # noqa: F401  (the commands import it from here)

DATASET_NAMES = ("mnist", "fashion-mnist")


class UsageError(Exception):
    """A mistake in the user's request: reported in one line, no traceback."""


def terminal_safe(text, *, keep_newlines=False):
    """``text`` with control and escape characters shown escaped, for a terminal.

    File names and a model file's class labels come from outside: a newline
    in a name could forge a line of output, and an escape sequence could
    clear or recolour the user's terminal. Each character that is not
    printable (``str.isprintable``: controls, escapes, invisible format
    characters) is shown as Python writes it in a string, ``\\n``,
    ``\\x1b``, ``\\u202e``; everything else is left as it is. With
    ``keep_newlines=True`` the text's own line breaks stay (a multi-line
    message or table), and every line is escaped.

    >>> terminal_safe("FORGED.png\\n9 (p=1.00)")
    'FORGED.png\\\\n9 (p=1.00)'
    >>> terminal_safe("sept \\x1b[2J")
    'sept \\\\x1b[2J'
    """
    if keep_newlines:
        return "\n".join(terminal_safe(line) for line in str(text).split("\n"))
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(text)
    )


def _check_writable(folder, shown):
    """Create and remove a scratch file in ``folder``: the only sure test, also for root."""
    try:
        handle, probe = tempfile.mkstemp(prefix=".skdigits-write-check-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(
            f"cannot save to {shown}: folder {folder} cannot be written ({exc.strerror or exc})"
        ) from None


def check_output_file(path):
    """Refuse destinations that cannot be written before any work is done."""
    out = os.path.abspath(path)
    folder = os.path.dirname(out)
    if not os.path.isdir(folder):
        raise UsageError(f"cannot save to {path}: folder {folder} does not exist")
    if os.path.isdir(out):
        raise UsageError(f"cannot save to {path}: it is a folder; give a file name")
    if os.path.exists(out) and not os.access(out, os.W_OK):
        raise UsageError(f"cannot save to {path}: the file exists and is read-only")
    _check_writable(folder, path)
    return out


def check_output_folder(path, what="files"):
    """Make sure ``path`` is (or can become) a folder that can be written.

    Creates the folder if needed, before any work is done, so that a long
    training is never lost to a destination that fails at the end.
    """
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"cannot write {what} to {path}: it is a file, not a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot write {what} to {path}: the folder cannot be created ({exc.strerror or exc})"
        ) from None
    _check_writable(path, path)
    return path


def load_model_file(path, allow_pickle=False):
    """Load a model named on the command line, refusing what cannot predict digits.

    A ``.skdigits`` file always loads; a joblib/pickle file only with
    ``--allow-pickle``. The model must be a fitted classifier or pipeline.
    ``path`` may be a :class:`~skdigits.persistence.ModelFile` (``predict``'s
    first input), which is read from its opening.
    """
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    from ..persistence import load_model

    try:  # a .skdigits model predicts without importing TensorFlow
        model = load_model(path, trusted=allow_pickle)
    except (FileNotFoundError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    if not hasattr(model, "predict_proba"):
        raise UsageError(
            f"{path} holds a {type(model).__name__}, not a classifier or pipeline that "
            "predicts digits: save a fitted make_digit_pipeline (skdigits train --out)"
        )
    try:
        check_is_fitted(model)
    except NotFittedError:
        raise UsageError(
            f"{path} holds an unfitted {type(model).__name__}: fit it before saving"
        ) from None
    return model


def model_training_record(path):
    """What the model file at ``path`` says it was trained on, or None.

    ``skdigits train`` and ``save_model(..., training_data=...)`` store the
    record in the file's manifest (read without loading the model); the
    model that ships with skdigits was trained on MNIST's training set, as
    its own record says. A joblib file holds no record.
    """
    from ..datasets import training_record
    from ..persistence import inspect_model
    from ..pretrained import MODEL_FILE, package_folder, pretrained_info

    if os.path.abspath(path) == os.path.join(package_folder(), MODEL_FILE):
        data = pretrained_info()["data"]
        return training_record(
            data["name"],
            f"the {data['n_train']:,} MNIST training digits",
            sha256=data["files"]["train_images"]["sha256"],
        )
    try:
        return inspect_model(path).get("training_data")
    except (OSError, ValueError):  # a joblib file, or one load_model_file already refused
        return None


def evaluation_data(args):
    """The labelled digits ``evaluate`` and ``report`` measure: ``(X, y, description)``.

    ``--data`` names them; without it, what ``skdigits train`` would test
    on: MNIST's test set when full MNIST is on this machine, else the
    embedded sample. Digits the model file says it was trained on are left
    out (or the data refused when nothing else is left), unless
    ``--include-training-data``; the description says which digits remain.
    """
    from ..datasets import check_overlap, locate_dataset
    from ..exceptions import TrainingDataOverlapError

    spec, chosen = args.data, ""
    if spec is None:
        if locate_dataset("mnist", data_home=args.data_home) is not None:
            spec, chosen = "mnist", " (the default: full MNIST is on this machine)"
        else:
            spec, chosen = "sample", " (the default: full MNIST is not on this machine)"
    X, y, description = load_labelled_data(spec, "test", args.data_home, pictures=True)
    if X.dtype == object:  # pictures of the user's own
        return X, y, description + chosen
    record = model_training_record(args.model)
    try:
        keep, note = check_overlap(
            record, spec, X, include_training_data=args.include_training_data
        )
    except TrainingDataOverlapError as exc:
        raise UsageError(str(exc)) from None
    if keep is not None:
        X, y = X[keep], y[keep]
    if note is None and record is None and spec == "sample":
        note = (
            f"{description}; the model file does not say what it was trained on, so "
            "some of these may be its training digits"
        )
    return X, y, (note or description) + chosen


def load_labelled_data(spec, split, data_home=None, *, pictures=False):
    """Images and labels named on the command line: a data set name or a path.

    ``spec`` is ``sample``, ``mnist``, ``fashion-mnist``, a path that
    ``load_mnist(path=...)`` reads, or a folder of pictures laid out as
    ``<label>/<image>`` (:func:`~skdigits.datasets.load_picture_folder`);
    ``split`` is ``"train"`` or ``"test"``. Returns ``(X, y, description)``;
    never downloads. For a folder of pictures, ``X`` holds the file paths (an
    object array) when ``pictures`` is True, and otherwise the pictures made
    MNIST-like by :class:`~skdigits.DigitImageNormalizer` (a picture it
    cannot read is a UsageError).
    """
    from ..datasets import load_fashion_mnist, load_mnist, load_mnist_sample, load_picture_folder
    from ..exceptions import DataFormatError, DataNotFoundError, ImageError

    if spec == "sample":
        X, y = load_mnist_sample(return_X_y=True)
        return X, y, f"the embedded MNIST sample ({len(y):,} digits)"
    if spec not in DATASET_NAMES and os.path.isdir(spec):
        try:
            found = load_picture_folder(spec, normalize=not pictures)
        except DataFormatError:
            found = None  # not <label>/<picture>: a data set's folder, read below
        except ImageError as exc:
            raise UsageError(str(exc)) from None
        if found is not None:
            return found.get("images", found.filenames), found.target, found.DESCR
    if spec in DATASET_NAMES:
        loader, kwargs = (load_mnist if spec == "mnist" else load_fashion_mnist), {}
    elif os.path.exists(spec):
        loader, kwargs = load_mnist, {"path": spec}
    else:
        raise UsageError(
            f"unknown data {spec!r}: use sample, mnist, fashion-mnist, the path of a "
            "folder or .npz file, or a folder of pictures laid out as <label>/<image>"
        )
    try:
        train, test = loader(data_home=data_home, download_if_missing=False, **kwargs)
    except DataNotFoundError as exc:
        if spec not in DATASET_NAMES:
            raise UsageError(str(exc)) from None
        raise UsageError(
            f"{spec} is not on this machine (see 'skdigits data'); get it with: "
            f"skdigits download {spec}"
        ) from None
    except DataFormatError as exc:
        raise UsageError(str(exc)) from None
    X, y = test if split == "test" else train
    if split == "test" and (y is None or len(y) == 0):
        split, (X, y) = "training", train  # e.g. Kaggle's test.csv has no labels
    return X, y, f"{spec}, {split} split ({len(y):,} images)"


def check_images(model, X, description):
    """Refuse images whose pixel count is not the one the model was fitted on."""
    expected = getattr(model, "n_features_in_", None)
    if expected is not None and X[0].size != expected:
        raise UsageError(
            f"the model takes images of {expected} pixels but {description} has images of "
            f"{'x'.join(map(str, X.shape[1:]))} pixels"
        )


def print_evaluation(estimator, X, y):
    """Print :func:`skdigits.evaluate`'s accuracy, per-class table and confusion matrix."""
    import pandas as pd

    from .. import evaluate

    try:
        result = evaluate(estimator, X, y)
    except ValueError as exc:  # labels the model does not know
        raise UsageError(str(exc)) from None
    n_samples, labels = result["n_samples"], result["labels"]
    correct = round(result["accuracy"] * n_samples)
    print(f"\nAccuracy: {result['accuracy']:.4f} ({correct}/{n_samples})\n")
    table = pd.DataFrame({**result["per_class"], "macro avg": result["macro_avg"]}).T
    shown = table.to_string(float_format="{:.4f}".format, formatters={"support": "{:.0f}".format})
    print(terminal_safe(shown, keep_newlines=True) + "\n")  # the labels come from outside
    print("Confusion matrix (rows: true label, columns: predicted label):")
    matrix = pd.DataFrame(result["confusion_matrix"], index=labels, columns=labels).to_string()
    print(terminal_safe(matrix, keep_newlines=True))
