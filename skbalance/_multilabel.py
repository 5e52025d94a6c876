"""Multi-label targets: recognise them and turn them into an indicator matrix.

A dense 0/1 matrix is read in one pass: a boolean view of it (no copy for
1-byte dtypes) gives the flat positions of its nonzeros, and only those are
checked to be 1, so the 0/1 check, the one-vs-all check and the CSR matrix
cost one scan of the matrix plus work linear in the nonzeros.
"""

import numpy as np
from scipy import sparse

__all__ = ["as_indicator", "is_multilabel", "read_multilabel"]

_NOT_01 = "A multi-label y must be a 0/1 matrix or a list of label lists."


def _is_label_lists(y):
    return (
        isinstance(y, (list, tuple)) and len(y) and isinstance(y[0], (list, tuple, set))
    )


def _dense_csr(values):
    """A 2-D numeric array as ``(Y, one_per_row)``: Y a canonical boolean CSR
    matrix, or None when some value is not 0 or 1."""
    n, L = values.shape
    values = np.ascontiguousarray(values)
    flags = values.view(bool) if values.dtype.itemsize == 1 else values.astype(bool)
    flat = np.flatnonzero(flags)  # NaN is nonzero, then not 1 below
    if values.dtype != bool and not (values.reshape(-1)[flat] == 1).all():
        return None, False
    rows, cols = np.divmod(flat, L)
    per_row = np.bincount(rows, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_row, out=indptr[1:])
    if L < 2**31 and flat.size < 2**31:
        indptr, cols = indptr.astype(np.int32), cols.astype(np.int32)
    Y = sparse.csr_matrix(
        (np.ones(flat.size, dtype=bool), cols, indptr), shape=(n, L), copy=False
    )
    Y.has_canonical_format = True  # sorted, no duplicates: read in order
    return Y, bool((per_row == 1).all())


def read_multilabel(y):
    """``(Y, labels)`` if y is a multi-label target, else None.

    Multi-label: a 2-D 0/1 matrix with more than one column (dense or
    sparse) where some row does not hold exactly one 1 (one 1 per row is a
    one-vs-all encoding of one label per row), or a list of label lists
    (tuples, sets). Y is a boolean CSR matrix of shape (n_samples,
    n_labels); labels are the column indices for a matrix, the sorted label
    values for a list of label lists.
    """
    if sparse.issparse(y):
        return as_indicator(y) if y.ndim == 2 and y.shape[1] > 1 else None
    if _is_label_lists(y):
        return as_indicator(y)
    shape = getattr(y, "shape", None)
    if shape is None or len(shape) != 2 or shape[1] < 2:
        return None
    values = np.asarray(y)
    if values.dtype.kind not in "biuf":
        return None
    Y, one_per_row = _dense_csr(values)
    if Y is None or one_per_row:
        return None
    return Y, np.arange(values.shape[1])


def is_multilabel(y):
    """Whether y is a multi-label target (see :func:`read_multilabel`)."""
    return read_multilabel(y) is not None


def as_indicator(y):
    """A multi-label target as ``(Y, labels)``: Y a boolean CSR matrix of shape
    (n_samples, n_labels), labels the label of each column (column indices for
    a matrix, the sorted label values for a list of label lists)."""
    if _is_label_lists(y):
        from sklearn.preprocessing import MultiLabelBinarizer

        mlb = MultiLabelBinarizer(sparse_output=True)
        Y = mlb.fit_transform(y)
        return sparse.csr_matrix(Y, dtype=bool), mlb.classes_
    if sparse.issparse(y):
        Y = sparse.csr_matrix(y)  # shares the caller's arrays
        if Y.dtype != bool:
            if Y.nnz and not ((Y.data == 0) | (Y.data == 1)).all():
                raise ValueError("A sparse multi-label y must hold only 0 and 1.")
            Y = Y.astype(bool)
        elif not (Y.has_canonical_format and Y.data.all()):
            Y = Y.copy()  # the in-place clean-up below must not touch y
        Y.sum_duplicates()  # a duplicate 1 is one label, not two
        if not Y.data.all():
            Y.eliminate_zeros()
        return Y, np.arange(Y.shape[1])
    values = np.asarray(y)
    Y = None
    if values.ndim == 2 and values.dtype.kind in "biuf":
        Y, _ = _dense_csr(values)
    if Y is None:
        raise ValueError(_NOT_01)
    return Y, np.arange(values.shape[1])
