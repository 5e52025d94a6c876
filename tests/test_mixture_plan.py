"""mixture_counts: hand-checked tables, the order of precedence, messages."""

import re
import warnings

import numpy as np
import pytest

from skbalance import mixture_counts
from skbalance._mixture_plan import largest_remainder, mixture_shares
from skbalance._targets import InfeasibleCapWarning, InfeasibleFloorWarning

COUNTS = [8000, 1500, 400, 100]


@pytest.mark.parametrize(
    ("counts", "epochs", "size", "expected"),
    [
        # sorted ascending: 100 -> min(400, 2500); 400 -> min(1600, 9600 / 3);
        # 1500 -> min(6000, 8000 / 2) = 4000; 8000 -> 4000
        (COUNTS, 4, None, [4000, 4000, 1600, 400]),
        # 10 -> min(10, 20); 20 -> min(20, 25); 70 -> min(70, 30)
        ([10, 20, 70], 1, 60, [10, 20, 30]),
        ([10, 20, 70], 2, 60, [20, 20, 20]),
        # 5 -> 5; then 95 / 2 = 47.5 each: the first in order rounds up
        ([5, 50, 50], 1, 100, [5, 48, 47]),
        # the order of the input does not matter
        ([50, 5, 50], 1, 100, [48, 5, 47]),
        # 1.5 epochs: caps floor(1.5 * n) = 4, 15, 150
        ([3, 10, 100], 1.5, 60, [4, 15, 41]),
    ],
)
def test_unimax_hand_checked(counts, epochs, size, expected):
    assert mixture_counts(counts, max_repeats=epochs, size=size).tolist() == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, COUNTS),
        ({"temperature": 1}, COUNTS),
        ({"temperature": 0}, [2500] * 4),
        ({"temperature": 0.3}, [4384, 2653, 1785, 1178]),
        # sqrt(n): 89.44, 38.73, 20, 10 over 158.17
        ({"temperature": 0.5}, [5655, 2449, 1264, 632]),
        ({"temperature": 1, "size": 5000}, [4000, 750, 200, 50]),
        ({"temperature": 0, "size": 10}, [3, 3, 2, 2]),
        ({"size": 0.5}, [4000, 750, 200, 50]),
        ({"weights": [2, 1, 1, 0], "size": 400}, [200, 100, 100, 0]),
        # a floor of 10%: 1000 rows each for the two small strata, the rest
        # in proportion 8000 : 1500
        ({"min_share": 0.1}, [6737, 1263, 1000, 1000]),
        # temperature 0.3 under 2 epochs: the two small strata at their caps,
        # 9000 rows in proportion 8000**0.3 : 1500**0.3 with 1500 capped at 3000
        ({"temperature": 0.3, "max_repeats": 2}, [6000, 3000, 800, 200]),
    ],
)
def test_rules_hand_checked(kwargs, expected):
    assert mixture_counts(COUNTS, **kwargs).tolist() == expected


def test_weights_by_key_downsample_and_raise():
    t = mixture_counts(
        [8000, 2000], weights={"en": 3, "de": 1}, keys=["en", "de"], size=4000
    )
    assert t.tolist() == [3000, 1000]


def test_temperature_shares_are_exact_and_platform_free():
    shares = mixture_shares([8, 1], temperature=0.5)
    # sqrt(8) / (sqrt(8) + 1) to 40 digits
    assert abs(float(shares[0]) - 8**0.5 / (8**0.5 + 1)) < 1e-15
    assert sum(shares) == 1


def test_largest_remainder_ties_go_to_the_first():
    assert largest_remainder([2.5, 2.5, 5], 10) == [3, 2, 5]


def test_infeasible_floor_is_lowered_with_a_warning():
    msg = (
        "min_share=0.4 cannot be met by 4 strata (min_share * n_strata must be "
        "<= 1); using 1/4, every stratum equal."
    )
    with pytest.warns(InfeasibleFloorWarning, match=re.escape(msg)) as record:
        t = mixture_counts(COUNTS, min_share=0.4)
    assert t.tolist() == [2500] * 4
    assert record[0].message.n_strata == 4


