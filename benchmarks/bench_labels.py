"""Counting class labels: skbalance's counter against pandas and NumPy.

For 1M and 10M labels (``--quick``: 100k, 3 rounds, for CI) of several kinds,
each way of counting is timed in the same run and checked against
``np.unique(return_counts=True)``:

* ``np.unique``: ``np.unique(y, return_counts=True)`` (a sort);
* ``np.bincount``: ``np.bincount(y)`` alone, on non-negative integers of a
  compact range (no unique values, no offset: the floor of any integer count);
* ``pd.factorize``: ``pd.factorize(y)`` then ``np.bincount`` of the codes;
* ``min/max + np.bincount``: what skbalance would do without its counting
  kernel (the minimum and maximum, then ``np.bincount`` of ``y - min``);
* the C kernels of ``skbalance/_factorize.pyx``: ``factorize_str`` (then
  ``np.bincount``) on ``str`` labels, ``count_in_window`` over ``0 .. max``
  on non-negative integers (the same work as ``np.bincount`` alone);
* skbalance's ``count_labels`` (class weights, reports: the minimum, the
  maximum, then ``count_in_window``) and ``encode_strata`` (samplers: also
  the code of every row).

The label kinds: integers with 4 classes (50/30/15/5 %) and 100 classes
(power law), as int64 and uint8; int64 ids spread over ``0 .. 2**40`` (wide);
int64 of 100 classes with one value at 1,000,000 (outside a counting window);
``str`` labels (an object array, as from JSON or a DataFrame), the same as a
NumPy ``U`` array, and Python ints in an object array. Medians of
``--repeats`` interleaved rounds (one run when a call takes over a second);
the ratio column is time / skbalance ``count_labels``, the median of the
per-round ratios.

Run: ``python benchmarks/bench_labels.py [--quick] [--repeats N] [--out F]``
"""

import argparse
import sys
import time

import numpy as np
import pandas as pd
from _timing import machine, paired_times

from skbalance._factorize import count_in_window, factorize_str
from skbalance._labels import count_labels, encode_strata


def make_cases(n, seed=0):
    rng = np.random.RandomState(seed)
    few = rng.choice(4, size=n, p=[0.50, 0.30, 0.15, 0.05])
    p = (np.arange(100) + 1.0) ** -1.2
    many = rng.choice(100, size=n, p=p / p.sum())
    many[:100] = np.arange(100)
    ids = rng.randint(0, 2**40, size=100, dtype=np.int64)
    outlier = many.copy()
    outlier[n // 2] = 1_000_000
    names = np.array([f"class_{i:03d}" for i in range(100)], dtype=object)
    return {
        "int64, 4 classes": few.astype(np.int64),
        "int64, 100 classes": many.astype(np.int64),
        "uint8, 4 classes": few.astype(np.uint8),
        "uint8, 100 classes": many.astype(np.uint8),
        "int64 ids over 0..2**40": ids[many],
        "int64, one value at 1e6": outlier,
        "str (object), 100 classes": names[many],
        "str (numpy U), 100 classes": names[many].astype(str),
        "Python int (object), 100": many.astype(object),
    }


def by_bincount(codes, uniques):
    return uniques, np.bincount(codes, minlength=len(uniques))


def methods(values):
    """(name, callable returning sorted uniques and counts) for ``values``."""
    kind = values.dtype.kind
    found = [
        ("np.unique", lambda: np.unique(values, return_counts=True)),
        ("pd.factorize", lambda: by_bincount(*pd.factorize(values, sort=True))),
        ("skbalance count_labels", lambda: count_labels(values, name="y")),
        ("skbalance encode_strata", lambda: encode_strata(values, name="y")[::3]),
    ]
    if kind in "iu" and int(values.max()) < 2 * values.size + 1_000_000:
        width = int(values.max()) + 1
        found += [
            ("np.bincount", lambda: (None, np.bincount(values))),
            ("min/max + np.bincount", lambda: _bincount(values)),
            ("C count_in_window", lambda: (None, count_in_window(values, 0, width))),
        ]
    if kind == "O" and isinstance(values[0], str):
        found.append(("C factorize_str", lambda: _sorted(*factorize_str(values))))
    return found


def _bincount(values):
    low = values.min()
    offsets = values.astype(np.intp) - low if low else values
    counts = np.bincount(offsets, minlength=int(values.max()) - int(low) + 1)
    present = np.flatnonzero(counts)
    return (present + low).astype(values.dtype), counts[present]


def _sorted(codes, uniques):
    order = np.argsort(uniques)
    return uniques[order], np.bincount(codes, minlength=len(uniques))[order]


def run(n, repeats):
    """Rows ``(case, n, method, seconds, time / count_labels)``.

    The calls under a second run in interleaved rounds (``paired_times``), so
    that a busy moment of the machine falls on all of them alike; the ratio is
    the median of the per-round ratios. A call over a second is timed once.
    """
    rows = []
    for case, values in make_cases(n).items():
        expected_uniques, expected_counts = np.unique(values, return_counts=True)
        slow, fast = {}, []
        for name, func in methods(values):
            start = time.perf_counter()
            result = func()
            elapsed = time.perf_counter() - start
            if result[0] is not None:
                np.testing.assert_array_equal(result[0], expected_uniques)
                np.testing.assert_array_equal(result[1], expected_counts)
            if elapsed > 1.0 and name != "skbalance count_labels":
                slow[name] = elapsed
            else:
                fast.append((name, func))
        ours = [f for name, f in fast if name == "skbalance count_labels"][0]
        others = [(name, f) for name, f in fast if f is not ours]
        medians, ratios = paired_times([ours] + [f for _, f in others], repeats)
        rows.append((case, n, "skbalance count_labels", medians[0], 1.0))
        for (name, _), t, r in zip(others, medians[1:], ratios, strict=True):
            rows.append((case, n, name, t, 1 / r))
        for name, t in slow.items():
            rows.append((case, n, name, t, t / medians[0]))
        print(f"{case}, {n:,}: done", file=sys.stderr, flush=True)
    return rows


def render(rows, repeats):
    lines = [
        f"Median of {repeats} interleaved rounds (1 run when a call takes over "
        f"1 s); {machine()}, pandas {pd.__version__}. Ratio: time / skbalance "
        "count_labels (median of the per-round ratios).",
        "",
        "| labels | n | method | ms | ratio |",
        "|---|---:|---|---:|---:|",
    ]
    for case, n, name, t, ratio in rows:
        lines.append(f"| {case} | {n:,} | {name} | {1e3 * t:.2f} | {ratio:.2f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k labels, 3 rounds")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", help="also write the table as markdown here")
    args = parser.parse_args(argv)
    sizes = [100_000] if args.quick else [1_000_000, 10_000_000]
    repeats = 3 if args.quick else args.repeats
    rows = [row for n in sizes for row in run(n, repeats)]
    table = render(rows, repeats)
    print(table)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write("# Counting class labels\n\n" + table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
