"""JSON Lines files: the streaming reader, the byte-range writer, and the
small-file reader of the bundled data set."""

import io
import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skbalance import (
    JsonlIndex,
    duplicate_groups,
    read_jsonl_labels,
    write_jsonl_records,
)
from skbalance._fields import get_field
from skbalance._jsonl import JsonlError, read_jsonl, write_lines
from skbalance._jsonl._scan import Progress

BOM = b"\xef\xbb\xbf"


def _write(tmp_path, text, name="in.jsonl"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# -- read_jsonl_labels ------------------------------------------------------------


def test_flat_records_keep_labels_fields_lines_and_byte_ranges(tmp_path):
    text = (
        '{"label": "a", "meta": {"d": "x"}}\n\n  \n'
        '{"label": "b", "meta": {"d": "y"}}\r\n'
        '{"meta": {"d": "x"}, "label": "a"}'  # no final newline
    )
    path = _write(tmp_path, text)
    index = read_jsonl_labels(path, "label", fields={"domain": "meta.d"})
    assert isinstance(index, JsonlIndex) and len(index) == 3
    assert index.y.tolist() == ["a", "b", "a"]
    assert index.fields["domain"].tolist() == ["x", "y", "x"]
    assert index.line_numbers.tolist() == [1, 4, 5]
    assert index.where(1) == f"{path}:4"
    assert repr(index) == f"JsonlIndex(path={str(path)!r}, n_records=3)"
    out = tmp_path / "out.jsonl"
    assert write_jsonl_records(index, [2, 1, 0, 0], out) == 4
    lines = text.replace("\r\n", "\n").split("\n")
    assert out.read_text() == "\n".join([lines[4], lines[3], lines[0], lines[0]]) + "\n"


def test_chat_records_and_list_indices(tmp_path):
    rows = [
        {"messages": [{"role": "user", "content": "q"}, {"content": c}], "cat": c}
        for c in ("billing", "tech", "billing")
    ]
    path = _write(tmp_path, "".join(json.dumps(r) + "\n" for r in rows))
    index = read_jsonl_labels(path, "messages.-1.content", text="messages.0.content")
    assert index.y.tolist() == ["billing", "tech", "billing"]
    assert index.texts == ["q", "q", "q"]
    assert index.records([1]) == [rows[1]]


def test_numbers_and_booleans_keep_their_type(tmp_path):
    path = _write(tmp_path, '{"y": 1}\n{"y": 2.0}\n{"y": 1}\n')
    assert read_jsonl_labels(path, "y").y.tolist() == [1, 2.0, 1]
    path = _write(tmp_path, '{"y": true}\n{"y": false}\n')
    assert read_jsonl_labels(path, "y").y.tolist() == [True, False]


def test_bom_is_stripped_from_records_and_written_once_at_the_start(tmp_path):
    path = _write(tmp_path, BOM + b'{"y": "a"}\n{"y": "b"}\n')
    index = read_jsonl_labels(path, "y")
    assert index.bom and index.y.tolist() == ["a", "b"]
    out = tmp_path / "out.jsonl"
    write_jsonl_records(index, [1, 0, 0, 0], out)
    assert out.read_bytes() == BOM + b'{"y": "b"}\n{"y": "a"}\n{"y": "a"}\n{"y": "a"}\n'
    plain = _write(tmp_path, b'{"y": "a"}\n', name="plain.jsonl")
    index = read_jsonl_labels(plain, "y")
    write_jsonl_records(index, [0, 0], out, force=True)
    assert not index.bom and out.read_bytes() == b'{"y": "a"}\n{"y": "a"}\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"label": "a"}\n{"label": "b",}\n', r":2: not valid JSON \(Expecting "),
        ('{"label": "a"}\n[1, 2]\n', r":2: expected a JSON object, got list\.$"),
        (
            '{"label": "a"}\n{"text": "b"}\n',
            r":2: field 'label' \(label\) is missing \(no 'label'; the record's keys "
            r"are: text\)\.$",
        ),
        (
            '{"label": "a"}\n{"label": null}\n',
            r":2: field 'label' \(label\) is null; expected a string, number or "
            r"boolean\.$",
        ),
        (
            '{"label": 1}\n{"label": 2}\n{"label": 3}\n{"label": 4}\n{"label": NaN}\n',
            r":5: field 'label' \(label\) is NaN; expected a string, number or "
            r"boolean\.$",
        ),
        (
            '{"label": {"a": 1}}\n',
            r":1: field 'label' \(label\) is a dict; expected a string, number or "
            r"boolean\.$",
        ),
        (
            '{"label": "a"}\n{"label": "b"}\n{"label": 3}\n',
            r":3: field 'label' \(label\) is a number \(3\), but it is a string on "
            r"line 1; the values of a field must all be strings, all numbers or all "
            r"booleans\.$",
        ),
        (
            '{"label": 1}\n{"label": true}\n',
            r":2: field 'label' \(label\) is a boolean \(true\), but it is a number "
            r"on line 1;",
        ),
        ("", r": no records \(the file is empty\)\.$"),
        ("\n\n", r": no records \(2 blank lines\)\.$"),
        (" \r\n", r": no records \(1 blank line\)\.$"),
        # the column is the record's end, not column 1 of the line after it
        (
            '{"label": "a"}\n{"label": "b", "x": 1\n',
            r":2: not valid JSON \(Expecting ',' delimiter at column 22\)\.$",
        ),
        (
            '{"label": "a"}\r\n{"label": "b", "x": "cut\r\n',
            r":2: not valid JSON \(Unterminated string starting at column 21\)\.$",
        ),
    ],
)
def test_every_data_error_names_file_line_and_field(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(JsonlError, match=rf"^{str(path)}{message}"):
        read_jsonl_labels(path, "label")


def test_other_fields_and_text_errors(tmp_path):
    path = _write(tmp_path, '{"label": "a", "d": [1]}\n')
    with pytest.raises(
        JsonlError, match=r":1: field 'd' \(domain\) is a list; expected a string"
    ):
        read_jsonl_labels(path, "label", fields={"domain": "d"})
    with pytest.raises(
        JsonlError, match=r":1: field 'd' \(text\) is list; expected a string\.$"
    ):
        read_jsonl_labels(path, "label", text="d")


def test_not_utf8_missing_file_and_directory(tmp_path):
    path = _write(tmp_path, b'{"label": "a"}\n{"label": "\xff"}\n')
    with pytest.raises(JsonlError, match=r"in\.jsonl:2: not UTF-8 \(invalid start"):
        read_jsonl_labels(path, "label")
    with pytest.raises(JsonlError, match=r"nope\.jsonl: no such file\.$"):
        read_jsonl_labels(tmp_path / "nope.jsonl", "label")
    with pytest.raises(JsonlError, match=r"is a directory, not a JSON Lines file\.$"):
        read_jsonl_labels(tmp_path, "label")
    with pytest.raises(ValueError, match=r"on_error must be 'raise' or 'skip'"):
        read_jsonl_labels(path, "label", on_error="ignore")


def test_skip_counts_bad_records_and_names_the_first_lines(tmp_path):
    good = '{"label": "a"}\n'
    lines = [good, "oops\n", good, '{"x": 1}\n'] + ['{"label": null}\n'] * 6 + [good]
    path = _write(tmp_path, "".join(lines))
    index = read_jsonl_labels(path, "label", on_error="skip")
    assert index.line_numbers.tolist() == [1, 3, 11]
    assert index.n_skipped == 8 and index.skipped_lines == [2, 4, 5, 6, 7]
    bad = _write(tmp_path, "x\ny\n", name="bad.jsonl")
    with pytest.raises(
        JsonlError, match=r"bad\.jsonl: no valid records \(2 skipped, from line 1\)\."
    ):
        read_jsonl_labels(bad, "label", on_error="skip")


def test_missing_labels_kept_as_a_value_or_counted(tmp_path):
    path = _write(tmp_path, '{"label": "a"}\n{"t": 1}\n{"label": null}\n')
    index = read_jsonl_labels(path, "label", missing_label="unknown")
    assert index.y.tolist() == ["a", "unknown", "unknown"]
    index = read_jsonl_labels(path, "label", skip_missing=True)
    assert index.y.tolist() == ["a"]
    assert (index.n_missing, index.missing_lines) == (2, [2, 3])
    none = _write(tmp_path, '{"t": 1}\n', name="none.jsonl")
    with pytest.raises(
        JsonlError,
        match=r"none\.jsonl: no record has the field 'label' \(label; 1 without it, "
        r"from line 1\)\.",
    ):
        read_jsonl_labels(none, "label", skip_missing=True)


def test_multilabel_lists(tmp_path):
    path = _write(tmp_path, '{"y": ["a", "b"]}\n{"y": "b"}\n{"y": ["b", "b"]}\n')
    index = read_jsonl_labels(path, "y", multilabel=True)
    assert index.y == [["a", "b"], ["b"], ["b"]]


def test_offsets_false_keeps_no_positions(tmp_path):
    path = _write(tmp_path, '{"y": 1}\n')
    index = read_jsonl_labels(path, "y", offsets=False)
    with pytest.raises(ValueError, match=r"offsets=False; read it again\."):
        write_jsonl_records(index, [0], tmp_path / "o.jsonl")
    with pytest.raises(ValueError, match=r"offsets=False; read it again\."):
        index.records()


_READ_STDIN = """
import sys
from skbalance import read_jsonl_labels, write_jsonl_records
from skbalance._jsonl import JsonlError
try:
    index = read_jsonl_labels("-", "y")
except JsonlError as exc:
    sys.exit(f"JsonlError: {exc}")
print(index.path, index.y.tolist())
write_jsonl_records(index, [1, 1], sys.argv[1])
"""


def _read_stdin(data, out):
    """read_jsonl_labels("-") in a fresh interpreter whose stdin is ``data``
    (the real sys.stdin, not a patched one)."""
    return subprocess.run(
        [sys.executable, "-c", _READ_STDIN, str(out)],
        input=data,
        capture_output=True,
        check=False,
    )


def test_stdin_is_kept_in_an_unnamed_file_to_copy_records_from(tmp_path):
    proc = _read_stdin(b'{"y": "a"}\n{"y": "b"}\n', tmp_path / "o.jsonl")
    assert (proc.returncode, proc.stdout) == (0, b"- ['a', 'b']\n"), proc.stderr
    assert (tmp_path / "o.jsonl").read_bytes() == b'{"y": "b"}\n{"y": "b"}\n'
    proc = _read_stdin(b"[1]\n", tmp_path / "p.jsonl")
    assert proc.returncode == 1
    assert proc.stderr.startswith(b"JsonlError: <stdin>:1: expected a JSON object")
    assert not (tmp_path / "p.jsonl").exists()


def test_large_records_are_copied_in_chunks(tmp_path):
    big = json.dumps({"y": "a", "t": "x" * 5000})
    path = _write(tmp_path, big + "\n" + big + "\n")
    index = read_jsonl_labels(path, "y")
    write_jsonl_records(
        index, [0, 1, 0], tmp_path / "o.jsonl", chunk=2, gap=0, window=1000
    )
    assert (tmp_path / "o.jsonl").read_text() == (big + "\n") * 3


records = st.lists(
    st.fixed_dictionaries(
        {"y": st.sampled_from(["a", "b", "c"]), "t": st.text(max_size=20)}
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(
    records,
    st.data(),
    st.sampled_from(["\n", "\r\n", "\n\n"]),
    st.sampled_from(["", "\n"]),
)
def test_written_records_are_the_input_bytes_of_the_rows_asked_for(
    tmp_path_factory, rows, data, newline, last
):
    folder = tmp_path_factory.mktemp("prop")
    lines = [json.dumps(r, ensure_ascii=data.draw(st.booleans())) for r in rows]
    path = _write(folder, newline.join(lines) + last)
    index = read_jsonl_labels(path, "y", dedupe="t")
    assert index.y.tolist() == [r["y"] for r in rows]
    # the same groups as duplicate_groups on the same texts
    assert (
        index.duplicate_groups.tolist()
        == duplicate_groups([r["t"] for r in rows]).tolist()
    )
    pick = st.integers(0, len(rows) - 1)
    picks = data.draw(st.lists(pick, max_size=50))
    if data.draw(st.booleans()):  # runs of neighbours, copied as one slice
        picks = sorted(picks) + list(range(data.draw(pick), len(rows))) + picks
    settings_ = {
        "chunk": data.draw(st.sampled_from([1, 3, 65536])),
        "gap": data.draw(st.sampled_from([0, 10, 4096])),
        "window": data.draw(st.one_of(st.integers(16, 400), st.just(1 << 23))),
        # runs of at least this many bytes copied by the kernel
        "copy": data.draw(st.sampled_from([None, 1, 40, 1 << 16])),
        "plan": data.draw(st.sampled_from([1, 4, 1 << 21])),
    }
    if data.draw(st.booleans()):  # by place
        write_jsonl_records(index, picks, folder / "o.jsonl", **settings_)
    else:  # in order, to a file opened by the caller
        with open(folder / "o.jsonl", "wb") as fh:
            write_jsonl_records(index, picks, fh, **settings_)
    expected = "".join(lines[i] + "\n" for i in picks)
    assert (folder / "o.jsonl").read_bytes() == expected.encode()


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\n\n", "\n \n"])
@pytest.mark.parametrize("last", ["", "\n"])
def test_neighbours_in_the_file_are_copied_with_their_own_newline(
    tmp_path, newline, last
):
    lines = [json.dumps({"y": "ab"[i % 2], "i": i}) for i in range(6)]
    path = _write(tmp_path, newline.join(lines) + last)
    index = read_jsonl_labels(path, "y")
    picks = [0, 1, 2, 5, 3, 4, 5, 5, 1, 2]
    write_jsonl_records(index, picks, tmp_path / "o.jsonl")
    expected = "".join(lines[i] + "\n" for i in picks)
    assert (tmp_path / "o.jsonl").read_bytes() == expected.encode()


@pytest.mark.parametrize("window", [16, 64, 100, 256, 1 << 23])
@pytest.mark.parametrize("plan", [3, 1 << 21])
def test_records_written_by_place_land_in_their_place(tmp_path, window, plan):
    # windows of the input hold some of the output's rows, not next to each other
    lines = [json.dumps({"y": i % 2, "t": "x" * i}) for i in range(8)]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    index = read_jsonl_labels(path, "y")
    picks = [3, 1, 4, 3, 0, 7, 2, 3, 4, 5]
    write_jsonl_records(
        index, picks, tmp_path / "o.jsonl", window=window, copy=30, plan=plan
    )
    expected = "".join(lines[i] + "\n" for i in picks)
    assert (tmp_path / "o.jsonl").read_text() == expected


@pytest.mark.parametrize("kernel", ["copies", "cannot copy", "absent"])
@pytest.mark.parametrize("opened", [False, True])
def test_runs_copied_by_the_kernel_or_read_give_the_same_bytes(
    tmp_path, monkeypatch, kernel, opened
):
    import errno

    import skbalance._io

    calls = []
    copy_file_range = skbalance._io._copy_file_range

    def cannot(*args):  # another file system on an old kernel
        calls.append(args)
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    def counted(*args):
        calls.append(args)
        return copy_file_range(*args)

    fake = {"copies": counted, "cannot copy": cannot, "absent": None}[kernel]
    monkeypatch.setattr(skbalance._io, "_copy_file_range", fake)
    lines = [json.dumps({"y": "ab"[i % 3 == 0], "i": i}) for i in range(40)]
    path = _write(tmp_path, "\ufeff" + "\n".join(lines) + "\n")
    index = read_jsonl_labels(path, "y")
    picks = [*range(40), 3, 4, 5, 6, 0, *range(20, 30), 39]
    if opened:  # a file opened by the caller (standard output, say): read
        with open(tmp_path / "o.jsonl", "wb") as fh:
            assert write_jsonl_records(index, picks, fh, copy=50) == len(picks)
    else:
        assert write_jsonl_records(index, picks, tmp_path / "o.jsonl", copy=50) == 56
    expected = "\ufeff" + "".join(lines[i] + "\n" for i in picks)
    assert (tmp_path / "o.jsonl").read_bytes() == expected.encode()
    # the runs of 40, 4 and 10 records; the record 0 and 39 alone are read
    assert len(calls) == (3 if kernel != "absent" and not opened else 0)


def test_a_full_disk_while_the_kernel_copies_names_the_output(tmp_path, monkeypatch):
    import errno

    import skbalance._io
    from skbalance._io import OutputError

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(skbalance._io, "_copy_file_range", full)
    path = _write(tmp_path, "".join(f'{{"y": {i % 2}}}\n' for i in range(50)))
    index = read_jsonl_labels(path, "y")
    with pytest.raises(OutputError) as info:
        write_jsonl_records(index, range(50), tmp_path / "o.jsonl", copy=1)
    assert str(info.value) == (
        f"{tmp_path / 'o.jsonl'}: write failed: no space left on the device."
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize("opened", [False, True])
def test_an_input_cut_short_before_it_is_written_is_an_error(tmp_path, opened):
    from skbalance._io import OutputError

    path = _write(tmp_path, "".join(f'{{"y": {i % 2}, "i": {i}}}\n' for i in range(9)))
    index = read_jsonl_labels(path, "y")
    with open(path, "r+b") as fh:  # changed after it was read
        fh.truncate(30)
    out = tmp_path / "o.jsonl"
    with pytest.raises(OutputError) as info:
        if opened:
            with open(out, "wb") as fh:
                write_jsonl_records(index, range(9), fh)
        else:
            write_jsonl_records(index, range(9), out)
    name = "records" if opened else out
    assert str(info.value) == (
        f"{name}: write failed: the input changed while it was copied."
    )
    if not opened:
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_shuffled_rows_are_written_in_order_and_the_rest_by_place(
    tmp_path, monkeypatch
):
    import skbalance._jsonl._records as records

    placed, calls = records._placed_pieces, []

    def spied(fd, starts, lengths, rows, *args):
        calls.append(rows.tolist())
        return placed(fd, starts, lengths, rows, *args)

    monkeypatch.setattr(records, "_placed_pieces", spied)
    lines = [json.dumps({"y": i % 2, "i": i}) for i in range(64)]
    index = read_jsonl_labels(_write(tmp_path, "\n".join(lines) + "\n"), "y")
    shuffled = np.random.default_rng(0).permutation(64).tolist()
    copies = [*range(64), *range(0, 64, 2), *range(1, 64, 2)]  # 2 descents
    for picks in (shuffled, copies):
        write_jsonl_records(index, picks, tmp_path / "o.jsonl", force=True, plan=64)
        expected = "".join(lines[i] + "\n" for i in picks)
        assert (tmp_path / "o.jsonl").read_text() == expected
    assert calls == [copies[:64], copies[64:]]  # two plans, both by place


def test_an_input_cut_short_while_it_is_copied_is_an_error(tmp_path):
    import os

    from skbalance._io import OutputError, atomic_output, copy_at

    path = _write(tmp_path, '{"y": 1}\n')
    fd = os.open(path, os.O_RDONLY)
    try:
        with pytest.raises(OutputError) as info:
            with atomic_output(tmp_path / "o.jsonl") as out:
                copy_at(out, fd, 0, 20, 0)  # 11 bytes more than the file
    finally:
        os.close(fd)
    assert str(info.value) == (
        f"{tmp_path / 'o.jsonl'}: write failed: the input changed while it was copied."
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_stdlib_parser_gives_the_same_results_and_messages(tmp_path):
    # in subprocesses: with orjson, and with orjson hidden (the fallback)
    import subprocess

    text = '{"y": "é", "n": 184467440737, "f": NaN}\n{"y": "b"}\n{"y": 1}\n'
    path = _write(tmp_path, text)
    code = (
        "import sys\n"
        "if sys.argv[2] == 'hide': sys.modules['orjson'] = None\n"
        "from skbalance import read_jsonl_labels\n"
        "from skbalance._jsonl._scan import loads\n"
        "print(loads(b'[NaN, 1e400]'), read_jsonl_labels(sys.argv[1], 'y', "
        "on_error='skip', fields={'n': 'n'}).y.tolist())\n"
        "try:\n"
        "    read_jsonl_labels(sys.argv[1], 'y')\n"
        "except ValueError as e:\n"
        "    print(e)\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", code, str(path), mode],
            capture_output=True, text=True, check=True,
        ).stdout
        for mode in ("orjson", "hide")
    ]  # fmt: skip
    assert outputs[0] == outputs[1]
    assert outputs[0] == (
        "[nan, inf] ['é']\n"
        f"{path}:3: field 'y' (label) is a number (1), but it is a string on line 1; "
        "the values of a field must all be strings, all numbers or all booleans.\n"
    )


def test_progress_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    quiet = io.StringIO()
    Progress("f", 100, "auto", quiet).update(50)
    assert quiet.getvalue() == ""
    term = Terminal()
    bar = Progress("f.jsonl", 2_000_000, "auto", term)
    bar.update(1_000_000)
    bar.close()
    assert term.getvalue() == "\rreading f.jsonl:  50% (1 of 2 MB)\r\x1b[K"


@pytest.mark.parametrize("opened", [False, True])
def test_writing_shows_its_progress_in_records(tmp_path, capsys, opened):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(f'{{"y": {i % 2}}}\n' for i in range(10)))
    index = read_jsonl_labels(path, "y", progress=False)
    out = tmp_path / "out.jsonl"
    if opened:  # in order: 4 records at a time
        with open(out, "wb") as fh:
            write_jsonl_records(index, range(10), fh, progress=True, chunk=4)
        name = "records"
    else:  # by place: 40 bytes of output (4 records of 9 bytes) at a time
        write_jsonl_records(index, range(10), out, progress=True, window=40)
        name = out
    err = capsys.readouterr().err  # later redraws only if 0.2 s went by
    assert err.startswith(f"\rwriting {name}:  40% (4 of 10 records)")
    assert err.endswith("\r\x1b[K")
    write_jsonl_records(index, range(10), out, force=True)  # "auto": no terminal
    assert capsys.readouterr().err == ""


# -- small files read whole ----------------------------------------------------------


def test_read_jsonl_keeps_raw_lines_and_strips_a_bom(tmp_path):
    text = BOM + b'{"b": 1.50, "a": "caf\\u00e9"}\n\n  \n{"a": "x"}\r\n'
    data = read_jsonl(_write(tmp_path, text))
    assert data.lines == [b'{"b": 1.50, "a": "caf\\u00e9"}', b'{"a": "x"}']
    assert data.line_numbers == [1, 4]
    assert data.records[0] == {"b": 1.5, "a": "café"}
    assert len(data) == 2


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (b'{"a": 1}\n{"a": 2,}\n', r"in\.jsonl:2: not valid JSON \(Expecting "),
        (
            b'{"a": 1}\n{"a": "x\ty"}\n',
            r"in\.jsonl:2: not valid JSON \(Invalid control character at column 9\)\.",
        ),
        (b'{"a": 1}\n[1, 2]\n', r"in\.jsonl:2: expected a JSON object, got list\."),
        (b"", r"in\.jsonl: no records \(the file is empty\)\."),
        (b"\n\n", r"in\.jsonl: no records \(2 blank lines\)\."),
        (b'{"a": "\xff"}\n', r"in\.jsonl:1: not UTF-8"),
    ],
)
def test_read_jsonl_errors(tmp_path, text, match):
    with pytest.raises(JsonlError, match=match):
        read_jsonl(_write(tmp_path, text))


