"""Multi-label over-sampling: the plan shared by ML-ROS and MLSMOTE, and ML-ROS.

Both samplers are members of the over-sampler family
(:class:`skbalance._base.BaseStrataOverSampler`); they replace only what a
multi-label target needs: the target check (an indicator matrix or label
lists), the plan of new rows (:func:`plan_new_rows`), and per-label counts.
"""

from numbers import Real

import numpy as np
from scipy import sparse

from skbalance._base import BaseStrataOverSampler, _Plan
from skbalance._compat import Interval, validate_data
from skbalance._containers import is_dataframe
from skbalance._diagnostics import multilabel_report, row_scumble
from skbalance._labels import encode
from skbalance._multilabel import as_indicator
from skbalance._validation import check_labels, check_rows

__all__ = ["MultilabelRandomOverSampler", "check_multilabel_target", "plan_new_rows"]

#: a new row is kept only if it lowers q * MeanIR by more than this: far above
#: the rounding error of the sums, so MeanIR computed afterwards never rises
_EPS = 1e-9


def _is_label_lists(y):
    return (
        isinstance(y, (list, tuple))
        and len(y) > 0
        and all(isinstance(row, (list, tuple, set, frozenset)) for row in y)
    )


def check_multilabel_target(y, n_samples):
    """A multi-label target as ``(Y, names, single)``.

    ``Y`` is a boolean CSR matrix (n_samples, n_labels), ``names`` the label
    of each column, ``single`` True when y holds one class label per row
    (read as one label per row).
    """
    if y is None:
        raise ValueError(
            "This estimator requires y to be passed, but the target y is None."
        )
    if _is_label_lists(y):
        Y, names = as_indicator(list(y))
        single = False
    elif sparse.issparse(y) or np.ndim(y) == 2 and np.shape(y)[1] > 1:
        values = y if sparse.issparse(y) else np.asarray(y)
        if not sparse.issparse(y) and values.dtype.kind not in "biuf":
            raise ValueError(
                "y is a 2-D array that is not a 0/1 indicator matrix; a "
                "multi-label y must be a 0/1 matrix (dense or sparse) or a list "
                "of label lists."
            )
        Y, names = as_indicator(values)
        if is_dataframe(y):
            names = np.asarray(y.columns)
        single = False
    else:
        labels = check_labels(y, n_samples=n_samples)
        names, codes, _ = encode(labels, name="y")
        ones = np.ones(codes.size, dtype=bool)
        Y = sparse.csr_matrix(
            (ones, codes, np.arange(codes.size + 1)), shape=(codes.size, names.size)
        )
        single = True
    if Y.shape[0] != n_samples:
        raise ValueError(
            f"X has {n_samples} rows but y has {Y.shape[0]}; they must have the "
            "same length."
        )
    return Y, names, single


def plan_new_rows(C, bags, counts, target, budget, rng):
    """Which candidate rows to add, in order (ML-ROS's loop).

    Round after round, every minority label (IRLbl above ``target``) adds the
    next candidate of its bag, until its IRLbl reaches ``target``, the bag has
    nothing left that lowers MeanIR, or ``budget`` rows were added. A bag is
    visited in order of increasing SCUMBLE of the candidates' label sets
    (random among ties), so rows whose other labels are not frequent ones come
    first, and cycled through, so every candidate is used once before any is
    used twice. A candidate is added only if it lowers MeanIR: adding a row
    that carries the most frequent label raises the IRLbl of every label it
    lacks.

    Parameters
    ----------
    C : sparse matrix of bool, shape (n_candidates, n_labels)
        Label set of each candidate new row.
    bags : dict of int to ndarray
        Candidates of each minority label (column of ``C``).
    counts : ndarray of int, shape (n_labels,)
        Positives per label before.
    target : float
        IRLbl level at which a label stops.
    budget : int
        Most rows to add.
    rng : numpy.random.Generator
        Breaks ties in the order of a bag.

    Returns
    -------
    chosen : ndarray of intp
        Candidate of every new row.
    """
    c = counts.astype(np.int64).tolist()
    present = counts > 0
    ir = np.ones(counts.size)
    ir[present] = counts.max() / counts[present]
    # SCUMBLE of the candidates in a bag only (few rows of a large set)
    scumble = np.zeros(C.shape[0])
    members = np.unique(np.concatenate([np.empty(0, np.intp), *bags.values()]))
    scumble[members] = row_scumble(C[members], ir)
    indptr, indices = C.indptr.tolist(), C.indices
    order = {
        label: members[np.lexsort((rng.random(members.size), scumble[members]))]
        for label, members in bags.items()
    }
    cursor = dict.fromkeys(bags, 0)
    top = max(c)
    active = sorted(bags, key=lambda label: (c[label], label))
    chosen = []
    while active and len(chosen) < budget:
        inverse = sum(1.0 / x for x in c if x)
        still = []
        for label in active:
            if len(chosen) == budget or not top > target * c[label]:
                continue
            members, tried = order[label], 0
            while tried < members.size:
                cand = members[cursor[label] % members.size]
                cursor[label] += 1
                tried += 1
                held = indices[indptr[cand] : indptr[cand + 1]].tolist()
                if max(c[j] for j in held) < top:
                    break  # the largest count stays: every IRLbl of held falls
                # the largest count grows by one: q * change of MeanIR
                change = inverse + sum(
                    (c[j] - top) / (c[j] * (c[j] + 1)) - 1.0 / c[j] for j in held
                )
                if change < -_EPS:
                    break
            else:
                continue  # nothing in this bag lowers MeanIR any more
            for j in held:
                inverse -= 1.0 / c[j] - 1.0 / (c[j] + 1)
                c[j] += 1
            top = max(top, max(c[j] for j in held))
            chosen.append(cand)
            if top > target * c[label]:
                still.append(label)
        active = still
    return np.asarray(chosen, dtype=np.intp)


