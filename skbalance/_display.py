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

    def plot(self, ax=None, *, log=None, annotate=True):
        """Draw the bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        log : bool or None, default=None
            Log scale; None uses it when a series' imbalance ratio is above 10.
        annotate : bool, default=True
            Write each bar's count and share of its series above it.

        Returns
        -------
        self : ImbalanceDisplay
            With ``ax_``, ``figure_`` and ``bars_`` set.
        """
        plt = import_optional(
            "matplotlib.pyplot", extra="plot", purpose="ImbalanceDisplay"
        )
        if ax is None:
            _, ax = plt.subplots(figsize=(max(4.0, 0.9 * self._n_classes() + 2), 3.5))
        first = next(iter(self.counts.values()))
        classes = list(first) + [
            c for series in self.counts.values() for c in series if c not in first
        ]
        classes = list(dict.fromkeys(classes))
        x = np.arange(len(classes))
        n_series = len(self.counts)
        width = 0.8 / n_series
        ratios = []
        self.bars_ = {}
        for i, (name, series) in enumerate(self.counts.items()):
            heights = np.array([series.get(c, 0) for c in classes], dtype=float)
            positive = heights[heights > 0]
            ratios.append(positive.max() / positive.min() if positive.size else 1.0)
            offset = (i - (n_series - 1) / 2) * width
            bars = ax.bar(x + offset, heights, width, label=name)
            self.bars_[name] = bars
            if annotate:
                total = heights.sum()
                labels = [
                    f"{int(h)}\n{h / total:.0%}" if total else "0" for h in heights
                ]
                ax.bar_label(bars, labels=labels, fontsize=7, padding=1)
        if log is None:
            log = max(ratios) > 10
        if log:
            ax.set_yscale("log")
        ax.set_xticks(
            x, [str(c) for c in classes], rotation=30 if len(classes) > 6 else 0
        )
        ax.set_ylabel("count")
        ax.set_title(
            f"Class distribution (imbalance ratio {ratios[0]:.1f}"
            + (f" -> {ratios[-1]:.1f})" if n_series == 2 else ")")
        )
        if n_series > 1 or next(iter(self.counts)) != "count":
            ax.legend()
        ax.margins(y=0.15)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _n_classes(self):
        return len({c for series in self.counts.values() for c in series})


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
