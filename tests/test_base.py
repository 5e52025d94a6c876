"""Behaviour shared by every duplicating sampler: containers, order, errors."""

from collections import Counter
from numbers import Real

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.utils._param_validation import Interval, InvalidParameterError
from sklearn.utils.validation import validate_data

from skbalance import (
    DomainFloorSampler,
    MultilabelRandomOverSampler,
    RatioOverSampler,
)
from skbalance._allocation import assign_rows, iterative_parts
from skbalance._plan import plan_sources
from skbalance._validation import rng_from_random_state

pd = pytest.importorskip("pandas", reason="pandas is in the test extra")

SAMPLERS = [
    RatioOverSampler(target_ratio=1.0, random_state=0),
    DomainFloorSampler(min_share=0.2, random_state=0),
]
SAMPLER_IDS = ["ratio", "floor"]


def _y():
    return np.array(["a"] * 6 + ["b"] * 3 + ["c"] * 1)


def _containers():
    rng = np.random.RandomState(0)
    num = rng.rand(10, 3)
    texts = [f"text {i}" for i in range(10)]
    yield "ndarray", num
    yield "ndarray-object", np.array([[f"s{i}", i] for i in range(10)], dtype=object)
    yield "ndarray-fortran", np.asfortranarray(num)
    yield "ndarray-1d-str", np.array(texts)
    yield "list-str", texts
    yield "list-dict", [{"text": t, "n": i} for i, t in enumerate(texts)]
    yield "list-list", num.tolist()
    yield "csr", sparse.csr_matrix(num)
    yield "csc", sparse.csc_matrix(num)
    yield "coo", sparse.coo_matrix(num)
    yield "csr_array", sparse.csr_array(num)
    df = pd.DataFrame(
        {
            "text": texts,
            "n": np.arange(10, dtype=np.int16),
            "cat": pd.Categorical(list("xyxyxyxyxy")),
        },
        index=[f"r{i}" for i in range(10)],
    )
    yield "dataframe", df
    yield "series", pd.Series(texts, index=range(100, 110), name="text")


CONTAINERS = list(_containers())


def _row(X, i):
    if sparse.issparse(X):
        return X.tocsr()[[i]].toarray().tolist()
    if hasattr(X, "iloc"):
        return X.iloc[i].tolist() if hasattr(X, "columns") else X.iloc[i]
    if isinstance(X, np.ndarray):
        return X[i].tolist()
    return X[i]


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
@pytest.mark.parametrize(("kind", "X"), CONTAINERS, ids=[c[0] for c in CONTAINERS])
def test_containers_keep_type_originals_and_rows(sampler, kind, X):
    y = _y()
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    assert type(X_res) is type(X) if kind != "coo" else X_res.format == "coo"
    if sparse.issparse(X):
        assert X_res.format == X.format
    n_out = X_res.shape[0] if hasattr(X_res, "shape") else len(X_res)
    assert n_out == len(y_res) == len(idx)
    np.testing.assert_array_equal(idx[:10], np.arange(10))
    for out_row, src in enumerate(idx):
        assert _row(X_res, out_row) == _row(X, src)
        assert y_res[out_row] == y[src]
    assert Counter(y_res.tolist()) == Counter(sampler.counts_after_)
    assert dict(Counter(y_res.tolist())) == sampler.counts_after_


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_dataframe_keeps_dtypes_and_index_labels(sampler):
    X = dict(CONTAINERS)["dataframe"]
    y = pd.Series(_y(), index=X.index, name="label")
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.dtypes.to_dict() == X.dtypes.to_dict()
    assert list(X_res.columns) == list(X.columns)
    expected_index = X.index.take(sampler.sample_indices_)
    assert X_res.index.equals(expected_index)  # a copy keeps its source's label
    assert y_res.index.equals(expected_index)
    assert y_res.name == "label"
    pd.testing.assert_frame_equal(X_res.iloc[:10], X)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_records_pass_through_unchanged(sampler):
    X = [{"text": f"t{i}", "meta": {"i": i}} for i in range(10)]
    snapshot = [dict(r, meta=dict(r["meta"])) for r in X]
    X_res, _ = sampler.fit_resample(X, _y())
    assert X == snapshot  # input untouched
    assert all(
        a is b for a, b in zip(X_res[:10], X, strict=True)
    )  # originals are the same records
    assert X_res[10:] == [X[i] for i in sampler.sample_indices_[10:]]


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_y_container_kept(sampler):
    X = np.arange(20).reshape(10, 2)
    for y in (_y().tolist(), _y(), pd.Series(_y()), _y().reshape(-1, 1)):
        _, y_res = sampler.fit_resample(X, y)
        assert type(y_res) is type(y)
        assert np.ndim(y_res) == np.ndim(y)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_shuffle_permutes_the_same_rows(sampler):
    X = np.arange(10).reshape(-1, 1)
    y = _y()
    X_plain, y_plain = sampler.fit_resample(X, y)
    shuffled = type(sampler)(**{**sampler.get_params(), "shuffle": True})
    X_shuf, y_shuf = shuffled.fit_resample(X, y)
    assert not np.array_equal(shuffled.sample_indices_, sampler.sample_indices_)
    assert Counter(X_shuf.ravel().tolist()) == Counter(X_plain.ravel().tolist())
    np.testing.assert_array_equal(X_shuf.ravel(), shuffled.sample_indices_)
    np.testing.assert_array_equal(y_shuf, y[shuffled.sample_indices_])


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_input_arrays_not_modified(sampler):
    X = np.random.RandomState(0).rand(10, 2)
    y = _y()
    X0, y0 = X.copy(), y.copy()
    X_res, _ = sampler.fit_resample(X, y)
    X_res[:] = -1  # the output is not a view of the input
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_balanced_duplication_spreads_copies_evenly():
    # 2 rows raised to 7: each row is copied 2 or 3 times, never 0 and 5
    codes = np.array([0] * 10 + [1] * 2)
    for seed in range(20):
        new = plan_sources(
            codes, np.array([10, 2]), np.array([10, 7]), np.random.default_rng(seed)
        )
        copies = np.bincount(new, minlength=12)[10:]
        assert sorted(copies.tolist()) == [2, 3]


