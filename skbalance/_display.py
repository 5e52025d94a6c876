"""Displays: class distributions (ImbalanceDisplay) and sampler comparisons
(ComparisonDisplay)."""

import numpy as np

from skbalance._compat import import_optional
from skbalance._diagnostics import imbalance_report

__all__ = ["ComparisonDisplay", "ImbalanceDisplay"]


class ImbalanceDisplay:
    """Sorted bar chart of class counts, one bar series per distribution.

    Create it with :meth:`from_labels` (one target, or before/after) or
    :meth:`from_splits` (train/val/test); both plot right away, in
    scikit-learn's Display style. matplotlib comes with the ``plot`` extra
    (``pip install 'skbalance[plot]'``) and is imported only to plot.

    Parameters
    ----------
    counts : dict of str to dict
        ``{series name: {class: count}}``; classes are drawn largest first
        (by the first series).

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure of ``ax_``.
    bars_ : dict of str to BarContainer
        The bars of each series.

    See Also
    --------
    imbalance_report : The counts and shares it draws.
    ComparisonDisplay : Scores of balancing strategies side by side.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skbalance import ImbalanceDisplay, RatioOverSampler
    >>> y = ["billing"] * 500 + ["technical"] * 300 + ["account"] * 150 + ["other"] * 50
    >>> _, y_res = RatioOverSampler(target_ratio=0.5).fit_resample([[0]] * 1000, y)
    >>> disp = ImbalanceDisplay.from_labels(y, y_after=y_res)
    >>> [int(bar.get_height()) for bar in disp.bars_["after"]]
    [500, 300, 250, 250]
    """

    def __init__(self, counts):
        if not counts:
            raise ValueError("counts is empty; give at least one distribution.")
        self.counts = counts

    @classmethod
    def from_labels(
        cls, y, *, y_after=None, names=("before", "after"), ax=None, log=None
    ):
        """Plot the class distribution of y, and of ``y_after`` beside it.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or multi-label matrix
            Labels.
        y_after : array-like, default=None
            Labels after resampling, drawn beside ``y``.
        names : tuple of two str, default=("before", "after")
            Series names with ``y_after``; without it the one series is
            called "count".
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        log : bool or None, default=None
            Log scale for the counts; None uses it when the imbalance is
            severe (ratio above 10).

        Returns
        -------
        ImbalanceDisplay
            The display, plotted.
        """
        if y_after is None:
            counts = {"count": imbalance_report(y).counts}
        else:
            counts = {
                names[0]: imbalance_report(y).counts,
                names[1]: imbalance_report(y_after).counts,
            }
        return cls(counts).plot(ax=ax, log=log)

    @classmethod
    def from_splits(cls, splits, *, ax=None, log=None):
        """Plot the class distribution of every split.

        Parameters
        ----------
        splits : dict of str to array-like
            ``{"train": y_train, "val": y_val, "test": y_test}``.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        log : bool or None, default=None
            Log scale; None uses it when the imbalance is severe.

        Returns
        -------
        ImbalanceDisplay
            The display, plotted.
        """
        counts = {name: imbalance_report(y).counts for name, y in splits.items()}
        return cls(counts).plot(ax=ax, log=log)

    def plot(self, ax=None, *, log=None, annotate=None):
        """Draw the bars.

        The layout follows the number of classes: vertical bars up to
        ``12``, horizontal bars (largest on top, one labelled row per class)
        up to ``60``, and beyond that the counts against the class rank
        without a label per class. A new figure is at most 10 inches wide
        and 12 inches tall, with matplotlib's constrained layout so that no
        label is clipped.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        log : bool or None, default=None
            Log scale; None uses it when a series' imbalance ratio is above 10.
        annotate : bool or None, default=None
            Write each bar's count and share of its series beside it; None
            does so up to 60 classes. Shares below 1% keep two significant
            digits (``0.48%``), so a rare class never reads as ``0%``.

        Returns
        -------
        self : ImbalanceDisplay
            With ``ax_``, ``figure_`` and ``bars_`` set.
        """
        plt = import_optional(
            "matplotlib.pyplot", extra="plot", purpose="ImbalanceDisplay"
        )
        classes = self._classes()
        n_classes, n_series = len(classes), len(self.counts)
        layout = (
            "vertical"
            if n_classes <= _MAX_VERTICAL
            else "horizontal"
            if n_classes <= _MAX_LABELLED
            else "rank"
        )
        if annotate is None:
            annotate = layout != "rank"
        if ax is None:
            _, ax = plt.subplots(
                figsize=_figsize(layout, n_classes, n_series), layout="constrained"
            )
        pos = np.arange(n_classes)
        width = 0.8 / n_series
        ratios = []
        self.bars_ = {}
        for i, (name, series) in enumerate(self.counts.items()):
            heights = np.array([series.get(c, 0) for c in classes], dtype=float)
            positive = heights[heights > 0]
            ratios.append(positive.max() / positive.min() if positive.size else 1.0)
            offset = (i - (n_series - 1) / 2) * width
            if layout == "horizontal":
                bars = ax.barh(pos + offset, heights, width, label=name)
            else:
                bars = ax.bar(pos + offset, heights, width, label=name)
            self.bars_[name] = bars
            if annotate:
                total = heights.sum()
                sep = "\n" if layout == "vertical" else " "
                labels = [
                    f"{int(h)}{sep}({_share(h / total)})" if total else "0"
                    for h in heights
                ]
                ax.bar_label(bars, labels=labels, fontsize=7, padding=2)
        if log is None:
            log = max(ratios) > 10
        if layout == "horizontal":
            ax.set_yticks(pos, [str(c) for c in classes], fontsize=8)
            ax.invert_yaxis()  # largest on top
            ax.set_xscale("log" if log else "linear")
            ax.set_xlabel("count")
            ax.margins(x=0.25 if annotate else 0.05, y=0.01)
        else:
            ax.set_yscale("log" if log else "linear")
            ax.set_ylabel("count")
            if layout == "vertical":
                ax.set_xticks(
                    pos, [str(c) for c in classes], rotation=30 if n_classes > 6 else 0
                )
                ax.margins(y=0.2)
            else:
                ax.set_xlabel(
                    f"{n_classes} classes by rank, largest first: "
                    f"{classes[0]} ... {classes[-1]}"
                )
                ax.margins(x=0.01)
        ax.set_title(
            f"Class distribution (imbalance ratio {ratios[0]:.1f}"
            + (f" -> {ratios[-1]:.1f})" if n_series == 2 else ")")
        )
        if n_series > 1 or next(iter(self.counts)) != "count":
            ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _classes(self):
        """Classes of the first series in its order, then any others."""
        first = next(iter(self.counts.values()))
        others = (c for series in self.counts.values() for c in series)
        return list(dict.fromkeys([*first, *others]))


