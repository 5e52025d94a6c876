"""Label encoding and counting: the sorted classes, a code per row, the counts.

One counter, :func:`_count` (one pass in C over integers known to lie in a
window). Integer (and bool) labels of a compact range are counted as they
are; ``str`` labels are first coded by
:func:`skbalance._factorize.factorize_str`, other Python objects by a dict,
and floats and integers of a wide range by ``np.unique``, and their codes
counted. The measurements behind these choices are in
``benchmarks/README.md`` (``bench_labels.py``).
"""

import numpy as np

from skbalance._factorize import count_in_window, factorize_str
from skbalance._validation import check_missing

__all__ = ["count_labels", "encode", "encode_strata", "sort_by_code"]


def _count(values, low, width):
    """Rows per value ``low .. low + width - 1`` of integers all in that window."""
    shift = int(low)
    if shift >= 1 << 63:  # uint64 from 2**63: the kernel takes a signed low
        shift -= 1 << 64
    return count_in_window(np.ascontiguousarray(values), shift, width)


def _integer_range(values):
    """``(values, low, width)`` for integer labels of a compact range, else None.

    bool labels are read as uint8. A compact range is one whose counts take
    at most about twice the memory of the labels (plus 8 MB).
    """
    if values.dtype.kind == "b":
        values = values.view(np.uint8)
    if values.dtype.kind not in "iu" or values.size == 0:
        return None
    low, high = values.min(), values.max()
    width = int(high) - int(low) + 1
    return None if width > 2 * values.size + 1_000_000 else (values, low, width)


def _integer_counts(values):
    """``(uniques, counts, present, low)`` of integer labels of a compact range,
    else None; ``present`` are the offsets of the uniques from ``low``."""
    found = _integer_range(values)
    if found is None:
        return None
    ints, low, width = found
    counts = _count(ints, low, width)
    present = np.flatnonzero(counts)
    # low + present in the dtype of the labels, wrapping like the offsets
    uniques = np.add(present.astype(low.dtype), low, dtype=low.dtype)
    return uniques.astype(values.dtype), counts[present], present, low


def _objects_in_order(values):
    """Codes in order of first appearance and the unique values, by a dict:
    labels that are Python objects but not all ``str``."""
    table = {}
    codes = np.fromiter(
        (table.setdefault(v, len(table)) for v in values.tolist()),
        dtype=np.intp,
        count=values.shape[0],
    )
    uniques = np.empty(len(table), dtype=object)
    uniques[:] = list(table)
    return codes, uniques


def _hashed_codes(values, name):
    """``(uniques, codes, code_of)`` of labels that are not integers of a
    compact range, as :func:`encode_strata` returns them.

    Missing values and labels that cannot be sorted together (``str`` and
    numbers) are errors naming ``name``.
    """
    kind = values.dtype.kind
    found = factorize_str(values) if kind in "OU" else None  # all str, or None
    if found is None and kind in "fO":
        check_missing(values, name=name)
    try:
        if kind in "OU":  # codes in order of first appearance, then sorted
            codes, uniques = found or _objects_in_order(values)
            code_of = np.argsort(uniques, kind="stable")
            return uniques[code_of].astype(values.dtype), codes, code_of
        # not np.unique(return_inverse=True), whose argsort of every row is
        # the slowest way (benchmarks/README.md)
        uniques = np.unique(values)
        return uniques, np.searchsorted(uniques, values), np.arange(uniques.size)
    except TypeError:
        kinds = sorted({type(v).__name__ for v in values.tolist()})
        raise ValueError(
            f"{name} mixes label types ({', '.join(kinds)}); use one type, e.g. "
            "all strings."
        ) from None


def _dense_codes(codes, code_of):
    """Codes renumbered so that ``code_of[k]`` becomes ``k``."""
    if np.array_equal(code_of, np.arange(code_of.size)):
        return codes
    low = int(code_of.min())
    lookup = np.full(int(code_of.max()) - low + 1, -1, dtype=np.intp)
    lookup[code_of - low] = np.arange(code_of.size)
    return lookup[codes - low] if low else lookup[codes]


def encode_strata(values, *, name):
    """Sorted unique values, a code for every value, and the count of each.

    Like :func:`encode`, but the codes are not renumbered: ``codes ==
    code_of[k]`` marks the rows of ``uniques[k]``. Integer labels of a compact
    range are their own codes (less their minimum) and ``str`` labels keep
    their order of first appearance, which saves a pass over the rows when
    the caller only selects the rows of some values.

    Parameters
    ----------
    values : ndarray of shape (n_samples,)
        The labels or strata.
    name : str
        What ``values`` is, for error messages.

    Returns
    -------
    uniques : ndarray of shape (n_unique,)
        Sorted unique values, of the dtype of ``values``.
    codes : ndarray of int, shape (n_samples,)
        The code of every value.
    code_of : ndarray of int, shape (n_unique,)
        The code of every unique value.
    counts : ndarray of int64, shape (n_unique,)
        Rows per unique value.
    """
    found = _integer_counts(values)
    if found is not None:
        uniques, counts, code_of, low = found
        # values - low, in their dtype (exact modulo its width), read as
        # unsigned; below 2 ** 63 by the range check, so intp for 64 bits
        ints = values.view(np.uint8) if values.dtype.kind == "b" else values
        if low:
            ints = np.subtract(ints, low, dtype=ints.dtype)
        codes = ints.view(np.dtype(f"u{ints.dtype.itemsize}"))
        codes = codes.view(np.intp) if ints.dtype.itemsize == 8 else codes
        return uniques, codes, code_of, counts
    uniques, codes, code_of = _hashed_codes(values, name)
    counts = _count(codes, 0, uniques.size)[code_of]
    return uniques, codes, code_of, counts


def encode(values, *, name):
    """Sorted unique values, the code of every value, and the count of each.

    Missing values (NaN, None, pandas NA) and mixed label types are errors
    naming ``name``.
    """
    uniques, codes, code_of, counts = encode_strata(values, name=name)
    return uniques, _dense_codes(codes, code_of).astype(np.intp, copy=False), counts


def count_labels(values, *, name):
    """Sorted unique values and the count of each: :func:`encode` without the
    codes, which integer labels of a compact range are counted without."""
    found = _integer_counts(values)
    if found is not None:
        return found[:2]
    uniques, _, _, counts = encode_strata(values, name=name)
    return uniques, counts


def sort_by_code(codes, n_codes):
    """Stable order that groups equal codes, original order kept within a code.

    Codes are cast to 8 or 16 bits when they fit: numpy's stable sort of such
    keys is a radix sort, many times faster than sorting 64-bit integers.
    """
    small = np.uint8 if n_codes <= 256 else np.uint16 if n_codes <= 65536 else np.intp
    return np.argsort(codes.astype(small, copy=False), kind="stable")
