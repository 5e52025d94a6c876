"""Speed and quality of skbalance's stratified splits against the alternatives.

Single-label: ``StratifiedTripleSplit`` (70/15/15) against scikit-learn's
``train_test_split`` applied twice (70/30, then 50/50 of the 30%), at 1M and
10M rows of 20 classes with power-law frequencies. Exact part sizes and
per-class counts within one of exact are asserted for skbalance, and the
same figures are reported for scikit-learn.

Multi-label: ``stratified_partition`` against iterative-stratification
(iterstrat): 2-way 80/20 (``MultilabelStratifiedShuffleSplit``), 5-fold
(``MultilabelStratifiedKFold``) and 70/15/15 (iterstrat applied twice), on

* river's Yeast (2,417 rows x 14 labels) and stacked copies of it (real label
  correlations at 24k and 121k rows), over several seeds;
* synthetic power-law labels (label j with prevalence about 0.3 (j+1)^-1.2,
  correlated pairs, every label with at least 2 positives) at 10k, 100k and 1M
  rows x 20, 100 and 1000 labels.

Quality per split, as Sechidis et al. (2011) measure it: the worst and mean
absolute difference between a label's positive rate in a part and in the whole
set, Label Distribution (LD), and the number of labels with at least
``max(3, parts)`` positives that are missing from some part; and the largest
deviation of a part from its requested size.

Timings are medians, and skbalance and its reference run in interleaved
rounds (``_timing.paired_times``). Correctness (disjoint parts covering every
row, exact sizes, no coverable label missing) is asserted, never time.

Run: ``python benchmarks/bench_split.py [--quick] [--out F]`` (``--quick``: the
small cases only, for CI).
"""

import argparse
import statistics
import sys
import time

import numpy as np
import pandas as pd
from _timing import machine, median_time, paired_times
from scipy import sparse
from sklearn.model_selection import train_test_split

from skbalance import StratifiedTripleSplit, stratified_partition

try:
    from iterstrat.ml_stratifiers import (
        MultilabelStratifiedKFold,
        MultilabelStratifiedShuffleSplit,
    )
except ImportError:  # pragma: no cover - the bench extra installs it
    MultilabelStratifiedKFold = MultilabelStratifiedShuffleSplit = None

SCHEMES = {
    "2-way 80/20": [0.8, 0.2],
    "5-fold": [0.2] * 5,
    "70/15/15": [0.7, 0.15, 0.15],
}
#: iterstrat is skipped where its dense label matrix would take too long
ITERSTRAT_MAX_CELLS = 2e8


# -- data ----------------------------------------------------------------------


def power_law_classes(n, n_classes=20, seed=0):
    rng = np.random.default_rng(seed)
    share = (np.arange(n_classes) + 1.0) ** -1.2
    return rng.choice(n_classes, size=n, p=share / share.sum()).astype(np.int64)