@pytest.mark.parametrize("n_strata", [3, 9, 40, 300])
def test_plan_sources_copies_each_stratum_from_its_own_rows(n_strata):
    rng = np.random.RandomState(n_strata)
    # every stratum has a row (as encode() gives them)
    codes = rng.permutation(np.r_[np.arange(n_strata), rng.randint(0, n_strata, 500)])
    counts = np.bincount(codes, minlength=n_strata)
    targets = counts.max() + rng.randint(0, 5, n_strata)
    new = plan_sources(codes, counts, targets, np.random.default_rng(0))
    assert new.dtype == np.intp
    np.testing.assert_array_equal(
        np.bincount(codes[new], minlength=n_strata), targets - counts
    )
    # balanced: within a stratum, copies per row differ by at most one
    copies = np.bincount(new, minlength=codes.size)
    for k in range(n_strata):
        per_row = copies[codes == k]
        assert per_row.max() - per_row.min() <= 1


def test_fit_sets_the_same_state_as_fit_resample():
    X, y = np.arange(20).reshape(10, 2), _y()
    a = RatioOverSampler(random_state=3).fit(X, y)
    b = RatioOverSampler(random_state=3)
    b.fit_resample(X, y)
    assert a.counts_after_ == b.counts_after_
    np.testing.assert_array_equal(a.sample_indices_, b.sample_indices_)


def test_one_vs_all_indicator_y_round_trips():
    X = np.arange(20).reshape(10, 2)
    y = _y()
    y_ova = (y[:, None] == np.array(["a", "b", "c"])).astype(int)
    _, y_res = RatioOverSampler(random_state=0).fit_resample(X, y_ova)
    assert y_res.shape == (18, 3)
    assert RatioOverSampler().fit(X, y_ova).counts_after_ == {0: 6, 1: 6, 2: 6}


def test_integer_labels_with_gaps_and_negative_values():
    X = np.arange(9).reshape(-1, 1)
    y = np.array([-5, -5, -5, -5, 100, 100, 7, 7, 7])
    sampler = RatioOverSampler(random_state=0).fit(X, y)
    assert sampler.counts_before_ == {-5: 4, 7: 3, 100: 2}
    assert sampler.counts_after_ == {-5: 4, 7: 4, 100: 4}
    assert all(type(k) is int for k in sampler.counts_after_)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32"])
def test_narrow_integer_labels_spanning_their_dtype(dtype):
    # max - min overflows the dtype itself: the offsets are taken in intp
    info = np.iinfo(dtype)
    y = np.array([info.min] * 3 + [info.max, info.max, 0], dtype=dtype)
    sampler = RatioOverSampler(random_state=0).fit(np.zeros((6, 1)), y)
    assert sampler.counts_before_ == {int(info.min): 3, 0: 1, int(info.max): 2}
    assert sampler.counts_after_ == {int(info.min): 3, 0: 3, int(info.max): 3}


def test_bool_labels():
    sampler = RatioOverSampler().fit(np.zeros((4, 1)), [True, True, True, False])
    assert sampler.counts_after_ == {False: 3, True: 3}


