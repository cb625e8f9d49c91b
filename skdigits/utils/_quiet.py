"""Importing Keras without TensorFlow's start-up noise on the terminal."""

import os
import sys


def quiet_tensorflow():
    """Import Keras without TensorFlow's C++ start-up log lines on the terminal.

    TensorFlow prints them as it starts, before any logging setting of
    Python's applies (on a machine without a GPU they include an ``E0000
    ... failed call to cuInit`` line that is no error of the user's). Unless
    ``TF_CPP_MIN_LOG_LEVEL`` is set, it is set to 3 (errors only), and what
    TensorFlow still prints while Keras is imported is captured and shown only
    if the import fails. skdigits calls this before it first imports Keras,
    in Python as on the command line.

    To get TensorFlow's logs back, set ``TF_CPP_MIN_LOG_LEVEL`` yourself
    before skdigits imports Keras (``0`` shows everything, as TensorFlow's
    default does): skdigits then changes nothing.
    """
    if "keras" in sys.modules or "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            import keras  # noqa: F401
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
