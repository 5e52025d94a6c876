"""Speed of skbalance's duplicating samplers against imbalanced-learn and the bound.

For RatioOverSampler(target_ratio=1.0), DomainFloorSampler(min_share=0.2)
(class floors) and the mixtures MixtureSampler(temperature=0.3) and
MixtureSampler(max_repeats=2) (UniMax; both lower the largest class and
raise the others, so imbalanced-learn's RandomOverSampler, which only adds
rows, has no equivalent and is not run for them), in one run:

* arrays, X float64 (n, 20), y int with 4 classes at 50/30/15/5 %:
  skbalance ``fit_resample`` vs imbalanced-learn's ``RandomOverSampler`` with
  the same target counts vs the bare numpy bound (one preallocated output
  filled with ``np.take(..., mode="clip")``, unbuffered, allocation included,
  plus ``y.take``);
* a DataFrame with 20 float columns, a string column and a non-default index,
  y a Series of string labels (as with text data) or of integer labels:
  skbalance vs ``df.take`` + ``y.take`` with the same indices vs
  RandomOverSampler. The two label kinds separate the cost of hashing the
  labels (which ``df.take`` does not do) from the cost of building the output;
* for the mixtures, a CSR matrix with the same values: skbalance vs
  ``X[idx]`` (scipy's row gather) + ``y.take`` with the same indices.

Timings are medians of ``--repeats`` runs; the machines are shared and noisy, so
skbalance and its reference run in interleaved rounds and the ratio is the
median of the per-round ratios (``_timing.paired_times``), against the targets of the
issue: skbalance / numpy bound <= 1.3, RandomOverSampler / skbalance >= 2 on
arrays; skbalance / df.take <= 1.5, RandomOverSampler / skbalance >= 10 on
DataFrames. Correctness (exact target counts, same output size as
RandomOverSampler, dtypes and index labels kept) is asserted, never time.

Run: ``python benchmarks/bench_samplers_speed.py [--quick] [--repeats N] [--out F]``
(``--quick``: 100k rows only, for CI; the rounds stay at ``--repeats``, which
cost milliseconds each there, because a median of 3 rounds is too noisy for
the 1.1 ms cases).
"""

import argparse
import sys
from collections import Counter

import imblearn
import numpy as np
import pandas as pd
from _timing import machine, median_time, paired_times
from imblearn.over_sampling import RandomOverSampler
from scipy import sparse

from skbalance import DomainFloorSampler, MixtureSampler, RatioOverSampler

LABELS = np.array(["billing", "technical", "account", "other"])
SHARES = [0.50, 0.30, 0.15, 0.05]


def make_labels(n, rng):
    counts = [int(n * s) for s in SHARES]
    counts[0] += n - sum(counts)
    return rng.permutation(np.repeat(np.arange(4), counts))


def numpy_bound(X, y, idx):
    out = np.empty((idx.size, X.shape[1]), dtype=X.dtype)
    # mode="clip" skips the bounds check that makes numpy buffer out= (the
    # default mode="raise" doubles the time and would flatter the ratio)
    np.take(X, idx, axis=0, out=out, mode="clip")
    return out, y.take(idx)


def samplers():
    return [
        ("RatioOverSampler(1.0)", lambda: RatioOverSampler(random_state=0)),
        (
            "DomainFloorSampler(0.2)",
            lambda: DomainFloorSampler(min_share=0.2, random_state=0),
        ),
        *MIXTURES,
    ]


#: the mixtures (issue #25): no imbalanced-learn equivalent, a bound of 1.5
MIXTURES = [
    (
        "MixtureSampler(temperature=0.3)",
        lambda: MixtureSampler(temperature=0.3, random_state=0),
    ),
    (
        "MixtureSampler(max_repeats=2)",
        lambda: MixtureSampler(max_repeats=2, random_state=0),
    ),
]


def is_mixture(name):
    return name.startswith("MixtureSampler")


def ros_time(sampler, X, y, shape, repeats):
    """RandomOverSampler's time for the same targets, or None for a mixture
    (it cannot lower a class)."""
    if isinstance(sampler, MixtureSampler):
        return None
    ros = RandomOverSampler(sampling_strategy=sampler.counts_after_, random_state=0)
    X_ros, _ = ros.fit_resample(X, y)
    assert X_ros.shape == shape
    return median_time(lambda: ros.fit_resample(X, y), repeats), X_ros


def bench_arrays(n, repeats, rows):
    rng = np.random.RandomState(0)
    X = rng.rand(n, 20)
    y = make_labels(n, rng)
    for name, make in samplers():
        sampler = make()
        X_res, y_res = sampler.fit_resample(X, y)
        idx = sampler.sample_indices_
        assert dict(Counter(y_res.tolist())) == sampler.counts_after_
        np.testing.assert_array_equal(X_res, X[idx])
        ros = ros_time(sampler, X, y, X_res.shape, repeats)
        (t_ours, t_bound), (ratio,) = paired_times(
            [lambda m=make: m().fit_resample(X, y), lambda i=idx: numpy_bound(X, y, i)],
            repeats,
        )
        rows.append(
            {
                "case": f"array {name}",
                "n": n,
                "out": idx.size,
                "ours": t_ours,
                "ref_name": "np.take bound",
                "ref": t_bound,
                "ros": None if ros is None else ros[0],
                "ratio_ref": ratio,
                "target_ref": 1.5 if is_mixture(name) else 1.3,
                "ratio_ros": None if ros is None else ros[0] / t_ours,
                "target_ros": 2.0,
                "kept": "-",
            }
        )


