# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Iterative stratification (Sechidis et al. 2011) in C, for multi-label
targets and for groups of rows.

One pass over the labels, rarest first, puts every free unit (a sample, or a
group of rows) of the label in the parts that still need that label most,
cutting the units at the cumulative targets. Three steps follow: *cover*
moves single units so that every label held by at least ``max(3, n_parts)``
units is in every part; *repair* moves the best-scoring units from parts
above their size to parts below it, never emptying a covered label; *refine*
swaps the best pairs of units between every two parts while that lowers the
squared error of the positive rates.

Every step is a loop over the nonzeros of the label matrix (CSR for the
rows, a CSC copy for the labels), so the time is linear in the nonzeros,
with no call into Python per label or per unit. A NumPy version of the same
steps paid a few microseconds per NumPy call, per label and per swap, which
was most of the time on data sets of a few thousand rows (see
``benchmarks/bench_split.py``).

The randomness comes from the caller: ``order``, a random permutation of the
units, and ``jitter``, which orders labels of equal count. Units are
renumbered in that order on entry (so every label's units are visited in
random order and every scan reads the rows in sequence) and back on exit.
"""

from libc.math cimport INFINITY
from libc.stdlib cimport calloc, free

import time

import numpy as np

cdef enum:
    # swap lists start this long and double (up to SWAP_CAP) while the best
    # prefix runs to their end
    FIRST_SWAP_LIST = 8
    SWAP_CAP = 256
    # rounds of swaps over every two parts (a round gaining under 0.1% stops):
    # on real tag sets with hundreds of rare labels (Debian's debtags) the
    # rounds after the second still cut the worst label's rate error 2-5x
    # (benchmarks/README.md), and cost about as much as the label pass
    SWAP_ROUNDS = 20


cdef class _Kernel:
    cdef Py_ssize_t n, L, P, nnz
    # the label matrix, rows renumbered in the random order
    cdef Py_ssize_t* indptr
    cdef int* indices
    cdef double* data  # NULL for 0/1 labels: every value is 1
    cdef double* weights
    cdef double* square  # squared norm of every row
    # CSC copy: the units of every label, in (random) unit order
    cdef Py_ssize_t* cptr
    cdef int* cunits
    cdef double* cvals  # NULL with data
    cdef double* sizes
    cdef double* total  # (L,) label totals
    cdef double* want  # (P, L) row-major: the exact share of every label
    cdef double* have  # (P, L) row-major
    cdef double* filled  # (P,) rows (weights) in every part
    cdef Py_ssize_t* part
    cdef unsigned char* coverable
    # scratch
    cdef Py_ssize_t* units
    cdef double* amount
    cdef double* label_work  # (4, L)
    cdef double* part_work  # (2, P)
    cdef Py_ssize_t* lack
    cdef Py_ssize_t tree_size  # a power of two >= L
    cdef Py_ssize_t* tree  # (2 * tree_size,): the label pass's tournament tree
    cdef Py_ssize_t* dirty
    cdef unsigned char* is_dirty

    def __cinit__(self, const Py_ssize_t[::1] indptr, const int[::1] indices,
                  const double[::1] data, Py_ssize_t n_labels,
                  const double[::1] weights, const double[::1] sizes,
                  const Py_ssize_t[::1] order, bint binary):
        cdef Py_ssize_t i, t, u, m, p, row, n, L, P, nnz
        cdef double v, whole = 0.0
        self.n = indptr.shape[0] - 1
        self.L = n_labels
        self.P = sizes.shape[0]
        self.nnz = indptr[self.n]
        n, L, P, nnz = self.n, self.L, self.P, self.nnz
        self.indptr = <Py_ssize_t*> calloc(n + 1, sizeof(Py_ssize_t))
        self.indices = <int*> calloc(nnz + 1, sizeof(int))
        self.data = NULL if binary else <double*> calloc(nnz + 1, sizeof(double))
        self.weights = <double*> calloc(n + 1, sizeof(double))
        self.square = <double*> calloc(n + 1, sizeof(double))
        self.cptr = <Py_ssize_t*> calloc(L + 1, sizeof(Py_ssize_t))
        self.cunits = <int*> calloc(nnz + 1, sizeof(int))
        self.cvals = NULL if binary else <double*> calloc(nnz + 1, sizeof(double))
        self.sizes = <double*> calloc(P, sizeof(double))
        self.total = <double*> calloc(L + 1, sizeof(double))
        self.want = <double*> calloc(P * L + 1, sizeof(double))
        self.have = <double*> calloc(P * L + 1, sizeof(double))
        self.filled = <double*> calloc(P, sizeof(double))
        self.part = <Py_ssize_t*> calloc(n + 1, sizeof(Py_ssize_t))
        self.coverable = <unsigned char*> calloc(L + 1, sizeof(unsigned char))
        self.units = <Py_ssize_t*> calloc(n + 1, sizeof(Py_ssize_t))
        self.amount = <double*> calloc(n + 1, sizeof(double))
        self.label_work = <double*> calloc(4 * L + 1, sizeof(double))
        self.part_work = <double*> calloc(2 * P, sizeof(double))
        self.lack = <Py_ssize_t*> calloc(P, sizeof(Py_ssize_t))
        self.tree_size = 1
        while self.tree_size < L:
            self.tree_size *= 2
        self.tree = <Py_ssize_t*> calloc(2 * self.tree_size, sizeof(Py_ssize_t))
        self.dirty = <Py_ssize_t*> calloc(L + 1, sizeof(Py_ssize_t))
        self.is_dirty = <unsigned char*> calloc(L + 1, sizeof(unsigned char))
        if (
            not self.indptr or not self.indices or (not binary and not self.data)
            or not self.weights or not self.square or not self.cptr or not self.cunits
            or (not binary and not self.cvals)
            or not self.sizes or not self.total or not self.want or not self.have
            or not self.filled or not self.part or not self.coverable
            or not self.units or not self.amount or not self.label_work
            or not self.part_work or not self.lack or not self.tree or not self.dirty
            or not self.is_dirty
        ):
            raise MemoryError("not enough memory for the iterative split")
        cdef Py_ssize_t* rank = self.units  # scratch until the label pass
        with nogil:
            # the rows in the random order: new row i is old row order[i].
            # Every old row is read in sequence and written to its new place
            # (a gather in the new order would miss the cache on every row
            # when the input is cold)
            for i in range(n):
                u = order[i]
                rank[u] = i
                self.indptr[i + 1] = indptr[u + 1] - indptr[u]
                self.part[i] = -1
            for i in range(n):
                self.indptr[i + 1] += self.indptr[i]
            for u in range(n):
                i = rank[u]
                row = self.indptr[i]
                for t in range(indptr[u], indptr[u + 1]):
                    m = indices[t]
                    v = 1.0 if binary else data[t]
                    self.indices[row] = m
                    if not binary:
                        self.data[row] = v
                    self.square[i] += v * v
                    self.total[m] += v
                    self.cptr[m + 1] += 1
                    row += 1
                self.weights[i] = weights[u]
            for m in range(L):
                self.cptr[m + 1] += self.cptr[m]
            for p in range(P):
                self.sizes[p] = sizes[p]
                whole += sizes[p]
            for p in range(P):
                for m in range(L):
                    self.want[p * L + m] = sizes[p] / whole * self.total[m]
            for m in range(L):
                self.coverable[m] = (self.cptr[m + 1] - self.cptr[m]) >= (
                    3 if P < 3 else P
                )
        self.fill_columns()

    cdef void fill_columns(self):
        """The CSC copy: every label's units in increasing (random) order."""
        cdef Py_ssize_t u, t, m
        cdef Py_ssize_t* at = <Py_ssize_t*> calloc(self.L + 1, sizeof(Py_ssize_t))
        if not at:
            raise MemoryError("not enough memory for the iterative split")
        with nogil:
            for m in range(self.L):
                at[m] = self.cptr[m]
            for u in range(self.n):
                for t in range(self.indptr[u], self.indptr[u + 1]):
                    m = self.indices[t]
                    self.cunits[at[m]] = u
                    if self.cvals:
                        self.cvals[at[m]] = self.data[t]
                    at[m] += 1
        free(at)

    def __dealloc__(self):
        free(self.indptr)
        free(self.indices)
        free(self.data)
        free(self.weights)
        free(self.square)
        free(self.cptr)
        free(self.cunits)
        free(self.cvals)
        free(self.sizes)
        free(self.total)
        free(self.want)
        free(self.have)
        free(self.filled)
        free(self.part)
        free(self.coverable)
        free(self.units)
        free(self.amount)
        free(self.label_work)
        free(self.part_work)
        free(self.lack)
        free(self.tree)
        free(self.dirty)
        free(self.is_dirty)

    # -- moves and gains -----------------------------------------------------

    cdef inline double val(self, Py_ssize_t t) noexcept nogil:
        """The value of nonzero ``t`` of the rows (1 for 0/1 labels)."""
        return 1.0 if self.data == NULL else self.data[t]

    cdef inline double cval(self, Py_ssize_t t) noexcept nogil:
        """The value of nonzero ``t`` of the columns."""
        return 1.0 if self.cvals == NULL else self.cvals[t]

    cdef inline void put(self, Py_ssize_t u, Py_ssize_t d) noexcept nogil:
        cdef Py_ssize_t t
        cdef double* hd = self.have + d * self.L
        self.part[u] = d
        self.filled[d] += self.weights[u]
        for t in range(self.indptr[u], self.indptr[u + 1]):
            hd[self.indices[t]] += self.val(t)

    cdef inline void move(self, Py_ssize_t u, Py_ssize_t src,
                          Py_ssize_t dst) noexcept nogil:
        cdef Py_ssize_t t
        cdef double* hs = self.have + src * self.L
        cdef double* hd = self.have + dst * self.L
        self.part[u] = dst
        self.filled[src] -= self.weights[u]
        self.filled[dst] += self.weights[u]
        for t in range(self.indptr[u], self.indptr[u + 1]):
            hs[self.indices[t]] -= self.val(t)
            hd[self.indices[t]] += self.val(t)

    cdef void slope(self, Py_ssize_t src, Py_ssize_t dst, double* c) noexcept nogil:
        """``c`` such that moving unit u from ``src`` to ``dst`` lowers the
        sum over parts and labels of ``((have - want) / size) ** 2`` by
        ``gain(u, c, curvature(src, dst))``: the error is quadratic in the moved
        row."""
        cdef double ws = 1.0 / (self.sizes[src] * self.sizes[src])
        cdef double wd = 1.0 / (self.sizes[dst] * self.sizes[dst])
        cdef const double* hs = self.have + src * self.L
        cdef const double* hd = self.have + dst * self.L
        cdef const double* vs = self.want + src * self.L
        cdef const double* vd = self.want + dst * self.L
        cdef Py_ssize_t m
        for m in range(self.L):
            c[m] = 2.0 * (hs[m] - vs[m]) * ws - 2.0 * (hd[m] - vd[m]) * wd

    cdef inline double curvature(self, Py_ssize_t src, Py_ssize_t dst) noexcept nogil:
        return (
            1.0 / (self.sizes[src] * self.sizes[src])
            + 1.0 / (self.sizes[dst] * self.sizes[dst])
        )

    cdef inline double gain(self, Py_ssize_t u, const double* c,
                            double curvature) noexcept nogil:
        """The gain of moving ``u``, for ``c`` from :meth:`slope` and
        ``curvature`` from :meth:`curvature` of the same two parts."""
        cdef double linear = 0.0
        cdef Py_ssize_t t
        for t in range(self.indptr[u], self.indptr[u + 1]):
            linear += self.val(t) * c[self.indices[t]]
        return linear - self.square[u] * curvature

    cdef inline bint empties(self, Py_ssize_t u, Py_ssize_t src) noexcept nogil:
        """Whether taking ``u`` out of ``src`` leaves a coverable label
        there with no unit."""
        cdef Py_ssize_t t, m
        cdef const double* hs = self.have + src * self.L
        for t in range(self.indptr[u], self.indptr[u + 1]):
            m = self.indices[t]
            if self.coverable[m] and hs[m] >= 0.5 and hs[m] - self.val(t) < 0.5:
                return True
        return False

    # -- the pass over the labels --------------------------------------------

    cdef void cut(self, Py_ssize_t lo, Py_ssize_t hi, const double* targets) noexcept nogil:
        """Put ``units[lo:hi]`` in the parts so that their cumulative
        ``amount`` is cut where the cumulative targets are (a unit goes
        where its midpoint falls)."""
        cdef Py_ssize_t i, p = 0
        cdef double whole = 0.0, tsum = 0.0, scale, acc = 0.0, bound
        for i in range(lo, hi):
            whole += self.amount[i]
        for i in range(self.P):
            tsum += targets[i]
        scale = whole / tsum if tsum > 0 else 1.0
        bound = targets[0] * scale
        for i in range(lo, hi):
            acc += self.amount[i]
            while p < self.P - 1 and bound <= acc - self.amount[i] / 2:
                p += 1
                bound += targets[p] * scale
            self.put(self.units[i], p)

    cdef void room(self, double* targets, double extra) noexcept nogil:
        """Targets from the rows the parts still lack (their sizes when all
        are full)."""
        cdef Py_ssize_t p
        cdef double s = 0.0
        for p in range(self.P):
            targets[p] = self.sizes[p] - self.filled[p]
            if targets[p] < 0:
                targets[p] = 0.0
            targets[p] += extra
            s += targets[p]
        if s <= 0:
            for p in range(self.P):
                targets[p] = self.sizes[p]

    cdef void by_label(self, const double* jitter, bint keep_rare) noexcept nogil:
        """Labels one at a time, the one with the fewest free units first
        (ties broken by ``jitter``), found in a tournament tree over the
        labels so that the choice costs O(log L), not O(L)."""
        cdef Py_ssize_t L = self.L, P = self.P
        cdef Py_ssize_t m, best, p, q, t, u, k, first, n_lack, n_dirty, i
        cdef double s
        cdef double* remaining = self.label_work
        cdef double* key = self.label_work + L  # +inf once a label is done
        cdef double* desire = self.part_work
        cdef double* targets = self.part_work + P
        cdef Py_ssize_t* lack = self.lack
        cdef Py_ssize_t size = self.tree_size
        cdef Py_ssize_t* tree = self.tree
        cdef Py_ssize_t* dirty = self.dirty
        cdef unsigned char* is_dirty = self.is_dirty
        for m in range(L):
            remaining[m] = self.total[m]
            key[m] = INFINITY if remaining[m] <= 0 else remaining[m] + jitter[m] * 0.5
        for i in range(size):
            tree[size + i] = i if i < L else -1
        for i in range(size - 1, 0, -1):
            tree[i] = _lower(key, tree[2 * i], tree[2 * i + 1])
        while True:
            best = tree[1]
            if best < 0 or key[best] == INFINITY:
                break
            key[best] = INFINITY
            _update(tree, key, size, best)
            k = 0
            for t in range(self.cptr[best], self.cptr[best + 1]):
                u = self.cunits[t]
                if self.part[u] < 0:
                    self.units[k] = u
                    self.amount[k] = self.cval(t)
                    k += 1
            if k == 0:
                continue
            s = 0.0
            for p in range(P):
                desire[p] = self.want[p * L + best] - self.have[p * L + best]
                targets[p] = desire[p] if desire[p] > 0 else 0.0
                s += targets[p]
            if s <= 0:
                self.room(targets, 0.0)
            first = 0
            if keep_rare and self.coverable[best]:
                # parts without the label get one unit each, neediest first
                n_lack = 0
                for p in range(P):
                    if self.have[p * L + best] == 0:
                        q = n_lack
                        while q > 0 and desire[lack[q - 1]] < desire[p]:
                            lack[q] = lack[q - 1]
                            q -= 1
                        lack[q] = p
                        n_lack += 1
                first = n_lack if n_lack < k else k
                for q in range(first):
                    self.put(self.units[q], lack[q])
                    targets[lack[q]] -= self.amount[q]
                if first:
                    s = 0.0
                    for p in range(P):
                        if targets[p] < 0:
                            targets[p] = 0.0
                        s += targets[p]
                    if s <= 0:
                        self.room(targets, 1e-9)
            if first < k:
                self.cut(first, k, targets)
            # the labels these units hold have fewer free units now
            n_dirty = 0
            for q in range(k):
                u = self.units[q]
                for t in range(self.indptr[u], self.indptr[u + 1]):
                    m = self.indices[t]
                    remaining[m] -= self.val(t)
                    if key[m] != INFINITY and not is_dirty[m]:
                        is_dirty[m] = 1
                        dirty[n_dirty] = m
                        n_dirty += 1
            for i in range(n_dirty):
                m = dirty[i]
                is_dirty[m] = 0
                key[m] = remaining[m] + jitter[m] * 0.5
                _update(tree, key, size, m)

    cdef void the_rest(self) noexcept nogil:
        """Units that hold no label, cut by their weights into the room
        left (in the random unit order)."""
        cdef Py_ssize_t u, k = 0
        cdef double* targets = self.part_work + self.P
        for u in range(self.n):
            if self.part[u] < 0:
                self.units[k] = u
                self.amount[k] = self.weights[u]
                k += 1
        if k:
            self.room(targets, 0.0)
            self.cut(0, k, targets)

    # -- cover, repair, refine -----------------------------------------------

    cdef void cover(self) noexcept nogil:
        """Move single units so that every coverable label is in every part,
        taking from the part with most of its units and never emptying
        another coverable label there."""
        cdef Py_ssize_t P = self.P, dst, m, t, u, src, bu
        cdef double g, bg, curve
        cdef double* per_part = self.part_work
        cdef double* c = self.label_work
        for dst in range(P):
            for m in range(self.L):
                if not self.coverable[m] or self.have[dst * self.L + m] >= 0.5:
                    continue
                for src in range(P):
                    per_part[src] = 0
                for t in range(self.cptr[m], self.cptr[m + 1]):
                    per_part[self.part[self.cunits[t]]] += 1
                src = 0
                for t in range(1, P):
                    if per_part[t] > per_part[src]:
                        src = t
                if per_part[src] < 2:
                    continue
                bu = -1
                bg = 0.0
                self.slope(src, dst, c)
                curve = self.curvature(src, dst)
                for t in range(self.cptr[m], self.cptr[m + 1]):
                    u = self.cunits[t]
                    if self.part[u] != src or self.empties(u, src):
                        continue
                    g = self.gain(u, c, curve)
                    if bu < 0 or g > bg:
                        bu, bg = u, g
                if bu >= 0:
                    self.move(bu, src, dst)

    cdef bint repair(self, bint guard) noexcept nogil:
        """Move units from the part furthest above its size to the one
        furthest below, best gain first, until sizes are exact (or nothing
        fits). Returns whether sizes are exact."""
        cdef Py_ssize_t P = self.P, it, p, src, dst, u, k
        cdef double budget, over_s, over_d, curve
        cdef Py_ssize_t* cand = self.units
        cdef double* gains = self.amount
        cdef double* c = self.label_work
        cdef bint moved
        for it in range(10 * P):
            src = dst = 0
            for p in range(1, P):
                if self.filled[p] - self.sizes[p] > self.filled[src] - self.sizes[src]:
                    src = p
                if self.filled[p] - self.sizes[p] < self.filled[dst] - self.sizes[dst]:
                    dst = p
            over_s = self.filled[src] - self.sizes[src]
            over_d = self.sizes[dst] - self.filled[dst]
            budget = over_s if over_s < over_d else over_d
            if budget < 0.5:
                return True
            self.slope(src, dst, c)
            curve = self.curvature(src, dst)
            k = 0
            for u in range(self.n):
                if self.part[u] == src and self.weights[u] <= budget + 1e-9:
                    cand[k] = u
                    gains[k] = self.gain(u, c, curve)
                    k += 1
            if k == 0:
                return False
            # best gain first: a max-heap, popped only as far as needed
            _heapify(gains, cand, k)
            moved = False
            while k and budget >= 0.5:
                u = cand[0]
                k = _pop(gains, cand, k)
                if self.weights[u] > budget + 1e-9:
                    continue
                if guard and self.empties(u, src):
                    continue
                self.move(u, src, dst)
                budget -= self.weights[u]
                moved = True
            if not moved:
                return False
        return False

    cdef double objective(self) noexcept nogil:
        cdef Py_ssize_t p, m
        cdef double e, s = 0.0
        for p in range(self.P):
            for m in range(self.L):
                e = (self.have[p * self.L + m] - self.want[p * self.L + m]) / self.sizes[p]
                s += e * e
        return s

    cdef double worst(self) noexcept nogil:
        cdef Py_ssize_t i
        cdef double e, w = 0.0
        for i in range(self.P * self.L):
            e = self.have[i] - self.want[i]
            if e < 0:
                e = -e
            if e > w:
                w = e
        return w

    cdef void refine(self):
        """Swap units between every two parts while that lowers the rate
        error. Sizes stay as they are. The units with the best gain on each
        side are paired in order, and the number of pairs swapped is the
        prefix that minimises the exact error of the two parts, round after
        round until one gains under 0.1% (at most ``SWAP_ROUNDS``)."""
        cdef Py_ssize_t src, dst, r, cap, c, u, p
        cdef double start
        cap = SWAP_CAP if SWAP_CAP < self.n else self.n
        if cap < 1:
            return
        cdef Py_ssize_t* units = <Py_ssize_t*> calloc(2 * cap, sizeof(Py_ssize_t))
        cdef double* gains = <double*> calloc(2 * cap, sizeof(double))
        cdef unsigned char* hold = <unsigned char*> calloc(cap, sizeof(unsigned char))
        # the units of every part (members[start[p]:start[p + 1]]) and the
        # place of every unit there, kept up to date by the swaps
        cdef Py_ssize_t* members = <Py_ssize_t*> calloc(self.n, sizeof(Py_ssize_t))
        cdef Py_ssize_t* where = <Py_ssize_t*> calloc(self.n, sizeof(Py_ssize_t))
        cdef Py_ssize_t* start_of = <Py_ssize_t*> calloc(self.P + 1, sizeof(Py_ssize_t))
        try:
            if not (units and gains and hold and members and where and start_of):
                raise MemoryError("not enough memory for the iterative split")
            with nogil:
                for u in range(self.n):
                    start_of[self.part[u] + 1] += 1
                for p in range(self.P):
                    start_of[p + 1] += start_of[p]
                for u in range(self.n):
                    p = self.part[u]
                    members[start_of[p]] = u
                    where[u] = start_of[p]
                    start_of[p] += 1
                for p in range(self.P, 0, -1):
                    start_of[p] = start_of[p - 1]
                start_of[0] = 0
                for r in range(SWAP_ROUNDS):
                    start = self.objective()
                    for src in range(self.P):
                        for dst in range(src + 1, self.P):
                            # a short list first; a longer one, with fresh gains,
                            # only while the best prefix runs to its end
                            c = FIRST_SWAP_LIST if FIRST_SWAP_LIST < cap else cap
                            while self.swap(src, dst, c, units, units + cap, gains,
                                            gains + cap, hold, members, where,
                                            start_of) and c < cap:
                                c = 2 * c if 2 * c < cap else cap
                    if self.objective() > 0.999 * start:
                        break
        finally:
            free(units)
            free(gains)
            free(hold)
            free(members)
            free(where)
            free(start_of)

    cdef bint swap(self, Py_ssize_t src, Py_ssize_t dst, Py_ssize_t cap,
                   Py_ssize_t* a, Py_ssize_t* b, double* ga, double* gb,
                   unsigned char* hold, Py_ssize_t* members, Py_ssize_t* where,
                   const Py_ssize_t* start_of) noexcept nogil:
        """Swap the best prefix of the ``cap`` best pairs; True when that
        was all ``cap`` of them (a longer list may gain more)."""
        cdef Py_ssize_t L = self.L, ka, kb, k, i, t, m, best, j
        cdef double ws, wd, err, base, best_err, es, ed
        cdef double* toward_dst = self.label_work
        cdef double* toward_src = self.label_work + L
        cdef double* shift = self.label_work + 2 * L
        cdef double* removed = self.label_work + 3 * L
        cdef bint full
        cdef double curve = self.curvature(src, dst)
        self.slope(src, dst, toward_dst)
        self.slope(dst, src, toward_src)
        ka = self.best_units(members + start_of[src], start_of[src + 1] - start_of[src],
                             toward_dst, curve, cap, ga, a)
        kb = self.best_units(members + start_of[dst], start_of[dst + 1] - start_of[dst],
                             toward_src, curve, cap, gb, b)
        k = ka if ka < kb else kb
        if k == 0:
            return False
        _sort_desc(ga, a, ka)
        _sort_desc(gb, b, kb)
        ws = 1.0 / (self.sizes[src] * self.sizes[src])
        wd = 1.0 / (self.sizes[dst] * self.sizes[dst])
        base = 0.0
        for m in range(L):
            es = self.have[src * L + m] - self.want[src * L + m]
            ed = self.have[dst * L + m] - self.want[dst * L + m]
            base += es * es * ws + ed * ed * wd
            shift[m] = 0.0
            removed[m] = 0.0
        # exact error after swapping every prefix, updated label by label
        err = base
        best, best_err = -1, base
        for i in range(k):
            for t in range(self.indptr[a[i]], self.indptr[a[i] + 1]):
                err += self.shifted(src, dst, self.indices[t], self.val(t),
                                    shift, ws, wd)
            for t in range(self.indptr[b[i]], self.indptr[b[i] + 1]):
                err += self.shifted(src, dst, self.indices[t], -self.val(t),
                                    shift, ws, wd)
            if err < best_err:
                best, best_err = i, err
        if best < 0 or best_err >= base - 1e-15:
            return False
        full = best + 1 == cap
        k = best + 1
        for i in range(k):
            hold[i] = 0
        self.held(a, k, src, removed, hold)
        self.held(b, k, dst, removed, hold)
        for i in range(k):
            if not hold[i]:
                self.move(a[i], src, dst)
                self.move(b[i], dst, src)
                j = where[a[i]]
                members[j] = b[i]
                where[a[i]] = where[b[i]]
                members[where[b[i]]] = a[i]
                where[b[i]] = j
        return full

    cdef Py_ssize_t best_units(self, const Py_ssize_t* units, Py_ssize_t n,
                               const double* c, double curve, Py_ssize_t cap,
                               double* g, Py_ssize_t* best) noexcept nogil:
        """The ``cap`` units of ``units[:n]`` of highest gain, in a min-heap
        ``(g, best)``; returns how many. Of equal gains the unit met first
        is kept (many rows are alike)."""
        cdef Py_ssize_t j, k = 0
        cdef double v
        for j in range(n):
            v = self.gain(units[j], c, curve)
            if k < cap:
                _push(g, best, k, v, units[j])
                k += 1
            elif v > g[0]:
                g[0] = v
                best[0] = units[j]
                _sift_down(g, best, 0, k, False)
        return k

    cdef inline double shifted(self, Py_ssize_t src, Py_ssize_t dst, Py_ssize_t m,
                               double v, double* shift, double ws,
                               double wd) noexcept nogil:
        """Change of the two parts' error when ``v`` more of label ``m``
        goes from ``src`` to ``dst``."""
        cdef double es = self.have[src * self.L + m] - self.want[src * self.L + m]
        cdef double ed = self.have[dst * self.L + m] - self.want[dst * self.L + m]
        cdef double s0 = shift[m], s1 = shift[m] + v
        shift[m] = s1
        return ws * ((es - s1) * (es - s1) - (es - s0) * (es - s0)) + wd * (
            (ed + s1) * (ed + s1) - (ed + s0) * (ed + s0)
        )

    cdef void held(self, Py_ssize_t* units, Py_ssize_t k, Py_ssize_t src,
                   double* removed, unsigned char* hold) noexcept nogil:
        """Mark the units of ``units[:k]`` that hold a coverable label which
        moving them all would empty from ``src``."""
        cdef Py_ssize_t i, t, m
        cdef const double* hs = self.have + src * self.L
        for i in range(k):
            for t in range(self.indptr[units[i]], self.indptr[units[i] + 1]):
                removed[self.indices[t]] += self.val(t)
        for i in range(k):
            for t in range(self.indptr[units[i]], self.indptr[units[i] + 1]):
                m = self.indices[t]
                if self.coverable[m] and hs[m] >= 0.5 and hs[m] - removed[m] < 0.5:
                    hold[i] = 1
        for i in range(k):
            for t in range(self.indptr[units[i]], self.indptr[units[i] + 1]):
                removed[self.indices[t]] = 0.0

    # -- all of it -------------------------------------------------------------

    def run(self, const double[::1] jitter, const Py_ssize_t[::1] order,
            bint keep_rare, bint refine, dict timings=None):
        cdef Py_ssize_t p, m, i, uncovered = 0
        cdef bint exact
        clock = _clock(timings)
        with nogil:
            self.by_label(&jitter[0], keep_rare)
            self.the_rest()
        clock("label pass")
        with nogil:
            if keep_rare:
                self.cover()
        clock("cover")
        with nogil:
            exact = self.repair(True)
            if not exact:
                # coverage blocks the last moves (tiny data): sizes come first
                self.repair(False)
        clock("repair")
        # swaps help only where some label is not its share rounded down or
        # up: one row or more away from it
        if refine and self.worst() > 1 - 1e-9:
            self.refine()
        clock("refine")
        if keep_rare:
            for m in range(self.L):
                if self.coverable[m]:
                    for p in range(self.P):
                        if self.have[p * self.L + m] < 0.5:
                            uncovered += 1
                            break
        out = np.empty(self.n, dtype=np.intp)
        cdef Py_ssize_t[::1] part_out = out
        for i in range(self.n):
            part_out[order[i]] = self.part[i]
        return out, uncovered


