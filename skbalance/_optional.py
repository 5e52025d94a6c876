"""Optional dependencies: imported when a feature needs them, or an error
with the extra that installs them. Light on purpose (the command line imports
it at start-up, before numpy or scikit-learn)."""

import importlib

__all__ = ["MissingDependency", "import_optional"]


class MissingDependency(ImportError):
    """An optional dependency is not installed; the message has the install
    line (the command line prints it and exits with 2)."""


def import_optional(module, *, extra, purpose):
    """Import an optional dependency, or fail with the extra that provides it.

    Parameters
    ----------
    module : str
        Module to import, e.g. ``"matplotlib.pyplot"``.
    extra : str
        Name of the skbalance extra that installs it, e.g. ``"plot"``.
    purpose : str
        What needs it, used in the error message.

    Returns
    -------
    module : module
        The imported module.

    Examples
    --------
    >>> from skbalance._compat import import_optional
    >>> import_optional("json", extra="none", purpose="reading JSON").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        raise MissingDependency(
            f"{purpose} needs the optional dependency {top!r}, which is not "
            f"installed. Install it with: pip install 'skbalance[{extra}]'"
        ) from exc
