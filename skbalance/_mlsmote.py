"""MLSMOTE: synthetic multi-label rows between a minority row and its neighbours."""

import sys
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_array

from skbalance._compat import Interval
from skbalance._containers import append_rows, is_dataframe
from skbalance._multilabel_sampling import BaseMultilabelOverSampler

__all__ = ["MLSMOTE"]


#: bags up to this many rows get their neighbours from one distance matrix
#: (32 MB at most), larger ones from NearestNeighbors, which works in chunks
_DENSE_BAG = 2048


def _neighbours(X, bag, k):
    """The ``min(k, m - 1)`` nearest neighbours (input rows) of every row of
    ``bag`` (``m`` rows) among the other rows of the bag."""
    m = bag.size
    k_eff = min(k, m - 1)
    if k_eff == 0:
        return np.empty((m, 0), dtype=np.intp)
    Xb = X[bag]
    if m <= _DENSE_BAG:
        dist = euclidean_distances(Xb, squared=True)
        np.fill_diagonal(dist, np.inf)  # a row is not its own neighbour
        ind = np.argsort(dist, axis=1, kind="stable")[:, :k_eff]
    else:
        nn = NearestNeighbors(n_neighbors=k_eff).fit(Xb)
        ind = nn.kneighbors(return_distance=False)  # without the row itself
    return bag[ind]


def _votes(Y, seeds, near):
    """Label sets held by more than half of each seed and its neighbours."""
    n_voters = np.array([nb.shape[1] + 1 for nb in near for _ in range(len(nb))])
    cols = np.concatenate(
        [np.column_stack([s, nb]).ravel() for s, nb in zip(seeds, near, strict=True)]
    )
    ptr = np.concatenate([[0], np.cumsum(n_voters)])
    A = sparse.csr_matrix(
        (np.ones(cols.size, dtype=np.int32), cols, ptr),
        shape=(n_voters.size, Y.shape[0]),
    )
    votes = A @ Y.astype(np.int32)
    votes.data = votes.data > np.repeat(n_voters / 2, np.diff(votes.indptr))
    votes.eliminate_zeros()
    return votes.astype(bool), n_voters - 1


