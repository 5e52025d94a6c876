"""The engine of :mod:`skbalance.spark`: counts to the driver, quotas from
the in-memory pure functions, ranks and assignments on the executors.

See :mod:`skbalance.spark` for the design; nothing here collects a row.
"""

from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.utils import check_random_state

from skbalance._allocation import allocate_classes, exact_parts
from skbalance._compat import import_optional
from skbalance._stratify import group_assignment, warn_rare, warn_uncovered
from skbalance._targets import check_two_strata, stratum_targets

#: rows are ranked within (stratum, bucket of their hash), so that a large
#: class is ranked by up to this many tasks instead of one
_BUCKET_BITS = 6
#: parts of a triple split that get the classes of 1 and 2 rows: train, test
RARE_ORDER = [0, 2, 1]
_H, _H2, _BUCKET, _OFFSET, RANK = (
    "_sk_h",
    "_sk_h2",
    "_sk_bucket",
    "_sk_off",
    "_sk_rank",
)


def pyspark_module(module="pyspark.sql.functions"):
    return import_optional(module, extra="spark", purpose="skbalance.spark")


def exact_col(name):
    """The column named ``name``, exactly: quoted in backticks, a backtick in
    the name doubled, so that a dot is not a struct path and a backtick is
    not a quote. The one place that quotes a column name (``F.col(name)``
    parses ``a.b`` as field ``b`` of ``a``, and ``we`ird`` as an error)."""
    return pyspark_module().col("`" + name.replace("`", "``") + "`")


def columns(df):
    """The columns of ``df`` by exact name, to select them back."""
    return [exact_col(c) for c in df.columns]


def check_df(df, seed=0, **columns):
    sql = pyspark_module("pyspark.sql")
    if not isinstance(df, sql.DataFrame):
        raise TypeError(f"df must be a pyspark.sql.DataFrame; got {type(df).__name__}.")
    for param, name in columns.items():
        if name is not None and name not in df.columns:
            raise ValueError(
                f"{param}={name!r} is not a column of the DataFrame; its columns "
                f"are {df.columns}."
            )
    if (
        not isinstance(seed, Integral)
        or isinstance(seed, bool)
        or not 0 <= seed < 2**32
    ):
        raise ValueError(f"seed must be an integer in [0, 2**32); got {seed!r}.")


def count_rows(df, columns):
    """Rows per distinct value of ``columns``: the one aggregation, a list of
    ``(values, count)`` on the driver. Missing values are an error."""
    rows = df.groupBy(*[exact_col(c) for c in columns]).count().collect()
    for j, name in enumerate(columns):
        missing = sum(r[-1] for r in rows if r[j] is None)
        if missing:
            raise ValueError(
                f"Column {name!r} has {missing} missing (null) values; drop or fill "
                "them first."
            )
    if not rows:
        raise ValueError("The DataFrame is empty (0 rows).")
    return [(tuple(r[:-1]), int(r[-1])) for r in rows]


def sorted_keys(values):
    """Distinct values in the order of ``np.unique`` (the in-memory order)."""
    return sorted(set(values))


def hashable(df, names):
    """Columns to hash for the values of ``names``: the columns themselves,
    or their JSON text when one holds a map (Spark refuses to hash maps)."""
    F = pyspark_module()
    cols = [exact_col(c) for c in names]
    if any("map<" in df.schema[c].dataType.simpleString() for c in names):
        return [F.to_json(F.struct(*cols))]
    return cols


def _hashed(df, seed, hash_cols=None):
    """Two independent hashes of (seed, every column, or ``hash_cols``), and
    a bucket of the first (its top bits), so that ordering by the hashes
    ranks at random."""
    F = pyspark_module()
    cols = hashable(df, df.columns if hash_cols is None else hash_cols)
    h = F.xxhash64(F.lit(seed), *cols)
    return (
        df.withColumn(_H, h)
        .withColumn(_H2, F.hash(F.lit(seed), *cols))
        .withColumn(_BUCKET, F.shiftrightunsigned(h, 64 - _BUCKET_BITS).cast("int"))
    )


def stratum_counts(df, stratum, seed, hash_cols=None):
    """Hashed df, sorted strata, their counts and per-bucket counts."""
    hashed = _hashed(df, seed, hash_cols)
    rows = count_rows(hashed, [stratum, _BUCKET])
    keys = sorted_keys(k[0] for k, _ in rows)
    index = {k: i for i, k in enumerate(keys)}
    buckets = np.zeros((len(keys), 1 << _BUCKET_BITS), dtype=np.int64)
    for (k, b), c in rows:
        buckets[index[k], b] = c
    return hashed, keys, buckets


