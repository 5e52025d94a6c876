"""Sphinx configuration.

Build (as CI does, offline, warnings as errors)::

    pip install -e '.[docs]'
    rm -rf docs/_build docs/auto_examples docs/generated
    sphinx-build -b html -W --keep-going docs docs/_build/html

Cross-references to Python, scikit-learn and imbalanced-learn
-------------------------------------------------------------
CI and the developers' machines have no network, and intersphinx fetches its
inventories (``objects.inv``) from the projects' web sites at build time: an
unreachable inventory is a warning, so ``-W`` fails. No pip package ships those
inventories, and writing our own copies would go stale with every release.
So intersphinx is *opt-in*: ``SKBALANCE_DOCS_INTERSPHINX=1 sphinx-build ...``
(with network, e.g. to publish) turns the mapping below on. Offline, a role
such as ``:class:`~sklearn.model_selection.PredefinedSplit``` still renders as
code, without a link; it does not warn because ``nitpicky`` stays off.

Docstrings that our classes inherit from scikit-learn (``score``,
``get_params``, ...) use ``:ref:`` labels of scikit-learn's own docs (e.g.
``accuracy_score``), which no inventory resolves offline and which warn even
without ``nitpicky``: :func:`_plain_foreign_refs` turns them into plain text
in inherited docstrings only, so a broken ``:ref:`` in skbalance's own
docstrings still fails the build.
"""

import os
import re
from pathlib import Path

import skbalance

project = "skbalance"
author = "skbalance developers"
copyright = "skbalance developers"
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
intersphinx_mapping = {}
if os.environ.get("SKBALANCE_DOCS_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "imblearn": ("https://imbalanced-learn.org/stable", None),
    }
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    # an example that raises fails the build at once, not at the end
    "abort_on_example_error": True,
    # every example must end in a figure: _check_gallery_figures, below
    "download_all_examples": False,
}
exclude_patterns = ["_build", "examples", "auto_examples/*.ipynb"]
html_theme = "alabaster"

_REF = re.compile(r":ref:`([^`<]+?)\s*<[^`>]+>`|:ref:`([^`<]+)`")


def _plain_foreign_refs(app, what, name, obj, options, lines):
    """Replace ``:ref:`` roles by their text in docstrings not written here."""
    module = getattr(obj, "__module__", None) or ""
    if module.split(".")[0] == "skbalance":
        return
    for i, line in enumerate(lines):
        lines[i] = _REF.sub(lambda m: m.group(1) or m.group(2), line)


def _check_gallery_figures(app, exception):
    """Fail the build when a gallery script drew no figure."""
    if exception is not None:
        return
    here = Path(app.srcdir)
    images = here / "auto_examples" / "images"
    missing = [
        script.name
        for script in sorted((here / "examples").glob("plot_*.py"))
        if not list(images.glob(f"sphx_glr_{script.stem}_*.png"))
    ]
    if missing:
        raise RuntimeError(f"gallery scripts that drew no figure: {missing}")


def setup(app):
    app.connect("autodoc-process-docstring", _plain_foreign_refs)
    app.connect("build-finished", _check_gallery_figures)
