import math

import numpy as np
import pytest

from skbalance._targets import floor_targets, ratio_targets, stratum_targets


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


def test_floor_targets_infeasible_floor_becomes_equal_strata():
    with pytest.warns(
        UserWarning,
        match=r"^min_share=0\.6 cannot be met by 3 strata \(min_share \* n_strata "
        r"must be <= 1\); using 1/3, every stratum equal\.",
    ):
        assert floor_targets([5, 3, 1], 0.6).tolist() == [5, 5, 5]


def test_floor_targets_exact_equal_shares_and_relative_floors():
    assert floor_targets([5, 3, 1], 1 / 3).tolist() == [5, 5, 5]
    assert floor_targets([5, 3, 1], 1.0, relative=True).tolist() == [5, 5, 5]
    # 26 strata: an absolute 5% floor is infeasible, a relative 0.5 is 1/52 each
    counts = [1000] + [3] * 25
    targets = floor_targets(counts, 0.5, relative=True)
    shares = targets / targets.sum()
    assert shares.min() >= 1 / 52
    # minimal: one row fewer in any raised stratum breaks its floor
    raised = np.flatnonzero(targets > counts)
    assert raised.size
    for k in raised:
        assert (targets[k] - 1) / (targets.sum() - 1) < 1 / 52


@pytest.mark.parametrize("none", [None, 0, 0.0])
def test_zero_and_none_are_no_ops(none):
    assert stratum_targets([50, 5], target_ratio=none).tolist() == [50, 5]
    assert stratum_targets([50, 5], min_share=none).tolist() == [50, 5]
    assert stratum_targets([50, 5]).tolist() == [50, 5]


def test_both_targets_is_an_error():
    with pytest.raises(
        ValueError,
        match=r"^Got both target_ratio=0\.5 and min_share=0\.1; set one of them and "
        r"leave the other None\.$",
    ):
        stratum_targets([5, 1], target_ratio=0.5, min_share=0.1)
