"""RatioOverSampler: random duplication up to a ratio of the largest class."""

from skbalance._base import BaseStrataOverSampler
from skbalance._constraints import TARGET_RATIO
from skbalance._targets import DEFAULT_TARGET_RATIO, stratum_targets

__all__ = ["RatioOverSampler"]


class RatioOverSampler(BaseStrataOverSampler):
    """Duplicate rows of small classes up to a ratio of the largest class.

    Every class with fewer than ``ceil(target_ratio * n_largest)`` rows is
    raised to that count by copying its own rows; larger classes are left as
    they are. Works for any number of classes (imbalanced-learn's float
    ``sampling_strategy`` is binary-only), and a ratio that is already met is
    a no-op rather than an error, so a grid over ``target_ratio`` never has a
    failed candidate.

    Read more in the :ref:`User Guide <ratio_over_sampler>`.

    Parameters
    ----------
    target_ratio : float in [0, 1] or None, default=1.0
        Size of every class after resampling as a fraction of the largest
        class. 1.0 balances fully; 0.3 raises each class to at least 30% of
        the largest; 0 or None leave the data as it is (so that a grid can
        hold "no resampling").
    shuffle : bool, default=False
        Shuffle the output rows. By default the original rows come first,
        unchanged and in order, followed by the copies.
    random_state : int, RandomState instance or None, default=None
        Chooses which rows get the extra copy when a class is not raised by a
        whole multiple, and the order when ``shuffle=True``. Resolved with
        scikit-learn's ``check_random_state``: an int and ``RandomState(int)``
        give the same output.

    Attributes
    ----------
    counts_before_ : dict
        Rows per class in the input, keyed by class label (sorted).
    counts_after_ : dict
        Rows per class in the output.
    sampling_strategy_ : dict
        Rows added per class, for the classes that were raised
        (imbalanced-learn's convention).
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        Input row of every output row.
    n_features_in_ : int
        Number of columns of X, when X is 2-D.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of X, when X is a DataFrame with string column names.

    See Also
    --------
    DomainFloorSampler : Give every class or domain a minimum share.
    imblearn.over_sampling.RandomOverSampler : Duplication with a dict of
        absolute targets.

    Notes
    -----
    Each row of a raised class is copied ``a // c`` or ``a // c + 1`` times
    when ``a`` rows are added to a class of ``c`` rows; ``random_state`` only
    decides which rows get the extra copy. imbalanced-learn's
    ``RandomOverSampler`` draws with replacement instead, so some rows are
    copied many times and others never.

    Examples
    --------
    >>> from collections import Counter
    >>> from skbalance import RatioOverSampler
    >>> y = ["billing"] * 500 + ["technical"] * 300 + ["account"] * 150 + ["other"] * 50
    >>> X = [[i] for i in range(len(y))]
    >>> sampler = RatioOverSampler(target_ratio=0.5, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [('account', 250), ('billing', 500), ('other', 250), ('technical', 300)]
    >>> X_res[:1000] == X
    True
    """

    _parameter_constraints: dict = {
        **BaseStrataOverSampler._parameter_constraints,
        "target_ratio": TARGET_RATIO,
    }

    def __init__(
        self, *, target_ratio=DEFAULT_TARGET_RATIO, shuffle=False, random_state=None
    ):
        self.target_ratio = target_ratio
        self.shuffle = shuffle
        self.random_state = random_state

    def _stratum_targets(self, counts, keys):
        return stratum_targets(counts, target_ratio=self.target_ratio)
