"""``skbalance demo``: the workflow on the bundled support tickets."""

from collections import Counter

import numpy as np

from skbalance._datasets import support_tickets_path
from skbalance._diagnostics import imbalance_report
from skbalance._domain_floor import DomainFloorSampler
from skbalance._jsonl import read_jsonl, write_lines
from skbalance._metrics import per_class_report
from skbalance._ratio import RatioOverSampler
from skbalance._split import StratifiedTripleSplit
from skbalance._text import duplicate_groups

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


# folds x repeats of the cross-validation that chooses the strategy
_FOLDS, _REPEATS = 5, 2


def _pipeline(sampler):
    from imblearn.pipeline import make_pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import FunctionTransformer

    steps = [FunctionTransformer(_texts), TfidfVectorizer(), LogisticRegression()]
    if sampler is not None:
        sampler.set_params(random_state=0)
        steps.insert(0, sampler)
    return make_pipeline(*steps)


def _cv_scores(sampler, X, y, groups):
    """Macro-F1 of every fold of a repeated grouped stratified CV."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedGroupKFold

    scores = []
    for repeat in range(_REPEATS):
        folds = StratifiedGroupKFold(_FOLDS, shuffle=True, random_state=repeat)
        for fit_rows, score_rows in folds.split(X, y, groups):
            model = _pipeline(None if sampler is None else clone(sampler))
            model.fit([X[i] for i in fit_rows], y[fit_rows])
            pred = model.predict([X[i] for i in score_rows])
            scores.append(per_class_report(y[score_rows], pred).macro_f1)
    return np.array(scores)


def _choose(names, means, sems, added):
    """The strategy adding the fewest rows among those within one standard
    error of the best mean (the one-standard-error rule): differences inside
    the noise go to the simpler strategy, never to the name."""
    best = int(np.argmax(means))
    close = [i for i in range(len(names)) if means[i] >= means[best] - sems[best]]
    simplest = min(close, key=lambda i: added[names[i]])
    return names[best], [names[i] for i in close], names[simplest]


def run_demo(*, output=None, out, force=False):
    """Distribution, a stratified split, and each strategy on a text model.

    The strategy is chosen by a repeated cross-validation on the train and
    validation parts (5 folds x 2, duplicates kept in one fold): the
    strategy that adds the fewest rows among those within one standard
    error of the best mean macro-F1. Every model is then trained on the
    train and validation parts and scored on the untouched test part.

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
    dev = np.concatenate([train, val])
    print(
        f"\nStratified 70/15/15 split by class and locale, with the {n_dup} "
        f"duplicate texts kept in one part: {train.size} train / {val.size} val / "
        f"{test.size} test (random_state=0).\nThe strategy is chosen by "
        f"{_FOLDS}-fold cross-validation x {_REPEATS} on train+val ({dev.size} "
        "rows, only the training folds balanced); every model is then trained "
        "on train+val and scored on the untouched test part.\n",
        file=out,
    )
    X_dev = [records[i] for i in dev]
    X_test = [records[i] for i in test]
    rare = Counter(labels.tolist()).most_common()[-1][0]
    header = (
        f"  {'strategy':<50} {'rows':>5} {'CV macro-F1':>15} "
        f"{'macro-F1':>9} {'weighted-F1':>12}"
        f" {'gap':>6} {'recall(' + rare + ')':>14} {'macro-F1(en-GB)':>16}"
    )
    print("TF-IDF + logistic regression", file=out)
    print(header, file=out)
    names, means, sems, added = [], [], [], {}
    for name, sampler in _strategies():
        scores = _cv_scores(sampler, X_dev, labels[dev], groups[dev])
        model = _pipeline(sampler).fit(X_dev, labels[dev])
        report = per_class_report(
            labels[test], model.predict(X_test), groups=locales[test]
        )
        recall = report.recall[report.labels.index(rare)]
        macro_gb = report.groups["en-GB"].macro_f1
        n_rows = dev.size if sampler is None else len(sampler.sample_indices_)
        names.append(name)
        means.append(scores.mean())
        sems.append(scores.std(ddof=1) / np.sqrt(scores.size))
        added[name] = n_rows - dev.size
        cv = f"{scores.mean():.3f} +- {scores.std(ddof=1):.3f}"
        print(
            f"  {name:<50} {n_rows:>5} {cv:>15} {report.macro_f1:>9.3f} "
            f"{report.weighted_f1:>12.3f} {report.gap:>6.3f} {recall:>14.3f} "
            f"{macro_gb:>16.3f}",
            file=out,
        )
    best, close, chosen = _choose(names, means, sems, added)
    print(
        f"\nCV macro-F1 is the mean +- std over {_FOLDS * _REPEATS} folds. "
        f"Best mean: {best}.\nWithin one standard error of it: "
        f"{', '.join(close)}.\nChosen by cross-validation on train+val (the "
        f"fewest added rows among those): {chosen}",
        file=out,
    )
    if output is not None:
        sampler = DomainFloorSampler(min_share=0.15, random_state=0)
        sampler.fit([records[i] for i in train], labels[train])
        rows = train[sampler.sample_indices_]
        write_lines(output, (data.lines[i] for i in rows), inputs=[path], force=force)
        print(
            f"\nWrote the training split with class floors of 15% "
            f"({rows.size} records, {rows.size - train.size} copies) to {output}",
            file=out,
        )