# -- the tournament tree of labels: node i holds the label of least key below it


cdef inline Py_ssize_t _lower(const double* key, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """The label of lower key (the lower label on a tie; -1 is no label)."""
    if a < 0:
        return b
    if b < 0:
        return a
    return b if key[b] < key[a] else a


cdef inline void _update(Py_ssize_t* tree, const double* key, Py_ssize_t size,
                         Py_ssize_t m) noexcept nogil:
    """Restore the tree above leaf ``m`` after its key changed."""
    cdef Py_ssize_t i = (size + m) // 2
    while i >= 1:
        tree[i] = _lower(key, tree[2 * i], tree[2 * i + 1])
        i //= 2


# -- heaps of (gain, unit): ties go to the lower unit ------------------------------


cdef inline bint _before(const double* g, const Py_ssize_t* u, Py_ssize_t i,
                         Py_ssize_t j) noexcept nogil:
    """Whether entry i ranks above entry j (higher gain, then lower unit)."""
    return g[i] > g[j] or (g[i] == g[j] and u[i] < u[j])


cdef inline void _swap(double* g, Py_ssize_t* u, Py_ssize_t i,
                       Py_ssize_t j) noexcept nogil:
    g[i], g[j] = g[j], g[i]
    u[i], u[j] = u[j], u[i]


cdef void _sift_down(double* g, Py_ssize_t* u, Py_ssize_t i, Py_ssize_t k,
                     bint top_first) noexcept nogil:
    """Restore a heap below i: the best entry at the root when ``top_first``
    (a max-heap), else the worst (a min-heap of the kept best)."""
    cdef Py_ssize_t c, pick
    while True:
        c = 2 * i + 1
        if c >= k:
            return
        pick = c
        if c + 1 < k and top_first == _before(g, u, c + 1, c):
            pick = c + 1
        if top_first == _before(g, u, pick, i):
            _swap(g, u, i, pick)
            i = pick
        else:
            return


cdef void _heapify(double* g, Py_ssize_t* u, Py_ssize_t k) noexcept nogil:
    cdef Py_ssize_t i = k // 2
    while i > 0:
        i -= 1
        _sift_down(g, u, i, k, True)


cdef Py_ssize_t _pop(double* g, Py_ssize_t* u, Py_ssize_t k) noexcept nogil:
    """Drop the root of a max-heap of k entries; returns k - 1."""
    k -= 1
    if k > 0:
        _swap(g, u, 0, k)
        _sift_down(g, u, 0, k, True)
    return k


cdef void _push(double* g, Py_ssize_t* u, Py_ssize_t k, double gain,
                Py_ssize_t unit) noexcept nogil:
    """Add (gain, unit) to a min-heap of k entries (room for k + 1)."""
    cdef Py_ssize_t i = k, parent
    g[k] = gain
    u[k] = unit
    while i > 0:
        parent = (i - 1) // 2
        if not _before(g, u, parent, i):
            return
        _swap(g, u, i, parent)
        i = parent


cdef void _sort_desc(double* g, Py_ssize_t* u, Py_ssize_t k) noexcept nogil:
    """Sort entries best first (heap sort on a min-heap of the worst)."""
    cdef Py_ssize_t end = k, i
    i = k // 2
    while i > 0:
        i -= 1
        _sift_down(g, u, i, k, False)
    while end > 1:
        end -= 1
        _swap(g, u, 0, end)
        _sift_down(g, u, 0, end, False)


def _clock(timings):
    """A function recording the seconds since its last call under a name in
    ``timings`` (a no-op for None)."""
    if timings is None:
        return lambda name: None
    last = [time.perf_counter()]

    def clock(name):
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - last[0]
        last[0] = now

    return clock


def iterative_kernel(indptr, indices, data, Py_ssize_t n_labels, weights, sizes,
                     order, jitter, bint keep_rare, bint refine, bint binary=False,
                     timings=None):
    """Part of every unit, and the number of coverable labels still missing
    from some part.

    Arrays, all C-contiguous: CSR ``indptr`` (intp) and ``indices`` (int32),
    ``data``, ``weights`` (one per unit) and ``sizes`` (one per part) as
    float64, ``order`` (a permutation of the units, intp) and ``jitter``
    (float64, one per label). With ``binary``, every value is 1 and ``data``
    is not read. ``refine`` turns on the swaps (they keep part sizes only
    when every weight is 1). ``timings``, a dict, receives the seconds spent
    in every step (for the benchmark's scaling table).
    """
    clock = _clock(timings)
    kernel = _Kernel(indptr, indices, data, n_labels, weights, sizes, order, binary)
    clock("set-up")
    return kernel.run(jitter, order, keep_rare, refine, timings)
