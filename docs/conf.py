"""Sphinx configuration for the skdigits documentation."""

import skdigits

project = "skdigits"
author = "The skdigits developers"
release = skdigits.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
]
autosummary_generate = True
numpydoc_show_class_members = False
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "numpy": ("https://numpy.org/doc/stable", None),
}
exclude_patterns = ["_build"]
html_theme = "alabaster"
