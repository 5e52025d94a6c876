import json

import pytest

from skbalance._jsonl import (
    JsonlError,
    field_values,
    get_field,
    read_jsonl,
    write_lines,
)


def _write(tmp_path, text, name="in.jsonl"):
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_raw_lines_and_line_numbers_are_kept(tmp_path):
    text = '{"b": 1.50, "a": "caf\\u00e9"}\n\n  \n{"a": "x"}\n'
    data = read_jsonl(_write(tmp_path, text))
    assert data.lines == [b'{"b": 1.50, "a": "caf\\u00e9"}', b'{"a": "x"}']
    assert data.line_numbers == [1, 4]
    assert data.records[0] == {"b": 1.5, "a": "café"}


def test_crlf_line_endings(tmp_path):
    data = read_jsonl(_write(tmp_path, '{"a": 1}\r\n{"a": 2}\r\n'))
    assert [r["a"] for r in data.records] == [1, 2]
    assert data.lines == [b'{"a": 1}', b'{"a": 2}']


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('{"a": 1}\n{"a": 2,}\n', r"in\.jsonl, line 2: not valid JSON \(Expecting "),
        (
            '{"a": 1}\n[1, 2]\n',
            r"in\.jsonl, line 2: expected a JSON object, got list\.",
        ),
        ("\n\n", r"in\.jsonl: no records \(the file is empty\)\."),
    ],
)
def test_bad_files_name_file_and_line(tmp_path, text, match):
    with pytest.raises(JsonlError, match=match):
        read_jsonl(_write(tmp_path, text))


def test_not_utf8(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": "\xff"}\n')
    with pytest.raises(JsonlError, match=r"in\.jsonl, line 2: not UTF-8"):
        read_jsonl(path)


def test_missing_file(tmp_path):
    with pytest.raises(JsonlError, match=r"nope\.jsonl: no such file\."):
        read_jsonl(tmp_path / "nope.jsonl")


def test_get_field_paths():
    chat = {"messages": [{"role": "user", "content": "hi"}, {"content": "yo"}]}
    assert get_field(chat, "messages.-1.content") == "yo"
    with pytest.raises(KeyError, match="'2'"):
        get_field(chat, "messages.2.content")
    with pytest.raises(KeyError, match="'role'"):
        get_field(chat, "messages.1.role")


def test_field_values_errors_name_file_line_and_field(tmp_path):
    data = read_jsonl(_write(tmp_path, '{"label": "a"}\n{"text": "b"}\n'))
    with pytest.raises(
        JsonlError,
        match=r"^.*in\.jsonl, line 2: field 'label' \(--label\) is missing \(no "
        r"'label'; the record's keys are: text\)\.$",
    ):
        field_values(data, "label", option="--label")
    data = read_jsonl(_write(tmp_path, '{"label": "a"}\n{"label": null}\n'))
    with pytest.raises(JsonlError, match=r"line 2: field 'label' \(--label\) is null"):
        field_values(data, "label", option="--label")


def test_write_lines_is_atomic_and_refuses_the_input(tmp_path):
    src = _write(tmp_path, '{"a": 1}\n')
    out = tmp_path / "out.jsonl"
    write_lines(out, [b'{"a": 1}', b'{"a": 1}'], inputs=[src])
    assert out.read_bytes() == b'{"a": 1}\n{"a": 1}\n'
    with pytest.raises(JsonlError, match="refusing to overwrite the input file"):
        write_lines(src, [b"{}"], inputs=[src])
    assert src.read_bytes() == b'{"a": 1}\n'
    # a failure while writing leaves the old output and no temporary file

    def broken():
        yield b'{"a": 2}'
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_lines(out, broken())
    assert out.read_bytes() == b'{"a": 1}\n{"a": 1}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_write_lines_missing_folder(tmp_path):
    with pytest.raises(JsonlError, match=r"the folder .*nowhere does not exist"):
        write_lines(tmp_path / "nowhere" / "out.jsonl", [b"{}"])


def test_round_trip_is_byte_identical(tmp_path):
    lines = [
        json.dumps({"z": i, "a": [1.0, "é"]}, ensure_ascii=False) for i in range(5)
    ]
    src = _write(tmp_path, "\n".join(lines) + "\n")
    data = read_jsonl(src)
    write_lines(tmp_path / "o.jsonl", data.lines)
    assert (tmp_path / "o.jsonl").read_bytes() == src.read_bytes()
