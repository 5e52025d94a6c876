"""The engine behind every stratified splitter: y and groups read once, then
the part of every row (single-label, multi-label, grouped)."""

import itertools
import warnings

import numpy as np
from scipy import sparse

from skbalance._allocation import allocate_classes, assign_rows, iterative_parts
from skbalance._labels import encode
from skbalance._multilabel import read_multilabel
from skbalance._validation import check_groups, check_labels

__all__ = [
    "ClassWarning",
    "Target",
    "TooFewGroupsError",
    "describe",
    "partition",
    "warn_rare",
    "warn_uncovered",
]

#: exhaustive search over group assignments up to this many candidates
_EXHAUSTIVE = 20_000


class ClassWarning(UserWarning):
    """A warning that names classes (or labels).

    ``reword(name, noun)`` gives its text with ``name(label)`` for every class
    it names and ``noun`` for its "class(es)" (None: the default words): the
    command line, which splits on integer codes, names the classes by their
    values that way.
    """

    def __init__(self, text):
        super().__init__(text(repr, None))
        self.reword = text


class TooFewGroupsError(ValueError):
    """Fewer groups than parts: ``n_groups``, ``n_parts`` and ``pairs``
    (``(group, rows)`` of every group), for a caller that knows where the
    groups came from."""

    def __init__(self, message, *, n_groups, n_parts, pairs):
        super().__init__(message)
        self.n_groups, self.n_parts, self.pairs = n_groups, n_parts, pairs


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def describe(pairs):
    """``'a' (3 rows), 'b' (1 row) and 2 more``, at most ten shown."""
    shown = ", ".join(
        f"{label!r} ({c} row{'s' if c != 1 else ''})" for label, c in pairs[:10]
    )
    more = len(pairs) - 10
    return shown + (f" and {more} more" if more > 0 else "")


class Target:
    """y (single- or multi-label) and groups, validated and encoded once."""

    def __init__(self, y, groups, n):
        self.stratified = y is not None
        read = None if y is None else read_multilabel(y)
        self.multilabel = read is not None
        if self.multilabel:
            self.Y, self.names = read
            if self.Y.shape[0] != n:
                raise ValueError(
                    f"X has {n} rows but y has {self.Y.shape[0]}; they must have "
                    "the same length."
                )
        else:
            _reject_multioutput(y)
            labels = np.zeros(n, dtype=np.intp) if y is None else y
            labels = check_labels(labels, n_samples=n)
            self.uniques, self.codes, self.counts = encode(labels, name="y")
        self.groups = None
        if groups is not None:
            values = check_groups(groups, n_samples=n, against="X")
            self.group_names, self.groups, self.group_sizes = encode(
                values, name="groups"
            )

    def indicator(self):
        """(n_samples, n_labels) sparse 0/1 matrix of the classes or labels."""
        if self.multilabel:
            return self.Y
        n = self.codes.size
        return sparse.csr_matrix(
            (np.ones(n, dtype=bool), (np.arange(n), self.codes)),
            shape=(n, self.counts.size),
        )

    def label_names(self):
        return self.names if self.multilabel else self.uniques

    def units(self):
        """Label counts per group, for iterative stratification of groups."""
        n = self.groups.size
        G = sparse.csr_matrix(
            (np.ones(n), (self.groups, np.arange(n))),
            shape=(self.group_sizes.size, n),
        )
        return G @ self.indicator().astype(float)

    def warn_rare(self, n_parts):
        """Name the classes too small to be in every part (single-label)."""
        if self.multilabel or self.groups is not None or not self.stratified:
            return
        warn_rare(self.uniques.tolist(), self.counts.tolist(), n_parts, stacklevel=5)


def warn_rare(labels, counts, n_parts, *, stacklevel):
    """Warn naming the classes of fewer than ``min(3, n_parts)`` rows, which
    cannot be in every part (shared with :mod:`skbalance.spark`)."""
    rare = [
        (label, int(c))
        for label, c in zip(labels, counts, strict=True)
        if c < min(3, n_parts)
    ]
    if not rare:
        return
    placed = (
        " They go to train (1 example) or to train and test (2 examples)."
        if n_parts == 3
        else ""
    )

    def text(name, noun):
        return (
            f"{len(rare)} {noun or 'class(es)'} have too few examples to be in "
            f"every part: {examples(rare, name)}.{placed}"
        )

    warnings.warn(ClassWarning(text), stacklevel=stacklevel)


