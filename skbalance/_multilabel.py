"""Multi-label targets: recognise them and turn them into an indicator matrix."""

import numpy as np
from scipy import sparse

__all__ = ["as_indicator", "is_multilabel"]


def is_multilabel(y):
    """Whether y is a multi-label target: a 2-D 0/1 matrix with more than one
    column (dense or sparse) where some row does not hold exactly one 1, or a
    list of label lists (tuples, sets)."""
    if sparse.issparse(y):
        return y.ndim == 2 and y.shape[1] > 1
    if isinstance(y, (list, tuple)) and len(y) and isinstance(y[0], (list, tuple, set)):
        return True
    shape = getattr(y, "shape", None)
    if shape is None or len(shape) != 2 or shape[1] < 2:
        return False
    values = np.asarray(y)
    if values.dtype.kind not in "biuf" or not np.isin(values, (0, 1)).all():
        return False
    return not np.all(values.sum(axis=1) == 1)  # one 1 per row: one-vs-all


def as_indicator(y):
    """A multi-label target as ``(Y, labels)``: Y a boolean CSR matrix of shape
    (n_samples, n_labels), labels the label of each column (column indices for
    a matrix, the sorted label values for a list of label lists)."""
    if isinstance(y, (list, tuple)) and len(y) and isinstance(y[0], (list, tuple, set)):
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
    if values.ndim != 2 or not ((values == 0) | (values == 1)).all():
        raise ValueError(
            "A multi-label y must be a 0/1 matrix or a list of label lists."
        )
    return sparse.csr_matrix(values.astype(bool)), np.arange(values.shape[1])
