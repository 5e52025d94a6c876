"""Per-stratum target counts, shared by every over-sampler of skbalance.

A *stratum* is a class of ``y`` or a domain. Given the row count of each
stratum, :func:`stratum_targets` returns how many rows each stratum should
have after over-sampling. Targets never lower a count, and a target that is
already met gives back the counts unchanged (no error), so that a grid search
over targets never produces a failed candidate.

The ranges of ``target_ratio`` and ``min_share`` are the parameter constraints
defined here, which every sampler declares; rules between a parameter and the
data (``min_share * n_strata <= 1``) are applied here, once.

Arithmetic is exact: a float such as ``0.07`` is read as the decimal the user
wrote (7/100), so the target for ``0.07 * 100`` is 7 rows, not the 8 that
``ceil(7.000000000000001)`` would give in floating point.
"""

import warnings
from fractions import Fraction

import numpy as np

__all__ = [
    "DEFAULT_TARGET_RATIO",
    "check_two_strata",
    "default_target",
    "InfeasibleCapWarning",
    "InfeasibleFloorWarning",
    "exact_fraction",
    "feasible_share",
    "floor_targets",
    "ratio_targets",
    "stratum_targets",
]

#: ``target_ratio``'s default: RatioOverSampler's, and what the samplers and
#: functions that take ``target_ratio`` or ``min_share`` (LLMAugmentSampler,
#: ``skbalance.spark.oversample``) do when given neither
DEFAULT_TARGET_RATIO = 1.0


def check_two_strata(values, *, source, word, who):
    """Raise when there is one stratum: one class cannot be imbalanced.

    The one message of the samplers, ``skbalance.spark.oversample`` and the
    command line's engines.

    Examples
    --------
    >>> from skbalance._targets import check_two_strata
    >>> check_two_strata(["a"], source="y", word="class", who="RatioOverSampler")
    Traceback (most recent call last):
    ...
    ValueError: y has 1 class ('a'); RatioOverSampler needs at least 2 classes to \
balance (one class cannot be imbalanced).
    """
    if len(values) < 2:
        plural = "classes" if word == "class" else f"{word}s"
        raise ValueError(
            f"{source} has 1 {word} ({values[0]!r}); {who} needs at least 2 "
            f"{plural} to balance (one {word} cannot be imbalanced)."
        )


def default_target(target_ratio, min_share, n_per_seed=None):
    """``target_ratio`` with its default when no target is given at all.

    Examples
    --------
    >>> from skbalance._targets import default_target
    >>> default_target(None, None), default_target(None, 0.1), default_target(0, None)
    (1.0, None, 0)
    """
    if target_ratio is None and min_share is None and n_per_seed is None:
        return DEFAULT_TARGET_RATIO
    return target_ratio


class InfeasibleFloorWarning(UserWarning):
    """A ``min_share`` that ``n_strata`` strata cannot all reach was lowered to
    ``1 / n_strata``; the command line words it for the shell."""

    def __init__(self, message, *, min_share, n_strata):
        super().__init__(message)
        self.min_share = min_share
        self.n_strata = n_strata


class InfeasibleCapWarning(UserWarning):
    """A ``max_repeats`` cap that keeps a mixture below its ``size`` (or a
    stratum below its floor) was kept, and the size or floor lowered."""

    def __init__(self, message, *, max_repeats, size, n_rows):
        super().__init__(message)
        self.max_repeats = max_repeats
        self.size = size
        self.n_rows = n_rows


def feasible_share(min_share, k, *, hint="", stacklevel=3):
    """``min_share`` as an exact fraction, lowered to ``1 / k`` with an
    :class:`InfeasibleFloorWarning` when ``k`` strata cannot all have it.

    Examples
    --------
    >>> from skbalance._targets import feasible_share
    >>> feasible_share(0.2, 4)
    Fraction(1, 5)
    """
    share = exact_fraction(min_share)
    if share * k > 1:
        warnings.warn(
            InfeasibleFloorWarning(
                f"min_share={min_share!r} cannot be met by {k} strata (min_share * "
                f"n_strata must be <= 1); using 1/{k}, every stratum equal.{hint}",
                min_share=min_share,
                n_strata=k,
            ),
            stacklevel=stacklevel,
        )
        share = Fraction(1, k)
    return share


def exact_fraction(value):
    """The decimal a user wrote, as an exact fraction (0.3 -> 3/10)."""
    return Fraction(repr(float(value)))


