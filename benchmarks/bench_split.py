"""Speed and quality of skbalance's stratified splits against the alternatives.

Single-label: ``StratifiedTripleSplit`` (70/15/15) against scikit-learn's
``train_test_split`` applied twice (70/30, then 50/50 of the 30%), at 1M and
10M rows of 20 classes with power-law frequencies. Exact part sizes and
per-class counts within one of exact are asserted for skbalance.

Multi-label, on **dense** 0/1 matrices (what users pass; iterative-
stratification takes nothing else), the public calls against iterstrat's on
the same matrix: 2-way 80/20 (``StratifiedLabelShuffleSplit`` vs
``MultilabelStratifiedShuffleSplit``), 5-fold (``StratifiedLabelKFold`` vs
``MultilabelStratifiedKFold``) and 70/15/15 (``StratifiedTripleSplit`` vs
iterstrat applied twice), on real label sets (``_tagdata.py``): Debian's
debtags (packages x tags) and dependencies (packages x the packages they depend
on), built offline from the package index, and river's Yeast. Also the same
call on the dense matrix against CSR (target: within 2x).

Quality per split and seed, as Sechidis et al. (2011) measure it: the mean and
worst absolute difference between a label's positive rate in a part and in the
whole set, Label Distribution (LD), labels of at least ``max(3, parts)``
positives missing from some part, and the largest deviation of a part from its
requested size. Every seed is reported, losses included.

Scaling: the kernel's steps timed on CSR power-law labels (label j with
prevalence about 0.3 (j+1)^-1.2) from 100k x 100 to 1M x 100 and 100k x 10,000,
per nonzero.

Timings are medians, skbalance and its reference in interleaved rounds
(``_timing.paired_times``). Correctness (disjoint parts covering every row,
exact sizes, no coverable label missing) is asserted, never time.

Run: ``python benchmarks/bench_split.py [--quick] [--out F]`` (``--quick``: the
small cases only, for CI).
"""

import argparse
import statistics
import sys

import numpy as np
from _tagdata import debian_depends, debian_tags, yeast
from _timing import machine, median_time, paired_times
from scipy import sparse
from sklearn.model_selection import train_test_split

from skbalance import (
    StratifiedLabelKFold,
    StratifiedLabelShuffleSplit,
    StratifiedTripleSplit,
)
from skbalance._allocation import iterative_parts

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
    """skbalance's public splitter for the scheme, as a part id per row."""
    n = Y.shape[0]
    X = np.zeros((n, 1))
    part = np.empty(n, dtype=np.int64)
    if len(shares) == 2:
        cv = StratifiedLabelShuffleSplit(1, test_size=shares[1], random_state=seed)
        parts = next(cv.split(X, Y))
    elif len(shares) == 3:
        parts = next(StratifiedTripleSplit(random_state=seed).split(X, Y))
    else:
        folds = StratifiedLabelKFold(len(shares), random_state=seed).split(X, Y)
        parts = [test for _, test in folds]
    for j, idx in enumerate(parts):
        part[idx] = j
    return part


def iterstrat(Y, shares, seed):
    """iterstrat's parts for the same scheme, as a part id per row."""
    dense = Y
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


def real_sets(quick):
    """(name, CSR labels) of every real set that loads here; the others are
    reported as skipped with the reason."""
    loaders = [("Yeast", yeast)]
    if not quick:
        loaders += [("Debian tags", debian_tags), ("Debian depends", debian_depends)]
    found, skipped = [], []
    for name, load in loaders:
        try:
            Y = load()
        except LookupError as exc:
            skipped.append(f"{name} skipped: {exc}.")
            continue
        found.append((f"{name} {Y.shape[0]:,} x {Y.shape[1]:,}", Y))
    return found, skipped


def dense(Y):
    return Y.toarray().astype(np.int8)


def bench_dense_speed(sets, rounds, lines):
    """The whole public call on the dense matrix: iterstrat time / ours, and
    ours on dense / ours on CSR."""
    lines += [
        "## Dense input: skbalance vs iterstrat on the same dense int8 matrix",
        "",
        "| data | scheme | skbalance dense s | iterstrat s | iterstrat / skbalance "
        "| skbalance dense / CSR (target <= 2) |",
        "|---|---|---:|---:|---|---|",
    ]
    for name, Y in sets:
        D = dense(Y)
        for scheme, shares in SCHEMES.items():
            check_ours(Y, ours(D, shares, 0), shares)
            funcs = [
                lambda D=D, s=shares: ours(D, s, 0),
                lambda D=D, s=shares: iterstrat(D, s, 0),
            ]
            # small sets take milliseconds: more rounds for a steady median
            n_rounds = rounds if Y.shape[0] * Y.shape[1] > 1e6 else 5 * rounds
            (t_dense, t_theirs), (ratio,) = paired_times(funcs, n_rounds)
            (_, t_csr), (vs_csr,) = paired_times(
                [funcs[0], lambda Y=Y, s=shares: ours(Y, s, 0)], max(n_rounds, 5)
            )
            target = 50 if len(shares) == 3 else 30
            speed = f"{1 / ratio:.0f}x {'PASS' if 1 / ratio >= target else 'MISS'}"
            dense_ok = "PASS" if vs_csr <= 2 else "MISS"
            lines.append(
                f"| {name} | {scheme} | {t_dense:.3f} | {t_theirs:.2f} | "
                f"{speed} (>= {target}) | {vs_csr:.2f}x {dense_ok} |"
            )
            print(lines[-1], flush=True)
    lines.append("")


