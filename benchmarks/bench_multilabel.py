"""Multi-label balancing: F1 with and without it, and speed against plain numpy.

Quality. One-vs-rest logistic regression, one binary model per label (labels
with a single value in a training fold predict that value), trained

* without balancing,
* after ``MultilabelRandomOverSampler`` (ML-ROS) and after ``MLSMOTE``, with
  their defaults (minority labels up to MeanIR, at most 25% new rows) and
  pushed further ("to 2, budget 1": every label's IRLbl down to 2, up to as
  many new rows as input rows),
* with per-label positive weights from ``ClassWeightComputer`` (``pos_weight``,
  as ``class_weight={0: 1, 1: w}``), strategies "balanced" and "sqrt",
* with per-label thresholds: ``LogitAdjustedClassifier`` on the one-vs-rest
  model, one threshold per label tuned on 5-fold out-of-fold scores of the
  training fold (``StratifiedLabelKFold``) for the label's F1,

and scored on out-of-fold predictions of repeated K-fold CV (predictions of
all folds of a repeat pooled, so that a rare label is scored on all its
rows): per-label F1, macro F1 and micro F1, mean over repeats.

Data (nothing is downloaded; a set whose package is missing is skipped with a
message):

* Yeast from river (2,417 rows, 103 numeric features, 14 labels), scaled in
  each fold;
* Debian package descriptions with their debtags: the short description of
  every package of the apt index of this machine that has tags
  (``/var/lib/apt/lists/*_Packages*``, read with ``apt-helper cat-file``),
  a fixed random sample of rows, labels = the tags with at least
  ``--min-tag`` positives in the sample; TF-IDF of words and bigrams fitted
  in each fold.

Speed. Each sampler against a plain-numpy implementation of the same
algorithm written below (same plan, same random draws, so the outputs must be
equal, which is asserted): numpy vectors per candidate row for the plan, and
brute-force distances for MLSMOTE's neighbours. On Yeast and on a synthetic
set with power-law label frequencies (label j with prevalence about
0.3 (j+1)^-1.2). Medians of interleaved rounds; only ratios are reported.

``--no-speed`` leaves the speed part out (``--out`` then holds the F1
tables only). ``--quick`` (CI): small samples, one repeat of 3 folds,
correctness asserts only (the reference gives the same output; MeanIR never rises).

Run: ``python benchmarks/bench_multilabel.py [--quick] [--out FILE]``
"""

import argparse
import glob
import subprocess
import sys

import numpy as np
from _multilabel_reference import reference_ml_ros, reference_mlsmote
from _timing import machine, paired_times
from scipy import sparse
from sklearn.datasets import make_multilabel_classification
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skbalance import (
    MLSMOTE,
    ClassWeightComputer,
    LogitAdjustedClassifier,
    MultilabelRandomOverSampler,
    imbalance_report,
)

# -- data ------------------------------------------------------------------------


def yeast():
    try:
        import pandas as pd
        from river import datasets
    except ImportError:
        print("Yeast skipped: river is not installed (pip install '.[bench]')")
        return None
    df = pd.read_csv(datasets.Yeast().path)
    X = df.filter(like="Att").to_numpy(dtype=float)
    Y = df.filter(like="Class").to_numpy(dtype=np.int8)
    return X, Y, list(df.filter(like="Class").columns)


