"""How imbalanced is a target: counts, ratio, severity, multi-label measures."""

import json

import numpy as np

from skbalance._labels import count_labels, encode
from skbalance._multilabel import as_indicator, is_multilabel
from skbalance._validation import check_groups, check_labels

__all__ = ["ImbalanceReport", "imbalance_ratio", "imbalance_report", "severity"]


def severity(ratio):
    """Name the imbalance ratio (largest / smallest count).

    The thresholds are a convention, not a law: "mild" below 3,
    "moderate" from 3 to 10, "severe" above 10.

    Parameters
    ----------
    ratio : float
        An imbalance ratio, at least 1.

    Returns
    -------
    str
        "balanced" at 1, "mild" below 3, "moderate" from 3 to 10, "severe"
        above 10.

    See Also
    --------
    imbalance_ratio : The ratio it names.

    Examples
    --------
    >>> from skbalance import severity
    >>> [severity(r) for r in (1, 2.5, 3, 10, 10.5)]
    ['balanced', 'mild', 'moderate', 'moderate', 'severe']
    """
    if ratio < 1:
        raise ValueError(f"An imbalance ratio is at least 1; got {ratio!r}.")
    if ratio == 1:
        return "balanced"
    if ratio < 3:
        return "mild"
    return "moderate" if ratio <= 10 else "severe"


def imbalance_ratio(y):
    """Largest class count divided by the smallest.

    The severity names of :func:`severity` are read from this ratio.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or multi-label matrix
        Class labels; for a multi-label target, positives per label (labels
        without any positive are left out).

    Returns
    -------
    float
        The imbalance ratio, at least 1.

    See Also
    --------
    imbalance_report : Counts, shares and severity at once.
    severity : The name of a ratio.

    Examples
    --------
    >>> from skbalance import imbalance_ratio
    >>> imbalance_ratio(["billing"] * 95 + ["technical"] * 5)
    19.0
    """
    if y is not None and is_multilabel(y):
        counts = np.asarray(as_indicator(y)[0].sum(axis=0)).ravel()
        counts = counts[counts > 0]
    else:
        counts = count_labels(_labels(y), name="y")[1]
    return float(counts.max() / counts.min())


def _labels(y):
    labels = check_labels(y)
    if labels.size == 0:
        raise ValueError("y is empty; there is no distribution to report.")
    return labels


def _native(value):
    return value.item() if isinstance(value, np.generic) else value


#: the widest a printed table gets: a terminal's width, give or take
TABLE_WIDTH = 100


