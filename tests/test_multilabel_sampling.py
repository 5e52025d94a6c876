"""MultilabelRandomOverSampler and MLSMOTE: exact plans, containers, errors."""

import re

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from scipy import sparse
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.utils._param_validation import InvalidParameterError

from skbalance import MLSMOTE, ClassWeightComputer, MultilabelRandomOverSampler

pd = pytest.importorskip("pandas", reason="pandas is in the test extra")

# 10 rows of "a", 2 of "a"+"b", 6 of "c": IRLbl a 1, b 6, c 2; MeanIR 3
LISTS = [["a"]] * 10 + [["a", "b"]] * 2 + [["c"]] * 6
Y = np.array([[1, 0, 0]] * 10 + [[1, 1, 0]] * 2 + [[0, 0, 1]] * 6)
TEXTS = [f"row {i}" for i in range(18)]


def test_ml_ros_exact_plan():
    sampler = MultilabelRandomOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(TEXTS, LISTS)
    # "b" (IRLbl 6) is cloned with "a", the largest label: 12/2 -> 13/3 -> 14/4 -> 15/5
    assert sampler.counts_before_ == {"a": 12, "b": 2, "c": 6}
    assert sampler.counts_after_ == {"a": 15, "b": 5, "c": 6}
    assert sampler.sampling_strategy_ == {"a": 3, "b": 3}
    # the two rows of "b" are cloned evenly: 2 + 1 times
    assert sorted(np.bincount(sampler.sample_indices_[18:]).tolist()[10:]) == [1, 2]
    assert X_res[:18] == TEXTS and y_res[:18] == LISTS
    assert y_res[18:] == [["a", "b"]] * 3
    assert sampler.report_before_.multilabel["mean_ir"] == 3.0
    assert sampler.report_after_.multilabel["mean_ir"] == (1 + 3 + 2.5) / 3


def test_ml_ros_prefers_rows_without_frequent_labels():
    # "b" is on 2 rows alone and on 2 rows with "a" (the largest label)
    y = [["a"]] * 20 + [["a", "b"]] * 2 + [["b"]] * 2 + [["c"]] * 10
    sampler = MultilabelRandomOverSampler(max_clone_fraction=2 / 34, random_state=0)
    sampler.fit_resample([[i] for i in range(34)], y)
    assert sorted(sampler.sample_indices_[34:].tolist()) == [22, 23]


def test_ml_ros_never_clones_a_row_that_raises_mean_ir():
    # "b" only occurs with "a", the largest label, which is 1 row short of "c"
    y = [["a", "b"]] * 2 + [["c"]] * 3 + [["d"]] * 1
    # IRLbl: a 1.5, b 1.5, c 1, d 3: MeanIR 1.75, "d" is the only minority label
    sampler = MultilabelRandomOverSampler(max_clone_fraction=1.0, random_state=0)
    _, y_res = sampler.fit_resample([[i] for i in range(6)], y)
    assert sampler.counts_after_ == {"a": 2, "b": 2, "c": 3, "d": 2}
    assert y_res[6:] == [["d"]]


def test_budget_and_target_stop_the_clones():
    y = [["a"]] * 100 + [["b"]] * 2 + [["c"]] * 2
    ROWS = [[i] for i in range(104)]  # noqa: N806
    # IRLbl a 1, b 50, c 50: MeanIR 33.7, reached at 3 rows each
    default = MultilabelRandomOverSampler(random_state=0).fit(ROWS, y)
    assert default.counts_after_ == {"a": 100, "b": 3, "c": 3}
    capped = MultilabelRandomOverSampler(
        target_mean_ir=5, max_clone_fraction=0.1, random_state=0
    )
    capped.fit_resample(ROWS, y)
    assert capped.sample_indices_.size == 104 + 10
    assert capped.counts_after_ == {"a": 100, "b": 7, "c": 7}
    level = MultilabelRandomOverSampler(
        target_mean_ir=10, max_clone_fraction=1.0, random_state=0
    )
    level.fit_resample(ROWS, y)
    assert level.counts_after_ == {"a": 100, "b": 10, "c": 10}
    none = MultilabelRandomOverSampler(max_clone_fraction=0.0).fit(ROWS, y)
    assert none.sample_indices_.tolist() == list(range(104))


