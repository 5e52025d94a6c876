"""Every public estimator through scikit-learn's and imbalanced-learn's checks."""

import inspect

import pytest
from imblearn.utils.estimator_checks import (
    estimator_checks_generator as imblearn_checks,
)
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import (
    estimator_checks_generator as sklearn_checks,
)

import skbalance
from skbalance import (
    MLSMOTE,
    BalanceSearch,
    ClassWeightComputer,
    DomainFloorSampler,
    LLMAugmentSampler,
    LogitAdjustedClassifier,
    MixtureSampler,
    MultilabelRandomOverSampler,
    RatioOverSampler,
    WeightedClassifier,
)

ESTIMATORS = [
    RatioOverSampler(random_state=0),
    RatioOverSampler(target_ratio=0.5, shuffle=True, random_state=0),
    DomainFloorSampler(random_state=0),
    DomainFloorSampler(min_share=0.2, shuffle=True, random_state=0),
    MixtureSampler(temperature=0.3, random_state=0),
    MixtureSampler(max_repeats=2, min_share=0.1, shuffle=True, random_state=0),
    MultilabelRandomOverSampler(random_state=0),
    MultilabelRandomOverSampler(max_clone_fraction=1.0, shuffle=True, random_state=0),
    MLSMOTE(random_state=0),
    MLSMOTE(k_neighbors=2, max_new_fraction=1.0, shuffle=True, random_state=0),
]
SAMPLERS = list(ESTIMATORS)
CLASSIFIERS = [
    WeightedClassifier(LogisticRegression()),
    WeightedClassifier(
        LogisticRegression(), weighting=ClassWeightComputer(strategy="sqrt")
    ),
    LogitAdjustedClassifier(LogisticRegression(), cv=3, random_state=0),
    LogitAdjustedClassifier(LogisticRegression(), tau=1.0),
    # a small search keeps the ~50 checks cheap (the whole candidate space,
    # the prior correction's inner folds included, is tested in
    # tests/test_balance_search.py)
    BalanceSearch(
        LogisticRegression(), strategies=["none", "ratio"], cv=2, random_state=0
    ),
]
# ClassWeightComputer is fitted on y alone: scikit-learn yields no check for an
# estimator without 2-D X input, so tests/test_class_weight.py runs the API
# checks that need no X and the y-only equivalents of the fit checks.
Y_ONLY = [ClassWeightComputer()]
# LLMAugmentSampler writes texts: scikit-learn yields only its clone check for an
# estimator that takes no 2-D array, and the imbalanced-learn checks that feed a
# numeric matrix are expected failures below. tests/test_llm.py runs scikit-learn's
# API checks that need no numeric X, and the sampler contract on texts.
TEXT_ONLY = [LLMAugmentSampler(generator="offline", cache=None, random_state=0)]
_NUMERIC_X = (
    "The check feeds a numeric matrix (make_classification); LLMAugmentSampler "
    "writes new texts, and a row of numbers has no text to vary. The same contract "
    "on texts is tested in tests/test_llm.py."
)
_LLM_EXPECTED = dict.fromkeys(
    [
        "check_samplers_fit",
        "check_samplers_fit_resample",
        "check_samplers_pandas",
        "check_samplers_pandas_sparse",
        "check_samplers_string",
        "check_samplers_list",
        "check_samplers_multiclass_ova",
        "check_samplers_preserve_dtype",
        "check_samplers_sample_indices",
        "check_samplers_2d_target",
    ],
    _NUMERIC_X,
)

_NO_SAMPLING_STRATEGY = (
    "Targets are set by target_ratio / min_share; these samplers have no "
    "sampling_strategy parameter by design (a dict of absolute counts is what "
    "imblearn's RandomOverSampler is for), so set_params(sampling_strategy=...) fails."
)
_OVERSAMPLER_TARGETS = (
    "The check expects every class raised to the majority count. That holds for "
    "RatioOverSampler(target_ratio=1.0) and is asserted there; a ratio below 1 or a "
    "share floor raises classes less, on purpose."
)