def bench_sparse(n, repeats, rows):
    rng = np.random.RandomState(0)
    X = sparse.csr_matrix(rng.rand(n, 20))
    y = make_labels(n, rng)
    for name, make in MIXTURES:
        sampler = make()
        X_res, y_res = sampler.fit_resample(X, y)
        idx = sampler.sample_indices_
        assert dict(Counter(y_res.tolist())) == sampler.counts_after_
        assert (X_res != X[idx]).nnz == 0
        (t_ours, t_ref), (ratio,) = paired_times(
            [lambda m=make: m().fit_resample(X, y), lambda i=idx: (X[i], y.take(i))],
            repeats,
        )
        rows.append(
            {
                "case": f"CSR {name}",
                "n": n,
                "out": idx.size,
                "ours": t_ours,
                "ref_name": "X[idx] (scipy)",
                "ref": t_ref,
                "ros": None,
                "ratio_ref": ratio,
                "target_ref": 1.5,
                "ratio_ros": None,
                "target_ros": None,
                "kept": "-",
            }
        )


def bench_frames(n, repeats, rows, labels):
    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.rand(n, 20), columns=[f"f{i}" for i in range(20)])
    df["text"] = [f"ticket {i}: my invoice is wrong" for i in range(n)]
    df.index = pd.RangeIndex(10_000, 10_000 + n, name="ticket_id")
    codes = make_labels(n, rng)
    y = pd.Series(
        LABELS[codes] if labels == "str" else codes, index=df.index, name="label"
    )
    for name, make in samplers():
        sampler = make()
        X_res, y_res = sampler.fit_resample(df, y)
        idx = sampler.sample_indices_
        assert y_res.value_counts().to_dict() == sampler.counts_after_
        kept = (
            X_res.dtypes.equals(df.dtypes)
            and X_res.index.equals(df.index.take(idx))
            and y_res.index.equals(df.index.take(idx))
        )
        assert kept, "dtypes or index labels not kept"
        # RandomOverSampler takes seconds here and is 10-50x slower: 3 runs do
        ros = ros_time(sampler, df, y, X_res.shape, min(repeats, 3))
        note = "-"
        if ros is not None:
            index = "kept" if ros[1].index.has_duplicates else "reset to 0..n-1"
            note = f"ours: dtypes+index kept; RandomOverSampler index {index}"
        (t_ours, t_take), (ratio,) = paired_times(
            [
                lambda m=make: m().fit_resample(df, y),
                lambda i=idx: (df.take(i), y.take(i)),
            ],
            repeats,
        )
        rows.append(
            {
                "case": f"DataFrame, {labels} y, {name}",
                "n": n,
                "out": idx.size,
                "ours": t_ours,
                "ref_name": "df.take",
                "ref": t_take,
                "ros": None if ros is None else ros[0],
                "ratio_ref": ratio,
                "target_ref": 1.5,
                "ratio_ros": None if ros is None else ros[0] / t_ours,
                "target_ros": 10.0,
                "kept": note,
            }
        )


def render(rows, header):
    lines = [
        header,
        "",
        "| case | n in | n out | skbalance s | reference | reference s | "
        "RandomOverSampler s | skbalance / reference (target) | "
        "RandomOverSampler / skbalance (target) |",
        "|---|---:|---:|---:|---|---:|---:|---|---|",
    ]
    for r in rows:
        ok_ref = "PASS" if r["ratio_ref"] <= r["target_ref"] else "MISS"
        ros, vs_ros = "-", "- (no equivalent)"
        if r["ros"] is not None:
            ok_ros = "PASS" if r["ratio_ros"] >= r["target_ros"] else "MISS"
            ros = f"{r['ros']:.4f}"
            vs_ros = f"{r['ratio_ros']:.1f}x (>= {r['target_ros']:g}) {ok_ros}"
        lines.append(
            f"| {r['case']} | {r['n']:,} | {r['out']:,} | {r['ours']:.4f} | "
            f"{r['ref_name']} | {r['ref']:.4f} | {ros} | "
            f"{r['ratio_ref']:.2f} (<= {r['target_ref']}) {ok_ref} | {vs_ros} |"
        )
    notes = sorted({r["kept"] for r in rows if r["kept"] != "-"})
    lines += [""] + [f"- {note}" for note in notes]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k rows only")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--out", help="also write the table as markdown here")
    args = parser.parse_args(argv)
    sizes = [100_000] if args.quick else [100_000, 1_000_000]
    repeats = args.repeats
    rows = []
    for n in sizes:
        bench_arrays(n, repeats, rows)
        bench_sparse(n, repeats, rows)
        bench_frames(n, repeats, rows, labels="str")
        bench_frames(n, repeats, rows, labels="int")
    header = (
        f"Median of {repeats} runs; {machine()}, pandas {pd.__version__}, "
        f"imbalanced-learn {imblearn.__version__}."
    )
    table = render(rows, header)
    print(table)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write("# Sampler speed\n\n" + table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
