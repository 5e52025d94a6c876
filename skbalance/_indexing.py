"""Row access that keeps the caller's container.

skbalance accepts numpy arrays (numeric or object, 2-D, or 1-D of texts or
records), plain lists (of texts, dicts or rows), pandas DataFrames and Series,
and scipy sparse matrices or arrays. These helpers take rows out of any of
them and give back the same container type, so a DataFrame keeps its dtypes
and index labels and a list of dicts stays a list of the very same dicts.
"""

import numpy as np
from scipy import sparse

from skbalance._compat import _safe_indexing

__all__ = ["append_rows", "column_values", "n_rows", "take_rows"]


def _is_pandas(X):
    return hasattr(X, "iloc") and hasattr(X, "take")


def n_rows(X):
    """Number of rows (samples) of any supported container."""
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) >= 1:
        return int(shape[0])
    return len(X)


def take_rows(X, indices):
    """Rows ``X[indices]`` in the container type of ``X``.

    Duplicated rows of a list are the same Python objects as their source (as
    with ``[X[i] for i in indices]``); copy them before mutating one.
    """
    indices = np.asarray(indices, dtype=np.intp)
    if isinstance(X, np.ndarray):
        return X.take(indices, axis=0)
    if sparse.issparse(X):
        if X.format == "csr":
            return X[indices]
        return X.tocsr()[indices].asformat(X.format)
    if _is_pandas(X):
        return X.take(indices)
    if isinstance(X, (list, tuple)):
        return [X[i] for i in indices.tolist()]
    return _safe_indexing(X, indices)


def append_rows(X, new_indices, all_indices=None):
    """All rows of ``X``, unchanged and in order, followed by ``X[new_indices]``.

    Faster than ``take_rows(X, concatenate([arange(n), new_indices]))`` for
    arrays and lists: the original rows are copied as one block. Other
    containers take ``all_indices`` (that concatenation) when the caller has
    it already.
    """
    new_indices = np.asarray(new_indices, dtype=np.intp)
    if isinstance(X, np.ndarray) and X.ndim >= 1:
        n = X.shape[0]
        order = "F" if (X.flags.f_contiguous and not X.flags.c_contiguous) else "C"
        out = np.empty(
            (n + new_indices.size,) + X.shape[1:], dtype=X.dtype, order=order
        )
        out[:n] = X
        if order == "C":
            # mode="clip": the indices are valid by construction, and the default
            # mode="raise" makes numpy buffer the whole output (2x slower)
            np.take(X, new_indices, axis=0, out=out[n:], mode="clip")
        else:
            out[n:] = X.take(new_indices, axis=0)
        return out
    if isinstance(X, (list, tuple)):
        return list(X) + [X[i] for i in new_indices.tolist()]
    if all_indices is None:
        all_indices = np.concatenate([np.arange(n_rows(X), dtype=np.intp), new_indices])
    return take_rows(X, all_indices)


def column_values(X, key, *, param):
    """The values of one field of every row: a DataFrame column, a dict key or
    an array column, as a 1-D numpy array.

    Parameters
    ----------
    X : DataFrame, list of dict or 2-D ndarray
        The rows.
    key : str or int
        Column name, record key, or column index.
    param : str
        Name of the parameter that gave ``key``, used in error messages.
    """
    if _is_pandas(X) and hasattr(X, "columns"):
        if key not in X.columns:
            raise ValueError(
                f"{param}={key!r} is not a column of X; its columns are "
                f"{list(X.columns)!r}."
            )
        return X[key].to_numpy()
    if isinstance(X, (list, tuple)) or (
        isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype == object
    ):
        values = []
        for i, row in enumerate(X):
            if not isinstance(row, dict):
                raise ValueError(
                    f"{param}={key!r} names a record field, but row {i} of X is a "
                    f"{type(row).__name__}, not a dict. Pass groups= to fit_resample "
                    "instead."
                )
            try:
                values.append(row[key])
            except KeyError:
                raise ValueError(
                    f"{param}={key!r} is missing from row {i} of X (its keys are "
                    f"{sorted(map(str, row))!r})."
                ) from None
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    if isinstance(X, np.ndarray) and X.ndim == 2:
        if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, np.integer)):
            raise ValueError(
                f"{param}={key!r} must be a column index (an int) when X is a 2-D "
                "array."
            )
        if not -X.shape[1] <= key < X.shape[1]:
            raise ValueError(
                f"{param}={key!r} is out of range for X with {X.shape[1]} columns."
            )
        return X[:, key]
    raise ValueError(
        f"{param}={key!r} needs X to be a DataFrame, a list of dicts or a 2-D "
        f"array; got {type(X).__name__}. Pass groups= to fit_resample instead."
    )