_MIXTURE_TARGETS = (
    "The check expects every class raised to the majority count. A mixture sets "
    "exact counts that sum to size (the input's by default), lowering large strata "
    "as well as raising small ones, on purpose; tests/test_mixture.py and "
    "tests/test_mixture_properties.py assert the counts."
)
_MIXTURE_STRATEGY = (
    "Targets are set by weights / temperature / max_repeats / size / min_share; "
    "MixtureSampler has no sampling_strategy parameter (a dict of absolute counts "
    "is weights= with size=), so set_params(sampling_strategy=...) fails."
)

_MULTILABEL_TARGET = (
    "The check expects a 2-D 0/1 y to be rejected; the multi-label samplers take "
    "it by design (tests/test_multilabel_sampling.py). The check's first part, a "
    "continuous y rejected with 'Unknown label type', passes."
)
_MULTILABEL_TARGETS = (
    "The check expects every class raised to the majority count. A 1-D y is one "
    "label per row for these samplers, and they stop at MeanIR (IRLbl of each "
    "label at most the input's mean) or at the row budget, on purpose."
)


def expected_failed_checks(estimator):
    if isinstance(
        estimator, (WeightedClassifier, LogitAdjustedClassifier, BalanceSearch)
    ):
        return {}
    if isinstance(estimator, (MultilabelRandomOverSampler, MLSMOTE)):
        return {
            "check_target_type": _MULTILABEL_TARGET,
            "check_samplers_fit_resample": _MULTILABEL_TARGETS,
            "check_samplers_sampling_strategy_fit_resample": _NO_SAMPLING_STRATEGY,
        }
    if isinstance(estimator, LLMAugmentSampler):
        return {
            **_LLM_EXPECTED,
            "check_samplers_sampling_strategy_fit_resample": _NO_SAMPLING_STRATEGY,
        }
    if isinstance(estimator, MixtureSampler):
        return {
            "check_samplers_fit_resample": _MIXTURE_TARGETS,
            "check_samplers_sampling_strategy_fit_resample": _MIXTURE_STRATEGY,
        }
    failed = {"check_samplers_sampling_strategy_fit_resample": _NO_SAMPLING_STRATEGY}
    is_full_ratio = (
        isinstance(estimator, RatioOverSampler) and estimator.target_ratio == 1.0
    )
    if not is_full_ratio:
        failed["check_samplers_fit_resample"] = _OVERSAMPLER_TARGETS
    return failed


def _check_id(value):
    if isinstance(value, BaseEstimator):
        return repr(value).replace(" ", "").replace("\n", "")
    func = getattr(value, "func", value)
    return getattr(func, "__name__", repr(func))


# Both libraries' parametrize_with_checks hand pytest a generator, which pytest
# 9.2 deprecates (scikit-learn 1.6 and imbalanced-learn 0.14 at least): the same
# checks, listed, from each library's public generator.
def _listed(generator, estimators):
    return [
        param
        for est in estimators
        for param in generator(
            est, expected_failed_checks=expected_failed_checks(est), mark="xfail"
        )
    ]


@pytest.mark.parametrize(
    ("estimator", "check"),
    _listed(sklearn_checks, SAMPLERS + CLASSIFIERS + TEXT_ONLY),
    ids=_check_id,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    ("estimator", "check"),
    _listed(imblearn_checks, SAMPLERS + TEXT_ONLY),
    ids=_check_id,
)
def test_imblearn_compatible(estimator, check):
    check(estimator)


def test_every_public_estimator_is_checked():
    public = {
        name
        for name in skbalance.__all__
        if inspect.isclass(getattr(skbalance, name))
        and issubclass(getattr(skbalance, name), BaseEstimator)
    }
    checked = {type(e).__name__ for e in SAMPLERS + CLASSIFIERS + Y_ONLY + TEXT_ONLY}
    assert public == checked


@pytest.mark.parametrize(
    "estimator", SAMPLERS + Y_ONLY + TEXT_ONLY, ids=lambda e: repr(e)
)
def test_init_is_keyword_only(estimator):
    params = inspect.signature(type(estimator).__init__).parameters
    kinds = {p.kind for name, p in params.items() if name != "self"}
    assert kinds == {inspect.Parameter.KEYWORD_ONLY}


def test_meta_estimator_takes_its_estimator_positionally():
    params = inspect.signature(WeightedClassifier.__init__).parameters
    assert params["estimator"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert params["weighting"].kind is inspect.Parameter.KEYWORD_ONLY