class ImbalanceReport:
    """Distribution of a target, made by :func:`imbalance_report`.

    Printing it gives a table of the classes; :meth:`to_dict` gives the same
    as plain values for JSON.

    Parameters
    ----------
    counts : dict
        Samples per class (positives per label), largest first.
    n_samples : int
        Number of samples.
    group_counts : dict or None, default=None
        ``{group: {class: n}}``.
    multilabel : dict or None, default=None
        Multi-label measures (see ``multilabel`` below).

    Attributes
    ----------
    n_samples : int
        Number of samples.
    counts : dict
        Samples per class (positives per label for a multi-label target),
        largest first.
    shares : dict
        ``counts`` divided by ``n_samples``.
    imbalance_ratio : float
        Largest count divided by the smallest.
    severity : str
        See :func:`severity`.
    group_counts : dict or None
        With groups: samples per group and class, ``{group: {class: n}}``.
    group_imbalance_ratio : float or None
        With groups: largest group divided by the smallest.
    multilabel : dict or None
        For a multi-label target: ``irlbl`` (per label), ``mean_ir``,
        ``max_ir``, ``cvir``, ``scumble``, ``cardinality``, ``density`` and
        ``empty_labels`` (labels without a positive).

    See Also
    --------
    imbalance_report : Makes the report.
    ImbalanceDisplay : Draws the counts.

    Examples
    --------
    >>> from skbalance import imbalance_report
    >>> report = imbalance_report(["en-US"] * 9 + ["en-GB"])
    >>> report.counts, report.imbalance_ratio, report.severity
    ({'en-US': 9, 'en-GB': 1}, 9.0, 'moderate')
    """

    def __init__(self, *, counts, n_samples, group_counts=None, multilabel=None):
        self.n_samples = int(n_samples)
        self.counts = counts
        self.shares = {k: v / self.n_samples for k, v in counts.items()}
        values = np.array([v for v in counts.values() if v > 0])
        self.imbalance_ratio = float(values.max() / values.min())
        self.severity = severity(self.imbalance_ratio)
        self.group_counts = group_counts
        self.group_imbalance_ratio = None
        if group_counts is not None:
            totals = [sum(c.values()) for c in group_counts.values()]
            self.group_imbalance_ratio = max(totals) / min(totals)
        self.multilabel = multilabel

    def to_dict(self):
        """The report as plain, JSON-safe Python values.

        Returns
        -------
        dict
            Keys ``n_samples``, ``counts``, ``shares``, ``imbalance_ratio``,
            ``severity``, and ``group_counts``, ``group_imbalance_ratio``,
            ``multilabel`` when present. Labels become JSON object keys.
        """
        out = {
            "n_samples": self.n_samples,
            "counts": {str(k): int(v) for k, v in self.counts.items()},
            "shares": {str(k): float(v) for k, v in self.shares.items()},
            "imbalance_ratio": self.imbalance_ratio,
            "severity": self.severity,
        }
        if self.group_counts is not None:
            out["group_counts"] = {
                str(g): {str(k): int(v) for k, v in c.items()}
                for g, c in self.group_counts.items()
            }
            out["group_imbalance_ratio"] = self.group_imbalance_ratio
        if self.multilabel is not None:
            ml = dict(self.multilabel)
            ml["irlbl"] = {str(k): float(v) for k, v in ml["irlbl"].items()}
            ml["empty_labels"] = [str(k) for k in ml["empty_labels"]]
            out["multilabel"] = ml
        json.dumps(out)  # JSON-safe by construction; fail here, not in the caller
        return out

    def __str__(self):
        width = max(len(str(k)) for k in self.counts)
        width = max(width, 5)
        kind = "labels" if self.multilabel is not None else "classes"
        lines = [
            f"{self.n_samples} samples, {len(self.counts)} {kind}",
            f"  {'class':<{width}}  {'count':>9}  {'share':>6}",
        ]
        for key, n in self.counts.items():
            lines.append(f"  {key!s:<{width}}  {n:>9}  {self.shares[key]:>6.1%}")
        lines.append(
            f"imbalance ratio {self.imbalance_ratio:.1f} (largest / smallest): "
            f"{self.severity}"
        )
        if self.multilabel is not None:
            ml = self.multilabel
            lines.append(
                f"MeanIR {ml['mean_ir']:.2f}, MaxIR {ml['max_ir']:.2f}, CVIR "
                f"{ml['cvir']:.3f}, SCUMBLE {ml['scumble']:.3f}, cardinality "
                f"{ml['cardinality']:.2f}, density {ml['density']:.3f}"
            )
        if self.group_counts is not None:
            lines.append(
                f"by group (group imbalance ratio {self.group_imbalance_ratio:.1f}):"
            )
            lines += self._group_table()
        return "\n".join(lines)

    def _group_table(self, max_width=TABLE_WIDTH):
        """The counts per group and class, the longer side down (groups as
        rows unless there are more classes than groups) and as many columns
        as fit ``max_width`` characters; the others are counted in a note."""
        classes = list(self.counts)
        groups = list(self.group_counts)
        table = {
            g: {c: self.group_counts[g].get(c, 0) for c in classes} for g in groups
        }
        corner, rows, columns = "group", groups, classes
        if len(classes) > len(groups):
            corner, rows, columns = "class", classes, groups
            table = {c: {g: table[g][c] for g in groups} for c in classes}
        head = max([len(str(r)) for r in rows] + [5])
        widths, used = [], 2 + head
        for column in columns:
            width = max(len(str(column)), 9)
            if used + 2 + width > max_width and widths:
                break
            widths.append(width)
            used += 2 + width
        shown = columns[: len(widths)]
        lines = [
            f"  {corner:<{head}}  "
            + "  ".join(f"{c!s:>{w}}" for c, w in zip(shown, widths, strict=True))
        ]
        for row in rows:
            cells = "  ".join(
                f"{table[row][c]:>{w}}" for c, w in zip(shown, widths, strict=True)
            )
            lines.append(f"  {row!s:<{head}}  {cells}")
        hidden = len(columns) - len(shown)
        if hidden:
            kind = "groups" if corner == "class" else "classes"
            lines.append(
                f"  ({hidden} more {kind} not shown; the JSON report has them all)"
            )
        return lines

    def __repr__(self):
        return (
            f"ImbalanceReport(n_samples={self.n_samples}, "
            f"n_classes={len(self.counts)}, "
            f"imbalance_ratio={self.imbalance_ratio:.3g}, severity={self.severity!r})"
        )


def row_scumble(Y, ir):
    """SCUMBLE of every row of an indicator matrix: 1 - the geometric mean of
    the IRLbl of its labels over their arithmetic mean (0 for one label, or
    labels of equal IRLbl; near 1 when a rare label sits with frequent ones).

    ``ir`` holds the IRLbl of every column of ``Y``; rows without a label get 0.
    """
    Y = Y.astype(np.float64)
    per_row = np.asarray(Y.sum(axis=1)).ravel()
    has = per_row > 0
    out = np.zeros(Y.shape[0])
    arith = np.asarray(Y @ ir).ravel()[has] / per_row[has]
    geo = np.exp(np.asarray(Y @ np.log(ir)).ravel()[has] / per_row[has])
    out[has] = 1.0 - geo / arith
    return out


