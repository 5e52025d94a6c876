"""Per-class evaluation: does balancing really help the rare classes?"""

import json

import numpy as np
from sklearn.metrics import f1_score, make_scorer, precision_recall_fscore_support

from skbalance._labels import encode
from skbalance._validation import check_groups, check_labels, check_missing

__all__ = ["PerClassReport", "macro_weighted_f1_gap", "per_class_report"]


class PerClassReport:
    """Per-class precision, recall, F1 and support.

    Made by :func:`per_class_report`.

    Parameters
    ----------
    labels : list
        The classes.
    precision, recall, f1 : ndarray of shape (n_classes,)
        Per-class scores.
    support : ndarray of shape (n_classes,)
        True samples per class.
    groups : dict or None, default=None
        A report per group.

    Attributes
    ----------
    labels : list
        The classes, in the order of the arrays below.
    precision, recall, f1 : ndarray of shape (n_classes,)
        Per-class scores (0 where undefined).
    support : ndarray of shape (n_classes,)
        True samples per class.
    macro_f1 : float
        Unweighted mean of the per-class F1: every class counts alike.
    weighted_f1 : float
        Support-weighted mean: dominated by the large classes.
    gap : float
        ``|macro_f1 - weighted_f1|``: a large gap means the rare classes are
        much worse than the frequent ones.
    groups : dict or None
        With groups: a report per group (e.g. per domain), over the classes
        present in the group unless ``labels`` were given.

    See Also
    --------
    per_class_report : Makes the report.
    macro_weighted_f1_gap : The gap alone.

    Examples
    --------
    >>> from skbalance import per_class_report
    >>> report = per_class_report(["a", "a", "b"], ["a", "a", "a"])
    >>> report.f1.round(2).tolist(), round(report.gap, 3)
    ([0.8, 0.0], 0.133)
    """

    def __init__(self, labels, precision, recall, f1, support, groups=None):
        self.labels = list(labels)
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
        total = support.sum()
        self.macro_f1 = float(f1.mean()) if f1.size else 0.0
        self.weighted_f1 = float(np.dot(f1, support) / total) if total else 0.0
        self.gap = abs(self.macro_f1 - self.weighted_f1)
        self.groups = groups

    def to_dict(self):
        """The report as plain, JSON-safe Python values.

        Returns
        -------
        dict
            ``per_class`` ({label: {precision, recall, f1, support}}),
            ``macro_f1``, ``weighted_f1``, ``gap`` and, with groups, ``groups``
            ({group: the same dict, over the group's classes}).
        """
        out = {
            "per_class": {
                str(label): {
                    "precision": float(p),
                    "recall": float(r),
                    "f1": float(f),
                    "support": int(s),
                }
                for label, p, r, f, s in zip(
                    self.labels,
                    self.precision,
                    self.recall,
                    self.f1,
                    self.support,
                    strict=True,
                )
            },
            "macro_f1": self.macro_f1,
            "weighted_f1": self.weighted_f1,
            "gap": self.gap,
        }
        if self.groups is not None:
            out["groups"] = {str(g): rep.to_dict() for g, rep in self.groups.items()}
        json.dumps(out)
        return out

    def _table(self, indent=""):
        width = max([len(str(label)) for label in self.labels] + [5])
        lines = [
            f"{indent}{'class':<{width}}  {'precision':>9}  {'recall':>6}  "
            f"{'f1':>6}  {'support':>7}"
        ]
        for label, p, r, f, s in zip(
            self.labels, self.precision, self.recall, self.f1, self.support, strict=True
        ):
            lines.append(
                f"{indent}{label!s:<{width}}  {p:>9.3f}  {r:>6.3f}  {f:>6.3f}  {s:>7}"
            )
        lines.append(
            f"{indent}macro F1 {self.macro_f1:.3f}, weighted F1 {self.weighted_f1:.3f}"
            f", gap {self.gap:.3f}"
        )
        return lines

    def __str__(self):
        lines = self._table()
        n = len(self.labels)
        for group, report in (self.groups or {}).items():
            k = len(report.labels)
            if k < n:
                lines.append(
                    f"group {group} ({k} of {n} classes present; macro F1 over them):"
                )
            else:
                lines.append(f"group {group}:")
            lines.extend(report._table(indent="  "))
        return "\n".join(lines)

    def __repr__(self):
        return (
            f"PerClassReport(n_classes={len(self.labels)}, macro_f1={self.macro_f1:.3f}"
            f", weighted_f1={self.weighted_f1:.3f}, gap={self.gap:.3f})"
        )