class _MultilabelPlan:
    """What ``_plan`` hands to the other steps of one fit."""

    def __init__(self, Y, names, single, new_Y, extra):
        self.Y, self.names, self.single = Y, names, single
        self.new_Y = new_Y  # label sets of the new rows, CSR
        self.extra = extra  # None, or MLSMOTE's seeds and neighbours


class BaseMultilabelOverSampler(BaseStrataOverSampler):
    """Shared part of the multi-label samplers: target check, plan, counts.

    Subclasses give the budget as a fraction of the rows (``_fraction``), the
    candidate new rows (:meth:`_candidates`), and make them (``_make_rows``).
    """

    _parameter_constraints: dict = {
        **BaseStrataOverSampler._parameter_constraints,
        "target_mean_ir": [Interval(Real, 1, None, closed="left"), None],
    }

    def _plan(self, X, y, **params):
        if params:
            raise TypeError(
                f"{type(self).__name__}.fit_resample got unexpected parameters "
                f"{sorted(params)}."
            )
        n = check_rows(X)
        Y, names, single = check_multilabel_target(y, n)
        validate_data(self, X=X, skip_check_array=True, reset=True)
        X_checked = self._check_features(X)
        counts = np.asarray(Y.sum(axis=0)).ravel().astype(np.int64)
        n_present = int((counts > 0).sum())
        if n_present < 2:
            word = "class" if single else "label"
            raise ValueError(
                f"y has {n_present} {word} with positives; {type(self).__name__} "
                f"needs at least 2 to balance (one {word} cannot be imbalanced)."
            )
        ir = counts.max() / counts[counts > 0]
        target = self.target_mean_ir
        if target is None:
            target = float(ir.mean())
        rng = self._fit_rng()
        minority = np.flatnonzero((counts > 0) & (counts.max() > target * counts))
        C, bags, extra = self._candidates(X_checked, Y, minority)
        budget = int(self._fraction() * n)
        chosen = plan_new_rows(C, bags, counts, target, budget, rng)
        if extra is None:
            sources = chosen
        else:
            sources, extra = extra["seeds"][chosen], {**extra, "chosen": chosen}
        plan = _MultilabelPlan(Y, names, single, C[chosen], extra)
        self.counts_before_ = dict(zip(names.tolist(), counts.tolist(), strict=True))
        self.report_before_ = multilabel_report(Y, names)
        # no stratum codes: a row counts for each of its labels
        return _Plan(n, Y, None, counts, names.tolist(), sources, rng, own=plan)

    def _check_features(self, X):
        return X

    def _candidates(self, X, Y, minority):
        """``(C, bags, extra)``: candidate label sets, each minority label's
        candidates, and None (ML-ROS: the candidates are the input rows)."""
        by_label = Y.tocsc()
        indptr, indices = by_label.indptr, by_label.indices
        bags = {int(j): indices[indptr[j] : indptr[j + 1]] for j in minority}
        return Y, bags, None

    def _finish(self, base_plan, sources):
        plan, counts, keys = base_plan.own, base_plan.counts, base_plan.keys
        added = np.asarray(plan.new_Y.sum(axis=0)).ravel().astype(np.int64)
        self.counts_after_ = dict(zip(keys, (counts + added).tolist(), strict=True))
        self.sampling_strategy_ = {
            k: a for k, a in zip(keys, added.tolist(), strict=True) if a
        }
        self.report_after_ = multilabel_report(
            sparse.vstack([plan.Y, plan.new_Y], format="csr"), plan.names
        )
        return self._order(base_plan.n, sources, base_plan.rng)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class MultilabelRandomOverSampler(BaseMultilabelOverSampler):
    """Clone rows of minority labels until each reaches MeanIR (ML-ROS).

    Label-set-aware random over-sampling in the spirit of ML-ROS [1]_: the
    labels whose imbalance ratio IRLbl (count of the most frequent label over
    the label's count) is above the mean, MeanIR, get clones of the rows that
    carry them, one label after the other in rounds, until each label's IRLbl
    reaches MeanIR (or ``target_mean_ir``) or ``max_clone_fraction`` of the
    input rows were added. A row's whole label set is cloned with it, so rows
    whose other labels are not frequent ones (low SCUMBLE) are cloned first,
    and a clone that would raise MeanIR (because its frequent labels raise the
    largest count) is never made.

    Read more in the :ref:`User Guide <multilabel_sampling>`.

    Parameters
    ----------
    target_mean_ir : float >= 1 or None, default=None
        IRLbl at which a minority label stops getting clones. None: the MeanIR
        of the input, as in ML-ROS.
    max_clone_fraction : float in [0, 1], default=0.25
        Budget: at most ``int(max_clone_fraction * n_samples)`` clones.
    shuffle : bool, default=False
        Shuffle the output rows. By default the original rows come first,
        unchanged and in order, followed by the clones.
    random_state : int, RandomState instance or None, default=None
        Breaks ties between rows of equal SCUMBLE, and the order when
        ``shuffle=True``. Resolved with scikit-learn's ``check_random_state``.

    Attributes
    ----------
    counts_before_, counts_after_ : dict
        Positives per label in the input and the output, keyed by label
        (column index for a matrix y, label value for label lists).
    sampling_strategy_ : dict
        Positives added per label, for the labels that gained some.
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        Input row of every output row.
    report_before_, report_after_ : ImbalanceReport
        The multi-label imbalance report (IRLbl, MeanIR, SCUMBLE) of the
        input and the output labels.
    n_features_in_ : int
        Number of columns of X, when X is 2-D.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of X, when X is a DataFrame with string column names.

    See Also
    --------
    MLSMOTE : Synthetic rows between neighbours instead of clones.
    ClassWeightComputer : Per-label positive weights (``pos_weight``).
    imbalance_report : IRLbl, MeanIR and SCUMBLE of a multi-label target.

    Notes
    -----
    y is an indicator matrix (dense, sparse or a DataFrame) or a list of label
    lists and is returned in the same form; a 1-D y of class labels is read as
    one label per row. X can be any container of the other samplers.

    ML-ROS keeps MeanIR fixed at the input's value and clones the rows of a
    bag at random with replacement; here a bag is cycled through in order of
    SCUMBLE, each row cloned once before any row twice.

    References
    ----------
    .. [1] F. Charte, A. J. Rivera, M. J. del Jesus, F. Herrera, "Addressing
       imbalance in multilabel classification: Measures and random resampling
       algorithms", Neurocomputing 163, 2015.

    Examples
    --------
    >>> from skbalance import MultilabelRandomOverSampler
    >>> y = [["billing"]] * 60 + [["billing", "refund"]] * 5 + [["tech"]] * 35
    >>> X = [f"ticket {i}" for i in range(len(y))]
    >>> sampler = MultilabelRandomOverSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sampler.counts_before_
    {'billing': 65, 'refund': 5, 'tech': 35}
    >>> sampler.counts_after_
    {'billing': 74, 'refund': 14, 'tech': 35}
    >>> round(sampler.report_before_.multilabel["mean_ir"], 2)
    5.29
    >>> round(sampler.report_after_.multilabel["mean_ir"], 2)
    2.8
    >>> X_res[:100] == X, len(X_res), y_res[-1]
    (True, 109, ['billing', 'refund'])

    "refund" (IRLbl 13) got 9 clones, which carry "billing" too, until its
    IRLbl reached the input's MeanIR, 74 / 14 = 5.29.
    """

    _parameter_constraints: dict = {
        **BaseMultilabelOverSampler._parameter_constraints,
        "max_clone_fraction": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        *,
        target_mean_ir=None,
        max_clone_fraction=0.25,
        shuffle=False,
        random_state=None,
    ):
        self.target_mean_ir = target_mean_ir
        self.max_clone_fraction = max_clone_fraction
        self.shuffle = shuffle
        self.random_state = random_state

    def _fraction(self):
        return self.max_clone_fraction