def test_read_jsonl_missing_file_and_folder(tmp_path):
    with pytest.raises(JsonlError, match=r"nope\.jsonl: no such file\."):
        read_jsonl(tmp_path / "nope.jsonl")
    with pytest.raises(JsonlError, match=r"is a directory, not a JSON Lines file\."):
        read_jsonl(tmp_path)


def test_get_field_paths():
    chat = {"messages": [{"role": "user", "content": "hi"}, {"content": "yo"}]}
    assert get_field(chat, "messages.-1.content") == "yo"
    with pytest.raises(KeyError, match="'2'"):
        get_field(chat, "messages.2.content")
    with pytest.raises(KeyError, match="'role'"):
        get_field(chat, "messages.1.role")


def test_write_lines_goes_through_atomic_output(tmp_path):
    src = _write(tmp_path, '{"a": 1}\n')
    out = tmp_path / "out.jsonl"
    write_lines(out, [b'{"a": 1}', b'{"a": 1}'], inputs=[src])
    assert out.read_bytes() == b'{"a": 1}\n{"a": 1}\n'
    with pytest.raises(ValueError, match="already exists; pass --force"):
        write_lines(out, [b"{}"])
    with pytest.raises(ValueError, match="refusing to overwrite the input file"):
        write_lines(src, [b"{}"], inputs=[src], force=True)
    write_lines(out, [b"{}"], force=True)
    assert out.read_bytes() == b"{}\n"
    assert np.array_equal(
        sorted(p.name for p in tmp_path.iterdir()), ["in.jsonl", "out.jsonl"]
    )


