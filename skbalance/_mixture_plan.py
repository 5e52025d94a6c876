"""Exact per-stratum counts of a data mixture: weights, temperature, UniMax.

A *mixture* sets how many rows every stratum (class, domain, or class x
domain) has in a training set of ``size`` rows, lowering large strata as well
as raising small ones. :func:`mixture_counts` is the one pure function behind
:class:`skbalance.MixtureSampler` and :func:`skbalance.spark.mix`: it depends
only on the row count of each stratum, so the two give the same counts.

Arithmetic is exact, as in :mod:`skbalance._targets`: shares are fractions, a
float parameter is read as the decimal the user wrote, and ``n ** alpha`` is
computed in decimal arithmetic at 40 significant digits (the same digits on
every platform), then used as an exact fraction.
"""

import decimal
import json
import math
import warnings
from fractions import Fraction
from numbers import Integral, Real

import numpy as np

from skbalance._targets import InfeasibleCapWarning, exact_fraction, feasible_share

__all__ = [
    "MixtureReport",
    "largest_remainder",
    "mixture_counts",
    "mixture_shares",
]

#: significant digits of ``n ** alpha``: far beyond any count's rounding
_DIGITS = 40


def _power(n, alpha):
    """``n ** alpha`` as an exact fraction: exact for an integer ``alpha``,
    else from decimal ``exp(alpha * ln(n))`` at ``_DIGITS`` digits."""
    if alpha.denominator == 1:
        return Fraction(n) ** alpha.numerator
    ctx = decimal.Context(prec=_DIGITS)
    a = ctx.divide(decimal.Decimal(alpha.numerator), decimal.Decimal(alpha.denominator))
    return Fraction(ctx.exp(ctx.multiply(a, ctx.ln(decimal.Decimal(n)))))


def _weight_list(weights, keys, k):
    """The weights as a list of ``k`` exact fractions, in the order of ``keys``."""
    if isinstance(weights, dict):
        if keys is None:
            raise ValueError(
                "weights given as a dict needs the stratum of every count: pass "
                "keys=, or give the weights as a list in the order of counts."
            )
        keys = list(keys)
        missing = [key for key in keys if key not in weights]
        if missing:
            raise ValueError(
                f"weights has no share for the strata {missing!r}; give every "
                "stratum a weight (0 drops it)."
            )
        unknown = [key for key in weights if key not in set(keys)]
        if unknown:
            warnings.warn(
                f"weights names strata that are not in the data, ignored: "
                f"{unknown!r} (the strata are {keys!r}).",
                UserWarning,
                stacklevel=4,
            )
        values = [weights[key] for key in keys]
    else:
        values = list(np.asarray(weights, dtype=float).ravel().tolist())
        if len(values) != k:
            raise ValueError(
                f"weights has {len(values)} values for {k} strata; give one "
                "weight per stratum."
            )
    out = []
    for key, value in zip(keys or range(k), values, strict=True):
        if not isinstance(value, Real) or not math.isfinite(value) or value < 0:
            raise ValueError(
                f"The weight of {key!r} is {value!r}; weights must be finite "
                "numbers >= 0."
            )
        out.append(exact_fraction(value))
    if not any(out):
        raise ValueError("Every weight is 0; give at least one stratum a weight > 0.")
    return out


def mixture_shares(
    counts, *, weights=None, temperature=None, max_repeats=None, keys=None
):
    """Exact share of every stratum under a mixture rule, before floors and caps.

    ``weights`` normalised; else ``n_i ** temperature`` normalised; else
    uniform when ``max_repeats`` is given (UniMax); else ``n_i`` normalised
    (the input's own mix).

    Examples
    --------
    >>> from skbalance._mixture_plan import mixture_shares
    >>> [str(s) for s in mixture_shares([30, 10], temperature=0)]
    ['1/2', '1/2']
    >>> [str(s) for s in mixture_shares([30, 10])]
    ['3/4', '1/4']
    """
    if weights is not None and temperature is not None:
        raise ValueError(
            f"Got both weights and temperature={temperature!r}; set one of them "
            "and leave the other None."
        )
    if weights is not None:
        raw = _weight_list(weights, keys, len(counts))
    elif temperature is not None:
        alpha = exact_fraction(temperature)
        raw = [_power(n, alpha) for n in counts]
    elif max_repeats is not None:
        raw = [Fraction(1)] * len(counts)
    else:
        raw = [Fraction(n) for n in counts]
    total = sum(raw)
    return [w / total for w in raw]


