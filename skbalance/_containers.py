"""The containers skbalance accepts, and row access that keeps them.

Every estimator takes numpy arrays (numeric or object, 2-D, or 1-D of texts or
records), plain lists (of texts, dicts or rows), pandas DataFrames and Series,
and scipy sparse matrices or arrays. This module is the one place that tells
them apart (as skrub's ``_dataframe`` and imbalanced-learn's
``ArraysTransformer`` do): the helpers take rows out of any of them, or add
new rows, and give back the same container type, so a DataFrame keeps its
dtypes and index labels and a list of dicts stays a list of the very same dicts.

pandas is never imported here: a pandas object can only come from a caller who
imported pandas already, so it is looked up in ``sys.modules``.
"""

import sys

import numpy as np
from scipy import sparse

from skbalance._fields import get_field

__all__ = [
    "append_rows",
    "column_values",
    "concat_rows",
    "drop_column",
    "gather_rows",
    "is_dataframe",
    "is_series",
    "n_rows",
    "take_rows",
]


def is_dataframe(X):
    """Whether ``X`` is a pandas DataFrame."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(X, pd.DataFrame)


def is_series(X):
    """Whether ``X`` is a pandas Series."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(X, pd.Series)


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
    if is_dataframe(X) or is_series(X):
        return X.take(indices)
    if isinstance(X, (list, tuple)):
        return [X[i] for i in indices.tolist()]
    from skbalance._compat import _safe_indexing  # scikit-learn

    return _safe_indexing(X, indices)


def gather_rows(X, indices):
    """:func:`take_rows` for indices valid by construction (a sampler's own).

    A C-ordered array is gathered into one preallocated output with
    ``np.take(..., mode="clip")``, which skips the bounds check that makes
    numpy buffer the output.
    """
    if isinstance(X, np.ndarray) and X.ndim >= 1 and X.flags.c_contiguous:
        indices = np.asarray(indices, dtype=np.intp)
        out = np.empty((indices.size,) + X.shape[1:], dtype=X.dtype)
        return np.take(X, indices, axis=0, out=out, mode="clip")
    return take_rows(X, indices)


def append_rows(X, new_indices):
    """All rows of ``X``, unchanged and in order, followed by ``X[new_indices]``.

    Arrays are written into one preallocated output: the original rows as a
    block copy, then a gather of the copies. Lists keep their objects.
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
    all_indices = np.concatenate([np.arange(n_rows(X), dtype=np.intp), new_indices])
    return take_rows(X, all_indices)


def concat_rows(X, new):
    """All rows of ``X`` followed by the rows ``new``, in the container of ``X``.

    ``new`` holds new content (not rows of ``X``): a DataFrame for a DataFrame
    ``X``, an array or sparse matrix of rows for a 2-D array or sparse ``X``,
    else a list of texts or records.
    """
    if is_dataframe(X):
        return sys.modules["pandas"].concat([X, new])
    if is_series(X):
        pd = sys.modules["pandas"]
        return pd.concat([X, pd.Series(new, dtype=X.dtype, name=X.name)])
    if sparse.issparse(X):
        return sparse.vstack([X, new], format=X.format)
    if isinstance(X, np.ndarray) and X.ndim == 2:
        return np.concatenate([X, new])
    if isinstance(X, np.ndarray):
        out = np.empty(len(X) + len(new), dtype=object)
        out[: len(X)] = X
        out[len(X) :] = new
        return out
    return list(X) + list(new)


def _is_records(X):
    return isinstance(X, (list, tuple)) or (
        isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype == object
    )


def column_values(X, key, *, param):
    """The values of one field of every row: a DataFrame column, a dict key or
    an array column, as a 1-D numpy array.

    Parameters
    ----------
    X : DataFrame, list of dict or 2-D ndarray
        The rows.
    key : str or int
        Column name, record key (or dotted path such as ``"meta.locale"`` or
        ``"messages.-1.content"``), or column index.
    param : str
        Name of the parameter that gave ``key``, used in error messages.
    """
    if is_dataframe(X):
        if key not in X.columns:
            raise ValueError(
                f"{param}={key!r} is not a column of X; its columns are "
                f"{list(X.columns)!r}."
            )
        return X[key].to_numpy()
    if _is_records(X):
        values = []
        for i, row in enumerate(X):
            if not isinstance(row, dict):
                raise ValueError(
                    f"{param}={key!r} names a record field, but row {i} of X is a "
                    f"{type(row).__name__}, not a dict. Pass groups= to fit_resample "
                    "instead."
                )
            try:
                values.append(row[key] if key in row else get_field(row, str(key)))
            except (KeyError, TypeError):
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


def drop_column(X, key):
    """``X`` without the field ``key`` (checked by :func:`column_values`).

    A DataFrame loses the column, a 2-D array the column index, and records
    become new dicts without the key (the input records are not changed).
    """
    if is_dataframe(X):
        return X.drop(columns=[key])
    if isinstance(X, np.ndarray) and X.ndim == 2:
        return np.delete(X, key, axis=1)
    rows = [{k: v for k, v in row.items() if k != key} for row in X]
    if isinstance(X, np.ndarray):
        out = np.empty(len(rows), dtype=object)
        out[:] = rows
        return out
    return rows
