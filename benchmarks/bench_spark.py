"""skbalance.spark in local mode: speed of the split and the over-sampling,
the in-memory path on the same labels, and the per-class count error of
Spark's ``sampleBy`` against skbalance's exact quotas.

Data: ``n`` rows (10M by default) made by Spark from ``spark.range``: an id,
a text column and a label of 20 classes with power-law frequencies plus one
rare class of 20 rows; the class of a row is fixed by a permutation of the
ids, so the class counts are known exactly and the in-memory path gets the
same labels as a NumPy array.

Measured (medians of ``--repeats`` runs; every Spark job computes all its
rows, pruned to the columns a count needs, and collects only a per-class
count table, which also checks it):

* ``stratified_partition`` 70/15/15 (the engine of ``triple_split``) and
  ``oversample(target_ratio=0.5)``, with rows per second per core;
* the in-memory ``stratified_partition`` and ``RatioOverSampler`` on the same
  labels (a 1-column array as X);
* for one 15% part: the per-class count error against the exact share
  ``0.15 * n_class`` for ``df.sampleBy`` (three seeds) and for skbalance.

Correctness is asserted (exact part sizes, every class within one of its
share, exact over-sampling targets), never a time.

Run: ``python benchmarks/bench_spark.py [--quick] [--rows N] [--out F]``
(``--quick``: 100k rows, one round, asserts only).
"""

import argparse
import statistics
import sys
import time
import warnings

import numpy as np
from _timing import machine

from skbalance import RatioOverSampler, stratified_partition
from skbalance import spark as sks
from skbalance._allocation import part_sizes

N_CLASSES = 20
RARE = 20
SIZES = [0.7, 0.15, 0.15]


def class_counts(n):
    """Power-law counts of 20 classes summing to n - RARE, then the rare one."""
    weights = (np.arange(N_CLASSES) + 1.0) ** -1.5
    counts = np.floor(weights / weights.sum() * (n - RARE)).astype(np.int64)
    counts[0] += n - RARE - counts.sum()
    return np.append(counts, RARE)


def permuted(n):
    """A fixed permutation of 0..n-1 that Spark and NumPy both compute:
    ``(a * id + b) mod n`` with ``a`` coprime to n."""
    a = 2_654_435_761 % n
    while np.gcd(a, n) != 1:
        a += 1
    return a, 12_345 % n


def numpy_labels(n, counts):
    a, b = permuted(n)
    position = (a * np.arange(n, dtype=np.int64) + b) % n  # a * id < n**2 < 2**63
    return np.searchsorted(np.cumsum(counts), position, side="right")


def spark_frame(spark, n, counts):
    from pyspark.sql import functions as F

    a, b = permuted(n)
    position = (F.col("id") * a + b) % n  # a * id < n**2 < 2**63

    label = F.lit(len(counts) - 1)
    for k, bound in reversed(list(enumerate(np.cumsum(counts)[:-1].tolist()))):
        label = F.when(position < bound, k).otherwise(label)
    return spark.range(n).select(
        "id",
        F.concat(F.lit("ticket text "), F.col("id").cast("string")).alias("text"),
        label.cast("int").alias("label"),
    )


