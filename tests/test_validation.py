import sys

import numpy as np
import pytest

from skbalance._validation import encode

LABEL_ARRAYS = [
    np.array(["b", "a", "c", "a", "b", "b"]),
    np.array(["b", "a", "c", "a", "b", "b"], dtype=object),
    np.array([3, -1, 3, 7, 7, 7]),
    np.array([3.0, -1.0, 3.0, 7.0]),
    np.array([True, False, True]),
    np.array([10**12, 5, 5]),  # wide range: not bincounted
]


@pytest.fixture(params=["pandas", "no-pandas"])
def factorizer(request, monkeypatch):
    if request.param == "no-pandas":
        # skbalance uses pandas only when the caller already imported it
        monkeypatch.setitem(sys.modules, "pandas", None)
    return request.param


@pytest.mark.parametrize("values", LABEL_ARRAYS, ids=lambda v: str(v.dtype))
def test_encode_matches_np_unique(values, factorizer):
    uniques, codes, counts = encode(values, name="y")
    expected_uniques, expected_codes, expected_counts = np.unique(
        values, return_inverse=True, return_counts=True
    )
    np.testing.assert_array_equal(uniques, expected_uniques)
    assert uniques.dtype == values.dtype
    np.testing.assert_array_equal(codes, expected_codes.ravel())
    np.testing.assert_array_equal(counts, expected_counts)


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