def _as(kind, Y):
    if kind == "dense":
        return Y
    if kind == "sparse":
        return sparse.csr_matrix(Y)
    if kind == "frame":
        return pd.DataFrame(Y, columns=["a", "b", "c"])
    return [[name for name, v in zip("abc", row, strict=True) if v] for row in Y]


@pytest.mark.parametrize("kind", ["dense", "sparse", "frame", "lists"])
@pytest.mark.parametrize("X_kind", ["texts", "records", "array", "frame", "sparse"])
def test_ml_ros_keeps_every_container(kind, X_kind):
    X = {
        "texts": TEXTS,
        "records": [{"text": t} for t in TEXTS],
        "array": np.arange(36).reshape(18, 2),
        "frame": pd.DataFrame({"x": range(18)}, index=range(100, 118)),
        "sparse": sparse.csr_matrix(np.arange(36).reshape(18, 2)),
    }[X_kind]
    y = _as(kind, Y)
    sampler = MultilabelRandomOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert type(X_res) is type(X) and type(y_res) is type(y)
    idx = sampler.sample_indices_
    assert sampler.counts_after_ == dict(
        zip(sampler.counts_before_, [15, 5, 6], strict=True)
    )
    dense = {
        "dense": lambda v: v,
        "sparse": lambda v: v.toarray(),
        "frame": lambda v: v.to_numpy(),
        "lists": lambda v: np.array([[n in row for n in "abc"] for row in v]),
    }[kind]
    np.testing.assert_array_equal(dense(y_res), Y[idx])
    if X_kind == "frame":
        assert X_res.index.tolist() == (np.arange(100, 118)[idx]).tolist()


@pytest.mark.parametrize("kind", ["dense", "sparse", "frame", "lists"])
def test_mlsmote_labels_are_the_neighbours_vote(kind):
    # "b" rows: 0-3 carry "c" too, row 4 does not; with 4 neighbours the vote
    # over 5 rows keeps "c" (4 of 5) for every new row
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]] + [[10.0 + i] for i in range(25)])
    Y3 = np.zeros((30, 3), dtype=int)
    Y3[:5, 1] = 1
    Y3[:4, 2] = 1
    Y3[5:, 0] = 1
    y = _as(kind, Y3)
    sampler = MLSMOTE(k_neighbors=4, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    new = slice(30, None)
    assert type(y_res) is type(y)
    dense = _as("dense", Y3)
    if kind == "sparse":
        labels = y_res.toarray()
    elif kind == "frame":
        labels = y_res.to_numpy()
    elif kind == "lists":
        labels = np.array([[n in row for n in "abc"] for row in y_res]).astype(int)
    else:
        labels = y_res
    np.testing.assert_array_equal(labels[:30], dense)
    assert (labels[new] == [0, 1, 1]).all()
    # new rows lie between rows of "b" (0 .. 4)
    assert X_res[new].min() >= 0 and X_res[new].max() <= 4
    assert sampler.counts_before_[list(sampler.counts_before_)[1]] == 5


def test_mlsmote_sparse_and_dataframe_features():
    rng = np.random.RandomState(0)
    X = rng.random_sample((40, 4))
    Y3 = np.zeros((40, 3), dtype=int)
    Y3[:, 0] = 1
    Y3[:4, 1] = 1
    Y3[20:, 2] = 1
    dense = MLSMOTE(k_neighbors=2, random_state=0).fit_resample(X, Y3)
    for Xk in (sparse.csr_matrix(X), sparse.csc_matrix(X)):
        X_res, y_res = MLSMOTE(k_neighbors=2, random_state=0).fit_resample(Xk, Y3)
        assert X_res.format == Xk.format
        np.testing.assert_allclose(X_res.toarray(), dense[0])
        np.testing.assert_array_equal(y_res, dense[1])
    frame = pd.DataFrame(X, columns=list("wxyz"))
    X_res, _ = MLSMOTE(k_neighbors=2, random_state=0).fit_resample(frame, Y3)
    assert list(X_res.columns) == list("wxyz")
    np.testing.assert_allclose(X_res.to_numpy(), dense[0])


def test_mlsmote_single_row_bag_copies_its_row():
    X = np.arange(20, dtype=float).reshape(10, 2)
    y = [["a"]] * 9 + [["b"]]  # IRLbl of "b" 9, MeanIR 5: one new row
    X_res, y_res = MLSMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[10:], [X[9]])
    assert y_res[10:] == [["b"]]


