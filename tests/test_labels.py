"""The label counter (skbalance/_labels.py) against np.unique."""

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils.class_weight import compute_class_weight

from skbalance import ClassWeightComputer, imbalance_report
from skbalance._labels import count_labels, encode, encode_strata, sort_by_code

LABEL_ARRAYS = [
    np.array(["b", "a", "c", "a", "b", "b"]),
    np.array(["b", "a", "c", "a", "b", "b"], dtype=object),
    np.array([3, -1, 3, 7, 7, 7]),
    np.array([3.0, -1.0, 3.0, 7.0]),
    np.array([True, False, True]),
    np.array([10**12, 5, 5]),  # wide range: not bincounted
    np.array([b"b", b"a", b"b"]),
    np.array([3, 1, 3, 3], dtype=object),
    np.array([], dtype=np.int64),
]


@pytest.fixture(params=["pandas", "no-pandas"])
def factorizer(request, monkeypatch):
    if request.param == "no-pandas":
        # skbalance uses pandas only when the caller already imported it
        monkeypatch.setitem(sys.modules, "pandas", None)
    return request.param


@pytest.mark.parametrize("values", LABEL_ARRAYS, ids=lambda v: str(v.dtype))
def test_encode_matches_np_unique(values, factorizer):
    _check_against_unique(values)


def _check_against_unique(values):
    """encode, encode_strata and count_labels agree with np.unique."""
    expected_uniques, expected_codes, expected_counts = np.unique(
        values, return_inverse=True, return_counts=True
    )
    uniques, codes, counts = encode(values, name="y")
    np.testing.assert_array_equal(uniques, expected_uniques)
    assert uniques.dtype == values.dtype
    np.testing.assert_array_equal(codes, expected_codes.ravel())
    assert codes.dtype == np.intp
    np.testing.assert_array_equal(counts, expected_counts)
    assert counts.dtype == np.int64
    counted = count_labels(values, name="y")
    np.testing.assert_array_equal(counted[0], expected_uniques)
    assert counted[0].dtype == values.dtype
    np.testing.assert_array_equal(counted[1], expected_counts)
    uniques, codes, code_of, counts = encode_strata(values, name="y")
    np.testing.assert_array_equal(uniques, expected_uniques)
    np.testing.assert_array_equal(counts, expected_counts)
    for k, value in enumerate(uniques.tolist()):  # codes == code_of[k]: value k
        np.testing.assert_array_equal(codes == code_of[k], values == value)


@pytest.mark.parametrize(
    "values",
    [
        np.array(["a", None, "b"], dtype=object),
        np.array(["a", float("nan"), "b"], dtype=object),
        np.array([1.0, np.nan, 2.0]),
    ],
)
def test_encode_missing_values(values, factorizer):
    with pytest.raises(
        ValueError, match=r"^groups has missing values \(NaN or None\) at row 1;"
    ):
        encode(values, name="groups")


def test_encode_mixed_types(factorizer):
    with pytest.raises(ValueError, match=r"^y mixes label types \(int, str\)"):
        encode(np.array(["a", 1, "b"], dtype=object), name="y")


INT_DTYPES = [
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
]


@st.composite
def integer_labels(draw):
    """Integer or bool labels of any dtype: near an extreme of the dtype (a
    compact range, counted as offsets) or spread to both extremes."""
    dtype = draw(st.sampled_from([*INT_DTYPES, "bool"]))
    if dtype == "bool":
        return np.array(draw(st.lists(st.booleans(), max_size=60)), dtype=bool)
    info = np.iinfo(dtype)
    low, high = int(info.min), int(info.max)
    edge = draw(st.sampled_from([low, high, 0]))
    near = st.integers(max(low, edge - 300), min(high, edge + 300))
    extremes = st.sampled_from([low, low + 1, 0, high - 1, high])
    values = draw(st.lists(st.one_of(near, extremes), max_size=60))
    return np.array(values, dtype=dtype)


@settings(max_examples=300, deadline=None)
@given(integer_labels())
def test_every_integer_dtype_at_its_extremes(values):
    _check_against_unique(values)


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("spread", ["compact", "one outlier", "both extremes"])
def test_many_integer_labels_match_unique(dtype, spread):
    rng = np.random.default_rng(0)
    info = np.iinfo(dtype)
    high = min(int(info.max), 3000)
    values = rng.integers(max(int(info.min), -1000), high, 70_000).astype(dtype)
    if spread != "compact":
        values[-1] = info.max
    if spread == "both extremes":
        values[0] = info.min
    _check_against_unique(values)


def test_uint64_labels_from_2_63_in_class_weights_and_reports():
    # once an OverflowError: the labels are offsets from 2**63 in uint64
    y = np.array([2**63, 2**64 - 1, 2**63, 2**63 + 7, 2**63], dtype=np.uint64)
    classes = np.unique(y)
    weights = ClassWeightComputer(normalize=None).fit(y)
    np.testing.assert_array_equal(weights.classes_, classes)
    np.testing.assert_allclose(
        list(weights.class_weight_.values()),
        compute_class_weight("balanced", classes=classes, y=y),
    )
    assert imbalance_report(y).counts == {2**63: 3, 2**63 + 7: 1, 2**64 - 1: 1}


@pytest.mark.parametrize("n_codes", [3, 300, 70_000])
def test_sort_by_code_is_a_stable_sort(n_codes):
    codes = np.random.default_rng(0).integers(0, n_codes, 5000)
    np.testing.assert_array_equal(
        sort_by_code(codes, n_codes), np.argsort(codes, kind="stable")
    )