def test_codes_and_value_counts_without_making_y(tmp_path):
    path = _write(
        tmp_path,
        '{"y": "b", "d": "x"}\n{"y": "a", "d": "y"}\n{"y": "b", "d": "y"}\n'
        '{"y": "c", "d": "y"}\n',
    )
    index = read_jsonl_labels(path, "y", fields={"domain": "d"})
    values, codes = index.codes()
    assert values == ["b", "a", "c"] and codes.tolist() == [0, 1, 0, 2]
    assert index.value_counts() == {"b": 2, "a": 1, "c": 1}  # ties by label
    assert index.value_counts(by="domain") == {
        "y": {"b": 1, "a": 1, "c": 1},
        "x": {"b": 1, "a": 0, "c": 0},
    }
    assert index._y is None  # y was never made
    multi = _write(tmp_path, '{"y": ["a"]}\n', name="m.jsonl")
    with pytest.raises(ValueError, match="value_counts needs a single label"):
        read_jsonl_labels(multi, "y", multilabel=True).value_counts()


@pytest.mark.parametrize(
    "number",
    [2**64 + 1, -(2**63) - 1, 10**30, 2**64 - 1, -(2**63), 1234567890123456789],
)
def test_integers_past_64_bits_stay_exact_with_orjson(tmp_path, number):
    """orjson reads an integer past 64 bits as a float without a word; the
    reader sends such lines to the standard library."""
    from skbalance._jsonl._scan import loads

    line = f'{{"y": {number}, "t": "x", "d": [{number}]}}\n'.encode()
    assert loads(line) == {"y": number, "t": "x", "d": [number]}
    assert type(loads(line)["y"]) is int
    if not -(2**63) <= number < 2**64:  # past 64 bits: kept as Python ints
        path = _write(tmp_path, line.decode() + '{"y": 7, "d": [7]}\n')
        index = read_jsonl_labels(path, "y", fields={"d": "d.0"})
        assert index.y.tolist() == [number, 7]
        assert index.fields["d"].tolist() == [number, 7]
        index = read_jsonl_labels(path, "d", multilabel=True)
        assert [list(v) for v in index.y] == [[number], [7]]


