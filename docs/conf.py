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
    "numpydoc",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
]
# No intersphinx_mapping: sphinx.ext.intersphinx fetches scikit-learn's,
# NumPy's and Keras' objects.inv from their sites at build time, and the
# build must work offline (CI has no network). References such as
# :class:`~sklearn.pipeline.Pipeline` render as code without a link. To link
# them, ship the inventories in docs/_inventories/ and map each site to its
# file, e.g. {"sklearn": ("https://scikit-learn.org/stable/",
# "_inventories/sklearn.inv")} (Keras' site is not Sphinx: it has none).
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
