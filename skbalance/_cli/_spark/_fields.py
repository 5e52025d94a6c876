"""Fields of records on Spark, by the dotted paths of the command line:
in a JSON Lines record (a variant from ``try_parse_json``) or in a Parquet
row (struct fields and list items)."""

from skbalance._jsonl._scan import JsonlError
from skbalance._spark_plan import exact_col, pyspark_module

__all__ = ["FLOATS", "INTEGERS", "dotted_column", "parquet_kind", "variant_field"]

#: the variant types of integers and of other numbers (schema_of_variant)
INTEGERS = ("BIGINT", "INT", "SMALLINT", "TINYINT")
FLOATS = ("DOUBLE", "FLOAT")


def _key_path(key):
    if '"' not in key:
        return f'$["{key}"]'
    if "'" not in key:
        return f"$['{key}']"
    raise ValueError(
        f"The key {key!r} holds both kinds of quote; --engine spark cannot reach it."
    )


def variant_field(v, path):
    """The variant at a dotted path, as :func:`skbalance._jsonl.get_field`
    finds it (a key of an object before an index of a list; negative indices
    count from the end); null when it is not there."""
    F = pyspark_module()
    current = v
    for part in path.split("."):
        key = F.try_variant_get(current, _key_path(part), "variant")
        if part.lstrip("-").isdigit():
            index = int(part)
            if index >= 0:
                item = F.try_variant_get(current, f"$[{index}]", "variant")
            else:
                items = F.try_variant_get(current, "$", "array<variant>")
                item = F.try_element_at(items, F.lit(index))
            key = F.coalesce(key, item)
        current = key
    return current


def dotted_column(df, path, what):
    """The column of a (Parquet) DataFrame at a dotted path: struct fields by
    name, list items by index."""
    F = pyspark_module()
    T = pyspark_module("pyspark.sql.types")
    if path in df.columns:  # a column whose name holds dots
        return exact_col(path), df.schema[path].dataType
    parts = path.split(".")
    if parts[0] not in df.columns:
        raise JsonlError(
            f"{what}: no column {parts[0]!r} (field {path!r}); the columns are: "
            f"{', '.join(df.columns)}."
        )
    column, kind = exact_col(parts[0]), df.schema[parts[0]].dataType
    for part in parts[1:]:
        if isinstance(kind, T.StructType) and part in kind.fieldNames():
            column, kind = column.getField(part), kind[part].dataType
        elif isinstance(kind, T.ArrayType) and part.lstrip("-").isdigit():
            index = int(part)
            column = F.try_element_at(column, F.lit(index + (index >= 0)))
            kind = kind.elementType
        else:
            raise JsonlError(f"{what}: field {path!r} has no part {part!r}.")
    return column, kind


def parquet_kind(kind):
    T = pyspark_module("pyspark.sql.types")
    if isinstance(kind, T.StringType):
        return "string"
    if isinstance(kind, T.BooleanType):
        return "boolean"
    if isinstance(kind, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
        return "integer"
    if isinstance(kind, (T.FloatType, T.DoubleType, T.DecimalType)):
        return "float"
    return None