def _reject_multioutput(y):
    """A 2-D y that is not a 0/1 matrix: say what it is and what is accepted."""
    shape = getattr(y, "shape", None)
    if shape is None or len(shape) != 2 or shape[1] < 2 or sparse.issparse(y):
        return
    values = np.asarray(y)
    kind = values.dtype.kind
    if kind in "biuf" and values.size and values.min() >= 0 and values.max() <= 1:
        if kind != "f" or not (values % 1).any():
            return  # a one-vs-all indicator (one 1 per row): one label per row
    kind = {"U": "strings", "S": "bytes", "O": "objects"}.get(
        kind, "numbers other than 0 and 1"
    )
    raise ValueError(
        f"y is a 2-D array of {kind} of shape {shape} (a multi-output target, one "
        "label per column). Stratified splits accept one label per row (1-D), a "
        "multi-label 0/1 indicator matrix (dense or sparse), or a list of label "
        "lists; to stratify on several columns, join them into one label per row."
    )


def examples(pairs, name=repr):
    """``'a' (3), 'b' (1) and 2 more``, at most ten shown."""
    shown = ", ".join(f"{name(label)} ({c})" for label, c in pairs[:10])
    more = len(pairs) - 10
    return shown + (f" and {more} more" if more > 0 else "")


def partition(target, sizes, fractions, *, keep_rare, rare_order, rng, ordered=False):
    """Part of every row.

    ``sizes`` are the exact part sizes, ``fractions`` the requested fractions
    as ``(weights, denominator)``; ``ordered`` visits rows in input order
    instead of at random (no shuffling).
    """
    P = sizes.size
    if target.groups is not None:
        part = _group_parts(target, sizes, keep_rare=keep_rare, rng=rng)
        if keep_rare:
            _warn_uncovered(target, part, P, "too few groups hold them")
        return part
    if target.multilabel:
        part, uncovered = iterative_parts(
            target.Y, sizes, keep_rare=keep_rare, rng=rng, ordered=ordered
        )
        if uncovered:  # the kernel counts them; name them
            _warn_uncovered(
                target, part, P, "too few rows, or rows shared with other labels"
            )
        return part
    alloc, _, uncovered = allocate_classes(
        target.counts,
        sizes,
        fractions=fractions,
        keep_rare=keep_rare,
        rare_order=rare_order,
        rng=rng,
    )
    if uncovered.size:
        _warn(target, uncovered, P, "the rows they need overflow a part")
    return assign_rows(target.codes, alloc, rng, ordered=ordered)


def _warn(target, labels, n_parts, why):
    names = target.label_names()
    totals = np.asarray(target.indicator().sum(axis=0)).ravel()
    held = None
    if target.groups is not None:
        held = np.asarray((target.units() > 0).sum(axis=0)).ravel()
    items = [
        (_plain(names[k]), int(totals[k]), None if held is None else int(held[k]))
        for k in labels
    ]
    kind = "label(s)" if target.multilabel else "class(es)"
    warn_uncovered(items, n_parts, why, kind=kind, stacklevel=6)


def warn_uncovered(items, n_parts, why, *, kind="class(es)", stacklevel):
    """Warn naming the classes of at least ``max(3, n_parts)`` rows that are
    missing from some part: ``items`` are ``(label, rows, groups holding it
    or None)`` (shared with :mod:`skbalance.spark`)."""

    def text(name, noun):
        shown = [
            f"{name(label)} ({total} rows"
            + ("" if held is None else f" in {held} group{'s' if held != 1 else ''}")
            + ")"
            for label, total, held in items
        ]
        more = f" and {len(shown) - 10} more" if len(shown) > 10 else ""
        return (
            f"{len(shown)} {noun or kind} of at least {max(3, n_parts)} rows could "
            f"not be put in every part ({why}): {', '.join(shown[:10])}{more}."
        )

    warnings.warn(ClassWarning(text), stacklevel=stacklevel)


