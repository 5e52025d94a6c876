"""The one module that imports private names of scikit-learn, imbalanced-learn
and pandas.

Everything else in skbalance imports them from here, so an upstream rename is
fixed in one place. Optional dependencies are imported lazily with
:func:`import_optional`.
"""

import importlib

from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import _check_sample_weight, validate_data

__all__ = [
    "HasMethods",
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "_safe_indexing",
    "import_optional",
    "validate_data",
    "validate_parameter_constraints",
]


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
        raise ImportError(
            f"{purpose} needs the optional dependency {top!r}, which is not "
            f"installed. Install it with: pip install 'skbalance[{extra}]'"
        ) from exc
