"""Sphinx configuration. Build with: pip install -e '.[docs]' && make -C docs html"""

import skbalance

project = "skbalance"
author = "skbalance developers"
release = version = skbalance.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "imblearn": ("https://imbalanced-learn.org/stable", None),
}
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
}
exclude_patterns = ["_build", "examples", "auto_examples/*.ipynb"]
html_theme = "alabaster"
