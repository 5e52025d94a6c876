"""JSON Lines files, where fine-tuning data lives: the one-pass reader
(:mod:`._read`, :mod:`._scan`), the index of records it returns
(:mod:`._index`) and the byte-for-byte writers (:mod:`._records`)."""

from skbalance._jsonl._index import JsonlIndex
from skbalance._jsonl._read import read_jsonl_labels
from skbalance._jsonl._records import (
    JsonlRecords,
    read_jsonl,
    write_jsonl_records,
    write_lines,
)
from skbalance._jsonl._scan import JsonlError

__all__ = [
    "JsonlError",
    "JsonlIndex",
    "JsonlRecords",
    "read_jsonl",
    "read_jsonl_labels",
    "write_jsonl_records",
    "write_lines",
]