# --- errors ---------------------------------------------------------------


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
@pytest.mark.parametrize(
    ("y", "match"),
    [
        (
            np.array([0.0, 1.0, np.nan, 1.0]),
            r"^y has missing values \(NaN or None\) at row 2; drop or label",
        ),
        (
            ["a", None, "b", None],
            r"^y has missing values \(NaN or None\) at rows 1, 3; drop or label",
        ),
        (
            np.array(["a", float("nan"), "b", "b"], dtype=object),
            r"^y has missing values \(NaN or None\) at row 1;",
        ),
        (["a", "a", "a", "a"], r"^y has 1 class \('a'\); \w+ needs at least 2 classes"),
        (["a", "b", "a"], r"^X has 4 rows but y has 3; they must have the same length"),
        (
            np.array([0.5, 1.0, 0.0, 1.0]),
            r"^Unknown label type: continuous\. y holds non-integer numbers",
        ),
        (
            np.array([[1, 1], [0, 1], [1, 0], [0, 0]]),
            r"multilabel and multioutput targets are not supported",
        ),
        (None, r"requires y to be passed, but the target y is None"),
        (np.array([0.0, 1.0, np.inf, 1.0]), r"^Input y contains infinity"),
        (["a", 1, "b", 2], r"^y mixes label types \(int, str\); use one type"),
    ],
    ids=[
        "nan",
        "none",
        "nan-object",
        "single-class",
        "length",
        "continuous",
        "multilabel",
        "y-none",
        "inf",
        "mixed",
    ],
)
def test_bad_labels(sampler, y, match):
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match=match):
        sampler.fit_resample(X, y)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        ([], [], r"^X is empty \(0 rows\); there is nothing to resample\."),
        (np.empty((0, 3)), [], r"0 sample\(s\)"),
        (np.empty((4, 0)), [0, 1, 0, 1], r"0 feature\(s\)"),
        (
            np.arange(4.0),
            [0, 1, 0, 1],
            r"^Expected a 2D array, got a 1D array of numbers",
        ),
        (None, [0, 1], r"^X is None; pass the rows to resample\."),
        (np.array([[1j], [2j]]), [0, 1], r"Complex data not supported"),
    ],
    ids=["empty-list", "empty-array", "no-features", "1d-numbers", "none", "complex"],
)
def test_bad_X(sampler, X, y, match):
    with pytest.raises(ValueError, match=match):
        sampler.fit_resample(X, y)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_empty_dataframe(sampler):
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        sampler.fit_resample(pd.DataFrame({"a": []}), [])


@pytest.mark.parametrize(
    ("sampler", "match"),
    [
        (
            RatioOverSampler(target_ratio=-0.1),
            r"The 'target_ratio' parameter of RatioOverSampler must be a float in "
            r"the range \[0\.0, 1\.0\] or None\. Got -0\.1 instead\.",
        ),
        (
            RatioOverSampler(target_ratio="auto"),
            r"The 'target_ratio' parameter of RatioOverSampler",
        ),
        (
            DomainFloorSampler(min_share=1.2),
            r"The 'min_share' parameter of DomainFloorSampler must be a float in "
            r"the range \[0\.0, 1\.0\] or None\. Got 1\.2 instead\.",
        ),
        (
            DomainFloorSampler(domain=1.5),
            r"The 'domain' parameter of DomainFloorSampler must be",
        ),
        (RatioOverSampler(shuffle="yes"), r"The 'shuffle' parameter"),
    ],
)
def test_bad_parameters_are_named(sampler, match):
    with pytest.raises(ValueError, match=match):
        sampler.fit_resample(np.zeros((4, 1)), [0, 0, 1, 1])


def test_unexpected_fit_params():
    with pytest.raises(TypeError, match=r"unexpected parameters \['groups'\]"):
        RatioOverSampler().fit_resample(np.zeros((4, 1)), [0, 0, 1, 1], groups=[1] * 4)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
@pytest.mark.parametrize(
    "columns", [["a", "b", "c"], [0, 1, 2]], ids=["str-names", "int-names"]
)
def test_feature_attributes_match_validate_data(sampler, columns):
    # n_features_in_ / feature_names_in_ as scikit-learn's validate_data sets
    # them, refitted on every fit
    for X in [np.arange(30.0).reshape(10, 3), pd.DataFrame(np.ones((10, 3)))]:
        if isinstance(X, pd.DataFrame):
            X.columns = columns
        ours = clone(sampler).fit(X, _y())
        reference = clone(sampler)
        validate_data(reference, X=X, skip_check_array=True, reset=True)
        assert ours.n_features_in_ == reference.n_features_in_
        assert hasattr(ours, "feature_names_in_") == hasattr(
            reference, "feature_names_in_"
        )
        if hasattr(reference, "feature_names_in_"):
            np.testing.assert_array_equal(
                ours.feature_names_in_, reference.feature_names_in_
            )
            assert ours.feature_names_in_.dtype == object
    # refitted on an array, the names of the DataFrame fit are dropped
    fitted = clone(sampler).fit(
        pd.DataFrame(np.ones((10, 3)), columns=list("abc")), _y()
    )
    fitted.fit(np.ones((10, 3)), _y())
    assert not hasattr(fitted, "feature_names_in_")


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_bad_parameter_after_a_good_fit_still_raises(sampler):
    # parameters are validated on every fit, not only the first
    X, y = np.arange(20.0).reshape(10, 2), _y()
    good = clone(sampler)
    good.fit(X, y)
    good.fit(X, y)
    bad = clone(sampler).set_params(random_state="seed")
    with pytest.raises(InvalidParameterError, match="random_state"):
        bad.fit(X, y)
    with pytest.raises(InvalidParameterError, match="shuffle"):
        clone(sampler).set_params(shuffle=1).fit(X, y)  # 1 passed as True would