def rank_rows(hashed, stratum, keys, buckets, extra_cols):
    """Every row with its random 0-based rank in its stratum (``_sk_rank``)
    and the per-stratum values ``extra_cols`` (name -> (type, list of values
    per stratum)), through one broadcast table keyed by stratum and bucket."""
    F = pyspark_module()
    T = pyspark_module("pyspark.sql.types")
    Window = pyspark_module("pyspark.sql").Window
    offsets = np.cumsum(buckets, axis=1) - buckets
    fields = [T.StructField(stratum, hashed.schema[stratum].dataType, False)]
    fields += [T.StructField(_BUCKET, T.IntegerType(), False)]
    fields += [T.StructField(_OFFSET, T.LongType(), False)]
    fields += [T.StructField(n, t, False) for n, (t, _) in extra_cols.items()]
    rows = [
        (key, b, int(offsets[i, b]), *[v[i] for _, v in extra_cols.values()])
        for i, key in enumerate(keys)
        for b in np.flatnonzero(buckets[i]).tolist()
    ]
    table = hashed.sparkSession.createDataFrame(rows, T.StructType(fields))
    # the window first, so that the shuffle carries no column of the table
    window = Window.partitionBy(exact_col(stratum), _BUCKET).orderBy(_H, _H2)
    numbered = hashed.withColumn(RANK, F.row_number().over(window) - 1)
    return numbered.join(F.broadcast(table), on=[stratum, _BUCKET]).withColumn(
        RANK, F.col(_OFFSET) + F.col(RANK)
    )


def _allocate(keys, counts, sizes, fractions, *, keep_rare, rare_order, rng):
    """Rows of every class in every part, from the class counts alone: the
    one place that calls the in-memory allocation (its contract is a pure
    function from counts to this table), with the exact shares of the
    in-memory split."""
    alloc, _, uncovered = allocate_classes(
        counts,
        sizes,
        fractions=fractions,
        keep_rare=keep_rare,
        rare_order=rare_order,
        rng=rng,
    )
    if uncovered.size:
        items = [(keys[k], int(counts[k]), None) for k in uncovered]
        warn_uncovered(
            items, sizes.size, "the rows they need overflow a part", stacklevel=5
        )
    return alloc


def _part_sizes(n, sizes):
    """Exact part sizes and the exact fractions they round (``(weights,
    denominator)``), as the in-memory split; ``sizes`` may instead be a
    function of the row count returning all three (as
    :func:`~skbalance._sizes.fold_parts` does)."""
    if callable(sizes):
        counts, *fractions = sizes(n)
        return counts, tuple(fractions)
    names = [f"sizes[{j}]" for j in range(len(sizes))]
    counts, *fractions = exact_parts(n, list(sizes), names)
    return counts, tuple(fractions)


def _group_parts(df, label_col, groups_col, sizes, keep_rare, rng):
    """Part of every group by iterative stratification of the (group, class)
    counts, as :func:`skbalance.stratified_partition` does with ``groups``."""
    rows = count_rows(df, [groups_col, label_col])
    groups = sorted_keys(k[0] for k, _ in rows)
    labels = sorted_keys(k[1] for k, _ in rows)
    g_of = {g: i for i, g in enumerate(groups)}
    k_of = {k: i for i, k in enumerate(labels)}
    units = sparse.csr_matrix(
        (
            np.array([c for _, c in rows], dtype=float),
            ([g_of[g] for (g, _), _ in rows], [k_of[k] for (_, k), _ in rows]),
        ),
        shape=(len(groups), len(labels)),
    )
    weights = np.asarray(units.sum(axis=1)).ravel().astype(np.int64)
    sizes, _ = _part_sizes(int(weights.sum()), sizes)
    part = group_assignment(
        units,
        weights,
        np.array(groups, dtype=object),
        sizes,
        keep_rare=keep_rare,
        rng=rng,
    )
    # the classes of at least max(3, parts) rows missing from a part, named as
    # the in-memory split names them
    present = np.zeros((sizes.size, len(labels)), dtype=bool)
    coo = units.tocoo()
    present[part[coo.row], coo.col] = True
    totals = np.asarray(units.sum(axis=0)).ravel()
    missing = np.flatnonzero((totals >= max(3, sizes.size)) & ~present.all(axis=0))
    if keep_rare and missing.size:
        held = np.diff((units > 0).tocsc().indptr)  # groups holding every class
        items = [(labels[k], int(totals[k]), int(held[k])) for k in missing]
        warn_uncovered(items, sizes.size, "too few groups hold them", stacklevel=5)
    table = np.zeros((len(labels), sizes.size), dtype=np.int64)
    np.add.at(table, (coo.col, part[coo.row]), coo.data.astype(np.int64))
    return dict(zip(groups, part.tolist(), strict=True)), labels, table


def partition(df, label_col, sizes, groups_col, keep_rare, seed, part_col, rare=None):
    return partition_plan(
        df, label_col, sizes, groups_col, keep_rare, seed, part_col, rare
    )[0]