def debtags(n_rows, min_tag, seed=0):
    lists = sorted(glob.glob("/var/lib/apt/lists/*_Packages*"))
    if not lists:
        print("Debian debtags skipped: no apt index (run apt-get update)")
        return None
    records = []
    for path in lists:
        text = subprocess.run(
            ["/usr/lib/apt/apt-helper", "cat-file", path],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for block in text.split("\n\n"):
            fields, key = {}, None
            for line in block.splitlines():
                if line[:1] in (" ", "\t") and key:
                    fields[key] += " " + line.strip()
                elif ":" in line:
                    key, _, value = line.partition(":")
                    fields[key] = value.strip()
            if "Tag" in fields and "Description" in fields:
                tags = [t.strip() for t in fields["Tag"].split(",") if t.strip()]
                records.append((fields["Description"], tags))
    rng = np.random.RandomState(seed)
    pick = rng.choice(len(records), size=min(n_rows, len(records)), replace=False)
    texts = [records[i][0] for i in pick]
    counts = {}
    for i in pick:
        for t in records[i][1]:
            counts[t] = counts.get(t, 0) + 1
    names = sorted(t for t, c in counts.items() if c >= min_tag)
    column = {t: j for j, t in enumerate(names)}
    Y = np.zeros((len(pick), len(names)), dtype=np.int8)
    for r, i in enumerate(pick):
        for t in records[i][1]:
            if t in column:
                Y[r, column[t]] = 1
    return texts, Y, names


def power_law(n, q, seed=0):
    rng = np.random.RandomState(seed)
    X, _ = make_multilabel_classification(
        n_samples=n, n_features=20, n_classes=q, random_state=seed
    )
    X = X + rng.normal(scale=0.1, size=X.shape)  # no tied distances
    prevalence = 0.3 * (np.arange(q) + 1.0) ** -1.2
    Y = (rng.random_sample((n, q)) < prevalence).astype(np.int8)
    Y[np.arange(q), np.arange(q)] = 1  # every label present
    return X, Y


# -- quality -------------------------------------------------------------------------


def _fit_predict(X, Y, X_test, weights=None):
    P = np.zeros((X_test.shape[0], Y.shape[1]), dtype=np.int8)
    for j in range(Y.shape[1]):
        y = Y[:, j]
        if y.min() == y.max():
            P[:, j] = y[0]
            continue
        cw = None if weights is None else {0: 1.0, 1: weights[j]}
        model = LogisticRegression(solver="liblinear", class_weight=cw)
        P[:, j] = model.fit(X, y).predict(X_test)
    return P


def _weights(strategy):
    def prepare(X, Y):
        w = ClassWeightComputer(strategy=strategy).fit(Y).class_weight_
        return X, Y, np.array([w[j] for j in range(Y.shape[1])])

    return prepare


def _sampler(sampler):
    def prepare(X, Y):
        X_res, Y_res = sampler.fit_resample(X, Y)
        return X_res, Y_res, None

    return prepare


VARIANTS = {
    "none": lambda X, Y: (X, Y, None),
    "ML-ROS": _sampler(MultilabelRandomOverSampler(random_state=0)),
    "MLSMOTE": _sampler(MLSMOTE(random_state=0)),
    "ML-ROS to 2, budget 1": _sampler(
        MultilabelRandomOverSampler(
            target_mean_ir=2, max_clone_fraction=1.0, random_state=0
        )
    ),
    "MLSMOTE to 2, budget 1": _sampler(
        MLSMOTE(target_mean_ir=2, max_new_fraction=1.0, random_state=0)
    ),
    "pos_weight balanced": _weights("balanced"),
    "pos_weight sqrt": _weights("sqrt"),
    "per-label thresholds": None,  # a model of its own: _thresholds
}


def _thresholds(X, Y, X_test):
    """Per-label thresholds tuned out of fold; a label with one value in the
    training fold predicts that value, as in _fit_predict."""
    P = np.zeros((X_test.shape[0], Y.shape[1]), dtype=np.int8)
    varies = Y.min(axis=0) != Y.max(axis=0)
    P[:, ~varies] = Y[0, ~varies]
    if varies.any():
        model = LogitAdjustedClassifier(
            OneVsRestClassifier(LogisticRegression(solver="liblinear")),
            random_state=0,
        )
        P[:, varies] = model.fit(X, Y[:, varies]).predict(X_test)
    return P


def evaluate(X, Y, featurize, n_splits, n_repeats):
    """Per-label F1, macro F1, micro F1 of every variant, mean over repeats."""
    out = {v: {"per_label": [], "macro": [], "micro": []} for v in VARIANTS}
    for repeat in range(n_repeats):
        pred = {v: np.zeros_like(Y) for v in VARIANTS}
        folds = KFold(n_splits, shuffle=True, random_state=repeat).split(Y)
        for train, test in folds:
            X_train, X_test = featurize(X, train, test)
            for name, prepare in VARIANTS.items():
                if prepare is None:
                    pred[name][test] = _thresholds(X_train, Y[train], X_test)
                    continue
                Xt, Yt, w = prepare(X_train, Y[train])
                pred[name][test] = _fit_predict(Xt, Yt, X_test, w)
        for name in VARIANTS:
            res = out[name]
            res["per_label"].append(
                f1_score(Y, pred[name], average=None, zero_division=0)
            )
            res["macro"].append(f1_score(Y, pred[name], average="macro"))
            res["micro"].append(f1_score(Y, pred[name], average="micro"))
    return {
        name: {key: np.mean(values, axis=0) for key, values in res.items()}
        for name, res in out.items()
    }


def scaled(X, train, test):
    scaler = StandardScaler().fit(X[train])
    return scaler.transform(X[train]), scaler.transform(X[test])


def tfidf(texts, train, test):
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    X_train = vec.fit_transform([texts[i] for i in train])
    return X_train, vec.transform([texts[i] for i in test])


# -- speed -------------------------------------------------------------------------


def speed(name, X, Y, rounds, quick):
    rows = []
    pairs = [
        ("ML-ROS", MultilabelRandomOverSampler(random_state=0), reference_ml_ros),
        ("MLSMOTE", MLSMOTE(random_state=0), reference_mlsmote),
    ]
    for label, sampler, reference in pairs:
        X_res, Y_res = sampler.fit_resample(X, Y)
        X_ref, Y_ref = reference(X, Y, 0)
        np.testing.assert_array_equal(Y_res, Y_ref)
        np.testing.assert_allclose(X_res, X_ref, rtol=1e-12, atol=1e-12)
        before = imbalance_report(sparse.csr_matrix(Y)).multilabel["mean_ir"]
        after = imbalance_report(sparse.csr_matrix(Y_res)).multilabel["mean_ir"]
        assert after <= before
        if quick:
            continue
        speedups = []
        for threads in (1, None):
            with threadpool_limits(threads):
                _, ratios = paired_times(
                    [
                        lambda s=sampler: s.fit_resample(X, Y),
                        lambda r=reference: r(X, Y, 0),
                    ],
                    rounds,
                )
            speedups.append(f"{1 / ratios[0]:.2f}x")
        rows.append(
            f"| {name} | {label} | {Y.shape[0]} x {Y.shape[1]} | "
            f"{Y_res.shape[0] - Y.shape[0]} | {before:.2f} -> {after:.2f} | "
            + " | ".join(speedups)
            + " |"
        )
    return rows


# -- output ------------------------------------------------------------------------


def render(name, Y, names, res):
    report = imbalance_report(sparse.csr_matrix(Y)).multilabel
    counts = Y.sum(axis=0)
    base = res["none"]
    lines = [
        f"### {name}",
        "",
        f"{Y.shape[0]} rows, {Y.shape[1]} labels, positives per label "
        f"{counts.min()}-{counts.max()}, cardinality {report['cardinality']:.2f}, "
        f"MeanIR {report['mean_ir']:.2f}, SCUMBLE {report['scumble']:.3f}.",
        "",
        "| variant | macro F1 | micro F1 | labels up vs none | labels down |",
        "| --- | --- | --- | --- | --- |",
    ]
    for variant, r in res.items():
        diff = r["per_label"] - base["per_label"]
        up, down = int((diff > 1e-9).sum()), int((diff < -1e-9).sum())
        if variant == "none":
            up = down = "-"
        lines.append(
            f"| {variant} | {r['macro']:.3f} | {r['micro']:.3f} | {up} | {down} |"
        )
    order = np.argsort(counts, kind="stable")
    shown = order if len(order) <= 20 else np.r_[order[:10], order[-5:]]
    lines += [
        "",
        "Per-label F1"
        + ("" if len(order) <= 20 else " (the 10 rarest and the 5 most frequent)")
        + ":",
        "",
        "| label | positives | " + " | ".join(res) + " |",
        "| --- | --- | " + " | ".join("---" for _ in res) + " |",
    ]
    for j in shown:
        cells = " | ".join(f"{r['per_label'][j]:.3f}" for r in res.values())
        lines.append(f"| {names[j]} | {counts[j]} | {cells} |")
    return lines + [""]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, asserts only")
    parser.add_argument("--repeats", type=int, default=2, help="CV repeats")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--debian-rows", type=int, default=6000)
    parser.add_argument("--min-tag", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=7, help="timing rounds")
    parser.add_argument("--out", default=None, help="write the Markdown here")
    parser.add_argument("--no-speed", action="store_true", help="F1 tables only")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.folds, args.debian_rows, args.min_tag = 1, 3, 400, 8
    lines = [
        "# Multi-label balancing",
        "",
        f"`python benchmarks/bench_multilabel.py` on {machine()}.",
        "",
        "## Speed against a plain-numpy implementation of the same algorithm",
        "",
        "Same output asserted; speed-up = numpy reference time / skbalance time "
        f"(median of {args.rounds} interleaved rounds; > 1: skbalance faster), "
        "with one thread (threadpoolctl) and with the default threads (OpenMP "
        "and BLAS on both cores, which other jobs share here).",
        "",
        "| data | sampler | rows x labels | new rows | MeanIR | speed-up, 1 thread "
        "| speed-up, default threads |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    data = yeast()
    sets = [("Yeast", data and data[:2])]
    for q in (50, 400):
        sets.append(("power law", power_law(1000 if args.quick else 20000, q)))
    for name, XY in sets:
        if XY is not None and not args.no_speed:
            lines += speed(name, *XY, args.rounds, args.quick)
    if args.no_speed:
        lines = lines[:4]
    lines += ["", "## F1 of one-vs-rest logistic regression", ""]
    lines += [
        f"Out-of-fold predictions of {args.repeats} x {args.folds}-fold CV, "
        "mean over repeats; 'labels up/down': labels whose F1 is higher / lower "
        "than without balancing.",
        "",
    ]
    if data is not None:
        X, Y, names = data
        if args.quick:
            X, Y = X[:400], Y[:400]
        res = evaluate(X, Y, scaled, args.folds, args.repeats)
        lines += render("Yeast (river)", Y, names, res)
    debian = debtags(args.debian_rows, args.min_tag)
    if debian is not None:
        texts, Y, names = debian
        res = evaluate(texts, Y, tfidf, args.folds, args.repeats)
        lines += render("Debian package descriptions and debtags", Y, names, res)
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