def test_subclass_gets_its_own_constraints():
    class Floor(DomainFloorSampler):
        _parameter_constraints = {
            **DomainFloorSampler._parameter_constraints,
            "min_share": [Interval(Real, 0, 0.5, closed="both")],
        }

    X, y = np.zeros((4, 1)), [0, 0, 0, 1]
    Floor(min_share=0.4).fit(X, y)
    with pytest.raises(InvalidParameterError, match=r"range \[0.0, 0.5\]"):
        Floor(min_share=0.6).fit(X, y)
    # constraints replaced after the class was made are used too
    Floor._parameter_constraints = {
        **Floor._parameter_constraints,
        "min_share": [Interval(Real, 0, 0.3, closed="both")],
    }
    with pytest.raises(InvalidParameterError, match=r"range \[0.0, 0.3\]"):
        Floor(min_share=0.4).fit(X, y)


def test_subclass_with_varargs_init_gets_scikit_learns_error():
    class Odd(RatioOverSampler):
        def __init__(self, *args, target_ratio=1.0):
            self.target_ratio = target_ratio

    with pytest.raises(RuntimeError, match="should always specify their param"):
        Odd().fit(np.zeros((4, 1)), [0, 0, 0, 1])


def _clone_fit(sampler, X, y):
    return clone(sampler).fit(X, y)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_object_labels_that_are_not_all_str(sampler):
    # pandas' string table is tried first; bytes and mixed labels fall back
    X = np.arange(20.0).reshape(10, 2)
    y_bytes = np.array([b"a"] * 6 + [b"b"] * 4, dtype=object)
    assert set(_clone_fit(sampler, X, y_bytes).counts_before_) == {b"a", b"b"}
    y_mixed = np.array(["a"] * 6 + [1] * 4, dtype=object)
    with pytest.raises(ValueError, match="mixes label types"):
        _clone_fit(sampler, X, y_mixed)
    y_missing = np.array(["a"] * 6 + [None] + ["b"] * 3, dtype=object)
    with pytest.raises(ValueError, match="missing values"):
        _clone_fit(sampler, X, y_missing)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_sample_indices_replaced_by_a_refit(sampler):
    assert not hasattr(clone(sampler), "sample_indices_")
    fitted = clone(sampler)
    X = np.arange(20.0).reshape(10, 2)
    X_res, _ = fitted.fit_resample(X, _y())
    np.testing.assert_array_equal(X_res, X[fitted.sample_indices_])
    y2 = np.array(["a"] * 5 + ["b"] * 5)
    X_res2, y_res2 = fitted.fit_resample(X, y2)
    assert fitted.sample_indices_.size == X_res2.shape[0]
    np.testing.assert_array_equal(y_res2, y2[fitted.sample_indices_])


def test_samplers_and_splitters_make_their_generator_by_one_bridge():
    """random_state becomes a NumPy Generator in one place: a RandomState
    passed to a sampler's fit, or to a split's row assignment, is advanced by
    the one draw of rng_from_random_state, and an int seeds the same stream."""

    def next_draw(use):
        state = np.random.RandomState(3)
        use(state)
        return state.randint(2**31)

    X, y = np.zeros((10, 1)), _y()
    Y = sparse.csr_matrix(np.eye(4, dtype=int)[np.arange(12) % 4])
    bridge = next_draw(rng_from_random_state)
    assert next_draw(lambda s: RatioOverSampler(random_state=s).fit(X, y)) == bridge
    assert (
        next_draw(
            lambda s: MultilabelRandomOverSampler(random_state=s).fit(
                Y.toarray(), Y.toarray()
            )
        )
        == bridge
    )
    codes = np.repeat(np.arange(2), [6, 4])
    alloc = np.array([[4, 2], [3, 1]])
    assert next_draw(lambda s: assign_rows(codes, alloc, s)) == bridge
    assert next_draw(lambda s: iterative_parts(Y, np.array([8, 4]), rng=s)) == bridge
    sampler = RatioOverSampler(random_state=3)
    want = rng_from_random_state(3).integers(2**62, size=4)
    assert np.array_equal(sampler._fit_rng().integers(2**62, size=4), want)