def power_law_labels(n, n_labels, seed=0):
    """Sparse 0/1 labels: prevalence 0.3 (j+1)^-1.2, every label at least 2
    positives (some only 2-5), and labels 2i+1 mostly co-occurring with 2i."""
    rng = np.random.default_rng(seed)
    prevalence = 0.3 * (np.arange(n_labels) + 1.0) ** -1.2
    rows, cols = [], []
    for j in range(n_labels):
        k = max(2, int(rng.binomial(n, prevalence[j])))
        if j % 2 and len(rows[-1]) >= k:  # correlated pair: mostly the same rows
            shared = rng.choice(rows[-1], size=k - k // 4, replace=False)
            idx = np.union1d(shared, rng.choice(n, size=k // 4, replace=False))
        else:
            idx = rng.choice(n, size=k, replace=False)
        rows.append(idx)
        cols.append(np.full(idx.size, j))
    rows = np.concatenate(rows)
    cols = np.concatenate(cols)
    Y = sparse.csr_matrix((np.ones(rows.size, dtype=bool), (rows, cols)), (n, n_labels))
    Y.sum_duplicates()
    return Y


def yeast():
    from river import datasets

    frame = pd.read_csv(datasets.Yeast().path)
    labels = [c for c in frame.columns if c.startswith("Class")]
    return sparse.csr_matrix(frame[labels].to_numpy().astype(bool))


# -- quality -------------------------------------------------------------------


def quality(Y, part, n_parts, requested):
    """Worst and mean positive-rate error, LD, missing labels, size error."""
    Y = sparse.csr_matrix(Y, dtype=np.float64)
    n = Y.shape[0]
    sizes = np.bincount(part, minlength=n_parts)
    onehot = sparse.csr_matrix((np.ones(n), (part, np.arange(n))), shape=(n_parts, n))
    pos = np.asarray((onehot @ Y).todense())  # (parts, labels)
    total = np.asarray(Y.sum(axis=0)).ravel()
    rate = pos / sizes[:, None]
    overall = total / n
    err = np.abs(rate - overall[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(rate < 1, rate / (1 - rate), 0.0)
        odds_all = np.where(overall < 1, overall / (1 - overall), 0.0)
    ld = float(np.mean(np.abs(odds - odds_all[None, :]).mean(axis=0)))
    coverable = np.diff(Y.tocsc().indptr) >= max(3, n_parts)
    missing = int(((pos == 0) & coverable[None, :]).any(axis=0).sum())
    return {
        "worst": float(err.max()),
        "mean": float(err.mean()),
        "LD": ld,
        "missing": missing,
        "size_err": int(np.abs(sizes - requested).max()),
    }


def requested_sizes(n, shares):
    from skbalance._allocation import part_sizes

    return part_sizes(n, shares, [f"p{j}" for j in range(len(shares))])


# -- the contenders ------------------------------------------------------------


def ours(Y, shares, seed):
    return stratified_partition(Y, shares, random_state=seed)


def iterstrat(Y, shares, seed):
    """iterstrat's parts for the same scheme, as a part id per row."""
    dense = Y.toarray().astype(np.int8) if sparse.issparse(Y) else Y
    n = dense.shape[0]
    X = np.zeros((n, 1))
    part = np.empty(n, dtype=np.int64)
    if len(shares) == 2:
        split = MultilabelStratifiedShuffleSplit(
            n_splits=1, test_size=shares[1], random_state=seed
        )
        train, test = next(split.split(X, dense))
        part[train], part[test] = 0, 1
    elif len(shares) == 3:
        split = MultilabelStratifiedShuffleSplit(
            n_splits=1, test_size=shares[1] + shares[2], random_state=seed
        )
        train, rest = next(split.split(X, dense))
        split = MultilabelStratifiedShuffleSplit(
            n_splits=1, test_size=shares[2] / (shares[1] + shares[2]), random_state=seed
        )
        val, test = next(split.split(X[rest], dense[rest]))
        part[train], part[rest[val]], part[rest[test]] = 0, 1, 2
    else:
        folds = MultilabelStratifiedKFold(
            n_splits=len(shares), shuffle=True, random_state=seed
        )
        for j, (_, test) in enumerate(folds.split(X, dense)):
            part[test] = j
    return part


def check_ours(Y, part, shares):
    n = Y.shape[0]
    requested = requested_sizes(n, shares)
    q = quality(Y, part, len(shares), requested)
    assert part.shape == (n,) and part.min() >= 0 and part.max() < len(shares)
    assert q["size_err"] == 0, f"sizes off by {q['size_err']}"
    assert q["missing"] == 0, f"{q['missing']} coverable labels missing"
    return q


# -- single-label ----------------------------------------------------------------


def sklearn_triple(y, seed):
    idx = np.arange(y.size)
    train, rest = train_test_split(idx, test_size=0.3, stratify=y, random_state=seed)
    val, test = train_test_split(
        rest, test_size=0.5, stratify=y[rest], random_state=seed
    )
    return train, val, test


def ours_triple(y, seed):
    return next(StratifiedTripleSplit(random_state=seed).split(y, y))


def class_error(y, parts, shares):
    """Part size error and the largest per-class distance from exact."""
    n = y.size
    requested = requested_sizes(n, shares)
    counts = np.bincount(y)
    size_err = max(abs(len(p) - r) for p, r in zip(parts, requested, strict=True))
    worst = 0.0
    for p, r in zip(parts, requested, strict=True):
        got = np.bincount(y[p], minlength=counts.size)
        worst = max(worst, float(np.abs(got - counts * r / n).max()))
    return size_err, worst


def bench_single(sizes, repeats, lines):
    lines += [
        "## Single-label 70/15/15: StratifiedTripleSplit vs train_test_split twice",
        "",
        "| rows | skbalance s | sklearn s | sklearn / skbalance (target >= 10) | "
        "skbalance size err / worst class err | sklearn size err / worst class err |",
        "|---:|---:|---:|---|---|---|",
    ]
    for n in sizes:
        y = power_law_classes(n)
        mine = ours_triple(y, 0)
        size_err, worst = class_error(y, mine, [0.7, 0.15, 0.15])
        assert size_err == 0 and worst < 1, (size_err, worst)
        theirs = sklearn_triple(y, 0)
        their_size, their_worst = class_error(y, theirs, [0.7, 0.15, 0.15])
        (t_ours, t_sk), (ratio,) = paired_times(
            [lambda y=y: ours_triple(y, 0), lambda y=y: sklearn_triple(y, 0)], repeats
        )
        speedup = 1 / ratio
        ok = "PASS" if speedup >= 10 else "MISS"
        lines.append(
            f"| {n:,} | {t_ours:.3f} | {t_sk:.3f} | {speedup:.1f}x {ok} | "
            f"{size_err} / {worst:.2f} | {their_size} / {their_worst:.2f} |"
        )
        print(lines[-1], flush=True)
    lines.append("")


# -- multi-label -----------------------------------------------------------------


def bench_quality(name, Y, seeds, lines):
    """Mean quality over seeds, ours vs iterstrat, per scheme, and time."""
    for scheme, shares in SCHEMES.items():
        requested = requested_sizes(Y.shape[0], shares)
        mine, theirs, t_mine, t_theirs = [], [], [], []
        for seed in seeds:
            start = time.perf_counter()
            part = ours(Y, shares, seed)
            t_mine.append(time.perf_counter() - start)
            mine.append(check_ours(Y, part, shares))
            start = time.perf_counter()
            part = iterstrat(Y, shares, seed)
            t_theirs.append(time.perf_counter() - start)
            theirs.append(quality(Y, part, len(shares), requested))
        m = {k: statistics.mean(q[k] for q in mine) for k in mine[0]}
        t = {k: statistics.mean(q[k] for q in theirs) for k in theirs[0]}
        speed = statistics.median(t_theirs) / statistics.median(t_mine)
        ld, worst = m["LD"] / t["LD"], m["worst"] / t["worst"]
        ok = "PASS" if ld <= 0.8 and worst <= 0.8 else "MISS"
        target = 50 if len(shares) == 3 else 30
        fast = "PASS" if speed >= target else "MISS"
        lines.append(
            f"| {name} | {scheme} | {speed:.0f}x ({fast} >= {target}) | "
            f"{m['LD']:.4f} / {t['LD']:.4f} | "
            f"{m['worst']:.4f} / {t['worst']:.4f} | {ld:.2f} / {worst:.2f} {ok} | "
            f"{m['missing']:.0f} / {t['missing']:.1f} | "
            f"{m['size_err']:.0f} / {t['size_err']:.1f} |"
        )
        print(lines[-1], flush=True)


def bench_synthetic(shapes, lines):
    for n, n_labels in shapes:
        Y = power_law_labels(n, n_labels)
        for scheme, shares in SCHEMES.items():
            requested = requested_sizes(n, shares)
            part = ours(Y, shares, 0)
            q = check_ours(Y, part, shares)
            t_mine = median_time(lambda Y=Y, s=shares: ours(Y, s, 0), 3)
            if MultilabelStratifiedKFold is None:
                speed, their = "not installed", "- | - | - | -"
            elif n * n_labels <= ITERSTRAT_MAX_CELLS:
                start = time.perf_counter()
                theirs = iterstrat(Y, shares, 0)
                t_theirs = time.perf_counter() - start
                t = quality(Y, theirs, len(shares), requested)
                speed = f"{t_theirs:.2f} s, {t_theirs / t_mine:.0f}x"
                their = (
                    f"{t['LD']:.4f} | {t['worst']:.4f} | {t['missing']} | "
                    f"{t['size_err']}"
                )
            else:
                speed = "skipped (dense y too large)"
                their = "- | - | - | -"
            lines.append(
                f"| {n:,} x {n_labels} | {scheme} | {t_mine:.3f} | {speed} | "
                f"{q['LD']:.4f} | {q['worst']:.4f} | {q['missing']} | "
                f"{q['size_err']} | {their} |"
            )
            print(lines[-1], flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small cases, for CI")
    parser.add_argument("--out", help="also write the tables as markdown here")
    args = parser.parse_args(argv)
    lines = [f"{machine()}.", ""]
    if MultilabelStratifiedKFold is None:
        lines += [
            "iterative-stratification is not installed (pip install '.[bench]'): "
            "skbalance's splits only, checked but not compared.",
            "",
        ]
    if args.quick:
        bench_single([100_000], 3, lines)
    else:
        bench_single([1_000_000, 10_000_000], 5, lines)
    lines += [
        "## Multi-label on real labels: skbalance vs iterstrat (mean over seeds)",
        "",
        "| data | scheme | iterstrat time / skbalance | LD ours / iterstrat | "
        "worst rate error ours / iterstrat | ratios (target <= 0.8) | "
        "labels missing ours / iterstrat | size error ours / iterstrat |",
        "|---|---|---|---|---|---|---|---|",
    ]
    try:
        Y = yeast()
    except ImportError:
        Y = None
        lines.append("| river is not installed: Yeast skipped | | | | | | | |")
    seeds = range(3) if args.quick else range(10)
    if Y is not None and MultilabelStratifiedKFold is not None:
        bench_quality("Yeast 2,417 x 14", Y, seeds, lines)
    if Y is not None and MultilabelStratifiedKFold is not None and not args.quick:
        for copies in (10, 50):
            stacked = sparse.vstack([Y] * copies).tocsr()
            bench_quality(
                f"Yeast x{copies} ({stacked.shape[0]:,})", stacked, range(3), lines
            )
    lines += [
        "",
        "## Multi-label, synthetic power-law labels (seed 0)",
        "",
        "| rows x labels | scheme | skbalance s | iterstrat | LD | worst rate error | "
        "missing | size error | iterstrat LD | worst | missing | size error |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    if args.quick:
        shapes = [(10_000, 20), (10_000, 100)]
    else:
        shapes = [(n, q) for n in (10_000, 100_000, 1_000_000) for q in (20, 100, 1000)]
    bench_synthetic(shapes, lines)
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write("# Splits\n\n" + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
