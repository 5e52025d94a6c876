"""The one module that imports private names of scikit-learn, imbalanced-learn
and pandas.

Everything else in skbalance imports them from here, so an upstream rename is
fixed in one place. Optional dependencies are imported lazily with
:func:`import_optional` (from :mod:`skbalance._optional`, re-exported here).
"""

from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    RealNotInt,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import _check_sample_weight, validate_data

from skbalance._optional import MissingDependency, import_optional

__all__ = [
    "HasMethods",
    "Interval",
    "MissingDependency",
    "RealNotInt",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "_safe_indexing",
    "import_optional",
    "validate_data",
    "validate_parameter_constraints",
]
