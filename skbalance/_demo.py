"""``skbalance demo``: the workflow on the bundled support tickets."""

from collections import Counter

import numpy as np

from skbalance._datasets import support_tickets_path
from skbalance._diagnostics import imbalance_report
from skbalance._domain_floor import DomainFloorSampler
from skbalance._jsonl import read_jsonl, write_lines
from skbalance._metrics import per_class_report
from skbalance._ratio import RatioOverSampler
from skbalance._split import StratifiedTripleSplit, duplicate_groups

__all__ = ["run_demo"]


def _texts(records):
    return [r["text"] for r in records]


def _strategies():
    return [
        ("none", None),
        ("RatioOverSampler(target_ratio=0.5)", RatioOverSampler(target_ratio=0.5)),
        ("RatioOverSampler(target_ratio=1.0)", RatioOverSampler(target_ratio=1.0)),
        ("DomainFloorSampler(min_share=0.15)", DomainFloorSampler(min_share=0.15)),
        (
            "DomainFloorSampler(min_share=0.2, domain='locale')",
            DomainFloorSampler(min_share=0.2, domain="locale"),
        ),
    ]


def run_demo(*, output=None, out, force=False):
    """Distribution, a stratified split, and each strategy on a text model.

    Parameters
    ----------
    output : str or path-like, default=None
        Where to write the training split balanced with class floors of 15%,
        as JSON Lines (records byte for byte as in the bundled file).
    out : text stream
        Where to print.
    force : bool, default=False
        Replace an existing ``output``.
    """
    from imblearn.pipeline import make_pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import FunctionTransformer

    path = support_tickets_path()
    data = read_jsonl(path)
    records = data.records
    labels = np.array([r["label"] for r in records])
    locales = np.array([r["locale"] for r in records])
    print(f"skbalance demo: {len(records)} support tickets from {path}\n", file=out)
    print(imbalance_report(labels, groups=locales), file=out)

    strata = np.char.add(np.char.add(labels, "/"), locales)
    groups = duplicate_groups(_texts(records))
    n_dup = len(records) - np.unique(groups).size
    splitter = StratifiedTripleSplit(random_state=0)
    train, val, test = next(splitter.split(records, strata, groups))
    print(
        f"\nStratified 70/15/15 split by class and locale, with the {n_dup} "
        f"duplicate texts kept in one part: {train.size} train / {val.size} val / "
        f"{test.size} test (random_state=0).\nOnly the training part is balanced; "
        "the strategy is chosen on val, and every score is on the untouched test "
        "part.\n",
        file=out,
    )
    X_val = [records[i] for i in val]
    X_train = [records[i] for i in train]
    X_test = [records[i] for i in test]
    rare = Counter(labels.tolist()).most_common()[-1][0]
    header = (
        f"  {'strategy':<50} {'train rows':>10} {'val macro-F1':>12} "
        f"{'macro-F1':>9} {'weighted-F1':>12}"
        f" {'gap':>6} {'recall(' + rare + ')':>14} {'macro-F1(en-GB)':>16}"
    )
    print("TF-IDF + logistic regression", file=out)
    print(header, file=out)
    best = (-1.0, None)
    for name, sampler in _strategies():
        steps = [FunctionTransformer(_texts), TfidfVectorizer(), LogisticRegression()]
        if sampler is not None:
            sampler.set_params(random_state=0)
            steps.insert(0, sampler)
        model = make_pipeline(*steps).fit(X_train, labels[train])
        val_f1 = per_class_report(labels[val], model.predict(X_val)).macro_f1
        best = max(best, (val_f1, name))
        pred = model.predict(X_test)
        report = per_class_report(labels[test], pred, groups=locales[test])
        recall = report.recall[report.labels.index(rare)]
        macro_gb = report.groups["en-GB"].macro_f1
        n_rows = train.size if sampler is None else len(sampler.sample_indices_)
        print(
            f"  {name:<50} {n_rows:>10} {val_f1:>12.3f} {report.macro_f1:>9.3f} "
            f"{report.weighted_f1:>12.3f} {report.gap:>6.3f} {recall:>14.3f} "
            f"{macro_gb:>16.3f}",
            file=out,
        )
    print(f"\nChosen on val: {best[1]}", file=out)
    if output is not None:
        sampler = DomainFloorSampler(min_share=0.15, random_state=0)
        sampler.fit(X_train, labels[train])
        rows = train[sampler.sample_indices_]
        write_lines(output, (data.lines[i] for i in rows), inputs=[path], force=force)
        print(
            f"\nWrote the training split with class floors of 15% "
            f"({rows.size} records, {rows.size - train.size} copies) to {output}",
            file=out,
        )