def multilabel_report(Y, names):
    """The :class:`ImbalanceReport` of an indicator matrix with named columns."""
    if Y.shape[0] == 0:
        raise ValueError("y is empty; there is no distribution to report.")
    counts, measures = _multilabel_measures(Y, names)
    order = np.lexsort((np.arange(counts.size), -counts))
    keyed = {_native(names[i]): int(counts[i]) for i in order}
    return ImbalanceReport(counts=keyed, n_samples=Y.shape[0], multilabel=measures)


def _multilabel_measures(Y, names):
    """IRLbl, MeanIR, MaxIR, CVIR, SCUMBLE, cardinality and density of an
    indicator matrix (Charte et al., 2015)."""
    n, q = Y.shape
    counts = np.asarray(Y.sum(axis=0)).ravel().astype(np.int64)
    present = counts > 0
    if not present.any():
        raise ValueError("The multi-label y has no positive label at all.")
    ir = counts.max() / counts[present]
    Yp = Y if present.all() else Y[:, np.flatnonzero(present)]
    scumble_rows = row_scumble(Yp, ir)
    cardinality = float(counts.sum() / n)
    measures = {
        "irlbl": dict(zip(names[present].tolist(), ir.tolist(), strict=True)),
        "mean_ir": float(ir.mean()),
        "max_ir": float(ir.max()),
        "cvir": float(ir.std(ddof=1) / ir.mean()) if ir.size > 1 else 0.0,
        "scumble": float(scumble_rows.mean()),
        "cardinality": cardinality,
        "density": cardinality / q,
        "empty_labels": names[~present].tolist(),
    }
    return counts, measures


def imbalance_report(y, *, groups=None):
    """Counts, shares, imbalance ratio and severity of a target.

    For a single-label target it counts the classes (and, with ``groups``,
    every class in every group); for a multi-label target it adds the
    measures of Charte et al. [1]_ [2]_.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_labels)
        Class labels, or a multi-label 0/1 indicator matrix (dense or
        sparse) or a list of label lists.
    groups : array-like of shape (n_samples,), default=None
        A second variable such as the domain (locale, source): the report
        then gives the counts per group and class.

    Returns
    -------
    ImbalanceReport
        Printable with ``print``; ``to_dict()`` for JSON.

    See Also
    --------
    ImbalanceDisplay : Draws the report's counts.
    per_class_report : How a model does on each class.

    References
    ----------
    .. [1] F. Charte, A. J. Rivera, M. J. del Jesus, F. Herrera, "Addressing
       imbalance in multilabel classification: Measures and random resampling
       algorithms", Neurocomputing 163, 2015 (IRLbl, MeanIR, CVIR).
    .. [2] F. Charte, A. J. Rivera, M. J. del Jesus, F. Herrera, "Dealing with
       difficult minority labels in imbalanced multilabel data sets",
       Neurocomputing 326, 2019 (SCUMBLE).

    Examples
    --------
    >>> from skbalance import imbalance_report
    >>> y = ["billing"] * 500 + ["technical"] * 300 + ["account"] * 150 + ["other"] * 50
    >>> report = imbalance_report(y)
    >>> print(report)
    1000 samples, 4 classes
      class          count   share
      billing          500   50.0%
      technical        300   30.0%
      account          150   15.0%
      other             50    5.0%
    imbalance ratio 10.0 (largest / smallest): moderate
    >>> report.to_dict()["severity"]
    'moderate'
    """
    if y is not None and is_multilabel(y):
        return multilabel_report(*as_indicator(y))
    labels = _labels(y)
    if groups is None:
        classes, counts = count_labels(labels, name="y")
        group_counts = None
    else:
        groups = check_groups(groups, n_samples=labels.size, against="y")
        classes, codes, counts = encode(labels, name="y")
        gnames, gcodes, _ = encode(groups, name="groups")
        table = np.bincount(
            gcodes * classes.size + codes, minlength=gnames.size * classes.size
        ).reshape(gnames.size, classes.size)
        order_g = np.lexsort((np.arange(gnames.size), -table.sum(axis=1)))
        group_counts = {
            _native(gnames[g]): {
                _native(classes[c]): int(table[g, c])
                for c in np.lexsort((np.arange(classes.size), -counts))
            }
            for g in order_g
        }
    order = np.lexsort((np.arange(counts.size), -counts))
    keyed = {_native(classes[i]): int(counts[i]) for i in order}
    return ImbalanceReport(
        counts=keyed, n_samples=labels.size, group_counts=group_counts
    )
