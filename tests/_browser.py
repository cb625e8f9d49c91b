"""Finding a Chromium to drive in the browser tests (Debian's package; nothing is downloaded)."""

import shutil


def find_chromium():
    """The path of a Chromium executable on PATH, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None
