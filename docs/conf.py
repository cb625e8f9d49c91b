"""Sphinx configuration for the skdigits documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html``: warnings are
errors, and the gallery's examples run during the build, so a broken example
fails it. Nothing is fetched from the network.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

import skdigits  # noqa: E402

project = "skdigits"
author = "The skdigits developers"
copyright = "the skdigits developers"
release = skdigits.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
]
# Links to scikit-learn, NumPy, Keras and Python from inventories kept in
# docs/_inventories/ (written by make_inventories.py there from the installed
# packages; Keras' site publishes none, so its file, like Python's, is a short
# hand-kept table):
# intersphinx reads the local files and never fetches the sites' objects.inv,
# so the build stays offline.
intersphinx_mapping = {
    "sklearn": ("https://scikit-learn.org/stable/", "_inventories/sklearn.inv"),
    "numpy": ("https://numpy.org/doc/stable/", "_inventories/numpy.inv"),
    "keras": ("https://keras.io/api/", "_inventories/keras.inv"),
    "python": ("https://docs.python.org/3/", "_inventories/python.inv"),
}
# Types in the numpydoc Parameters/Returns/Attributes sections become links
# ("ndarray of shape (n, 784)" links ndarray), for the names listed here and
# numpydoc's own (Python builtins, NumPy); other words stay plain text.
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
numpydoc_xref_aliases = {
    "bool": ":class:`python:bool`",
    "boolean": ":class:`python:bool`",
    "os.PathLike": ":class:`os.PathLike`",
    "array-like": ":term:`array-like`",
    "estimator": ":term:`estimator`",
    "Pipeline": "sklearn.pipeline.Pipeline",
    "keras.Model": ":class:`keras.Model`",
    "DigitClassifier": "skdigits.DigitClassifier",
    "DigitImageNormalizer": "skdigits.DigitImageNormalizer",
    "PixelScaler": "skdigits.PixelScaler",
    "ImageReshaper": "skdigits.ImageReshaper",
}
autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",  # run every example at build time
    "abort_on_example_error": True,
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "plot_gallery": "True",
    "image_scrapers": ("matplotlib",),
}

exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
templates_path = ["_templates"]
# pydata-sphinx-theme, as scikit-learn and scikit-learn-contrib's template use.
html_theme = "pydata_sphinx_theme"
html_title = f"skdigits {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# The pages are one level deep: no section sidebar, so the text gets its width.
html_sidebars = {"**": []}
html_static_path = ["_static"]
html_css_files = ["skdigits.css"]
