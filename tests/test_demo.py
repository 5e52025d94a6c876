"""The demo's choice of strategy: noise goes to the simpler strategy."""

from skbalance._demo import _choose


def test_a_tie_goes_to_the_strategy_adding_fewer_rows_not_to_the_name():
    names = ["b: many copies", "a: few copies"]
    best, close, chosen = _choose(
        names, [0.9, 0.9], [0.01, 0.01], {"b: many copies": 800, "a: few copies": 50}
    )
    assert close == names and chosen == "a: few copies"


def test_the_simplest_within_one_standard_error_of_the_best_is_chosen():
    names = ["none", "ratio 0.5", "ratio 1.0"]
    added = {"none": 0, "ratio 0.5": 250, "ratio 1.0": 850}
    # ratio 0.5 is 0.015 below the best, within its standard error of 0.02
    best, close, chosen = _choose(names, [0.80, 0.925, 0.94], [0.03, 0.02, 0.02], added)
    assert (best, close, chosen) == (
        "ratio 1.0",
        ["ratio 0.5", "ratio 1.0"],
        "ratio 0.5",
    )
    # with a smaller standard error the best mean stands alone
    best, close, chosen = _choose(names, [0.80, 0.925, 0.94], [0.03, 0.01, 0.01], added)
    assert close == ["ratio 1.0"] and chosen == "ratio 1.0"
