"""Input checks shared by the estimators: rows of X, labels, groups, missing
values, and ``random_state`` turned into a NumPy Generator."""

import sys
from numbers import Integral

import numpy as np
from scipy import sparse

from skbalance._containers import is_dataframe, is_series, n_rows

__all__ = [
    "check_groups",
    "check_labels",
    "check_missing",
    "check_rows",
    "random_state_instance",
    "rng_from_random_state",
]


def _describe_rows(rows):
    shown = ", ".join(str(i) for i in rows[:5])
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def check_rows(X):
    """Validate X as rows of samples; return the number of rows.

    Accepted: 2-D arrays (any dtype but complex), sparse matrices, DataFrames,
    lists of rows, and 1-D arrays, Series or lists of texts or records.
    """
    if X is None:
        raise ValueError("X is None; pass the rows to resample.")
    from sklearn.utils import check_array  # imported by the estimators anyway

    if (
        isinstance(X, np.ndarray)
        and X.ndim == 2
        and X.dtype.kind in "biuf"
        and X.shape[0] > 0
        and X.shape[1] > 0
    ):
        return X.shape[0]  # nothing check_array would reject (NaN is allowed)
    if sparse.issparse(X) or (isinstance(X, np.ndarray) and X.ndim != 1):
        check_array(
            X, accept_sparse=True, dtype=None, ensure_all_finite=False, allow_nd=True
        )
        return n_rows(X)
    if is_dataframe(X) or is_series(X):
        if is_dataframe(X):
            if X.shape[0] == 0 or X.shape[1] == 0:
                check_array(np.empty(X.shape))  # sklearn's own message
            return X.shape[0]
        values = X.to_numpy()
    elif isinstance(X, np.ndarray):
        values = X
    elif isinstance(X, (list, tuple)):
        if len(X) == 0:
            raise ValueError("X is empty (0 rows); there is nothing to resample.")
        first = X[0]
        if isinstance(first, (str, bytes, dict)):
            return len(X)
        if isinstance(first, (list, tuple, np.ndarray)):
            check_array(X, dtype=None, ensure_all_finite=False)
            return len(X)
        values = np.asarray(X)
    else:
        if not hasattr(X, "__len__"):
            raise ValueError(
                f"X of type {type(X).__name__} has no len(); pass an array, a list, "
                "a DataFrame or a sparse matrix."
            )
        if len(X) == 0:
            raise ValueError("X is empty (0 rows); there is nothing to resample.")
        return len(X)
    # a 1-D sequence: texts or records are rows; numbers are a likely mistake
    if values.shape[0] == 0:
        raise ValueError("X is empty (0 rows); there is nothing to resample.")
    if values.dtype.kind in "biufc":
        raise ValueError(
            "Expected a 2D array, got a 1D array of numbers instead. Reshape X "
            "with X.reshape(-1, 1) if it is a single feature; 1-D X is taken as "
            "rows only when it holds texts or records (dicts)."
        )
    return values.shape[0]


def check_labels(y, *, n_samples=None, name="y"):
    """Validate class labels; return them as a 1-D ndarray.

    A one-vs-all indicator matrix (one 1 per row) is turned into column
    indices, a column vector is raveled. Missing labels, continuous targets,
    multilabel targets and a length that differs from X are errors.
    """
    if y is None:
        raise ValueError(
            f"This estimator requires y to be passed, but the target {name} is None."
        )
    if is_dataframe(y) or is_series(y):
        y = y.to_numpy()
    elif isinstance(y, (list, tuple)):
        values = y
        y = np.asarray(values)
        if y.dtype.kind in "US" and not all(
            isinstance(v, (str, bytes)) for v in values
        ):
            y = np.asarray(values, dtype=object)  # numpy would turn 1 into "1"
    elif not isinstance(y, np.ndarray):
        y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    elif y.ndim == 2:
        is_indicator = y.dtype.kind in "biuf" and np.isin(y, (0, 1)).all()
        if not (is_indicator and np.all(y.sum(axis=1) == 1)):
            raise ValueError(
                f"{name} is a 2-D array of shape {y.shape}: multilabel and "
                "multioutput targets are not supported. Pass one label per row "
                "(a one-vs-all indicator with a single 1 per row is accepted)."
            )
        y = y.argmax(axis=1)
    elif y.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {y.shape}.")
    if n_samples is not None and y.shape[0] != n_samples:
        raise ValueError(
            f"X has {n_samples} rows but {name} has {y.shape[0]}; they must have "
            "the same length."
        )
    if y.dtype.kind == "f":
        check_missing(y, name=name)  # object labels are checked by encode()
        if not np.isfinite(y).all():
            raise ValueError(f"Input {name} contains infinity; labels must be finite.")
    if y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
        raise ValueError(
            f"Unknown label type: continuous. {name} holds non-integer numbers; "
            "class labels are needed, not a regression target."
        )
    if y.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: {name} holds complex values.")
    return y


def check_groups(groups, *, n_samples, against):
    """A per-sample group array (domain, locale) as a 1-D ndarray.

    ``against`` names what its length must match ("X", "y", "y_true") in the
    message. Missing values are reported by :func:`encode`.
    """
    values = np.asarray(groups)
    if values.ndim != 1:
        raise ValueError(f"groups must be 1-D; got shape {values.shape}.")
    if values.shape[0] != n_samples:
        raise ValueError(
            f"{against} has {n_samples} rows but groups has {values.shape[0]}; they "
            "must have the same length."
        )
    return values


def _raise_missing(missing, name):
    rows = np.flatnonzero(missing).tolist()
    raise ValueError(
        f"{name} has missing values (NaN or None) at {_describe_rows(rows)}; "
        "drop or label those rows."
    )


def check_missing(values, *, name):
    """Raise if ``values`` holds NaN, None or a pandas missing value."""
    kind = values.dtype.kind
    if kind == "f":
        missing = np.isnan(values)
    elif kind == "O":
        pd = sys.modules.get("pandas")
        if pd is not None:
            missing = np.asarray(pd.isna(values), dtype=bool)
        else:
            missing = np.fromiter(
                (v is None or v != v for v in values), dtype=bool, count=len(values)
            )
    else:
        return
    if missing.any():
        _raise_missing(missing, name)


def rng_from_random_state(random_state):
    """A NumPy Generator seeded by one draw of ``random_state``: the one bridge
    from scikit-learn's ``random_state`` to ``numpy.random.Generator``.

    ``random_state`` is resolved by ``check_random_state`` (an int and
    ``RandomState(int)`` give the same Generator, None fresh randomness; a
    RandomState instance is advanced by the draw). A Generator's draws
    without replacement take a fraction of the random numbers of the legacy
    ``RandomState.choice``, which shuffles the whole population.

    Examples
    --------
    >>> a = rng_from_random_state(0).integers(100, size=3)
    >>> b = rng_from_random_state(np.random.RandomState(0)).integers(100, size=3)
    >>> bool((a == b).all())
    True
    """
    state = random_state_instance(random_state)
    return np.random.default_rng(int(state.randint(0, 2**63 - 1, dtype=np.int64)))


def random_state_instance(random_state):
    """scikit-learn's ``check_random_state``, imported only for what is
    neither an int nor a RandomState (so the command line splits a file
    without importing scikit-learn).

    Examples
    --------
    >>> random_state_instance(0).randint(100, size=3).tolist()
    [44, 47, 64]
    """
    if isinstance(random_state, Integral):  # check_random_state's rules
        return np.random.RandomState(random_state)
    if isinstance(random_state, np.random.RandomState):
        return random_state
    from sklearn.utils import check_random_state

    return check_random_state(random_state)