def bench_dense_vs_csr(shapes, lines):
    """skbalance alone, on power-law labels too large for iterstrat's rounds:
    the whole call on a dense int8 matrix against the same call on CSR."""
    lines += [
        "## Dense against CSR, skbalance alone (power-law labels)",
        "",
        "| rows x labels | scheme | dense s | CSR s | dense / CSR (target <= 2) |",
        "|---|---|---:|---:|---|",
    ]
    for n, n_labels in shapes:
        Y = power_law_labels(n, n_labels)
        D = dense(Y)
        for scheme, shares in SCHEMES.items():
            check_ours(Y, ours(D, shares, 0), shares)
            (t_dense, t_csr), (ratio,) = paired_times(
                [
                    lambda D=D, s=shares: ours(D, s, 0),
                    lambda Y=Y, s=shares: ours(Y, s, 0),
                ],
                5,
            )
            ok = "PASS" if ratio <= 2 else "MISS"
            lines.append(
                f"| {n:,} x {n_labels:,} | {scheme} | {t_dense:.3f} | {t_csr:.3f} | "
                f"{ratio:.2f}x {ok} |"
            )
            print(lines[-1], flush=True)
    lines.append("")


def bench_quality(sets, seeds, lines):
    """Per seed: our error / iterstrat's (LD, mean and worst rate error)."""
    lines += [
        "## Quality on real labels: skbalance / iterstrat, every seed",
        "",
        "Ratios below 1 are skbalance ahead; target: mean over seeds <= 0.8 and "
        "no seed above 1.0 for LD, mean and worst rate error.",
        "",
        "| data | scheme | seed | LD | mean rate error | worst rate error | "
        "missing ours / iterstrat | size error ours / iterstrat |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    summary = []
    for name, Y in sets:
        D = dense(Y)
        for scheme, shares in SCHEMES.items():
            requested = requested_sizes(Y.shape[0], shares)
            ratios = []
            for seed in seeds:
                q = check_ours(Y, ours(D, shares, seed), shares)
                t = quality(Y, iterstrat(D, shares, seed), len(shares), requested)
                r = [q[k] / t[k] if t[k] else float("inf") for k in KEYS]
                ratios.append(r)
                lines.append(
                    f"| {name} | {scheme} | {seed} | "
                    + " | ".join(f"{x:.2f}" for x in r)
                    + f" | {q['missing']} / {t['missing']} | "
                    f"{q['size_err']} / {t['size_err']} |"
                )
                print(lines[-1], flush=True)
            mean = np.mean(ratios, axis=0)
            worst = np.max(ratios, axis=0)
            ok = "PASS" if (mean <= 0.8).all() and (worst <= 1.0).all() else "MISS"
            pairs = zip(mean, worst, strict=True)
            summary.append(
                f"| {name} | {scheme} | "
                + " | ".join(f"{m:.2f} ({w:.2f})" for m, w in pairs)
                + f" | {ok} |"
            )
    lines += [
        "",
        "Mean over seeds (worst seed):",
        "",
        "| data | scheme | LD | mean rate error | worst rate error | target |",
        "|---|---|---|---|---|---|",
        *summary,
        "",
    ]


KEYS = ["LD", "mean", "worst"]
STEPS = ["set-up", "label pass", "cover", "repair", "refine"]


def bench_scaling(shapes, lines):
    """Time of every kernel step on CSR power-law labels, per nonzero."""
    lines += [
        "## Scaling on CSR power-law labels (70/15/15, medians of 3)",
        "",
        "| rows x labels | nonzeros | whole call s | ns per nonzero | "
        + " | ".join(f"{s} ms" for s in STEPS)
        + " |",
        "|---|---:|---:|---:|" + "---:|" * len(STEPS),
    ]
    for n, n_labels in shapes:
        Y = power_law_labels(n, n_labels)
        shares = SCHEMES["70/15/15"]
        check_ours(Y, ours(Y, shares, 0), shares)
        whole = median_time(lambda Y=Y, s=shares: ours(Y, s, 0), 3)
        steps = [{} for _ in range(3)]
        for seed, timings in enumerate(steps):
            iterative_parts(
                Y,
                requested_sizes(n, shares),
                rng=np.random.RandomState(seed),
                timings=timings,
            )
        step_ms = [statistics.median(t[s] for t in steps) * 1e3 for s in STEPS]
        lines.append(
            f"| {n:,} x {n_labels:,} | {Y.nnz:,} | {whole:.3f} | "
            f"{whole / Y.nnz * 1e9:.0f} | "
            + " | ".join(f"{t:.1f}" for t in step_ms)
            + " |"
        )
        print(lines[-1], flush=True)
    lines.append("")


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
    sets, skipped = real_sets(args.quick)
    lines += skipped + ([""] if skipped else [])
    if MultilabelStratifiedKFold is not None:
        bench_dense_speed(sets, 3, lines)
        bench_quality(sets, range(3 if args.quick else 5), lines)
    bench_dense_vs_csr([(10_000, 100)] if args.quick else [(100_000, 1000)], lines)
    if args.quick:
        shapes = [(100_000, 100)]
    else:
        shapes = [(100_000, 100), (1_000_000, 100), (100_000, 1000), (100_000, 10_000)]
    bench_scaling(shapes, lines)
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write("# Splits\n\n" + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
