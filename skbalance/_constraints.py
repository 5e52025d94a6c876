"""The parameter constraints shared by the samplers and ``skbalance.spark``
(scikit-learn's ``_parameter_constraints`` form).

They live apart from the target and mixture functions they describe, so that
those functions stay plain NumPy: the command line plans its rows with them
without importing scikit-learn.
"""

from numbers import Integral, Real

from skbalance._compat import Interval, RealNotInt

__all__ = [
    "MAX_REPEATS",
    "MIN_SHARE",
    "SIZE",
    "TARGET_RATIO",
    "TEMPERATURE",
    "WEIGHTS",
]

#: ``target_ratio`` and ``min_share``: 0 and None are no-ops, so that a grid
#: can hold "no resampling"
TARGET_RATIO = [Interval(Real, 0, 1, closed="both"), None]
MIN_SHARE = [Interval(Real, 0, 1, closed="both"), None]

#: the mixture rules
TEMPERATURE = [Interval(Real, 0, None, closed="left"), None]
MAX_REPEATS = [Interval(Real, 0, None, closed="neither"), None]
SIZE = [
    Interval(Integral, 1, None, closed="left"),
    Interval(RealNotInt, 0, None, closed="neither"),
    None,
]
WEIGHTS = [dict, "array-like", None]
