import math

import numpy as np
import pytest

from skbalance._targets import floor_targets, ratio_targets


def test_ratio_targets_seed_example():
    # 50% billing, 30% technical, 15% account, 5% other
    assert ratio_targets([500, 300, 150, 50], 1.0).tolist() == [500] * 4
    assert ratio_targets([500, 300, 150, 50], 0.5).tolist() == [500, 300, 250, 250]
    assert ratio_targets([500, 300, 150, 50], 0.1).tolist() == [500, 300, 150, 50]


def test_ratio_targets_read_the_decimal_written():
    # 0.07 * 100 is 7.000000000000001 in floating point: ceil would give 8
    assert 0.07 * 100 > 7
    assert ratio_targets([100, 3], 0.07).tolist() == [100, 7]
    assert ratio_targets([900, 3], 0.27).tolist() == [900, 243]
    assert ratio_targets([3, 1], 1 / 3).tolist() == [3, 1]


def test_ratio_targets_rounds_up():
    assert ratio_targets([7, 1], 0.5).tolist() == [7, 4]


def test_floor_targets_seed_example_is_exact_and_minimal():
    counts = [500, 300, 150, 50]
    targets = floor_targets(counts, 0.1)
    assert targets.tolist() == [500, 300, 150, 106]
    assert targets.min() / targets.sum() >= 0.1
    # one row fewer breaks the floor: 105 / 1055 < 0.1
    assert 105 / 1055 < 0.1


def test_floor_targets_beats_naive_floor():
    # naive: 0.2 * original total = 200 rows, giving 200 / 1100 = 0.18 < 0.2
    targets = floor_targets([900, 100], 0.2)
    assert targets.tolist() == [900, 225]
    assert targets[1] / targets.sum() == pytest.approx(0.2)


def test_floor_targets_raise_cascades_to_other_strata():
    # raising the two smallest grows the total past what keeps 120 above 15%
    targets = floor_targets([1000, 120, 5, 5], 0.15)
    shares = targets / targets.sum()
    assert np.all(shares >= 0.15)
    assert targets[1] > 120
    total = int(targets.sum())
    # minimal: every total below fails the fixed point
    for t in range(1130, total):
        need = sum(max(c, math.ceil(0.15 * t)) for c in [1000, 120, 5, 5])
        assert need > t


def test_floor_targets_met_is_a_no_op():
    assert floor_targets([500, 300, 200], 0.1).tolist() == [500, 300, 200]
    assert floor_targets([500, 300, 200], 0.0).tolist() == [500, 300, 200]


def test_floor_targets_exactly_one_over_n_strata_balances():
    assert floor_targets([7, 2, 1, 1], 0.25).tolist() == [7, 7, 7, 7]
    assert floor_targets([5, 1], 0.5).tolist() == [5, 5]


def test_floor_targets_per_stratum_floors():
    targets = floor_targets([900, 90, 10], [0.0, 0.0, 0.2])
    assert targets[:2].tolist() == [900, 90]
    assert targets[2] / targets.sum() >= 0.2
    assert (targets[2] - 1) / (targets.sum() - 1) < 0.2


def test_floor_targets_infeasible_message():
    with pytest.raises(
        ValueError,
        match=r"^Got min_share=0\.6 with 3 strata, but min_share \* n_strata must "
        r"be <= 1\.$",
    ):
        floor_targets([5, 3, 1], 0.6)


@pytest.mark.parametrize(
    ("floors", "match"),
    [
        ([0.6, 0.6, 0.0], r"floors summing to 1\.2 over 3 strata"),
        ([0.5, 0.5, 0.0], r"sum to 1, which leaves no room"),
        ([0.5, 0.5], r"min_share has 2 floors for 3 strata"),
        ([0.5, -0.1, 0.1], r"Every floor in min_share must be in \[0, 1\]"),
    ],
)
def test_floor_targets_bad_per_stratum_floors(floors, match):
    counts = [5, 3, 1] if len(floors) != 2 else [5, 3, 1]
    with pytest.raises(ValueError, match=match):
        floor_targets(counts, floors)


@pytest.mark.parametrize(
    ("func", "arg", "match"),
    [
        (ratio_targets, 0.0, r"target_ratio must be in \(0, 1\]; got 0\.0"),
        (ratio_targets, 1.5, r"target_ratio must be in \(0, 1\]; got 1\.5"),
        (floor_targets, 1.5, r"min_share must be in \[0, 1\]; got 1\.5"),
    ],
)
def test_bad_scalar_targets(func, arg, match):
    with pytest.raises(ValueError, match=match):
        func([5, 1], arg)


@pytest.mark.parametrize(
    ("counts", "match"),
    [
        ([], r"counts must be a non-empty 1-D array"),
        ([[1, 2]], r"counts must be a non-empty 1-D array"),
        ([3, 0], r"counts must be positive integers"),
        ([3.0, 1.0], r"counts must be positive integers"),
    ],
)
def test_bad_counts(counts, match):
    with pytest.raises(ValueError, match=match):
        ratio_targets(counts, 1.0)