@pytest.mark.parametrize("make", [MultilabelRandomOverSampler, MLSMOTE])
def test_random_state_rule(make):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(60, 3))
    Y3 = (rng.random_sample((60, 3)) < [0.9, 0.1, 0.3]).astype(int)

    def run(random_state):
        sampler = make(max_clone_fraction=1.0) if make is not MLSMOTE else make()
        sampler.set_params(shuffle=True, random_state=random_state)
        return sampler.fit_resample(X, Y3)[0]

    np.testing.assert_array_equal(run(3), run(np.random.RandomState(3)))
    outputs = {run(None).tobytes() for _ in range(3)}
    assert len(outputs) == 3


def test_sample_weight_and_one_label_per_row():
    y = np.array(["x"] * 8 + ["y"] * 2)
    w = np.arange(10.0)
    sampler = MultilabelRandomOverSampler(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(
        np.arange(10)[:, None], y, sample_weight=w
    )
    assert y_res.tolist() == y.tolist() + ["y"] * 2  # one label per row stays 1-D
    np.testing.assert_array_equal(w_res, w[sampler.sample_indices_])
    assert sampler.counts_after_ == {"x": 8, "y": 4}


def test_pipeline_and_pos_weight():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    Y3 = np.column_stack([X[:, 0] > -1, X[:, 1] > 1.2, X[:, 2] > 0]).astype(int)
    for sampler in (
        MultilabelRandomOverSampler(random_state=0),
        MLSMOTE(random_state=0),
    ):
        model = make_pipeline(sampler, OneVsRestClassifier(LogisticRegression()))
        assert model.fit(X, Y3).predict(X).shape == (80, 3)
        _, Y_res = clone(sampler).fit_resample(X, Y3)
        before = ClassWeightComputer().fit(Y3).class_weight_
        after = ClassWeightComputer().fit(Y_res).class_weight_
        assert after[1] < before[1]  # the rare label needs less weight after


def test_errors():
    X = np.zeros((4, 1))
    ml_ros = MultilabelRandomOverSampler()
    with pytest.raises(ValueError, match="requires y to be passed, but the target y"):
        ml_ros.fit_resample(X, None)
    with pytest.raises(ValueError, match="that is not a 0/1 indicator matrix"):
        ml_ros.fit_resample(X, np.array([["a", "b"]] * 4))
    with pytest.raises(ValueError, match="A multi-label y must be a 0/1 matrix"):
        ml_ros.fit_resample(X, np.array([[0, 2]] * 4))
    with pytest.raises(ValueError, match=re.escape("X has 4 rows but y has 3")):
        ml_ros.fit_resample(X, [["a"], ["b"], ["a"]])
    with pytest.raises(ValueError, match="y has 1 label with positives; Multilabel"):
        ml_ros.fit_resample(X, np.array([[1, 0]] * 3 + [[0, 0]]))
    with pytest.raises(ValueError, match="y has 1 class with positives"):
        ml_ros.fit_resample(X, np.zeros(4))
    with pytest.raises(TypeError, match=re.escape("got unexpected parameters ['g']")):
        ml_ros.fit_resample(X, [["a"], ["b"], ["a"], ["a"]], g=1)
    with pytest.raises(InvalidParameterError, match="target_mean_ir"):
        MultilabelRandomOverSampler(target_mean_ir=0.5).fit(X, [["a"]] * 3 + [["b"]])
    with pytest.raises(ValueError, match="MLSMOTE interpolates features"):
        MLSMOTE().fit_resample(["a", "b", "c", "d"], [["a"]] * 3 + [["b"]])
    with pytest.raises(ValueError, match="Input contains NaN"):
        MLSMOTE().fit_resample(np.full((4, 1), np.nan), [["a"]] * 3 + [["b"]])
