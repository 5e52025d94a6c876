import numpy as np
import pytest

# The seed example of the issue tracker: 50% billing, 30% technical,
# 15% account, 5% other support tickets.
SEED_COUNTS = {"billing": 500, "technical": 300, "account": 150, "other": 50}


@pytest.fixture
def tickets():
    """1,000 labelled rows in the seed proportions, in a stable shuffled order."""
    labels = np.repeat(list(SEED_COUNTS), list(SEED_COUNTS.values()))
    order = np.random.RandomState(0).permutation(labels.size)
    return labels[order]
