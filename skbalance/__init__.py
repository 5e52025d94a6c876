"""skbalance: detect, split, rebalance and weight imbalanced training data.

Every strategy is a scikit-learn / imbalanced-learn estimator; import them
from the package root::

    from skbalance import DomainFloorSampler, RatioOverSampler

Names are imported on first use (PEP 562), so that ``import skbalance`` and
the command line's ``--help`` do not pay for scikit-learn.
"""

import importlib

__version__ = "0.1.0.dev0"

# public name -> the private module defining it
_MODULES = {
    "BalanceSearch": "_balance_search",
    "ClassWeightComputer": "_class_weight",
    "compare_samplers": "_compare",
    "load_support_tickets": "_datasets",
    "ImbalanceReport": "_diagnostics",
    "imbalance_ratio": "_diagnostics",
    "imbalance_report": "_diagnostics",
    "severity": "_diagnostics",
    "ComparisonDisplay": "_display",
    "ImbalanceDisplay": "_display",
    "DomainFloorSampler": "_domain_floor",
    "offline_generator": "_llm._generators",
    "StratifiedLabelKFold": "_kfold",
    "StratifiedLabelShuffleSplit": "_kfold",
    "LLMAugmentSampler": "_llm_augment",
    "LogitAdjustedClassifier": "_logit_adjust",
    "PerClassReport": "_metrics",
    "macro_weighted_f1_gap": "_metrics",
    "macro_weighted_f1_gap_scorer": "_metrics",
    "per_class_report": "_metrics",
    "MLSMOTE": "_mlsmote",
    "MixtureReport": "_mixture_plan",
    "MixtureSampler": "_mixture",
    "mixture_counts": "_mixture_plan",
    "MultilabelRandomOverSampler": "_multilabel_sampling",
    "RatioOverSampler": "_ratio",
    "StratifiedTripleSplit": "_split",
    "duplicate_groups": "_text",
    "stratified_partition": "_split",
    "train_val_test_split": "_split",
    "WeightedClassifier": "_weighted",
    # JSON Lines files
    "JsonlIndex": "_jsonl",
    "read_jsonl_labels": "_jsonl",
    "write_jsonl_records": "_jsonl",
}

__all__ = sorted([*_MODULES, "__version__"])


def __getattr__(name):
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'skbalance' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"skbalance.{module}"), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
