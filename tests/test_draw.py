"""The random subsets behind the partial copies (skbalance/_draw.pyx)."""

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chisquare

from skbalance._compat import bit_generator
from skbalance._draw import random_subset, uniform_below


def _bits(seed=0):
    return np.random.default_rng(seed).bit_generator


@given(
    c=st.integers(0, 60),
    data=st.data(),
    seed=st.integers(0, 2**32 - 1),
)
def test_subset_is_k_distinct_rows_in_input_order(c, data, seed):
    k = data.draw(st.integers(0, c))
    rows = np.random.default_rng(seed).permutation(1000)[:c].astype(np.intp)
    subset = random_subset(rows, k, _bits(seed))
    assert subset.dtype == np.intp and subset.shape == (k,)
    position = {row: i for i, row in enumerate(rows.tolist())}
    places = [position[row] for row in subset.tolist()]  # KeyError: not a row
    assert places == sorted(set(places))  # distinct and in input order


@pytest.mark.parametrize("k", [2, 3])  # marks the kept rows (2), the left-out (3)
def test_every_subset_equally_likely(k):
    rows = np.arange(5, dtype=np.intp)
    bits = _bits(1)
    seen = Counter(tuple(random_subset(rows, k, bits).tolist()) for _ in range(20_000))
    subsets = list(itertools.combinations(range(5), k))
    assert set(seen) == set(subsets)
    assert chisquare([seen[s] for s in subsets]).pvalue > 1e-3


def test_same_generator_state_same_subset():
    rows = np.arange(100, dtype=np.intp)
    np.testing.assert_array_equal(
        random_subset(rows, 30, _bits(7)), random_subset(rows, 30, _bits(7))
    )
    assert not np.array_equal(
        random_subset(rows, 30, _bits(7)), random_subset(rows, 30, _bits(8))
    )
    legacy = np.random.RandomState(3)
    first = random_subset(rows, 30, bit_generator(legacy))
    again = random_subset(rows, 30, bit_generator(np.random.RandomState(3)))
    np.testing.assert_array_equal(first, again)


def test_draws_advance_the_callers_generator():
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state["state"]["state"]
    random_subset(np.arange(10, dtype=np.intp), 3, rng.bit_generator)
    assert rng.bit_generator.state["state"]["state"] != before


@pytest.mark.parametrize("k", [-1, 4])
def test_k_out_of_range(k):
    with pytest.raises(ValueError, match=rf"cannot draw {k} of 3 rows"):
        random_subset(np.arange(3, dtype=np.intp), k, _bits())


@pytest.mark.parametrize(
    "bound",
    # both methods; without its rejection step, each of 3 * 2**30 (32-bit)
    # and 3 * 2**61 (64-bit) gives residues mod 3 at 1/2, 1/4, 1/4
    [7, 2**31 + 1, 3 * 2**30, 2**32 - 1, 2**32 + 3, 3 * 2**61],
)
def test_uniform_below_is_uniform_in_range(bound):
    values = uniform_below(60_000, bound, _bits(2))
    assert values.max() < bound
    # the 10 equal-width bins of [0, bound) are equally likely
    bins = (values // np.uint64(-(-bound // 10))).astype(np.intp)
    counts = np.bincount(bins, minlength=10)
    if bound < 10:
        counts = counts[:bound]
    assert counts.min() > 0
    assert chisquare(counts).pvalue > 1e-3
    # and so are the residues modulo 3 (catches a biased modulo reduction)
    if bound >= 3 * 2**20:
        residues = np.bincount((values % np.uint64(3)).astype(np.intp))
        assert chisquare(residues).pvalue > 1e-3


def test_uniform_below_one_is_zero():
    assert not uniform_below(100, 1, _bits()).any()


def test_uniform_below_rejects_zero():
    with pytest.raises(ValueError, match="bound must be at least 1; got 0"):
        uniform_below(1, 0, _bits())
