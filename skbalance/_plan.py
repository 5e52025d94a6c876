"""Which input rows make the output of a resampling, from the counts per
stratum alone: the plan of the sampler family (:mod:`skbalance._base`), in
plain NumPy, so that the command line plans a file's rows without importing
scikit-learn.
"""

import numpy as np

from skbalance._labels import sort_by_code
from skbalance._validation import rng_from_random_state

__all__ = ["plan_kept", "plan_sources", "resampled_rows"]


def plan_sources(codes, counts, targets, rng, rank=None):
    """Input rows that the new rows come from, so stratum ``k`` ends with
    ``targets[k]`` rows.

    Every row of a raised stratum is used ``a // c`` or ``a // c + 1`` times
    (``a`` rows added to a stratum of ``c``): the whole stratum ``a // c``
    times, then ``a % c`` of its rows drawn without replacement, in input
    order. Unlike drawing with replacement, no row is used many times while
    another is never used.

    Parameters
    ----------
    codes : ndarray of intp, shape (n_samples,)
        Stratum of every row, ``0 .. n_strata - 1``.
    counts, targets : ndarray of int, shape (n_strata,)
        Rows per stratum before and after; ``targets >= counts``.
    rng : numpy.random.Generator
        Chooses the rows used once more.
    rank : ndarray of shape (n_samples,), default=None
        When given, the rows used once more are those of lowest rank in their
        stratum (ties in input order), instead of a random subset: a stable
        rank picks the same rows in every CV fold that holds them.

    Returns
    -------
    sources : ndarray of intp
        Input row of every new row, grouped by stratum.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance._plan import plan_sources
    >>> codes = np.array([0, 0, 0, 0, 1, 1])
    >>> sources = plan_sources(codes, np.array([4, 2]), np.array([4, 5]),
    ...                        np.random.default_rng(0))
    >>> sorted(np.bincount(sources, minlength=6).tolist())
    [0, 0, 0, 0, 1, 2]
    """
    add = targets - counts
    is_raised = add > 0
    if not is_raised.any():
        return np.empty(0, dtype=np.intp)
    add = add.tolist()
    parts = []
    for k, rows in _rows_of_strata(codes, counts, is_raised):
        whole, extra = divmod(add[k], rows.size)
        parts.append(np.tile(rows, whole))
        if extra:
            picked = np.zeros(rows.size, dtype=bool)
            if rank is None:
                chosen = rng.choice(rows.size, extra, replace=False, shuffle=False)
            else:
                chosen = np.argsort(rank[rows], kind="stable")[:extra]
            picked[chosen] = True
            parts.append(rows[picked])
    return np.concatenate(parts)


#: up to this many strata, one pass over the codes per stratum beats a sort
_FEW_STRATA = 8


def _rows_of_strata(codes, counts, selected):
    """``(k, rows)`` for every selected stratum ``k``: its rows in input order.

    A few strata are found by one pass over the codes each, more by one
    stable sort of their rows (the same rows in the same order either way).
    """
    chosen = np.flatnonzero(selected).tolist()
    if len(chosen) <= _FEW_STRATA:
        return [(k, np.flatnonzero(codes == k)) for k in chosen]
    members = np.flatnonzero(selected[codes])
    members = members[sort_by_code(codes[members], counts.size)]
    return zip(chosen, np.split(members, np.cumsum(counts[chosen])[:-1]), strict=True)


def plan_kept(codes, counts, targets, rng):
    """Input rows that stay, in input order, when some strata are lowered.

    A stratum lowered from ``c`` to ``t < c`` rows keeps ``t`` of its rows,
    drawn without replacement; the other strata keep every row.

    Parameters
    ----------
    codes : ndarray of intp, shape (n_samples,)
        Stratum of every row, ``0 .. n_strata - 1``.
    counts, targets : ndarray of int, shape (n_strata,)
        Rows per stratum before and after.
    rng : numpy.random.Generator
        Chooses the rows that stay.

    Returns
    -------
    kept : ndarray of intp or None
        The rows that stay, ascending; None when no stratum is lowered (every
        row stays, and ``rng`` is not used).

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance._plan import plan_kept
    >>> codes = np.array([0, 0, 0, 0, 1, 1])
    >>> kept = plan_kept(codes, np.array([4, 2]), np.array([2, 5]),
    ...                  np.random.default_rng(0))
    >>> np.bincount(codes[kept]).tolist()
    [2, 2]
    """
    is_lowered = targets < counts
    if not is_lowered.any():
        return None
    keep = np.ones(codes.size, dtype=bool)
    for k, rows in _rows_of_strata(codes, counts, is_lowered):
        n_drop = rows.size - targets[k]
        drop = rng.choice(rows.size, n_drop, replace=False, shuffle=False)
        keep[rows[drop]] = False
    return np.flatnonzero(keep)


def resampled_rows(codes, counts, targets, random_state, *, shuffle=False):
    """The input row of every output row, as a sampler of the family gives
    them (its ``sample_indices_``) with the same ``random_state``.

    The rows that stay, in input order (all of them unless a stratum is
    lowered), then the copies (:func:`plan_sources`); shuffled when asked.

    Parameters
    ----------
    codes : ndarray of intp, shape (n_samples,)
        Stratum of every row, ``0 .. n_strata - 1``.
    counts, targets : ndarray of int, shape (n_strata,)
        Rows per stratum before and after.
    random_state : int, RandomState instance or None
        As the samplers' ``random_state``.
    shuffle : bool, default=False
        Shuffle the output rows.

    Returns
    -------
    ndarray of intp
        Input rows, one per output row.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance._plan import resampled_rows
    >>> codes = np.array([0, 0, 0, 1])
    >>> resampled_rows(codes, np.array([3, 1]), np.array([3, 3]), 0).tolist()
    [0, 1, 2, 3, 3, 3]
    """
    rng = rng_from_random_state(random_state)
    sources = plan_sources(codes, counts, targets, rng)
    kept = plan_kept(codes, counts, targets, rng)
    if kept is None:
        kept = np.arange(codes.size, dtype=np.intp)
    rows = np.concatenate([kept, sources])
    return rows[rng.permutation(rows.size)] if shuffle else rows