def session(memory):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("bench_spark")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def per_class(df, cols=("label",)):
    """Rows per value of ``cols``, computed by Spark: every row is evaluated,
    and only this small table reaches the driver."""
    rows = df.groupBy(*cols).count().collect()
    return {tuple(r[c] for c in cols): r["count"] for r in rows}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    n = 100_000 if args.quick else args.rows
    repeats = 1 if args.quick else args.repeats
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support")
    spark = session("1g" if args.quick else "6g")
    counts = class_counts(n)
    df = spark_frame(spark, n, counts)
    out = [f"# skbalance.spark, local[2], {n:,} rows", "", machine(), ""]

    y = numpy_labels(n, counts)
    assert np.bincount(y).tolist() == counts.tolist()
    X = np.zeros((n, 1), dtype=np.int8)
    sampler = RatioOverSampler(target_ratio=0.5, random_state=0)
    sampler.fit_resample(X, y)
    want_sizes = part_sizes(n, SIZES, ["train", "val", "test"]).tolist()

    def split_job():
        parted = sks.stratified_partition(df, "label", SIZES, seed=0)
        got = per_class(parted, ["label", "part"])
        alloc = np.array([[got.get((k, j), 0) for j in range(3)] for k in range(21)])
        assert alloc.sum(axis=1).tolist() == counts.tolist()
        assert alloc.sum(axis=0).tolist() == want_sizes
        exact = counts[:, None] * alloc.sum(axis=0)[None, :] / n
        assert np.all(np.abs(alloc - exact) < 1), "a class is 1+ rows from its share"
        return alloc

    def oversample_job():
        got = per_class(sks.oversample(df, "label", target_ratio=0.5, seed=0))
        assert {k: got[(k,)] for k in range(21)} == sampler.counts_after_
        return sum(got.values())

    # every Spark job computes all rows and collects only a (class, part) table
    jobs = {
        "count per class (the scan alone)": lambda: per_class(df),
        "stratified_partition 70/15/15": split_job,
        "oversample target_ratio=0.5": oversample_job,
    }
    spark_times, results = {}, {}
    for name, job in jobs.items():
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            results[name] = job()
            times.append(time.perf_counter() - start)
        spark_times[name] = statistics.median(times)
    alloc = results["stratified_partition 70/15/15"]
    n_over = results["oversample target_ratio=0.5"]

    # -- per-class count error of one 15% part: sampleBy vs ours -------------------
    ours = alloc[:, 1] - counts * 0.15
    out += ["## Per-class count error of a 15% part (rows off the exact share)", ""]
    out += ["| method | worst class | rare class (20 rows: 3 expected) | part size |"]
    out += ["| --- | ---: | ---: | ---: |"]
    out.append(
        f"| skbalance (seed 0) | {np.abs(ours).max():.2f} | {alloc[-1, 1]} "
        f"| {alloc[:, 1].sum():,} |"
    )
    for seed in range(3):
        got = per_class(df.sampleBy("label", dict.fromkeys(range(21), 0.15), seed))
        sample = np.array([got.get((k,), 0) for k in range(21)])
        err = sample - counts * 0.15
        out.append(
            f"| sampleBy (seed {seed}) | {np.abs(err).max():.2f} | {sample[-1]} "
            f"| {sample.sum():,} |"
        )
    if args.quick:
        print("\n".join(out))
        print("bench_spark --quick: assertions passed")
        spark.stop()
        return 0

    # -- the in-memory path on the same labels ---------------------------------
    mem = {
        "stratified_partition 70/15/15": lambda: stratified_partition(
            y, SIZES, random_state=1
        ),
        "oversample target_ratio=0.5": lambda: RatioOverSampler(
            target_ratio=0.5, random_state=1
        ).fit_resample(X, y),
    }
    mem_times = {}
    for name, func in mem.items():
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            func()
            times.append(time.perf_counter() - start)
        mem_times[name] = statistics.median(times)
    out += ["", f"## Time (medians of {repeats})", ""]
    out += ["| job | Spark s | rows/s per core | in-memory s | Spark / in-memory |"]
    out += ["| --- | ---: | ---: | ---: | ---: |"]
    for name, t in spark_times.items():
        rows = n_over if name.startswith("oversample") else n
        m = mem_times.get(name)
        out.append(
            f"| {name} | {t:.1f} | {rows / t / 2:,.0f} | "
            + (f"{m:.2f} | {t / m:.0f}x |" if m else "- | - |")
        )
    out += [
        "",
        f"Over-sampling outputs {n_over:,} rows. The driver receives at most 21 x 64 "
        "(class, hash bucket) counts per job, and the (class, part) table here.",
    ]
    text = "\n".join(out)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