def _fill(shares, lo, hi, size):
    """``x_i = clip(lam * shares_i, lo_i, hi_i)`` with ``sum(x) == size``, or
    every stratum at its bound when no ``lam`` reaches ``size``.

    ``hi_i`` None is no cap. The sum grows with ``lam`` piecewise linearly; the
    breakpoints (a stratum leaves its floor at ``lo_i / s_i``, reaches its cap
    at ``hi_i / s_i``) are walked in order, exactly.
    """
    events = []
    for i, s in enumerate(shares):
        if s > 0:
            events.append((lo[i] / s, s))
            if hi[i] is not None:
                events.append((hi[i] / s, -s))
    events.sort(key=lambda e: e[0])
    lam, total, slope = Fraction(0), Fraction(sum(lo)), Fraction(0)
    for at, change in events:
        reached = total + slope * (at - lam)
        if reached >= size:
            break
        lam, total, slope = at, reached, slope + change
    else:
        if slope == 0:  # every stratum with a share is at its cap
            lam = None
    if lam is not None:
        lam += (size - total) / slope if slope else 0
    out = []
    for i, s in enumerate(shares):
        if lam is None:
            x = lo[i] if s == 0 or hi[i] is None else hi[i]
        else:
            x = max(Fraction(lo[i]), lam * s)
            if hi[i] is not None:
                x = min(x, Fraction(hi[i]))
        out.append(x)
    return out


def largest_remainder(values, total):
    """Integers that round ``values`` (exact fractions) down or up and sum to
    ``total``: the ``total - sum(floors)`` largest remainders are rounded up,
    ties to the first in order.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from skbalance._mixture_plan import largest_remainder
    >>> largest_remainder([Fraction(10, 3)] * 3, 10)
    [4, 3, 3]
    """
    floors = [math.floor(v) for v in values]
    up = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: -(values[i] - floors[i]))
    for i in order[:up]:
        floors[i] += 1
    return floors