def _scores(y_true, y_pred, labels):
    p, r, f, s = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    return p, r, f, s


def per_class_report(y_true, y_pred, *, labels=None, groups=None):
    """Per-class precision, recall, F1 and support, with macro and weighted F1.

    Macro F1 weighs every class alike; weighted F1 weighs them by support;
    their gap shows how much worse the rare classes do. With ``groups`` the
    same report is made per group (a domain such as the locale).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like, default=None
        Classes to report, in this order; by default every class in
        ``y_true`` or ``y_pred``, sorted.
    groups : array-like of shape (n_samples,), default=None
        A group per sample (a domain, say): the report then holds one report
        per group under ``groups``. A group's report is over the classes
        present in it (true or predicted), as scikit-learn's
        ``f1_score(average="macro")`` is on the group's rows, so that a class
        the group never sees does not pull its macro F1 down with a 0; with
        ``labels``, over ``labels``. The report of all rows is unchanged.

    Returns
    -------
    PerClassReport
        Printable with ``print``; ``to_dict()`` for JSON.

    See Also
    --------
    macro_weighted_f1_gap : The gap alone, and its scorer.
    compare_samplers : The same scores, cross-validated per strategy.

    Examples
    --------
    >>> from skbalance import per_class_report
    >>> y_true = ["billing"] * 8 + ["other"] * 2
    >>> y_pred = ["billing"] * 8 + ["billing", "other"]
    >>> report = per_class_report(y_true, y_pred)
    >>> print(report)
    class    precision  recall      f1  support
    billing      0.889   1.000   0.941        8
    other        1.000   0.500   0.667        2
    macro F1 0.804, weighted F1 0.886, gap 0.082
    """
    y_true = check_labels(y_true, name="y_true")
    y_pred = check_labels(y_pred, n_samples=y_true.size, name="y_pred")
    check_missing(y_true, name="y_true")
    check_missing(y_pred, name="y_pred")
    given = labels is not None
    if labels is None:
        labels = encode(np.concatenate([y_true, y_pred]), name="labels")[0]
    labels = np.asarray(labels)
    report = PerClassReport(labels.tolist(), *_scores(y_true, y_pred, labels))
    if groups is not None:
        groups = check_groups(groups, n_samples=y_true.size, against="y_true")
        names, codes, _ = encode(groups, name="groups")
        report.groups = {}
        for g, name in enumerate(names):
            rows = codes == g
            true, pred = y_true[rows], y_pred[rows]
            present = labels
            if not given:  # the group's classes, in the order of all classes
                seen = set(true.tolist()) | set(pred.tolist())
                present = labels[[label in seen for label in labels.tolist()]]
            name = name.item() if isinstance(name, np.generic) else name
            report.groups[name] = PerClassReport(
                present.tolist(), *_scores(true, pred, present)
            )
    return report


def macro_weighted_f1_gap(y_true, y_pred, *, labels=None):
    """``|macro F1 - weighted F1|``: how much worse the rare classes do.

    Macro F1 weighs every class alike and weighted F1 by support, so a large
    gap says the frequent classes hide poor rare ones.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels : array-like, default=None
        Classes to average over; by default all.

    Returns
    -------
    float
        The gap, 0 when every class is predicted equally well. Lower is
        better; ``macro_weighted_f1_gap_scorer`` is its scorer.

    See Also
    --------
    per_class_report : The gap with every class's scores.

    Examples
    --------
    >>> from skbalance import macro_weighted_f1_gap
    >>> y_true = ["billing"] * 8 + ["other"] * 2
    >>> round(macro_weighted_f1_gap(y_true, ["billing"] * 9 + ["other"]), 3)
    0.082
    """
    macro = f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
    weighted = f1_score(
        y_true, y_pred, labels=labels, average="weighted", zero_division=0
    )
    return abs(macro - weighted)


#: Scorer for ``scoring=`` in a grid search: the negated gap (greater is better).
macro_weighted_f1_gap_scorer = make_scorer(
    macro_weighted_f1_gap, greater_is_better=False
)