def partition_plan(
    df,
    label_col,
    sizes,
    groups_col,
    keep_rare,
    seed,
    part_col,
    rare=None,
    hash_cols=None,
):
    """``df`` with the part of every row, the sorted classes, the rows of
    every class in every part (known on the driver before any row moves) and
    the number of groups (None without ``groups_col``). Only ``hash_cols``
    (default: all columns) decide the random ranks."""
    check_df(df, seed, label_col=label_col, groups_col=groups_col)
    if part_col in df.columns:
        raise ValueError(
            f"part_col={part_col!r} is already a column of the DataFrame; choose "
            "another name."
        )
    F = pyspark_module()
    T = pyspark_module("pyspark.sql.types")
    rng = check_random_state(seed)
    if groups_col is not None:
        part_of, keys, table = _group_parts(
            df, label_col, groups_col, sizes, keep_rare, rng
        )
        schema = T.StructType(
            [
                T.StructField(groups_col, df.schema[groups_col].dataType, False),
                T.StructField(part_col, T.IntegerType(), False),
            ]
        )
        rows = df.sparkSession.createDataFrame(list(part_of.items()), schema)
        parted = df.join(F.broadcast(rows), on=groups_col)
        selected = parted.select(*columns(df), exact_col(part_col))
        return selected, keys, table, len(part_of)
    hashed, keys, buckets = stratum_counts(df, label_col, seed, hash_cols)
    counts = buckets.sum(axis=1)
    sizes, fractions = _part_sizes(int(counts.sum()), sizes)
    if rare is not None:
        warn_rare(keys, counts, 3, stacklevel=5)
    alloc = _allocate(
        keys, counts, sizes, fractions, keep_rare=keep_rare, rare_order=rare, rng=rng
    )
    cuts = np.cumsum(alloc, axis=1)[:, :-1].tolist()
    ranked = rank_rows(
        hashed,
        label_col,
        keys,
        buckets,
        {"_sk_cuts": (T.ArrayType(T.LongType()), cuts)},
    )
    part = sum(
        (F.col(RANK) >= F.col("_sk_cuts")[j]).cast("int") for j in range(sizes.size - 1)
    )
    parted = ranked.withColumn(part_col, part)
    return parted.select(*columns(df), exact_col(part_col)), keys, alloc, None


def oversample_plan(
    df,
    stratum,
    *,
    target_ratio,
    min_share,
    relative,
    seed,
    hash_cols=None,
    copy_col=None,
):
    """``df`` with every row repeated to the targets, the sorted strata, their
    counts and targets; ``copy_col`` keeps the copy number (1 = the row)."""

    def targets(counts, keys):
        return stratum_targets(
            counts, target_ratio=target_ratio, min_share=min_share, relative=relative
        )

    return resample_plan(
        df,
        stratum,
        targets,
        who="oversample",
        seed=seed,
        hash_cols=hash_cols,
        copy_col=copy_col,
    )


def resample_plan(df, stratum, targets_of, *, who, seed, hash_cols=None, copy_col=None):
    """``df`` with stratum ``k`` brought from ``c`` to ``t`` rows, the sorted
    strata, their counts and targets (``targets_of(counts, keys)``).

    A row of random rank ``r`` in its stratum appears ``t // c`` times, plus
    once more when ``r < t % c``: a raised stratum keeps every row and copies
    the first ``t % c`` ranks once more, a lowered one keeps its ``t`` first
    ranks (the plans of :func:`skbalance._plan.plan_sources` and
    :func:`skbalance._plan.plan_kept`). ``copy_col`` keeps the copy number
    (1 = the row).
    """
    F = pyspark_module()
    T = pyspark_module("pyspark.sql.types")
    hashed, keys, buckets = stratum_counts(df, stratum, seed, hash_cols)
    check_two_strata(keys, source=f"Column {stratum!r}", word="value", who=who)
    counts = buckets.sum(axis=1)
    targets = targets_of(counts, keys)
    whole, extra = np.divmod(targets, counts)
    ranked = rank_rows(
        hashed,
        stratum,
        keys,
        buckets,
        {
            "_sk_whole": (T.LongType(), whole.tolist()),
            "_sk_extra": (T.LongType(), extra.tolist()),
        },
    )
    copies = F.col("_sk_whole") + (F.col(RANK) < F.col("_sk_extra")).cast("long")
    if (targets < counts).any():  # rows of a lowered stratum can have no copy
        ranked = ranked.where(copies > 0)
    copy = F.explode(F.sequence(F.lit(1), copies)).alias(copy_col or "_sk_copy")
    out = ranked.select("*", copy).select(
        *columns(df), *([] if copy_col is None else [copy_col])
    )
    return out, keys, counts, targets
