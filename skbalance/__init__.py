"""skbalance: detect, split, rebalance and weight imbalanced training data.

Every strategy is a scikit-learn / imbalanced-learn estimator; import them
from the package root::

    from skbalance import DomainFloorSampler, RatioOverSampler
"""

from skbalance._class_weight import ClassWeightComputer
from skbalance._datasets import load_support_tickets
from skbalance._domain_floor import DomainFloorSampler
from skbalance._ratio import RatioOverSampler
from skbalance._weighted import WeightedClassifier

__version__ = "0.1.0.dev0"

__all__ = [
    "ClassWeightComputer",
    "DomainFloorSampler",
    "RatioOverSampler",
    "WeightedClassifier",
    "__version__",
    "load_support_tickets",
]
