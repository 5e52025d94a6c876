"""Codes and counts of labels (skbalance/_factorize.pyx) against pandas and NumPy."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skbalance._factorize import count_in_window, factorize_str
from skbalance._validation import count_labels

# ASCII, Latin-1, BMP and astral characters: every kind of str storage
TEXTS = st.text(alphabet="ab\xe9\u20ac\U0001f600", max_size=4)


def _check(values):
    pd = pytest.importorskip("pandas", reason="pandas is in the test extra")
    codes, uniques = factorize_str(values)
    expected_codes, expected_uniques = pd.factorize(values, sort=False)
    np.testing.assert_array_equal(codes, expected_codes)
    assert uniques.dtype == object
    assert uniques.tolist() == expected_uniques.tolist()
    assert codes.dtype == np.intp


@given(st.lists(TEXTS, max_size=200))
def test_same_codes_and_uniques_as_pandas(texts):
    # new str objects for every value, as when labels are read from a file
    _check(np.array(["".join(t) for t in texts], dtype=object))


@given(st.lists(st.integers(0, 3000), min_size=1, max_size=3000))
def test_many_distinct_values_grow_the_table(picks):
    values = np.array([f"label-{p}" for p in picks], dtype=object)
    _check(values)


def test_repeated_objects_and_lookalikes():
    a, b = "billing", "".join(["bill", "ing"])  # equal texts, two objects
    assert a is not b
    values = np.array([a, a, b, "billinG", "billin", "", "", a], dtype=object)
    codes, uniques = factorize_str(values)
    assert codes.tolist() == [0, 0, 0, 1, 2, 3, 3, 0]
    assert uniques.tolist() == ["billing", "billinG", "billin", ""]


def test_strided_and_empty_input():
    values = np.array(["x", "skip", "y", "skip", "x"], dtype=object)
    codes, uniques = factorize_str(values[::2])
    assert codes.tolist() == [0, 1, 0] and uniques.tolist() == ["x", "y"]
    codes, uniques = factorize_str(np.array([], dtype=object))
    assert codes.shape == (0,) and uniques.shape == (0,)


class Label(str):
    pass


@pytest.mark.parametrize(
    "odd", [None, np.nan, 1, b"billing", np.str_("billing"), Label("billing")]
)
def test_anything_but_exact_str_is_left_to_the_general_path(odd):
    assert factorize_str(np.array(["billing", odd, "other"], dtype=object)) is None


def test_2d_input_is_left_to_the_general_path():
    assert factorize_str(np.array([["a", "b"], ["a", "c"]], dtype=object)) is None


INT_DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]


@given(
    values=st.lists(st.integers(-40, 40), max_size=50),
    low=st.integers(-50, 10),
    width=st.integers(1, 80),
    dtype=st.sampled_from(["int8", "int16", "int32", "int64"]),
)
def test_count_in_window_counts_or_gives_up(values, low, width, dtype):
    values = np.array(values, dtype=dtype)
    counts = count_in_window(values, low, width)
    inside = ((values >= low) & (values < low + width)).all()
    if not inside:
        assert counts is None
    else:
        expected = np.bincount(values.astype(np.int64) - low, minlength=width)
        np.testing.assert_array_equal(counts, expected)
        assert counts.dtype == np.int64


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_count_in_window_extremes_of_every_dtype(dtype):
    info = np.iinfo(dtype)
    values = np.array([info.min, info.max, 0, 0, 1], dtype=dtype)
    counts = count_in_window(values, 0 if info.min == 0 else -1, 3)
    assert counts is None  # info.max (and info.min when signed) are outside
    counts = count_in_window(np.array([info.min] * 5, dtype=dtype), int(info.min), 1)
    assert counts.tolist() == [5]


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("spread", ["window", "beyond"])
def test_count_labels_matches_unique(dtype, spread):
    # 70,000 rows: the one-pass window count, and its fallbacks
    rng = np.random.default_rng(0)
    info = np.iinfo(dtype)
    high = min(int(info.max), 3000)
    values = rng.integers(max(int(info.min), -1000), high, 70_000).astype(dtype)
    if spread == "beyond":
        values[-1] = info.max
        values[0] = info.min
    uniques, counts = count_labels(values, name="y")
    expected_uniques, expected_counts = np.unique(values, return_counts=True)
    np.testing.assert_array_equal(uniques, expected_uniques)
    np.testing.assert_array_equal(counts, expected_counts)
    assert uniques.dtype == values.dtype and counts.dtype == np.int64


def test_count_in_window_rejects_empty_window():
    with pytest.raises(ValueError, match="width must be at least 1; got 0"):
        count_in_window(np.zeros(3, dtype=np.int64), 0, 0)
