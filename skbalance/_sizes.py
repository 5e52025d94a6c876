"""Exact part sizes from fractions or counts, and the exact fractions they
round; the folds of a k-fold (pure functions of the number of rows)."""

import math
from numbers import Integral

import numpy as np

from skbalance._targets import exact_fraction

__all__ = ["check_n_splits", "exact_parts", "fold_parts", "part_sizes"]


def part_sizes(n, sizes, names):
    """Exact number of rows of every part.

    ``sizes`` holds fractions in (0, 1) summing to 1, apportioned by largest
    remainder (ties to the earlier part), or integer counts summing to ``n``;
    one entry may be None, meaning the rest. Every part gets at least one row
    (taken from the largest part when a share rounds to zero).

    Examples
    --------
    >>> part_sizes(100, [0.7, 0.15, 0.15], ["train_size", "val_size", "test_size"])
    array([70, 15, 15])
    >>> part_sizes(11, [0.7, 0.15, None], ["train_size", "val_size", "test_size"])
    array([8, 2, 1])
    """
    if n == 0:
        raise ValueError("Cannot split an empty data set (0 rows).")
    if sum(s is None for s in sizes) > 1:
        raise ValueError("At most one of the sizes may be None (the rest).")
    kinds = set()
    for name, s in zip(names, sizes, strict=True):
        if s is None:
            continue
        if isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1:
            kinds.add("count")
        elif isinstance(s, (float, np.floating)) and 0 < s < 1:
            kinds.add("fraction")
        else:
            raise ValueError(
                f"{name}={s!r} must be a fraction in (0, 1), a positive integer "
                "count, or None for the rest."
            )
    if len(kinds) > 1:
        shown = ", ".join(f"{a}={b!r}" for a, b in zip(names, sizes, strict=True))
        raise ValueError(
            f"Give the sizes all as fractions or all as counts; got {shown}."
        )
    plus = " + ".join(names)
    if kinds == {"count"}:
        counts = [None if s is None else int(s) for s in sizes]
        given = sum(c for c in counts if c is not None)
        if None in counts:
            counts[counts.index(None)] = n - given
        if sum(counts) != n or min(counts) < 1:
            raise ValueError(
                f"{plus} = {given} rows, but the data has {n}; counts must add up "
                "to the number of rows (or give one size as None for the rest)."
            )
        return np.array(counts, dtype=np.int64)
    numerators, denominator = _exact_shares(
        tuple(None if s is None else float(s) for s in sizes)
    )
    if numerators is None:
        given = sum(exact_fraction(s) for s in sizes if s is not None)
        raise ValueError(
            f"{plus} = {float(given):g}; fractions must sum to 1 (or give one size "
            "as None for the rest)."
        )
    if n < len(sizes):
        raise ValueError(
            f"Cannot split {n} rows into {len(sizes)} non-empty parts; {plus} "
            "need at least one row each."
        )
    quotas = [a * n for a in numerators]  # in units of 1 / denominator
    counts = [q // denominator for q in quotas]
    by_remainder = sorted(
        range(len(counts)), key=lambda j: (-(quotas[j] % denominator), j)
    )
    for j in by_remainder[: n - sum(counts)]:
        counts[j] += 1
    for j in range(len(counts)):  # a tiny data set: no part left empty
        if counts[j] == 0:
            counts[j] = 1
            counts[int(np.argmax(counts))] -= 1
    return np.array(counts, dtype=np.int64)


def _exact_shares(fractions):
    """The shares as integer numerators over one denominator, read as the
    decimals they were written as (0.7 + 0.15 + 0.15 is exactly 1); one None
    is the rest. ``(None, None)`` unless they are positive and sum to 1."""
    shares = [None if s is None else exact_fraction(s) for s in fractions]
    given = sum(s for s in shares if s is not None)
    if None in shares:
        shares[shares.index(None)] = 1 - given
    if sum(shares) != 1 or min(shares) <= 0:
        return None, None
    denominator = math.lcm(*(s.denominator for s in shares))
    return tuple(int(s * denominator) for s in shares), denominator


def exact_parts(n, sizes, names):
    """Part sizes and the exact fractions they round.

    Returns ``(counts, weights, denominator)``: ``counts`` as
    :func:`part_sizes`, and the requested fraction of part ``j`` exactly as
    ``weights[j] / denominator`` (``counts / n`` when sizes are counts, or
    when a tiny data set gives a part a row its fraction does not earn).
    """
    counts = part_sizes(n, sizes, names)
    if not any(isinstance(s, (float, np.floating)) for s in sizes):
        return counts, counts, int(n)
    numerators, denominator = _exact_shares(
        tuple(None if s is None else float(s) for s in sizes)
    )
    weights = np.array(numerators, dtype=np.int64)
    if (np.abs(counts * denominator - n * weights) >= denominator).any():
        return counts, counts, int(n)  # a part given a row it did not earn
    return counts, weights, int(denominator)


def check_n_splits(n_splits):
    """Refuse a number of folds that is not an integer of at least 2."""
    if not isinstance(n_splits, Integral) or isinstance(n_splits, bool) or n_splits < 2:
        raise ValueError(f"n_splits must be an integer >= 2; got {n_splits!r}.")


def fold_parts(n, n_splits):
    """Fold sizes and the exact share of every fold, as :func:`exact_parts`
    returns them: the one rule of k-fold for every engine.

    The first ``n % n_splits`` folds have ``n // n_splits + 1`` rows, the
    others ``n // n_splits``; the exact share of every fold is
    ``1 / n_splits`` (not its rounded size over ``n``), so that
    :func:`~skbalance._allocation.allocate_classes` gives every class
    ``count / n_splits`` rounded down or up in every fold.

    Examples
    --------
    >>> sizes, weights, denominator = fold_parts(65, 3)
    >>> sizes.tolist(), weights.tolist(), denominator
    ([22, 22, 21], [1, 1, 1], 3)
    """
    check_n_splits(n_splits)
    if n_splits > n:
        raise ValueError(f"Cannot have n_splits={n_splits} greater than the {n} rows.")
    k = int(n_splits)
    sizes = np.full(k, n // k, dtype=np.int64)
    sizes[: n % k] += 1
    return sizes, np.ones(k, dtype=np.int64), k