def test_caps_that_cannot_reach_size_lower_it_with_a_warning():
    msg = (
        "max_repeats=1 caps the strata at 10000 rows in all, fewer than "
        "size=20000; the output has 10000 rows, every stratum with a share at its "
        "cap."
    )
    with pytest.warns(InfeasibleCapWarning, match=re.escape(msg)) as record:
        t = mixture_counts(COUNTS, max_repeats=1, size=20000)
    assert t.tolist() == COUNTS
    assert (record[0].message.size, record[0].message.n_rows) == (20000, 10000)


def test_cap_beats_floor_with_a_warning():
    msg = (
        "max_repeats=3 keeps the strata [3] below the floor of 1000 rows "
        "(min_share=0.1); they get their cap [300] instead."
    )
    with pytest.warns(InfeasibleCapWarning, match=re.escape(msg)):
        t = mixture_counts(COUNTS, min_share=0.1, max_repeats=3)
    assert t.tolist() == [4250, 4250, 1200, 300]


def test_zero_weight_strata_take_nothing_when_caps_bind():
    with pytest.warns(InfeasibleCapWarning):
        t = mixture_counts([10, 10], weights=[1, 0], max_repeats=2, size=50)
    assert t.tolist() == [20, 0]


def test_floor_in_rows_is_capped_at_an_equal_split():
    # ceil(1/3 * 10) = 4 rows for 3 strata would need 12: 10 // 3 = 3 each
    t = mixture_counts([100, 1, 1], min_share=1 / 3, size=10)
    assert t.tolist() == [4, 3, 3]


def test_unknown_weight_keys_are_ignored_with_a_warning():
    msg = (
        "weights names strata that are not in the data, ignored: ['fr'] (the "
        "strata are ['de', 'en'])."
    )
    with pytest.warns(UserWarning, match=re.escape(msg)):
        t = mixture_counts(
            [5, 5], weights={"de": 1, "en": 1, "fr": 1}, keys=["de", "en"]
        )
    assert t.tolist() == [5, 5]


@pytest.mark.parametrize(
    ("kwargs", "msg"),
    [
        (
            {"weights": [1, 1, 1, 1], "temperature": 0.3},
            "Got both weights and temperature=0.3; set one of them and leave the "
            "other None.",
        ),
        (
            {"weights": {"a": 1}},
            "weights given as a dict needs the stratum of every count: pass keys=, "
            "or give the weights as a list in the order of counts.",
        ),
        (
            {"weights": {"a": 1}, "keys": ["a", "b", "c", "d"]},
            "weights has no share for the strata ['b', 'c', 'd']; give every "
            "stratum a weight (0 drops it).",
        ),
        (
            {"weights": [1, 2]},
            "weights has 2 values for 4 strata; give one weight per stratum.",
        ),
        (
            {"weights": {"a": -1, "b": 1}, "keys": ["a", "b", "c", "d"]},
            "weights has no share for the strata ['c', 'd']",
        ),
        (
            {"weights": [1, -1, 0, 0]},
            "The weight of 1 is -1.0; weights must be finite numbers >= 0.",
        ),
        ({"weights": [0, 0, 0, 0]}, "Every weight is 0; give at least one stratum "),
    ],
)
def test_errors(kwargs, msg):
    with pytest.raises(ValueError, match=re.escape(msg)):
        mixture_counts(COUNTS, **kwargs)


@pytest.mark.parametrize("counts", [[], [3, 0], [1.5, 2.5]])
def test_counts_must_be_positive_integers(counts):
    msg = f"counts must be integers >= 1, one per stratum; got {counts!r}."
    with pytest.raises(ValueError, match=re.escape(msg)):
        mixture_counts(np.asarray(counts))


def test_deterministic():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = mixture_counts(COUNTS, temperature=0.37, size=12345, min_share=0.05)
        b = mixture_counts(COUNTS, temperature=0.37, size=12345, min_share=0.05)
    np.testing.assert_array_equal(a, b)