def test_a_writer_error_is_raised_in_the_caller_and_later_data_dropped():
    import threading

    from skbalance._jsonl._records import _writing_behind

    written, failing = [], threading.Event()

    def write(data):
        if data == b"full":
            failing.set()
            raise OSError(28, "No space left on device")
        written.append(data)

    with pytest.raises(OSError, match="No space left"):
        with _writing_behind(write) as put:
            put(b"a")
            put(b"full")
            failing.wait(5)
            put(b"b")  # raises: the writer failed
            put(b"never")
    assert written == [b"a"]


def test_an_interruption_while_gathering_drops_what_is_queued():
    import threading

    from skbalance._jsonl._records import _writing_behind

    written = []

    def write(data):  # slow: the interruption comes while it writes
        threading.Event().wait(0.2)
        written.append(data)

    with pytest.raises(KeyboardInterrupt):
        with _writing_behind(write, depth=4) as put:
            put(b"being written")
            put(b"queued")
            raise KeyboardInterrupt
    assert written in ([], [b"being written"])  # never b"queued"
    assert "skbalance-writer" not in [t.name for t in threading.enumerate()]


def test_only_regular_files_are_written_behind(tmp_path, monkeypatch):
    import os
    import threading

    path = _write(tmp_path, '{"y": "a"}\n{"y": "b"}\n')
    index = read_jsonl_labels(path, "y")
    threads = []
    start = threading.Thread.start

    def noted(thread):
        threads.append(thread.name)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", noted)
    write_jsonl_records(index, [1, 0], tmp_path / "o.jsonl")
    assert threads == ["skbalance-writer"]
    read, write = os.pipe()
    with open(write, "wb") as pipe:  # a pipe may stall: written in this thread
        write_jsonl_records(index, [1, 0], pipe)
    assert threads == ["skbalance-writer"]
    with open(read, "rb") as got:
        assert got.read() == b'{"y": "b"}\n{"y": "a"}\n'
