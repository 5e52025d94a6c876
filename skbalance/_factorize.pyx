# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Codes and counts of class labels, in C (see benchmarks/README.md, "labels").

``factorize_str``: codes of ``str`` labels from the hash each Python ``str``
caches: a probe in a small open-addressing table of the distinct values seen
so far and, on a matching hash, one comparison of the characters; a value
that is the same object as the one before it skips even that.

``count_in_window``: counts of integer labels or codes in one pass, into four
interleaved histograms of the window of values (consecutive equal labels then
do not wait on the same counter).
"""

from cpython.object cimport PyObject, PyObject_Hash
from cpython.unicode cimport (
    PyUnicode_CheckExact,
    PyUnicode_DATA,
    PyUnicode_GET_LENGTH,
    PyUnicode_KIND,
)
from libc.stdlib cimport calloc, free
from libc.string cimport memcmp

import numpy as np


cdef struct _Slot:
    Py_hash_t hash
    PyObject *key  # NULL: empty; kept alive by the list of uniques
    Py_ssize_t code


cdef inline bint _same_text(PyObject *a, PyObject *b) noexcept:
    """Equal ``str`` objects (CPython's ``unicode_eq``: a ``str`` stores its
    characters in the narrowest kind, so equal texts have equal kinds)."""
    cdef Py_ssize_t length = PyUnicode_GET_LENGTH(<object>a)
    if length != PyUnicode_GET_LENGTH(<object>b):
        return False
    cdef int kind = PyUnicode_KIND(<object>a)
    if kind != PyUnicode_KIND(<object>b):
        return False
    return memcmp(PyUnicode_DATA(<object>a), PyUnicode_DATA(<object>b), length * kind) == 0


cdef inline Py_ssize_t _probe(
    _Slot *table, Py_ssize_t mask, Py_hash_t h, PyObject *value
) noexcept:
    """The slot holding ``value``, or the empty slot where it goes."""
    cdef Py_ssize_t slot = h & mask
    while table[slot].key != NULL:
        if table[slot].hash == h and (
            table[slot].key == value or _same_text(value, table[slot].key)
        ):
            break
        slot = (slot + 1) & mask
    return slot


cdef _Slot *_grown(_Slot *table, Py_ssize_t capacity) noexcept:
    """A table of twice the capacity with the entries of ``table`` (freed),
    or NULL (``table`` kept) when out of memory."""
    cdef _Slot *grown = <_Slot *>calloc(2 * capacity, sizeof(_Slot))
    cdef Py_ssize_t j
    if grown == NULL:
        return NULL
    for j in range(capacity):
        if table[j].key != NULL:
            grown[_probe(grown, 2 * capacity - 1, table[j].hash, table[j].key)] = table[j]
    free(table)
    return grown


def factorize_str(values):
    """Codes in order of first appearance and the unique values, or None.

    Parameters
    ----------
    values : ndarray of object, shape (n,)
        The labels.

    Returns
    -------
    (codes, uniques) or None
        ``codes`` (intp) number the values in order of first appearance and
        ``uniques`` (object array) holds them. None when a value is not
        exactly a ``str`` (None, NaN, numbers, ``str`` subclasses), or
        ``values`` is not 1-D: the caller then takes the general path, which
        also reports the error.
    """
    values = np.ascontiguousarray(values, dtype=object)
    if values.ndim != 1:
        return None
    cdef Py_ssize_t n = values.shape[0]
    codes = np.empty(n, dtype=np.intp)
    cdef Py_ssize_t[::1] out = codes
    cdef PyObject **data = <PyObject **><size_t>values.__array_interface__["data"][0]
    uniques = []
    # open addressing, kept at most half full
    cdef Py_ssize_t capacity = 16, i, slot, code = -1
    cdef _Slot *table = <_Slot *>calloc(capacity, sizeof(_Slot))
    cdef _Slot *grown
    cdef PyObject *value
    cdef PyObject *previous = NULL
    cdef Py_hash_t h
    if table == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            value = data[i]
            if value == NULL:  # left by C code; NumPy reads it as None
                return None
            if value != previous:
                if not PyUnicode_CheckExact(<object>value):
                    return None
                h = PyObject_Hash(<object>value)  # cached in the str after once
                slot = _probe(table, capacity - 1, h, value)
                if table[slot].key == NULL:  # a new value
                    if 2 * (len(uniques) + 1) > capacity:
                        grown = _grown(table, capacity)
                        if grown == NULL:
                            raise MemoryError()
                        table = grown
                        capacity *= 2
                        slot = _probe(table, capacity - 1, h, value)
                    table[slot].hash = h
                    table[slot].key = value
                    table[slot].code = len(uniques)
                    uniques.append(<object>value)
                code = table[slot].code
                previous = value
            out[i] = code
    finally:
        free(table)
    result = np.empty(len(uniques), dtype=object)
    result[:] = uniques
    return codes, result


ctypedef fused label_t:
    signed char
    short
    int
    long long
    unsigned char
    unsigned short
    unsigned int
    unsigned long long


#: up to this many values, four interleaved histograms (small enough to stay
#: in cache); wider windows get one, as np.bincount has
cdef Py_ssize_t INTERLEAVED_WIDTH = 4096


def count_in_window(const label_t[::1] values, long long low, Py_ssize_t width):
    """Rows per value ``low .. low + width - 1``: ``np.bincount(values - low)``.

    Parameters
    ----------
    values : ndarray of int, shape (n,)
        The labels, C-contiguous, all in the window.
    low : int
        The smallest value of the window; for uint64 labels from ``2 ** 63``,
        its two's complement (``low - 2 ** 64``).
    width : int
        The number of values of the window, at least 0.

    Returns
    -------
    counts : ndarray of int64, shape (width,)
        ``counts[v - low]`` rows hold ``v``.
    """
    if width < 0:
        raise ValueError(f"width must be at least 0; got {width}")
    cdef Py_ssize_t n = values.shape[0], i, j
    # consecutive rows go to different histograms when there are four, so
    # that equal labels in a row do not wait on the same counter
    cdef Py_ssize_t s1 = width if width <= INTERLEAVED_WIDTH else 0
    cdef Py_ssize_t copies = 4 if s1 else 1
    cdef unsigned long long a, b, c, d, w = <unsigned long long>width
    cdef unsigned long long shift = <unsigned long long>low
    cdef long long *counts = <long long *>calloc(copies * width + 1, sizeof(long long))
    if counts == NULL:
        raise MemoryError()
    cdef bint inside = True
    try:
        with nogil:
            i = 0
            # offsets from low in unsigned arithmetic (defined on overflow):
            # a value below low wraps above w
            while i + 4 <= n:
                a = <unsigned long long><long long>values[i] - shift
                b = <unsigned long long><long long>values[i + 1] - shift
                c = <unsigned long long><long long>values[i + 2] - shift
                d = <unsigned long long><long long>values[i + 3] - shift
                if (a >= w) | (b >= w) | (c >= w) | (d >= w):
                    inside = False
                    break
                counts[a] += 1
                counts[s1 + b] += 1
                counts[2 * s1 + c] += 1
                counts[3 * s1 + d] += 1
                i += 4
            while inside and i < n:
                a = <unsigned long long><long long>values[i] - shift
                if a >= w:
                    inside = False
                    break
                counts[a] += 1
                i += 1
        if not inside:
            raise ValueError(f"a value lies outside {low} .. {low + width - 1}")
        out = np.zeros(width, dtype=np.int64)
        _sum_histograms(out, counts, width, copies)
        return out
    finally:
        free(counts)


cdef void _sum_histograms(
    long long[::1] out, long long *counts, Py_ssize_t width, Py_ssize_t copies
):
    cdef Py_ssize_t j, k
    for k in range(copies):
        for j in range(width):
            out[j] += counts[k * width + j]
