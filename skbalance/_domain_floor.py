"""DomainFloorSampler: give every domain (or class) a minimum share."""

from numbers import Integral

from skbalance._base import BaseStrataOverSampler
from skbalance._constraints import MIN_SHARE
from skbalance._containers import column_values, drop_column, n_rows
from skbalance._targets import stratum_targets
from skbalance._validation import check_groups

__all__ = ["DomainFloorSampler", "DomainStrataMixin"]


class DomainStrataMixin:
    """The strata of the samplers that take ``domain`` / ``groups``: the
    values of a column of X, the ``groups`` given to ``fit_resample``, or
    the classes of y; ``drop_domain`` removes the column from the output.
    Its ``fit`` and ``fit_resample`` take ``groups``."""

    def fit_resample(self, X, y, *, groups=None, sample_weight=None):
        """Resample the data set; the output has the container type of the input.

        Parameters
        ----------
        X : {ndarray, sparse matrix, DataFrame, Series, list} of n_samples rows
            A 2-D array (numeric or object), a sparse matrix, a DataFrame, or a
            1-D array, Series or list of texts or records (dicts).
        y : array-like of shape (n_samples,)
            Class labels (no missing values).
        groups : array-like of shape (n_samples,), default=None
            Domain of every row, when it is not a field of X (set
            ``domain="groups"`` to require it). In an imbalanced-learn
            Pipeline, ``groups`` only arrives with metadata routing enabled
            and requested (see the user guide); prefer ``domain=`` there.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows, resampled with them and returned third.

        Returns
        -------
        X_resampled : same container as X
            The rows that stay (every row, unless a mixture lowers a
            stratum), unchanged and in input order, then the copies (all
            shuffled together when ``shuffle=True``); without the domain
            column when ``drop_domain=True``.
        y_resampled : same container as y
            The labels of ``X_resampled``.
        sample_weight_resampled : ndarray of shape (n_samples_resampled,)
            Only when ``sample_weight`` is given.
        """
        return super().fit_resample(X, y, groups=groups, sample_weight=sample_weight)

    def fit(self, X, y, *, groups=None):
        """Compute the per-stratum targets, the rows that stay and those copied.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix, list}
            The rows: see :meth:`fit_resample`.
        y : array-like of shape (n_samples,)
            Class labels.
        groups : array-like of shape (n_samples,), default=None
            Domain of every row: see :meth:`fit_resample`.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        return super().fit(X, y, groups=groups)

    def _strata(self, X, y, groups=None):
        if self.drop_domain and self.domain in (None, "groups"):
            raise ValueError(
                f"drop_domain=True needs domain set to a column of X; got "
                f"domain={self.domain!r}."
            )
        if self.domain == "groups" and groups is None:
            raise ValueError(
                f"{type(self).__name__}(domain='groups') got no groups. Pass "
                "fit_resample(X, y, groups=...); in an imbalanced-learn Pipeline, "
                "enable metadata routing (sklearn.set_config("
                "enable_metadata_routing=True)) and request it with "
                "sampler.set_fit_resample_request(groups=True), or put the domain "
                "in X and set domain to its column."
            )
        if groups is not None and self.domain not in (None, "groups"):
            raise ValueError(
                f"Got both domain={self.domain!r} and groups; give the domains one "
                "way only."
            )
        if groups is not None:
            values = check_groups(groups, n_samples=n_rows(X), against="X")
            return values, "groups", "domain"
        if self.domain is None:
            return y, "y", "class"
        values = column_values(X, self.domain, param="domain")
        return values, f"domain={self.domain!r}", "domain"  # encode() names NaN

    def _output_rows(self, X):
        return drop_column(X, self.domain) if self.drop_domain else X


class DomainFloorSampler(DomainStrataMixin, BaseStrataOverSampler):
    """Duplicate rows so that every domain holds at least a share of the output.

    The strata are the values of ``domain`` (a DataFrame column, a key of
    dict records, or a column index of an array), or a ``groups`` array given
    to :meth:`fit_resample`, or the classes of ``y`` when neither is given.
    Rows of the strata below the floor are copied, with the fewest added rows
    that give every stratum ``min_share`` of the *output* (raising one stratum
    grows the total, which the solution accounts for). ``y`` is resampled
    along with ``X``.

    A floor of 5-20% keeps most of the real prior while making sure that a
    rare domain (European English next to US English, say) or class is seen
    often enough; forcing 1:1 throws the prior away.

    Read more in the :ref:`User Guide <domain_floor_sampler>`.

    Parameters
    ----------
    min_share : float in [0, 1] or None, default=0.1
        Minimum share of the output for every stratum; a floor already met,
        0 and None are no-ops. A floor that ``k`` strata cannot all reach
        (``min_share * k > 1``) is lowered to ``1 / k`` (every stratum equal)
        with a warning, so that a grid never has a failed candidate.
    relative : bool, default=False
        Read ``min_share`` as a fraction of the uniform share ``1 / k``: with
        ``k`` strata every stratum gets at least ``min_share / k`` of the
        output. ``min_share=0.5, relative=True`` gives each of 26 classes
        at least 0.5 / 26 = 1.9%, and each of 4 classes 12.5%; 1.0 makes the
        strata equal. Use it when the number of strata varies or is large.
    domain : str, int or None, default=None
        Where the domain of a row is read: a column name of a DataFrame X, a
        key of dict records, or a column index of a 2-D array X.
        ``"groups"`` reads the ``groups`` passed to :meth:`fit_resample`, and
        fails with the fix when none arrives (as in an imbalanced-learn
        Pipeline without metadata routing, which drops the step's
        parameters). ``None`` uses ``groups`` when given, else the classes
        of y.
    drop_domain : bool, default=False
        Remove the ``domain`` column (or record key) from the output, so that
        the next step of a pipeline does not see it.
    shuffle : bool, default=False
        Shuffle the output rows. By default the original rows come first,
        unchanged and in order, followed by the copies.
    random_state : int, RandomState instance or None, default=None
        Chooses which rows get the extra copy when a stratum is not raised by
        a whole multiple, and the order when ``shuffle=True``. Resolved with
        scikit-learn's ``check_random_state``.

    Attributes
    ----------
    counts_before_ : dict
        Rows per stratum (domain, or class) in the input, sorted by stratum.
    counts_after_ : dict
        Rows per stratum in the output.
    sampling_strategy_ : dict
        Rows added per stratum, for the strata that were raised.
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        Input row of every output row.
    n_features_in_ : int
        Number of columns of X, when X is 2-D.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of X, when X is a DataFrame with string column names.

    See Also
    --------
    RatioOverSampler : Raise classes to a ratio of the largest class.

    Examples
    --------
    Floors on domains of dict records (JSONL rows):

    >>> from collections import Counter
    >>> from skbalance import DomainFloorSampler
    >>> X = ([{"text": f"us {i}", "locale": "en-US"} for i in range(90)]
    ...      + [{"text": f"eu {i}", "locale": "en-GB"} for i in range(10)])
    >>> y = ["billing", "technical"] * 50
    >>> sampler = DomainFloorSampler(min_share=0.2, domain="locale", random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sampler.counts_before_, sampler.counts_after_
    ({'en-GB': 10, 'en-US': 90}, {'en-GB': 23, 'en-US': 90})
    >>> sorted(Counter(r["locale"] for r in X_res).items())
    [('en-GB', 23), ('en-US', 90)]

    Without ``domain`` or ``groups`` the floors apply to the classes of y:

    >>> y = [0] * 95 + [1] * 5
    >>> _, y_res = DomainFloorSampler(min_share=0.1).fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(0, 95), (1, 11)]
    """

    _parameter_constraints: dict = {
        **BaseStrataOverSampler._parameter_constraints,
        "min_share": MIN_SHARE,
        "relative": ["boolean"],
        "domain": [str, Integral, None],
        "drop_domain": ["boolean"],
    }

    def __init__(
        self,
        *,
        min_share=0.1,
        relative=False,
        domain=None,
        drop_domain=False,
        shuffle=False,
        random_state=None,
    ):
        self.min_share = min_share
        self.relative = relative
        self.domain = domain
        self.drop_domain = drop_domain
        self.shuffle = shuffle
        self.random_state = random_state

    def _stratum_targets(self, counts, keys):
        return stratum_targets(counts, min_share=self.min_share, relative=self.relative)
