"""Importing Keras without TensorFlow's start-up noise on the terminal."""

import os
import sys


def quiet_tensorflow():
    """Import Keras without TensorFlow's C++ start-up log lines on the terminal.

    TensorFlow prints them before its logging is configured, so no setting
    hides them; they are captured and shown only if the import fails.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "keras" in sys.modules:
        return
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
