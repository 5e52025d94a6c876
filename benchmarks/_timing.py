"""Timing helpers shared by the benchmark scripts (run as scripts, so this
module is found next to them)."""

import os
import platform
import statistics
import time

import numpy as np
import sklearn

__all__ = ["machine", "median_time"]


def median_time(func, repeats):
    """Median wall time of ``repeats`` calls of ``func``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def machine():
    """Cores and versions, for the header of a results table."""
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}"
    )