# up to this many classes vertical bars, then horizontal ones with a label per
# class, then the counts against the class rank
_MAX_VERTICAL = 12
_MAX_LABELLED = 60
_MAX_WIDTH, _MAX_HEIGHT = 10.0, 12.0


def _figsize(layout, n_classes, n_series):
    """Width and height in inches, capped at 10 x 12."""
    if layout == "horizontal":
        height = 1.2 + 0.16 * n_classes * (1 + 0.5 * (n_series - 1))
        return 7.0, min(height, _MAX_HEIGHT)
    if layout == "rank":
        return _MAX_WIDTH, 4.0
    width = 2.0 + 0.7 * n_classes * (1 + 0.5 * (n_series - 1))
    return min(max(4.5, width), _MAX_WIDTH), 3.8


def _share(p):
    """A share as a percentage, with two significant digits below 1%.

    >>> [_share(p) for p in (0.5, 0.123, 0.0123, 0.0048, 0.00005, 0.0)]
    ['50%', '12%', '1.2%', '0.48%', '0.005%', '0%']
    """
    if p >= 0.1 or p == 0:
        return f"{p:.0%}"
    digits = np.format_float_positional(
        100 * p, precision=2, unique=False, fractional=False, trim="-"
    )
    return f"{digits}%"


class ComparisonDisplay:
    """Bar chart of a :func:`compare_samplers` table.

    A score per strategy, with its spread over folds.

    Parameters
    ----------
    table : DataFrame or dict
        The result of :func:`compare_samplers`.
    metric : str, default="macro_f1"
        Which score to draw (``<metric>_mean`` and ``<metric>_std``).

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    bars_ : matplotlib BarContainer

    See Also
    --------
    compare_samplers : The table it draws.
    ImbalanceDisplay : Class counts before and after resampling.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skbalance import ComparisonDisplay
    >>> table = {"strategy": ["none", "ratio 1.0"], "macro_f1_mean": [0.6, 0.7],
    ...          "macro_f1_std": [0.05, 0.04]}
    >>> display = ComparisonDisplay(table).plot()
    >>> [round(float(b.get_width()), 2) for b in display.bars_]
    [0.6, 0.7]
    """

    def __init__(self, table, metric="macro_f1"):
        if hasattr(table, "reset_index"):
            table = table.reset_index().to_dict(orient="list")
        for column in (f"{metric}_mean", f"{metric}_std"):
            if column not in table:
                raise ValueError(
                    f"metric={metric!r}: the table has no column {column!r}."
                )
        self.strategies = list(table["strategy"])
        self.means = np.asarray(table[f"{metric}_mean"], dtype=float)
        self.stds = np.asarray(table[f"{metric}_std"], dtype=float)
        self.metric = metric

    def plot(self, ax=None):
        """Draw horizontal bars, the best strategy on top.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        self : ComparisonDisplay
            With ``ax_``, ``figure_`` and ``bars_`` set.
        """
        plt = import_optional(
            "matplotlib.pyplot", extra="plot", purpose="ComparisonDisplay"
        )
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.4 * len(self.strategies) + 1.2))
        order = np.argsort(self.means, kind="stable")
        self.bars_ = ax.barh(
            [self.strategies[i] for i in order],
            self.means[order],
            xerr=self.stds[order],
            color="#4c72b0",
        )
        ax.set_xlabel(f"{self.metric.replace('_', ' ')} (mean and std over folds)")
        self.ax_, self.figure_ = ax, ax.figure
        return self
