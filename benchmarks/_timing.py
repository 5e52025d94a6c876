"""Timing helpers shared by the benchmark scripts (run as scripts, so this
module is found next to them)."""

import os
import platform
import statistics
import time

import numpy as np
import sklearn

__all__ = ["machine", "median_time", "paired_times"]


def median_time(func, repeats):
    """Median wall time of ``repeats`` calls of ``func``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_times(funcs, repeats):
    """Median times of several functions run in interleaved rounds.

    Every round calls each function once, in an order rotated from round to
    round, so that the machine's slow and fast moments fall on all of them
    alike. Returns the median time of each function and, for every function
    after the first, the median over rounds of ``time(first) / time(it)``:
    a ratio measured within rounds, steadier on a shared machine than the
    ratio of two medians taken minutes apart.
    """
    for func in funcs:  # warm up caches and the allocator
        func()
    times = [[] for _ in funcs]
    for r in range(repeats):
        order = list(range(len(funcs)))
        order = order[r % len(funcs) :] + order[: r % len(funcs)]
        for i in order:
            start = time.perf_counter()
            funcs[i]()
            times[i].append(time.perf_counter() - start)
    medians = [statistics.median(t) for t in times]
    ratios = [
        statistics.median(a / b for a, b in zip(times[0], t, strict=True))
        for t in times[1:]
    ]
    return medians, ratios


def machine():
    """Cores and versions, for the header of a results table."""
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}"
    )