def ratio_targets(counts, target_ratio):
    """Raise every stratum to ``ceil(target_ratio * largest count)``.

    Strata already at or above that level are left unchanged.

    Parameters
    ----------
    counts : array-like of int, shape (n_strata,)
        Rows per stratum, each at least 1.
    target_ratio : float in [0, 1]
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
    counts = np.asarray(counts, dtype=np.int64)
    ratio = exact_fraction(target_ratio)
    level = -(-ratio.numerator * int(counts.max()) // ratio.denominator)  # ceil
    return np.maximum(counts, level)


def floor_targets(counts, min_share, *, relative=False):
    """Fewest added rows so that every stratum has at least a share of the output.

    Raising a small stratum grows the total, which can push another stratum
    below its floor; the solution accounts for that exactly. With output size
    ``T`` and floor ``s``, stratum ``i`` needs ``t_i >= max(c_i, ceil(s * T))``
    and ``sum(t_i) == T``. The smallest feasible ``T`` is found from below:
    ``T`` is raised to ``sum(max(c_i, ceil(s * T)))`` and, for the strata
    already raised, straight to ``A / (1 - r * s)`` (``A`` the rows of the
    ``k - r`` strata not raised); both steps never pass the smallest solution,
    so the first fixed point is the minimum.

    Parameters
    ----------
    counts : array-like of int, shape (n_strata,)
        Rows per stratum, each at least 1.
    min_share : float in [0, 1]
        The floor of every stratum's share of the output. A floor that cannot
        be met by all ``k`` strata (``min_share * k > 1``) is lowered to
        ``1 / k``, every stratum equal, with a warning.
    relative : bool, default=False
        Read ``min_share`` as a fraction of the uniform share ``1 / k``: the
        floor is ``min_share / k``, which every ``k`` allows.

    Returns
    -------
    targets : ndarray of int64, shape (n_strata,)
        Rows per stratum after over-sampling; ``targets >= counts``, each share
        ``targets / targets.sum()`` is at least the floor, and no smaller total
        achieves that.

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

    A relative floor of 0.4 with 4 strata is 0.4 / 4 = 10% each:

    >>> floor_targets([500, 300, 150, 50], 0.4, relative=True).tolist()
    [500, 300, 150, 106]
    """
    c = np.asarray(counts, dtype=np.int64).tolist()
    k = len(c)
    if relative:
        share = exact_fraction(min_share) / k
    else:
        share = feasible_share(
            min_share,
            k,
            hint=" Set relative=True for a floor that scales with the number of "
            "strata.",
        )
    # integers over the floor's denominator: exact, no Fraction arithmetic
    f, d = share.numerator, share.denominator

    if f * k == d:
        # every stratum must hold exactly 1/k: the total is a multiple of k
        # that holds the largest stratum
        return np.full(k, max(c), dtype=np.int64)

    total = sum(c)
    while True:
        targets = [max(ci, -(-f * total // d)) for ci in c]  # ceil(s * total)
        needed = sum(targets)
        if needed <= total:  # the first fixed point from below: the minimum
            return np.array(targets, dtype=np.int64)
        raised = sum(t > ci for t, ci in zip(targets, c, strict=True))
        rest = sum(ci for t, ci in zip(targets, c, strict=True) if t == ci)
        # ceil(rest / (1 - raised * s))
        total = max(needed, -(-rest * d // (d - raised * f)))


def stratum_targets(
    counts, *, target_ratio=None, min_share=None, relative=False, n_per_seed=None
):
    """Rows per stratum after over-sampling: the one entry point of the samplers.

    Parameters
    ----------
    counts : array-like of int, shape (n_strata,)
        Rows per stratum, each at least 1.
    target_ratio : float in [0, 1] or None, default=None
        Raise every stratum to this fraction of the largest
        (:func:`ratio_targets`). None or 0: no ratio target.
    min_share : float in [0, 1] or None, default=None
        Give every stratum this share of the output (:func:`floor_targets`).
        None or 0: no floor. Cannot be combined with ``target_ratio``.
    relative : bool, default=False
        ``min_share`` is a fraction of the uniform share ``1 / n_strata``.
    n_per_seed : int or None, default=None
        Instead of a target: ``n_per_seed`` new rows per row of every stratum
        smaller than the largest. Cannot be combined with the others.

    Returns
    -------
    targets : ndarray of int64, shape (n_strata,)

    Examples
    --------
    >>> from skbalance._targets import stratum_targets
    >>> stratum_targets([500, 50], target_ratio=0.5).tolist()
    [500, 250]
    >>> stratum_targets([500, 50], target_ratio=None).tolist()
    [500, 50]
    """
    if n_per_seed is not None:
        if target_ratio is not None or min_share is not None:
            raise ValueError(
                f"Got n_per_seed={n_per_seed!r} with target_ratio or min_share; "
                "n_per_seed replaces the targets: leave them None."
            )
        counts = np.asarray(counts, dtype=np.int64)
        return np.where(counts < counts.max(), counts * (1 + n_per_seed), counts)
    if target_ratio is not None and min_share is not None:
        raise ValueError(
            f"Got both target_ratio={target_ratio!r} and min_share={min_share!r}; "
            "set one of them and leave the other None."
        )
    if min_share is not None:
        return floor_targets(counts, min_share, relative=relative)
    return ratio_targets(counts, 0 if target_ratio is None else target_ratio)