class MLSMOTE(BaseMultilabelOverSampler):
    """Synthetic rows for minority labels, between a row and its neighbours.

    MLSMOTE [1]_ for numeric or sparse feature matrices: for a label whose
    IRLbl is above MeanIR, every row carrying it is a seed; a new row lies on
    the segment between the seed and one of its ``k_neighbors`` nearest
    neighbours among the rows carrying the same label (from scikit-learn's
    ``euclidean_distances``, or its ``NearestNeighbors`` for a label of more
    than 2,048 rows), and carries the labels held by more than half of
    the seed and its neighbours (the label itself always). Which seeds make a
    row, and how many, follows :class:`MultilabelRandomOverSampler`'s plan:
    rounds over the minority labels until each reaches MeanIR (or
    ``target_mean_ir``) or ``max_new_fraction`` of the rows were added, seeds
    of low SCUMBLE first, and no new row that would raise MeanIR.

    Read more in the :ref:`User Guide <multilabel_sampling>`.

    Parameters
    ----------
    k_neighbors : int, default=5
        Neighbours of each seed among the rows sharing its minority label
        (fewer when that label has fewer rows).
    target_mean_ir : float >= 1 or None, default=None
        IRLbl at which a minority label stops getting new rows. None: the
        MeanIR of the input.
    max_new_fraction : float in [0, 1], default=0.25
        Budget: at most ``int(max_new_fraction * n_samples)`` new rows.
    shuffle : bool, default=False
        Shuffle the output rows. By default the original rows come first,
        unchanged and in order, followed by the new rows.
    random_state : int, RandomState instance or None, default=None
        Ties in the seed order, the neighbour of each new row and its place on
        the segment, and the order when ``shuffle=True``. Resolved with
        scikit-learn's ``check_random_state``.

    Attributes
    ----------
    counts_before_, counts_after_ : dict
        Positives per label in the input and the output.
    sampling_strategy_ : dict
        Positives added per label, for the labels that gained some.
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        Input row of every output row (the seed, for a new row).
    report_before_, report_after_ : ImbalanceReport
        The multi-label imbalance report of the input and output labels.
    n_features_in_ : int
        Number of columns of X.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of X, when X is a DataFrame with string column names.

    See Also
    --------
    MultilabelRandomOverSampler : Clones, for any kind of rows (texts too).
    imblearn.over_sampling.SMOTE : The single-label original.

    Notes
    -----
    X is a numeric matrix, dense, sparse or a DataFrame; new rows keep the
    dtype of X (integer features are truncated, as in imbalanced-learn's
    SMOTE). Unlike the paper, which makes one new row per seed and label, the
    number of new rows is set by the target and the budget, as for ML-ROS, so
    that the two samplers compare at the same size.

    References
    ----------
    .. [1] F. Charte, A. J. Rivera, M. J. del Jesus, F. Herrera, "MLSMOTE:
       Approaching imbalanced multilabel learning through synthetic instance
       generation", Knowledge-Based Systems 89, 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance import MLSMOTE
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(100, 3))
    >>> Y = np.zeros((100, 3), dtype=int)
    >>> Y[:, 0] = 1
    >>> Y[:8, 1] = 1
    >>> Y[50:, 2] = 1
    >>> sampler = MLSMOTE(k_neighbors=3, random_state=0)
    >>> X_res, Y_res = sampler.fit_resample(X, Y)
    >>> sampler.counts_before_, sampler.counts_after_
    ({0: 100, 1: 8, 2: 50}, {0: 115, 1: 23, 2: 50})
    >>> X_res.shape, bool((X_res[:100] == X).all()), Y_res[-1].tolist()
    ((115, 3), True, [1, 1, 0])
    """

    _parameter_constraints: dict = {
        **BaseMultilabelOverSampler._parameter_constraints,
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "max_new_fraction": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        *,
        k_neighbors=5,
        target_mean_ir=None,
        max_new_fraction=0.25,
        shuffle=False,
        random_state=None,
    ):
        self.k_neighbors = k_neighbors
        self.target_mean_ir = target_mean_ir
        self.max_new_fraction = max_new_fraction
        self.shuffle = shuffle
        self.random_state = random_state

    def _fraction(self):
        return self.max_new_fraction

    def _check_features(self, X):
        try:
            return check_array(X, accept_sparse=["csr"], dtype="numeric")
        except ValueError as exc:
            if "NaN" in str(exc) or "infinity" in str(exc):
                raise
            raise ValueError(
                "MLSMOTE interpolates features: X must be a numeric matrix (dense, "
                f"sparse or a DataFrame of numbers); got {type(X).__name__} ({exc}) "
                "Vectorise texts first (e.g. TfidfVectorizer), or use "
                "MultilabelRandomOverSampler, which takes any rows."
            ) from None

    def _candidates(self, X, Y, minority):
        by_label, k = Y.tocsc(), self.k_neighbors
        seeds, near, bags, start = [], [], {}, 0
        for j in minority.tolist():
            bag = np.sort(by_label.indices[by_label.indptr[j] : by_label.indptr[j + 1]])
            seeds.append(bag)
            near.append(_neighbours(X, bag, k))
            bags[j] = np.arange(start, start + bag.size)
            start += bag.size
        if not bags:
            empty = np.empty(0, dtype=np.intp)
            C = sparse.csr_matrix((0, Y.shape[1]), dtype=bool)
            extra = {"seeds": empty, "neighbours": empty.reshape(0, k), "X": X}
            return C, bags, {**extra, "n_valid": empty}
        C, n_valid = _votes(Y, seeds, near)
        # k columns of neighbours, repeated when fewer (the seed when none)
        padded = [
            nb[:, np.arange(k) % nb.shape[1]]
            if nb.shape[1]
            else s[:, None].repeat(k, 1)
            for s, nb in zip(seeds, near, strict=True)
        ]
        extra = {
            "seeds": np.concatenate(seeds),
            "neighbours": np.concatenate(padded),
            "n_valid": np.maximum(n_valid, 1),
            "X": X,
        }
        return C, bags, extra

    def _make_rows(self, X, plan):
        extra, sources, rng = plan.own.extra, plan.sources, plan.rng
        chosen, Xc = extra["chosen"], extra["X"]
        pick = (rng.random(chosen.size) * extra["n_valid"][chosen]).astype(np.intp)
        refs = extra["neighbours"][chosen, pick]
        gap = rng.random(chosen.size)
        seed_rows = Xc[sources]
        if sparse.issparse(Xc):
            new = seed_rows + sparse.diags(gap) @ (Xc[refs] - seed_rows)
            new = sparse.csr_matrix(new, dtype=Xc.dtype)
            if sparse.issparse(X):
                new = new.asformat(X.format)
        else:
            new = (seed_rows + gap[:, None] * (Xc[refs] - seed_rows)).astype(Xc.dtype)
        if is_dataframe(X):
            pd = sys.modules["pandas"]
            make = (
                pd.DataFrame.sparse.from_spmatrix
                if sparse.issparse(new)
                else pd.DataFrame
            )
            new = make(new, columns=X.columns, index=X.index[sources])
            new = new.astype(X.dtypes.to_dict())
        elif isinstance(X, np.ndarray):
            new = new.astype(X.dtype, copy=False)
        return sources, new

    def _output_labels(self, y, plan, sources):
        plan = plan.own
        if plan.single:
            return append_rows(y, sources)  # every vote is the seed's one label
        new_Y = plan.new_Y
        if isinstance(y, (list, tuple)):
            names, ptr = plan.names, new_Y.indptr.tolist()
            rows = zip(ptr[:-1], ptr[1:], strict=True)
            return list(y) + [names[new_Y.indices[a:b]].tolist() for a, b in rows]
        if sparse.issparse(y):
            return sparse.vstack([y, new_Y.astype(y.dtype)], format=y.format)
        if is_dataframe(y):
            pd = sys.modules["pandas"]
            new = pd.DataFrame(
                new_Y.toarray(), columns=y.columns, index=y.index[sources]
            )
            return pd.concat([y, new.astype(y.dtypes.to_dict())])
        y = np.asarray(y)
        return np.concatenate([y, new_Y.toarray().astype(y.dtype)])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = False
        tags.input_tags.allow_nan = False
        return tags
