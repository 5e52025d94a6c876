"""Invariants of the samplers, checked with hypothesis."""

import math
from collections import Counter
from fractions import Fraction

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from skbalance import DomainFloorSampler, RatioOverSampler

counts_st = st.lists(st.integers(1, 40), min_size=2, max_size=6)
ratio_st = st.floats(0.01, 1.0, allow_nan=False)


def _data(counts, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    y = y[np.random.RandomState(seed).permutation(y.size)]
    X = np.arange(y.size).reshape(-1, 1) * 10
    return X, y


def _exact(x):
    return Fraction(repr(float(x)))


def _check_common(sampler, X, y, X_res, y_res):
    n = len(y)
    # originals kept unchanged, in order, first
    np.testing.assert_array_equal(X_res[:n], X)
    np.testing.assert_array_equal(y_res[:n], y)
    # every output row is a copy of the input row it names, with its label
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])
    # reported counts are the real ones
    assert dict(Counter(y_res.tolist())) == sampler.counts_after_
    # copies are spread evenly within a stratum: counts differ by at most one
    copies = np.bincount(sampler.sample_indices_[n:], minlength=n)
    for k in np.unique(y):
        members = copies[y == k]
        assert members.max() - members.min() <= 1


@settings(max_examples=150, deadline=None)
@given(counts=counts_st, ratio=ratio_st, seed=st.integers(0, 10))
def test_ratio_targets_met_exactly_and_minimally(counts, ratio, seed):
    X, y = _data(counts, seed)
    sampler = RatioOverSampler(target_ratio=ratio, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    _check_common(sampler, X, y, X_res, y_res)
    level = math.ceil(_exact(ratio) * max(counts))
    after = Counter(y_res.tolist())
    for k, c in enumerate(counts):
        # met: at least the level; minimal: not one row more than needed
        assert after[k] == max(c, level)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), counts=counts_st, seed=st.integers(0, 10))
def test_floors_met_and_no_smaller_output_exists(data, counts, seed):
    k = len(counts)
    share = data.draw(st.floats(0.0, 1.0 / k, allow_nan=False), label="min_share")
    X, y = _data(counts, seed)
    sampler = DomainFloorSampler(min_share=share, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    _check_common(sampler, X, y, X_res, y_res)
    s = _exact(share)
    after = [Counter(y_res.tolist())[i] for i in range(k)]
    total = sum(after)
    # met: every share of the output is at least the floor, no count lowered
    assert all(Fraction(a, total) >= s for a in after)
    assert all(a >= c for a, c in zip(after, counts, strict=True))
    # minimal, by brute force: no smaller total admits a feasible assignment
    for t in range(sum(counts), total):
        assert sum(max(c, math.ceil(s * t)) for c in counts) > t
    # and at that total, no stratum has a row more than it needs
    assert after == [max(c, math.ceil(s * total)) for c in counts]


@settings(max_examples=60, deadline=None)
@given(counts=counts_st, seed=st.integers(0, 10), shuffle=st.booleans())
def test_same_output_for_the_same_random_state(counts, seed, shuffle):
    X, y = _data(counts, seed)
    for make in (
        lambda: RatioOverSampler(target_ratio=0.8, shuffle=shuffle, random_state=seed),
        lambda: DomainFloorSampler(min_share=0.1, shuffle=shuffle, random_state=seed),
    ):
        X1, y1 = make().fit_resample(X, y)
        X2, y2 = make().fit_resample(X, y)
        np.testing.assert_array_equal(X1, X2)
        np.testing.assert_array_equal(y1, y2)


@settings(max_examples=60, deadline=None)
@given(
    counts=counts_st,
    n_domains=st.integers(2, 4),
    seed=st.integers(0, 10),
)
def test_domain_floors_leave_the_input_untouched(counts, n_domains, seed):
    assume(sum(counts) >= n_domains)
    X, y = _data(counts, seed)
    rng = np.random.RandomState(seed)
    groups = rng.randint(0, n_domains, size=y.size)
    groups[:n_domains] = np.arange(n_domains)  # every domain present
    X0, y0, g0 = X.copy(), y.copy(), groups.copy()
    sampler = DomainFloorSampler(min_share=1.0 / (n_domains + 1), random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y, groups=groups)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(groups, g0)
    out_groups = groups[sampler.sample_indices_]
    shares = np.bincount(out_groups) / out_groups.size
    assert np.all(shares >= _exact(1.0 / (n_domains + 1)) - 1e-12)
