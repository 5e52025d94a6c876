"""A plain-numpy implementation of ML-ROS and MLSMOTE as skbalance runs them
(same plan, same random draws), the reference of ``bench_multilabel.py``.

Straightforward numpy: the plan updates a vector of label counts and computes
MeanIR with vector operations for every candidate row, and MLSMOTE's
neighbours come from brute-force distance matrices.
"""

import numpy as np

__all__ = ["reference_ml_ros", "reference_mlsmote", "reference_plan"]


def _rng(seed):
    """The generator the samplers draw from for an int random_state (one
    63-bit draw of RandomState(seed), skbalance's one bridge)."""
    return np.random.default_rng(
        int(np.random.RandomState(seed).randint(0, 2**63 - 1, dtype=np.int64))
    )


def reference_plan(C, bags, counts, target, budget, rng):
    """ML-ROS's plan with numpy vectors: candidate label sets C (dense bool)."""
    counts = counts.astype(float)
    present = counts > 0
    ir = np.ones(counts.size)
    ir[present] = counts.max() / counts[present]
    k = C.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scumble = np.where(k > 0, 1 - np.exp(C @ np.log(ir) / k) / (C @ ir / k), 0)
    order = {
        j: m[np.lexsort((rng.random(m.size), scumble[m]))] for j, m in bags.items()
    }
    cursor = dict.fromkeys(bags, 0)

    def mean_ir(c):
        return (c.max() / c[present]).mean()

    active = sorted(bags, key=lambda j: (counts[j], j))
    chosen = []
    while active and len(chosen) < budget:
        still = []
        for j in active:
            if len(chosen) == budget or not counts.max() > target * counts[j]:
                continue
            for _ in range(order[j].size):
                cand = order[j][cursor[j] % order[j].size]
                cursor[j] += 1
                new = counts + C[cand]
                if new.max() == counts.max():
                    break
                if (mean_ir(new) - mean_ir(counts)) * present.sum() < -1e-9:
                    break
            else:
                continue
            counts = new
            chosen.append(cand)
            if counts.max() > target * counts[j]:
                still.append(j)
        active = still
    return np.asarray(chosen, dtype=np.intp)


def _minority(Y):
    counts = Y.sum(axis=0)
    present = counts > 0
    target = (counts.max() / counts[present]).mean()
    minority = np.flatnonzero(present & (counts.max() > target * counts))
    return counts, target, minority


def reference_ml_ros(X, Y, seed, fraction=0.25):
    Y = Y.astype(bool)
    counts, target, minority = _minority(Y)
    bags = {j: np.flatnonzero(Y[:, j]) for j in minority}
    budget = int(fraction * Y.shape[0])
    chosen = reference_plan(Y, bags, counts, target, budget, _rng(seed))
    rows = np.concatenate([np.arange(Y.shape[0]), chosen])
    return X[rows], Y[rows]


def reference_mlsmote(X, Y, seed, k=5, fraction=0.25):
    Y = Y.astype(bool)
    counts, target, minority = _minority(Y)
    seeds, neighbours, n_valid, votes, bags, start = [], [], [], [], {}, 0
    for j in minority:
        bag = np.flatnonzero(Y[:, j])
        k_eff = min(k, bag.size - 1)
        if k_eff == 0:
            nbrs, vote = bag[:, None].repeat(k, axis=1), Y[bag]
        else:
            Xb = X[bag]
            sq = (Xb**2).sum(axis=1)
            dist = sq[:, None] + sq[None, :] - 2 * Xb @ Xb.T
            np.fill_diagonal(dist, np.inf)
            near = np.argsort(dist, axis=1, kind="stable")[:, :k_eff]
            nbrs = bag[near]
            vote = (Y[bag].astype(int) + Y[nbrs].sum(axis=1)) > (k_eff + 1) / 2
            nbrs = nbrs[:, np.arange(k) % k_eff]
        seeds.append(bag)
        neighbours.append(nbrs)
        n_valid.append(np.full(bag.size, max(k_eff, 1)))
        votes.append(vote)
        bags[j] = np.arange(start, start + bag.size)
        start += bag.size
    budget = int(fraction * Y.shape[0])
    rng = _rng(seed)
    C = np.concatenate(votes)
    chosen = reference_plan(C, bags, counts, target, budget, rng)
    seeds, neighbours = np.concatenate(seeds)[chosen], np.concatenate(neighbours)
    pick = (rng.random(chosen.size) * np.concatenate(n_valid)[chosen]).astype(int)
    refs = neighbours[chosen, pick]
    gap = rng.random(chosen.size)
    new = X[seeds] + gap[:, None] * (X[refs] - X[seeds])
    return np.concatenate([X, new]), np.concatenate([Y, C[chosen]])
