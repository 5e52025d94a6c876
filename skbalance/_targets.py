"""Per-stratum target counts, shared by every over-sampler of skbalance.

A *stratum* is a class of ``y`` or a domain. Given the row count of each
stratum, these functions return how many rows each stratum should have after
over-sampling. They never lower a count, and a target that is already met
gives back the counts unchanged (no error, no warning), so that a grid search
over targets never produces a failed candidate.

Arithmetic is exact: a float such as ``0.07`` is read as the decimal the user
wrote (7/100), so the target for ``0.07 * 100`` is 7 rows, not the 8 that
``ceil(7.000000000000001)`` would give in floating point.
"""

import functools
import math
from fractions import Fraction
from numbers import Real

import numpy as np

__all__ = ["floor_targets", "ratio_targets"]


def _exact(value):
    """The decimal a user wrote, as an exact fraction (0.3 -> 3/10)."""
    return _exact_float(float(value))


@functools.lru_cache(maxsize=256)
def _exact_float(value):
    # parsing the repr is most of a fit's fixed cost: settings repeat
    return Fraction(repr(value))


@functools.lru_cache(maxsize=256)
def _parts(value):
    """Numerator and denominator of ``_exact(value)``, for a float."""
    exact = _exact_float(value)
    return exact.numerator, exact.denominator


def _as_counts(counts):
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.size == 0:
        raise ValueError("counts must be a non-empty 1-D array of stratum sizes.")
    if counts.dtype.kind not in "iu" or min(counts.tolist()) < 1:
        raise ValueError("counts must be positive integers (rows per stratum).")
    return counts.astype(np.int64, copy=False)


def ratio_targets(counts, target_ratio):
    """Raise every stratum to ``ceil(target_ratio * largest count)``.

    Strata already at or above that level are left unchanged.

    Parameters
    ----------
    counts : array-like of int, shape (n_strata,)
        Rows per stratum, each at least 1.
    target_ratio : float in (0, 1]
        Size of each stratum after over-sampling, as a fraction of the largest.

    Returns
    -------
    targets : ndarray of int64, shape (n_strata,)
        Rows per stratum after over-sampling; ``targets >= counts``.

    Examples
    --------
    >>> from skbalance._targets import ratio_targets
    >>> ratio_targets([500, 300, 150, 50], 0.5).tolist()
    [500, 300, 250, 250]
    >>> ratio_targets([1000, 10], 0.3).tolist()
    [1000, 300]
    """
    counts = _as_counts(counts)
    if not 0 < target_ratio <= 1:
        raise ValueError(f"target_ratio must be in (0, 1]; got {target_ratio!r}.")
    numerator, denominator = _parts(float(target_ratio))
    level = -(-numerator * int(counts.max()) // denominator)  # ceil
    return np.maximum(counts, level)


def _floors_for(counts, min_share):
    """Per-stratum floors as integers over a common denominator, checked.

    Returns ``floors, denominator``: the floor of stratum ``i`` is exactly
    ``floors[i] / denominator``.
    """
    k = len(counts)
    if isinstance(min_share, Real):
        if not 0 <= min_share <= 1:
            raise ValueError(f"min_share must be in [0, 1]; got {min_share!r}.")
        numerator, denominator = _parts(float(min_share))
        if numerator * k > denominator:  # min_share * k > 1
            raise ValueError(
                f"Got min_share={min_share!r} with {k} strata, but "
                "min_share * n_strata must be <= 1."
            )
        return [numerator] * k, denominator
    shares = [_exact(s) for s in min_share]
    if len(shares) != k:
        raise ValueError(f"min_share has {len(shares)} floors for {k} strata.")
    if any(s < 0 or s > 1 for s in shares):
        raise ValueError("Every floor in min_share must be in [0, 1].")
    total = sum(shares)
    if total > 1:
        raise ValueError(
            f"Got floors summing to {float(total):g} over {k} strata, but the "
            "floors in min_share must sum to <= 1."
        )
    if total == 1 and any(s == 0 for s in shares):
        raise ValueError(
            "The floors in min_share sum to 1, which leaves no room for the strata "
            "without a floor; lower a floor or give every stratum one."
        )
    denominator = math.lcm(*{s.denominator for s in shares})
    return [s.numerator * (denominator // s.denominator) for s in shares], denominator


def floor_targets(counts, min_share):
    """Fewest added rows so that every stratum has at least a share of the output.

    Raising a small stratum grows the total, which can push another stratum
    below its floor; the solution accounts for that exactly. With output size
    ``T``, stratum ``i`` needs ``t_i >= max(c_i, ceil(s_i * T))`` and
    ``sum(t_i) == T``. The smallest feasible ``T`` is found from below: ``T`` is
    raised to ``sum(max(c_i, ceil(s_i * T)))`` and, for the strata already
    raised, straight to ``A / (1 - S)`` (``A`` the rows of the strata not
    raised, ``S`` the sum of the raised strata's floors); both steps never pass
    the smallest solution, so the first fixed point is the minimum.

    Parameters
    ----------
    counts : array-like of int, shape (n_strata,)
        Rows per stratum, each at least 1.
    min_share : float or array-like of float, shape (n_strata,)
        The floor of every stratum's share of the output, or one floor per
        stratum (0 for none).

    Returns
    -------
    targets : ndarray of int64, shape (n_strata,)
        Rows per stratum after over-sampling; ``targets >= counts``, each share
        ``targets / targets.sum()`` is at least its floor, and no smaller total
        achieves that.

    Raises
    ------
    ValueError
        When the floors cannot all be met: ``min_share * n_strata > 1``.

    Examples
    --------
    >>> from skbalance._targets import floor_targets
    >>> floor_targets([900, 100], 0.2).tolist()
    [900, 225]

    The naive ``0.2 * 1000 = 200`` would give ``200 / 1100 = 0.18``. With
    several small strata each raise grows the total:

    >>> t = floor_targets([500, 300, 150, 50], 0.1)
    >>> t.tolist(), round(float(t.min() / t.sum()), 4)
    ([500, 300, 150, 106], 0.1004)
    """
    counts = _as_counts(counts)
    # integers over a common denominator: exact, and no Fraction arithmetic
    floors, denominator = _floors_for(counts, min_share)
    c = counts.tolist()

    if sum(floors) == denominator:
        # Every stratum must hold exactly its share: T is a multiple of every
        # floor's denominator, large enough that s_i * T >= c_i.
        shares = [Fraction(f, denominator) for f in floors]
        lcm = math.lcm(*(s.denominator for s in shares))
        low = max(Fraction(ci) / s for ci, s in zip(c, shares, strict=True))
        total = lcm * math.ceil(low / lcm)
        return np.array([int(s * total) for s in shares], dtype=np.int64)

    total = sum(c)
    while True:
        targets = [
            max(ci, -(-f * total // denominator))  # ceil(s_i * total)
            for ci, f in zip(c, floors, strict=True)
        ]
        needed = sum(targets)
        if needed <= total:  # the first fixed point from below: the minimum
            return np.array(targets, dtype=np.int64)
        raised = [t > ci for t, ci in zip(targets, c, strict=True)]
        rest = sum(ci for ci, r in zip(c, raised, strict=True) if not r)
        raised_floor = sum(f for f, r in zip(floors, raised, strict=True) if r)
        # ceil(rest / (1 - S)), S the raised strata's share
        total = max(needed, -(-rest * denominator // (denominator - raised_floor)))
