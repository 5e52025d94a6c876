"""MixtureSampler: resample strata to a target mixture, and its report."""

from numbers import Integral

import numpy as np

from skbalance._base import BaseStrataOverSampler
from skbalance._constraints import MAX_REPEATS, MIN_SHARE, SIZE, TEMPERATURE, WEIGHTS
from skbalance._domain_floor import DomainStrataMixin
from skbalance._mixture_plan import MixtureReport, mixture_counts

__all__ = ["MixtureReport", "MixtureSampler"]


class MixtureSampler(DomainStrataMixin, BaseStrataOverSampler):
    """Resample classes or domains to a target mixture with exact counts.

    Every stratum (a class of y, a domain, or a domain x class pair) gets an
    exact number of rows from :func:`mixture_counts`: explicit ``weights``,
    ``temperature`` sampling (share proportional to ``n_i ** temperature``),
    or UniMax (``max_repeats`` alone), for an output of ``size`` rows, with
    ``min_share`` floors and ``max_repeats`` caps. A stratum above its target
    is *down*-sampled without replacement; one below is raised by whole
    copies of its rows plus a subset, as in :class:`RatioOverSampler`.

    Read more in the :ref:`User Guide <mixture_sampler>`.

    Parameters
    ----------
    weights : dict or array-like, default=None
        Explicit mixture: ``{stratum: weight}``, normalised to shares; every
        stratum must have one (0 drops it), and keys of strata absent from
        the data (a fold without a rare stratum) are ignored with a warning.
        With ``by_class=True`` the keys are ``(domain, class)`` tuples. A
        list gives the weights in the order of the sorted strata.
    temperature : float >= 0, default=None
        Share proportional to ``n_i ** temperature``: 1 keeps the mix, 0 is
        uniform, 0.3 is the mT5 / XLM-R choice. Cannot be combined with
        ``weights``.
    max_repeats : float > 0, default=None
        At most ``floor(max_repeats * n_i)`` rows per stratum (epochs). Alone,
        it is UniMax: as uniform as the caps allow.
    size : int >= 1 or float > 0, default=None
        Rows of the output: an int is a count, a float a multiple of the
        input's rows. None keeps the input's size.
    min_share : float in [0, 1], default=None
        Every stratum gets at least ``ceil(min_share * size)`` rows. An
        infeasible floor (``min_share * n_strata > 1``) is lowered to
        ``1 / n_strata`` with a warning.
    domain : str, int or None, default=None
        Where the domain of a row is read, as in :class:`DomainFloorSampler`:
        a DataFrame column, a record key, a column index of an array, or
        ``"groups"`` for the ``groups`` given to :meth:`fit_resample`. None:
        ``groups`` when given, else the classes of y.
    by_class : bool, default=False
        With a domain, make the strata the ``(domain, class)`` pairs, so that
        the mixture also sets the classes within each domain.
    drop_domain : bool, default=False
        Remove the ``domain`` column (or record key) from the output.
    shuffle : bool, default=False
        Shuffle the output rows. By default the rows that stay come first, in
        input order, then the copies.
    random_state : int, RandomState instance or None, default=None
        Chooses which rows of a lowered stratum stay and which rows of a
        raised one get the extra copy, and the order when ``shuffle=True``.

    Attributes
    ----------
    counts_before_ : dict
        Rows per stratum in the input, sorted by stratum.
    counts_after_ : dict
        Rows per stratum in the output: :func:`mixture_counts`.
    mixture_report_ : MixtureReport
        Rows, shares, epochs and dropped rows per stratum.
    sampling_strategy_ : dict
        Rows added per stratum, for the strata that were raised.
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        Input row of every output row (the rows that stay, then the copies).
    n_features_in_ : int
        Number of columns of X, when X is 2-D.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of X, when X is a DataFrame with string column names.

    See Also
    --------
    mixture_counts : The counts alone.
    DomainFloorSampler : Only raise strata, to a minimum share.
    skbalance.spark.mix : The same mixture on a Spark DataFrame.

    Notes
    -----
    The order of precedence of the parameters is that of
    :func:`mixture_counts`: ``max_repeats``, then ``size``, then
    ``min_share``, then the rule. Infeasible combinations are lowered with a
    warning, never an error, so that every candidate of a grid search fits.

    Examples
    --------
    Temperature sampling over the locales of dict records:

    >>> from collections import Counter
    >>> from skbalance import MixtureSampler
    >>> X = ([{"text": f"en {i}", "locale": "en"} for i in range(800)]
    ...      + [{"text": f"de {i}", "locale": "de"} for i in range(150)]
    ...      + [{"text": f"sw {i}", "locale": "sw"} for i in range(50)])
    >>> y = ["question", "answer"] * 500
    >>> sampler = MixtureSampler(temperature=0.3, domain="locale", random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(r["locale"] for r in X_res).items())
    [('de', 297), ('en', 490), ('sw', 213)]
    >>> print(sampler.mixture_report_)
    1000 rows -> 1000 rows, 3 strata
      stratum  before   after   share -> share   max ep  mean ep  dropped
      de          150     297   15.0% -> 29.7%        2     1.98        0
      en          800     490   80.0% -> 49.0%        1     0.61      310
      sw           50     213    5.0% -> 21.3%        5     4.26        0

    UniMax over the classes, at most 2 epochs each, 600 rows:

    >>> y = [0] * 700 + [1] * 250 + [2] * 50
    >>> _, y_res = MixtureSampler(max_repeats=2, size=600, random_state=0).fit_resample(
    ...     X, y)
    >>> sorted(Counter(y_res).items())
    [(0, 250), (1, 250), (2, 100)]
    """

    _parameter_constraints: dict = {
        **BaseStrataOverSampler._parameter_constraints,
        "weights": WEIGHTS,
        "temperature": TEMPERATURE,
        "max_repeats": MAX_REPEATS,
        "size": SIZE,
        "min_share": MIN_SHARE,
        "domain": [str, Integral, None],
        "by_class": ["boolean"],
        "drop_domain": ["boolean"],
    }

    def __init__(
        self,
        *,
        weights=None,
        temperature=None,
        max_repeats=None,
        size=None,
        min_share=None,
        domain=None,
        by_class=False,
        drop_domain=False,
        shuffle=False,
        random_state=None,
    ):
        self.weights = weights
        self.temperature = temperature
        self.max_repeats = max_repeats
        self.size = size
        self.min_share = min_share
        self.domain = domain
        self.by_class = by_class
        self.drop_domain = drop_domain
        self.shuffle = shuffle
        self.random_state = random_state

    def _strata(self, X, y, groups=None):
        strata, source, word = super()._strata(X, y, groups=groups)
        if not self.by_class or word == "class":
            return strata, source, word
        pairs = np.empty(len(strata), dtype=object)
        pairs[:] = list(zip(strata.tolist(), np.asarray(y).tolist(), strict=True))
        return pairs, f"({source}, y)", "stratum"

    def _stratum_targets(self, counts, keys):
        return mixture_counts(
            counts,
            weights=self.weights,
            temperature=self.temperature,
            max_repeats=self.max_repeats,
            size=self.size,
            min_share=self.min_share,
            keys=keys,
        )

    def _finish(self, plan, sources):
        order = super()._finish(plan, sources)
        self.mixture_report_ = MixtureReport(
            counts_before=self.counts_before_, counts_after=self.counts_after_
        )
        return order
