"""Invariants of the samplers, checked with hypothesis."""

import math
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from skbalance import DomainFloorSampler, LLMAugmentSampler, RatioOverSampler

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


@settings(max_examples=120, deadline=None)
@given(
    counts=st.lists(st.integers(1, 40), min_size=2, max_size=30),
    fraction=st.floats(0.0, 1.0, allow_nan=False),
    seed=st.integers(0, 10),
)
def test_relative_floors_met_minimally_for_any_number_of_strata(counts, fraction, seed):
    # relative=True: every stratum gets fraction / k of the output, always feasible
    k = len(counts)
    X, y = _data(counts, seed)
    sampler = DomainFloorSampler(min_share=fraction, relative=True, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    _check_common(sampler, X, y, X_res, y_res)
    s = _exact(fraction) / k
    after = [Counter(y_res.tolist())[i] for i in range(k)]
    total = sum(after)
    assert all(Fraction(a, total) >= s for a in after)
    for t in range(sum(counts), total):
        assert sum(max(c, math.ceil(s * t)) for c in counts) > t


@settings(max_examples=60, deadline=None)
@given(data=st.data(), counts=counts_st, seed=st.integers(0, 10))
def test_an_infeasible_floor_gives_equal_strata(data, counts, seed):
    k = len(counts)
    share = data.draw(st.floats(1.0 / k, 1.0, exclude_min=True, allow_nan=False))
    assume(_exact(share) * k > 1)
    X, y = _data(counts, seed)
    sampler = DomainFloorSampler(min_share=share, random_state=seed)
    with pytest.warns(UserWarning, match="cannot be met by"):
        sampler.fit(X, y)
    assert set(sampler.counts_after_.values()) == {max(counts)}


@settings(max_examples=40, deadline=None)
@given(
    counts=counts_st,
    seed=st.integers(0, 2**31 - 2),
    shuffle=st.booleans(),
    ratio=ratio_st,
)
def test_int_seed_and_its_random_state_give_the_same_output(
    counts, seed, shuffle, ratio
):
    X, y = _data(counts, 0)
    w = np.arange(y.size, dtype=float)
    for make in (
        lambda rs: RatioOverSampler(
            target_ratio=ratio, shuffle=shuffle, random_state=rs
        ),
        lambda rs: DomainFloorSampler(min_share=0.1, shuffle=shuffle, random_state=rs),
    ):
        X1, y1, w1 = make(seed).fit_resample(X, y, sample_weight=w)
        X2, y2, w2 = make(np.random.RandomState(seed)).fit_resample(
            X, y, sample_weight=w
        )
        np.testing.assert_array_equal(X1, X2)
        np.testing.assert_array_equal(y1, y2)
        # the weights follow their rows
        np.testing.assert_array_equal(w1, X1.ravel() / 10)
        np.testing.assert_array_equal(w1, w2)


@settings(max_examples=40, deadline=None)
@given(counts=counts_st, ratio=ratio_st, seed=st.integers(0, 10))
def test_llm_sampler_uses_every_seed_evenly_and_keeps_the_originals(
    counts, ratio, seed
):
    X, y = _data(counts, seed)
    texts = [f"text number {i} of class {k}" for i, k in enumerate(y.tolist())]
    sampler = LLMAugmentSampler(
        target_ratio=ratio, generator="offline", cache=None, random_state=seed
    )
    X_res, y_res = sampler.fit_resample(texts, y)
    n = len(texts)
    assert X_res[:n] == texts
    level = math.ceil(_exact(ratio) * max(counts))
    after = Counter(y_res.tolist())
    assert all(after[k] == max(c, level) for k, c in enumerate(counts))
    uses = np.bincount(sampler.sample_indices_[n:], minlength=n)
    for k in range(len(counts)):
        assert np.ptp(uses[y == k]) <= 1
    assert sampler.is_synthetic_.sum() == len(X_res) - n
