"""Guarantees of the multi-label samplers, checked with hypothesis."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import sparse

from skbalance import MLSMOTE, MultilabelRandomOverSampler, imbalance_report

SAMPLERS = {"ML-ROS": MultilabelRandomOverSampler, "MLSMOTE": MLSMOTE}


@st.composite
def multilabel_data(draw):
    n = draw(st.integers(4, 60))
    q = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    # label j with prevalence drawn per label: some very rare, some frequent
    prevalence = np.array([draw(st.floats(0.02, 0.95)) for _ in range(q)])
    Y = (rng.random_sample((n, q)) < prevalence).astype(np.int8)
    assume((Y.sum(axis=0) > 0).sum() >= 2)
    X = rng.normal(size=(n, 2))
    return X, Y


def _mean_ir(Y):
    # sparse: a dense matrix with one 1 per row would read as one-vs-all classes
    return imbalance_report(sparse.csr_matrix(Y)).multilabel["mean_ir"]


def _make(name, fraction, target, k, random_state, shuffle=False):
    if name == "ML-ROS":
        return MultilabelRandomOverSampler(
            target_mean_ir=target,
            max_clone_fraction=fraction,
            shuffle=shuffle,
            random_state=random_state,
        )
    return MLSMOTE(
        k_neighbors=k,
        target_mean_ir=target,
        max_new_fraction=fraction,
        shuffle=shuffle,
        random_state=random_state,
    )


settings_ = settings(max_examples=120, deadline=None)
name_st = st.sampled_from(sorted(SAMPLERS))
fraction_st = st.floats(0.0, 1.0)
target_st = st.one_of(st.none(), st.floats(1.0, 20.0))


@settings_
@given(
    data=multilabel_data(),
    name=name_st,
    fraction=fraction_st,
    target=target_st,
    k=st.integers(1, 6),
    seed=st.integers(0, 10),
)
def test_guarantees(data, name, fraction, target, k, seed):
    X, Y = data
    X0, Y0 = X.copy(), Y.copy()
    n = Y.shape[0]
    sampler = _make(name, fraction, target, k, seed)
    X_res, Y_res = sampler.fit_resample(X, Y)
    # the input is not changed; originals kept unchanged, in order, first
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)
    np.testing.assert_array_equal(X_res[:n], X)
    np.testing.assert_array_equal(Y_res[:n], Y)
    # the budget is respected
    assert Y_res.shape[0] - n <= int(fraction * n)
    assert X_res.shape[0] == Y_res.shape[0] == sampler.sample_indices_.size
    # MeanIR never increases, and no label loses positives
    assert _mean_ir(Y_res) <= _mean_ir(Y)
    assert np.all(Y_res.sum(axis=0) >= Y.sum(axis=0))
    # the reported counts are the real ones
    assert list(sampler.counts_after_.values()) == Y_res.sum(axis=0).tolist()
    assert list(sampler.counts_before_.values()) == Y.sum(axis=0).tolist()
    assert sampler.report_after_.multilabel["mean_ir"] == _mean_ir(Y_res)
    if name == "ML-ROS":  # every row is a clone of the row it names
        np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
        np.testing.assert_array_equal(Y_res, Y[sampler.sample_indices_])
    else:  # a new row holds every minority label it was made for: its seed's
        seeds = sampler.sample_indices_[n:]
        assert np.all((Y_res[n:] >= 0) & (Y_res[n:] <= 1))
        assert np.all(Y_res[n:].sum(axis=1) >= 1)
        assert np.all((Y_res[n:] & Y[seeds]).sum(axis=1) >= 1)


@settings(max_examples=60, deadline=None)
@given(
    data=multilabel_data(),
    name=name_st,
    seed=st.integers(0, 2**31 - 2),
    shuffle=st.booleans(),
)
def test_same_output_for_the_same_random_state(data, name, seed, shuffle):
    X, Y = data
    runs = [
        _make(name, 0.5, None, 3, rs, shuffle).fit_resample(X, Y)
        for rs in (seed, seed, np.random.RandomState(seed))
    ]
    for X_res, Y_res in runs[1:]:
        np.testing.assert_array_equal(X_res, runs[0][0])
        np.testing.assert_array_equal(Y_res, runs[0][1])
