"""Invariants of the mixture counts and of MixtureSampler, checked with hypothesis."""

import math
import warnings
from collections import Counter
from fractions import Fraction

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from skbalance import MixtureSampler, mixture_counts
from skbalance._mixture_plan import _fill, mixture_shares

counts_st = st.lists(st.integers(1, 60), min_size=2, max_size=7)
alpha_st = st.sampled_from([0, 0.1, 0.3, 0.5, 0.7, 1, 1.5, 2])
size_st = st.none() | st.integers(1, 500)
share_st = st.none() | st.floats(0.0, 0.6, allow_nan=False)
repeats_st = st.none() | st.floats(0.2, 6.0, allow_nan=False)


def _exact(x):
    return Fraction(repr(float(x)))


def _quiet(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mixture_counts(**kwargs)


def unimax_reference(counts, budget, epochs):
    """The paper's allocation, as written (Chung et al. 2023, Algorithm 1):
    strata sorted by size ascending, each given min(E * n_i, remaining budget
    / remaining strata), then largest remainder over the given order."""
    order = sorted(range(len(counts)), key=lambda i: counts[i])
    alloc = [Fraction(0)] * len(counts)
    remaining = Fraction(budget)
    for j, i in enumerate(order):
        share = remaining / (len(counts) - j)
        alloc[i] = min(Fraction(math.floor(_exact(epochs) * counts[i])), share)
        remaining -= alloc[i]
    return alloc


@settings(max_examples=300, deadline=None)
@given(
    counts=counts_st,
    alpha=st.none() | alpha_st,
    size=size_st,
    min_share=share_st,
    max_repeats=repeats_st,
)
def test_counts_sum_to_size_and_bounds_hold(
    counts, alpha, size, min_share, max_repeats
):
    t = _quiet(
        counts=counts,
        temperature=alpha,
        size=size,
        min_share=min_share,
        max_repeats=max_repeats,
    )
    total = sum(counts) if size is None else size
    k = len(counts)
    assert t.dtype == np.int64 and (t >= 0).all()
    caps = (
        [math.floor(_exact(max_repeats) * c) for c in counts]
        if max_repeats is not None
        else None
    )
    if caps is None or sum(caps) >= total:
        assert t.sum() == total
    else:  # the caps cannot reach the size: every stratum at its cap
        assert t.tolist() == caps
    if caps is not None:
        assert (t <= caps).all()
    if min_share:
        share = min(_exact(min_share), Fraction(1, k))
        floor = min(math.ceil(share * total), total // k)
        for ti, cap in zip(t.tolist(), caps or [None] * k, strict=True):
            assert ti >= (floor if cap is None else min(floor, cap))


@settings(max_examples=300, deadline=None)
@given(counts=counts_st, alpha=alpha_st, size=size_st)
def test_without_bounds_every_count_is_its_share_rounded(counts, alpha, size):
    t = mixture_counts(counts, temperature=alpha, size=size)
    total = sum(counts) if size is None else size
    shares = mixture_shares(counts, temperature=alpha)
    for ti, p in zip(t.tolist(), shares, strict=True):
        assert ti in (math.floor(p * total), math.ceil(p * total))
    # largest remainder: no stratum rounded down has a larger remainder than
    # one rounded up
    rem = [p * total - math.floor(p * total) for p in shares]
    up = [r for ti, p, r in zip(t, shares, rem, strict=True) if ti > p * total]
    down = [r for ti, p, r in zip(t, shares, rem, strict=True) if ti < p * total]
    if up and down:
        assert min(up) >= max(down)


@settings(max_examples=200, deadline=None)
@given(
    counts=counts_st,
    weights=st.lists(st.integers(0, 9), min_size=7, max_size=7),
    size=st.integers(1, 500),
)
def test_weights_are_normalised_and_rounded(counts, weights, size):
    w = weights[: len(counts)]
    assume(sum(w) > 0)
    t = mixture_counts(counts, weights=w, size=size)
    assert t.sum() == size
    for ti, wi in zip(t.tolist(), w, strict=True):
        exact = Fraction(wi * size, sum(w))
        assert ti in (math.floor(exact), math.ceil(exact))


@settings(max_examples=150, deadline=None)
@given(counts=counts_st)
def test_alpha_one_at_input_size_is_the_identity(counts):
    assert mixture_counts(counts, temperature=1).tolist() == counts
    assert mixture_counts(counts).tolist() == counts


@settings(max_examples=150, deadline=None)
@given(counts=counts_st, size=size_st)
def test_alpha_zero_without_cap_is_uniform_within_one_row(counts, size):
    t = mixture_counts(counts, temperature=0, size=size)
    assert t.max() - t.min() <= 1


@settings(max_examples=300, deadline=None)
@given(
    counts=counts_st,
    size=st.integers(1, 800),
    epochs=st.sampled_from([0.5, 1, 1.5, 2, 3, 4, 10]),
)
def test_unimax_is_the_papers_allocation(counts, size, epochs):
    reference = unimax_reference(counts, size, epochs)
    t = _quiet(counts=counts, max_repeats=epochs, size=size)
    if sum(reference) < size:
        assert t.tolist() == [int(a) for a in reference]
    else:
        for ti, a in zip(t.tolist(), reference, strict=True):
            assert ti in (math.floor(a), math.ceil(a))


@settings(max_examples=60, deadline=None)
@given(
    counts=counts_st,
    alpha=alpha_st,
    size=size_st,
    max_repeats=repeats_st,
    seed=st.integers(0, 10),
    shuffle=st.booleans(),
)
def test_sampler_meets_the_counts_seeded(
    counts, alpha, size, max_repeats, seed, shuffle
):
    y = np.repeat(np.arange(len(counts)), counts)
    y = y[np.random.RandomState(seed).permutation(y.size)]
    X = np.arange(y.size).reshape(-1, 1) * 10
    params = {
        "temperature": alpha,
        "size": size,
        "max_repeats": max_repeats,
        "shuffle": shuffle,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler = MixtureSampler(**params, random_state=seed)
        X_res, y_res = sampler.fit_resample(X, y)
        again = MixtureSampler(**params, random_state=seed).fit_resample(X, y)
        expected = mixture_counts(
            counts, temperature=alpha, size=size, max_repeats=max_repeats
        )
    # exactly the planned counts, every output row a copy of the row it names
    assert Counter(y_res.tolist()) == {k: int(t) for k, t in enumerate(expected) if t}
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])
    # lowered strata: no row twice; raised: every row, uses differ by <= 1
    uses = np.bincount(sampler.sample_indices_, minlength=y.size)
    for k, (c, t) in enumerate(zip(counts, expected.tolist(), strict=True)):
        members = uses[y == k]
        if t <= c:
            assert members.max() <= 1 and members.sum() == t
        else:
            assert members.min() == t // c and members.max() == -(-t // c)
    # seeded: the same output again
    np.testing.assert_array_equal(again[0], X_res)
    np.testing.assert_array_equal(again[1], y_res)


@settings(max_examples=200, deadline=None)
@given(
    counts=counts_st,
    alpha=alpha_st,
    size=st.integers(1, 500),
    min_share=share_st,
    max_repeats=repeats_st,
)
def test_strata_at_no_bound_share_one_factor(
    counts, alpha, size, min_share, max_repeats
):
    """With floors and caps, the strata that neither binds get lam * p_i rows
    for one lam, rounded down or up; the bound ones sit at their bound."""
    k = len(counts)
    shares = mixture_shares(counts, temperature=alpha)
    lo = [0] * k
    if min_share:
        share = min(_exact(min_share), Fraction(1, k))
        lo = [min(math.ceil(share * size), size // k)] * k
    hi = [None] * k
    if max_repeats is not None:
        hi = [math.floor(_exact(max_repeats) * c) for c in counts]
        lo = [min(a, b) for a, b in zip(lo, hi, strict=True)]
    x = _fill(shares, lo, hi, size)
    free = [i for i in range(k) if x[i] > lo[i] and (hi[i] is None or x[i] < hi[i])]
    factors = {x[i] / shares[i] for i in free}
    assert len(factors) <= 1
    for i in range(k):
        if i not in free:
            assert x[i] in (lo[i], hi[i])
    t = _quiet(
        counts=counts,
        temperature=alpha,
        size=size,
        min_share=min_share,
        max_repeats=max_repeats,
    )
    for ti, xi in zip(t.tolist(), x, strict=True):
        assert ti in (math.floor(xi), math.ceil(xi))
