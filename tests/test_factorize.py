"""Codes and counts of labels (skbalance/_factorize.pyx) against pandas and NumPy."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skbalance._factorize import count_in_window, factorize_str

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
    width=st.integers(0, 5000),  # both sides of the four interleaved histograms
    dtype=st.sampled_from(["int8", "int16", "int32", "int64"]),
)
def test_count_in_window_counts_or_raises(values, low, width, dtype):
    values = np.array(values, dtype=dtype)
    if not ((values >= low) & (values < low + width)).all():
        with pytest.raises(
            ValueError, match=rf"^a value lies outside {low} \.\. {low + width - 1}$"
        ):
            count_in_window(values, low, width)
        return
    counts = count_in_window(values, low, width)
    expected = np.bincount(values.astype(np.int64) - low, minlength=width)
    np.testing.assert_array_equal(counts, expected)
    assert counts.dtype == np.int64


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_count_in_window_extremes_of_every_dtype(dtype):
    info = np.iinfo(dtype)
    values = np.array([info.min, info.max, 0, 0, 1], dtype=dtype)
    with pytest.raises(ValueError, match="^a value lies outside"):
        count_in_window(values, 0 if info.min == 0 else -1, 3)
    low = int(info.min)
    counts = count_in_window(np.array([info.min] * 5, dtype=dtype), low, 1)
    assert counts.tolist() == [5]
    # the top of the dtype: uint64 from 2**63 passes low as its two's complement
    top = int(info.max) - 2
    shift = top - (1 << 64) if top >= 1 << 63 else top
    counts = count_in_window(np.array([info.max, top, info.max], dtype=dtype), shift, 3)
    assert counts.tolist() == [1, 0, 2]


def test_count_in_window_rejects_a_negative_width():
    with pytest.raises(ValueError, match=r"^width must be at least 0; got -1$"):
        count_in_window(np.zeros(3, dtype=np.int64), 0, -1)
