"""skbalance: detect, split, rebalance and weight imbalanced training data.

Every strategy is a scikit-learn / imbalanced-learn estimator; import them
from the package root::

    from skbalance import DomainFloorSampler, RatioOverSampler
"""

from skbalance._class_weight import ClassWeightComputer
from skbalance._compare import compare_samplers
from skbalance._datasets import load_support_tickets
from skbalance._diagnostics import (
    ImbalanceReport,
    imbalance_ratio,
    imbalance_report,
    severity,
)
from skbalance._display import ComparisonDisplay, ImbalanceDisplay
from skbalance._domain_floor import DomainFloorSampler
from skbalance._generators import offline_generator
from skbalance._kfold import StratifiedLabelKFold, StratifiedLabelShuffleSplit
from skbalance._llm_augment import LLMAugmentSampler
from skbalance._metrics import (
    PerClassReport,
    macro_weighted_f1_gap,
    macro_weighted_f1_gap_scorer,
    per_class_report,
)
from skbalance._mlsmote import MLSMOTE
from skbalance._multilabel_sampling import MultilabelRandomOverSampler
from skbalance._ratio import RatioOverSampler
from skbalance._split import (
    StratifiedTripleSplit,
    duplicate_groups,
    stratified_partition,
    train_val_test_split,
)
from skbalance._weighted import WeightedClassifier

__version__ = "0.1.0.dev0"

__all__ = [
    "ClassWeightComputer",
    "ComparisonDisplay",
    "DomainFloorSampler",
    "ImbalanceDisplay",
    "ImbalanceReport",
    "LLMAugmentSampler",
    "MLSMOTE",
    "MultilabelRandomOverSampler",
    "PerClassReport",
    "RatioOverSampler",
    "StratifiedLabelKFold",
    "StratifiedLabelShuffleSplit",
    "StratifiedTripleSplit",
    "WeightedClassifier",
    "__version__",
    "compare_samplers",
    "duplicate_groups",
    "imbalance_ratio",
    "imbalance_report",
    "load_support_tickets",
    "macro_weighted_f1_gap",
    "macro_weighted_f1_gap_scorer",
    "offline_generator",
    "per_class_report",
    "severity",
    "stratified_partition",
    "train_val_test_split",
]