def _warn_uncovered(target, part, n_parts, why):
    """Warn naming every class or label of at least ``max(3, n_parts)`` rows
    that is missing from some part."""
    Y = target.indicator()
    holders = np.asarray(Y.sum(axis=0)).ravel()
    P = sparse.csr_matrix(
        (np.ones(part.size), (part, np.arange(part.size))), shape=(n_parts, part.size)
    )
    present = (P @ Y.astype(np.float64)).toarray() > 0
    missing = np.flatnonzero((holders >= max(3, n_parts)) & ~present.all(axis=0))
    if missing.size:
        _warn(target, missing, n_parts, why)


def _group_parts(target, sizes, *, keep_rare, rng):
    """Part of every row when groups must not straddle parts."""
    part = group_assignment(
        target.units(),
        target.group_sizes,
        target.group_names,
        sizes,
        keep_rare=keep_rare,
        rng=rng,
    )
    return part[target.groups]


def group_assignment(units, group_sizes, group_names, sizes, *, keep_rare, rng):
    """Part of every group, from the (group, class) counts alone.

    A pure function of the counts, shared with :mod:`skbalance.spark`: every
    assignment is tried for a few groups (the smallest part-size error, then
    per-class error), iterative stratification of the groups otherwise; no
    part is left empty.

    Parameters
    ----------
    units : sparse matrix of shape (n_groups, n_classes)
        Rows of every class in every group (groups and classes sorted).
    group_sizes : ndarray of int of shape (n_groups,)
        Rows of every group.
    group_names : ndarray of shape (n_groups,)
        The groups, for the error message.
    sizes : ndarray of int of shape (n_parts,)
        Exact part sizes.
    keep_rare : bool
        As in :func:`skbalance.stratified_partition`.
    rng : numpy.random.RandomState
        Breaks ties.

    Returns
    -------
    part : ndarray of int of shape (n_groups,)
    """
    P = sizes.size
    n_groups = group_sizes.size
    if n_groups < P:
        pairs = [
            (g.item() if hasattr(g, "item") else g, int(s))
            for g, s in zip(group_names, group_sizes, strict=True)
        ]
        raise TooFewGroupsError(
            f"Cannot split {n_groups} group(s) into {P} non-empty parts: groups "
            f"{describe(pairs)}.",
            n_groups=n_groups,
            n_parts=P,
            pairs=pairs,
        )
    if P**n_groups * P * units.shape[1] <= 50 * _EXHAUSTIVE:
        return _best_assignment(units.toarray(), group_sizes, sizes, rng)
    part, _ = iterative_parts(
        units, sizes, weights=group_sizes, keep_rare=keep_rare, rng=rng
    )
    _fill_empty_parts(part, group_sizes, P)
    return part


def _best_assignment(U, weights, sizes, rng):
    """Among all assignments of a few groups that leave no part empty, one with
    the smallest part-size error, then the smallest per-class error."""
    G, P = U.shape[0], sizes.size
    A = np.array(list(itertools.product(range(P), repeat=G)), dtype=np.int64)
    onehot = (A[:, :, None] == np.arange(P)).astype(np.float64)
    keep = onehot.any(axis=1).all(axis=1)
    A, onehot = A[keep], onehot[keep]
    n = weights.sum()
    size_error = np.abs(onehot.transpose(0, 2, 1) @ weights - sizes).sum(axis=1)
    have = np.einsum("mgp,gl->mpl", onehot, U)
    want = U.sum(axis=0)[None, None, :] * (sizes / n)[None, :, None]
    class_error = np.abs(have - want).sum(axis=(1, 2))
    best = np.lexsort((rng.random(A.shape[0]), np.round(class_error, 9), size_error))
    return A[best[0]]


def _fill_empty_parts(part, weights, n_parts):
    """Move the smallest group of the part with the most groups into every
    empty part (in place)."""
    for j in range(n_parts):
        if (part == j).any():
            continue
        donor = int(np.argmax(np.bincount(part, minlength=n_parts)))
        members = np.flatnonzero(part == donor)
        part[members[np.argmin(weights[members])]] = j