def mixture_counts(
    counts,
    *,
    weights=None,
    temperature=None,
    max_repeats=None,
    size=None,
    min_share=None,
    keys=None,
):
    """Exact integer row counts per stratum for a target data mixture.

    Every stratum ``i`` of ``n_i`` rows gets a share ``p_i`` from one rule
    (explicit ``weights``, ``temperature`` sampling, or UniMax), and
    ``p_i * size`` rows, rounded by the largest remainder so that the counts
    sum to ``size`` exactly. Floors (``min_share``) and caps on the epochs
    (``max_repeats``) bound the counts; the rows that a bound moves are
    spread over the other strata in proportion to their shares.

    Read more in the :ref:`User Guide <mixture_sampler>`.

    Parameters
    ----------
    counts : array-like of int, shape (n_strata,)
        Rows per stratum, each at least 1.
    weights : dict or array-like of shape (n_strata,), default=None
        Explicit mixture: the share of every stratum, normalised to sum to 1
        (``{"en": 2, "de": 1}`` gives 2/3 and 1/3). A dict is keyed by the
        strata (``keys``) and must name each (weight 0 drops a stratum);
        unknown keys are ignored with a warning.
    temperature : float >= 0, default=None
        Temperature (exponent) sampling: ``p_i`` proportional to
        ``n_i ** temperature``. 1 keeps the input's mix, 0 is uniform, and
        0.3 is what mT5 and XLM-R used over languages. Cannot be combined with
        ``weights``.
    max_repeats : float > 0, default=None
        Cap on the epochs of every stratum: at most ``floor(max_repeats *
        n_i)`` rows. Alone (without ``weights`` or ``temperature``) it is
        UniMax: the budget spread as uniformly as possible under the caps.
    size : int >= 1 or float > 0, default=None
        Total rows of the output: an int is a row count, a float a multiple
        of the input's rows (``floor(size * sum(counts))``, at least 1).
        None: the input's rows.
    min_share : float in [0, 1], default=None
        Floor of every stratum: at least ``ceil(min_share * size)`` rows
        (``size // n_strata`` when the strata cannot all have that many). A
        floor that ``n_strata`` strata cannot all reach (``min_share *
        n_strata > 1``) is lowered to ``1 / n_strata`` with an
        :class:`~skbalance._targets.InfeasibleFloorWarning`.
    keys : sequence of shape (n_strata,), default=None
        The stratum of every count, to look ``weights`` up and to name
        strata in messages.

    Returns
    -------
    targets : ndarray of int64, shape (n_strata,)
        Rows per stratum. They sum to ``size``, unless the caps cannot reach
        it (then every stratum with a share is at its cap, with an
        :class:`~skbalance._targets.InfeasibleCapWarning`).

    See Also
    --------
    MixtureSampler : Resample a data set to these counts.
    skbalance.spark.mix : The same counts on a Spark DataFrame.

    Notes
    -----
    Order of precedence, strongest first:

    1. ``max_repeats``: no stratum exceeds ``floor(max_repeats * n_i)`` rows.
       A floor above a stratum's cap is lowered to the cap, and a ``size``
       that the caps cannot reach is lowered to the sum of the caps, each
       with an :class:`~skbalance._targets.InfeasibleCapWarning`.
    2. ``size``: the counts sum to it exactly.
    3. ``min_share``: every stratum has at least its floor.
    4. The rule (``weights``, else ``temperature``, else uniform when
       ``max_repeats`` is given, else the input's mix): the strata at no
       bound get ``lam * p_i`` rows, ``lam`` the same for all, so that the
       total is ``size``; then the largest remainders are rounded up (ties
       to the first stratum in order).

    Without floors and caps every count is ``p_i * size`` rounded down or
    up. UniMax (Chung et al., 2023) sorts the strata by size and gives each
    in turn ``min(E * n_i, remaining budget / remaining strata)``; that is
    the uniform rule under the caps ``E * n_i``, which is how it is
    computed here.

    References
    ----------
    .. [1] H. W. Chung, N. Constant, X. Garcia, A. Roberts, Y. Tay, S. Narang
       and O. Firat, "UniMax: Fairer and more effective language sampling for
       large-scale multilingual pretraining", ICLR 2023.
    .. [2] A. Conneau and G. Lample, "Cross-lingual language model
       pretraining", NeurIPS 2019 (temperature sampling).

    Examples
    --------
    >>> from skbalance import mixture_counts
    >>> counts = [8000, 1500, 400, 100]
    >>> mixture_counts(counts, temperature=1).tolist()
    [8000, 1500, 400, 100]
    >>> mixture_counts(counts, temperature=0).tolist()
    [2500, 2500, 2500, 2500]
    >>> mixture_counts(counts, temperature=0.3).tolist()
    [4384, 2653, 1785, 1178]

    UniMax with at most 4 epochs per stratum:

    >>> mixture_counts(counts, max_repeats=4).tolist()
    [4000, 4000, 1600, 400]

    Explicit weights with a total size, down-sampling the large stratum:

    >>> mixture_counts([8000, 2000], weights={"en": 1, "de": 1}, keys=["en", "de"],
    ...                size=3000).tolist()
    [1500, 1500]
    """
    c = np.asarray(counts).ravel()
    if c.size == 0 or not np.issubdtype(c.dtype, np.integer) or (c < 1).any():
        raise ValueError(
            f"counts must be integers >= 1, one per stratum; got {c.tolist()!r}."
        )
    c = c.astype(np.int64).tolist()
    k = len(c)
    shares = mixture_shares(
        c, weights=weights, temperature=temperature, max_repeats=max_repeats, keys=keys
    )
    n = sum(c)
    if size is None:
        total = n
    elif isinstance(size, Integral):
        total = int(size)
    else:
        total = max(1, math.floor(exact_fraction(size) * n))
    names = list(range(k)) if keys is None else list(keys)

    lo = [0] * k
    if min_share:
        share = feasible_share(min_share, k, stacklevel=3)
        lo = [min(math.ceil(share * total), total // k)] * k
    hi = [None] * k
    if max_repeats is not None:
        epochs = exact_fraction(max_repeats)
        hi = [math.floor(epochs * ni) for ni in c]
        low = [i for i in range(k) if lo[i] > hi[i]]
        if low:
            warnings.warn(
                InfeasibleCapWarning(
                    f"max_repeats={max_repeats!r} keeps the strata "
                    f"{[names[i] for i in low]!r} below the floor of {lo[low[0]]} "
                    f"rows (min_share={min_share!r}); they get their cap "
                    f"{[hi[i] for i in low]!r} instead.",
                    max_repeats=max_repeats,
                    size=total,
                    n_rows=total,
                ),
                stacklevel=2,
            )
            lo = [min(a, b) for a, b in zip(lo, hi, strict=True)]
    x = _fill(shares, lo, hi, total)
    reached = sum(x)
    if reached < total:
        reached = int(reached)  # every stratum at a bound: integers
        warnings.warn(
            InfeasibleCapWarning(
                f"max_repeats={max_repeats!r} caps the strata at {reached} rows in "
                f"all, fewer than size={total}; the output has {reached} rows, every "
                "stratum with a share at its cap.",
                max_repeats=max_repeats,
                size=total,
                n_rows=reached,
            ),
            stacklevel=2,
        )
        total = reached
    return np.array(largest_remainder(x, total), dtype=np.int64)


class MixtureReport:
    """Per-stratum account of a mixture: rows, shares, epochs, dropped rows.

    Made by :class:`MixtureSampler` (its ``mixture_report_``) from the counts
    before and after; printing it gives a table, :meth:`to_dict` and
    :meth:`to_json` the same as plain values.

    Parameters
    ----------
    counts_before : dict
        Rows per stratum in the input.
    counts_after : dict
        Rows per stratum in the output (same keys).

    Attributes
    ----------
    n_before, n_after : int
        Rows in and out.
    strata : dict
        ``{stratum: {"before", "after", "share_before", "share_after",
        "max_epochs", "mean_epochs", "dropped", "added"}}``. A raised stratum
        repeats each row ``after // before`` or one more times
        (``max_epochs = ceil(after / before)``); a lowered one uses each row
        at most once and drops ``before - after`` rows. ``mean_epochs`` is
        ``after / before``.

    See Also
    --------
    MixtureSampler : Makes the report.
    ImbalanceReport : Distribution of a target.

    Examples
    --------
    >>> from skbalance import MixtureReport
    >>> report = MixtureReport(counts_before={"en": 90, "sw": 10},
    ...                        counts_after={"en": 60, "sw": 40})
    >>> report.strata["sw"]["max_epochs"], report.strata["en"]["dropped"]
    (4, 30)
    >>> report.to_dict()["strata"]["en"]["share_after"]
    0.6
    """

    def __init__(self, *, counts_before, counts_after):
        self.n_before = int(sum(counts_before.values()))
        self.n_after = int(sum(counts_after.values()))
        self.strata = {}
        for key, before in counts_before.items():
            before, after = int(before), int(counts_after[key])
            self.strata[key] = {
                "before": before,
                "after": after,
                "share_before": before / self.n_before,
                "share_after": after / self.n_after if self.n_after else 0.0,
                "max_epochs": math.ceil(after / before),
                "mean_epochs": after / before,
                "dropped": max(before - after, 0),
                "added": max(after - before, 0),
            }

    def to_dict(self):
        """The report as plain, JSON-safe Python values.

        Returns
        -------
        dict
            ``n_before``, ``n_after`` and ``strata`` (keys as strings; a
            ``(domain, class)`` pair joins its parts with ``" / "``).
        """
        return {
            "n_before": self.n_before,
            "n_after": self.n_after,
            "strata": {_name(k): dict(v) for k, v in self.strata.items()},
        }

    def to_json(self, **kwargs):
        """The report as a JSON string.

        Parameters
        ----------
        **kwargs : dict
            Passed to :func:`json.dumps` (``indent=2``, say).

        Returns
        -------
        str
            :meth:`to_dict` as JSON.
        """
        return json.dumps(self.to_dict(), **kwargs)

    def __str__(self):
        names = [_name(k) for k in self.strata]
        width = max([len(n) for n in names] + [7])
        lines = [
            f"{self.n_before} rows -> {self.n_after} rows, {len(self.strata)} strata",
            f"  {'stratum':<{width}}  {'before':>6}  {'after':>6}  "
            f"{'share':>6} -> {'share':<6}  max ep  mean ep  dropped",
        ]
        for name, s in zip(names, self.strata.values(), strict=True):
            lines.append(
                f"  {name:<{width}}  {s['before']:>6}  {s['after']:>6}  "
                f"{s['share_before']:>6.1%} -> {s['share_after']:<6.1%}  "
                f"{s['max_epochs']:>6}  {s['mean_epochs']:>7.2f}  {s['dropped']:>7}"
            )
        return "\n".join(lines)

    def __repr__(self):
        return str(self)


def _name(key):
    return " / ".join(map(str, key)) if isinstance(key, tuple) else str(key)
