"""atomic_output: whole or nothing, and safe with any path."""

import errno
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import threading

import pytest

import skbalance._io
from skbalance._io import (
    OutputError,
    abandon_outputs,
    atomic_output,
    check_output,
    staged_outputs,
)
from tests.conftest import full_disk_on, remount_read_only


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_new_file_gets_the_umask_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_output(tmp_path / "out.jsonl") as fh:
            fh.write(b"{}\n")
    finally:
        os.umask(old)
    out = tmp_path / "out.jsonl"
    assert out.read_bytes() == b"{}\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert _names(tmp_path) == ["out.jsonl"]


def test_text_mode_writes_utf8(tmp_path):
    with atomic_output(tmp_path / "w.json", mode="w") as fh:
        fh.write("café\n")
    assert (tmp_path / "w.json").read_bytes() == "café\n".encode()
    with pytest.raises(ValueError, match=r"mode must be 'wb' or 'w'; got 'a'\."):
        with atomic_output(tmp_path / "x", mode="a"):
            pass


def test_existing_output_needs_force_and_keeps_its_permissions(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")
    out.chmod(0o640)
    with pytest.raises(
        OutputError, match=r"out\.jsonl: already exists; pass --force to overwrite it\."
    ):
        with atomic_output(out):
            pass
    assert out.read_bytes() == b"old\n"
    with atomic_output(out, force=True) as fh:
        fh.write(b"new\n")
    assert out.read_bytes() == b"new\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_read_only_output_is_never_replaced(tmp_path):
    out = tmp_path / "ro.jsonl"
    out.write_bytes(b"keep\n")
    out.chmod(0o444)
    with pytest.raises(OutputError, match=r"ro\.jsonl: is read-only; refusing"):
        with atomic_output(out, force=True):
            pass
    assert out.read_bytes() == b"keep\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o444


def test_symlink_is_written_through_to_its_target(tmp_path):
    target = tmp_path / "real.jsonl"
    target.write_bytes(b"old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    with atomic_output(link, force=True) as fh:
        fh.write(b"new\n")
    assert link.is_symlink()
    assert target.read_bytes() == b"new\n"
    # a dangling link creates its target
    dangling = tmp_path / "dangling.jsonl"
    dangling.symlink_to(tmp_path / "created.jsonl")
    with atomic_output(dangling) as fh:
        fh.write(b"x\n")
    assert dangling.is_symlink() and (tmp_path / "created.jsonl").read_bytes() == b"x\n"


def test_character_device_is_written_directly():
    before = os.stat("/dev/null")
    assert check_output("/dev/null") == "stream"
    with atomic_output("/dev/null") as fh:
        fh.write(b"gone\n")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_fifo_is_written_directly(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    with atomic_output(fifo) as fh:
        fh.write(b"through the pipe\n")
    reader.join(timeout=10)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert _names(tmp_path) == ["pipe"]


def test_socket_is_refused(tmp_path):
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        with pytest.raises(
            OutputError,
            match=r"sock: is neither a regular file, a character device nor a pipe; "
            r"refusing to write to it\.",
        ):
            check_output(path)
    finally:
        server.close()


@pytest.mark.parametrize(
    ("name", "message", "reason"),
    [
        ("", r"^the output path is empty\.$", "empty"),
        (".", r"is a directory; give a file name to write to\.$", "directory"),
        ("no/such/out.jsonl", r"the folder .*no/such does not exist\.$", "folder"),
    ],
)
def test_bad_paths(tmp_path, monkeypatch, name, message, reason):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match=message) as info:
        check_output(name)
    assert info.value.reason == reason


def test_an_input_is_never_overwritten_even_with_force_or_through_a_link(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"data\n")
    link = tmp_path / "alias.jsonl"
    link.symlink_to(src)
    for out in (src, link):
        with pytest.raises(OutputError, match="refusing to overwrite the input file"):
            with atomic_output(out, force=True, inputs=[src, "-"]):
                pass
    assert src.read_bytes() == b"data\n"


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failure_keeps_the_old_output_and_no_temporary_file(tmp_path, error):
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")
    with pytest.raises(type(error)):
        with atomic_output(out, force=True) as fh:
            fh.write(b"half")
            raise error
    assert out.read_bytes() == b"old\n"
    assert _names(tmp_path) == ["out.jsonl"]


def test_sigterm_leaves_no_temporary_file(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys, time
        from skbalance._io import atomic_output
        with atomic_output({str(tmp_path / "out.jsonl")!r}) as fh:
            fh.write(b"x" * 1000)
            print("writing", flush=True)
            time.sleep(60)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout.readline() == b"writing\n"
    assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert err == b""
    assert _names(tmp_path) == []


def test_stdout(tmp_path):
    script = (
        "from skbalance._io import atomic_output\n"
        "with atomic_output('-') as fh:\n"
        "    fh.write(b'to stdout\\n')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True
    )
    assert result.stdout == b"to stdout\n"


def test_sigterm_handler_is_restored(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    with atomic_output(tmp_path / "a") as fh:
        fh.write(b"")
    assert signal.getsignal(signal.SIGTERM) is before


# -- several outputs as a set: staged_outputs ---------------------------------------


def _old_set(folder):
    """train/val/test files with old contents: ``{name: bytes}``."""
    old = {
        f"{name}.jsonl": f"old {name}\n".encode() for name in ("train", "val", "test")
    }
    for name, data in old.items():
        (folder / name).write_bytes(data)
    return old


def _contents(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _write_set(stage, folder):
    for name in ("train", "val", "test"):
        stage.open(folder / f"{name}.jsonl", force=True).write(f"new {name}\n".encode())


def test_staged_outputs_appear_together_at_the_end(tmp_path):
    old = _old_set(tmp_path)
    with staged_outputs() as stage:
        _write_set(stage, tmp_path)
        stage.open(tmp_path / "extra.json", mode="w").write("{}")
        assert {n: d for n, d in _contents(tmp_path).items() if n in old} == old
    assert _contents(tmp_path) == {
        "extra.json": b"{}",
        "test.jsonl": b"new test\n",
        "train.jsonl": b"new train\n",
        "val.jsonl": b"new val\n",
    }


@pytest.mark.parametrize("failing", ["val.jsonl", "test.jsonl"])
def test_a_full_disk_on_a_later_output_keeps_the_old_set_whole(
    tmp_path, monkeypatch, failing
):
    old = _old_set(tmp_path)
    monkeypatch.setattr(skbalance._io, "_write_bytes", full_disk_on(failing))
    with pytest.raises(OutputError) as info:
        with staged_outputs() as stage:
            _write_set(stage, tmp_path)
    assert str(info.value) == (
        f"{tmp_path / failing}: write failed: no space left on the device."
    )
    assert info.value.reason == "io"
    assert info.value.__cause__.errno == errno.ENOSPC
    assert _contents(tmp_path) == old  # no part replaced, no temporary file


def test_ctrl_c_while_a_later_output_is_written_keeps_the_old_set_whole(tmp_path):
    old = _old_set(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        with staged_outputs() as stage:
            stage.open(tmp_path / "train.jsonl", force=True).write(b"new\n")
            stage.open(tmp_path / "val.jsonl", force=True).write(b"new\n")
            raise KeyboardInterrupt
    assert _contents(tmp_path) == old


@pytest.mark.parametrize(
    ("sig", "error", "code"),
    [(signal.SIGINT, KeyboardInterrupt, None), (signal.SIGTERM, SystemExit, 143)],
)
def test_ctrl_c_and_sigterm_between_renames_wait_for_the_last(
    tmp_path, monkeypatch, sig, error, code
):
    _old_set(tmp_path)
    renamed = []

    def rename(source, target):
        if not renamed:  # the signal comes after the first rename
            signal.raise_signal(sig)
        os.replace(source, target)
        renamed.append(os.path.basename(target))

    monkeypatch.setattr(skbalance._io, "_rename", rename)
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with pytest.raises(error) as info:
        with staged_outputs() as stage:
            _write_set(stage, tmp_path)
    assert getattr(info.value, "code", None) == code  # delivered after the renames
    assert renamed == ["train.jsonl", "val.jsonl", "test.jsonl"]
    assert _contents(tmp_path) == {
        f"{n}.jsonl": f"new {n}\n".encode() for n in ("test", "train", "val")
    }
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_a_second_interruption_while_cleaning_up_leaves_no_temporary_file(
    tmp_path, monkeypatch
):
    def interrupted(file, data, offset=None):  # also the flush at the close
        raise KeyboardInterrupt

    monkeypatch.setattr(skbalance._io, "_write_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        with staged_outputs() as stage:
            stage.open(tmp_path / "a.jsonl").write(b"buffered\n")
            stage.open(tmp_path / "b.jsonl").write(b"buffered\n")
    assert _names(tmp_path) == []


@pytest.mark.parametrize("call", [1, 2])
def test_ctrl_c_just_after_a_temporary_file_is_made_leaves_none(
    tmp_path, monkeypatch, call
):
    """Ctrl-C when a file was made but its maker did not know it yet: in
    the folder check (call 1), then for the staged output (call 2)."""
    temporary, calls = skbalance._io._temporary, []

    def interrupted(folder, name):
        made = temporary(folder, name)
        calls.append(name)
        if len(calls) == call:
            signal.raise_signal(signal.SIGINT)
        return made

    monkeypatch.setattr(skbalance._io, "_temporary", interrupted)
    with pytest.raises(KeyboardInterrupt):
        with staged_outputs() as stage:
            stage.open(tmp_path / "out.jsonl")
    assert len(calls) == call
    assert _names(tmp_path) == []


def test_abandoned_outputs_of_another_thread_are_never_put_in_place(tmp_path):
    old = _old_set(tmp_path)
    writing, abandoned, result = threading.Event(), threading.Event(), []

    def work():
        try:
            with staged_outputs() as stage:
                _write_set(stage, tmp_path)
                writing.set()
                abandoned.wait(30)
        except BaseException as exc:
            result.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    assert writing.wait(30)
    abandon_outputs()  # as the main thread does after Ctrl-C (--engine spark)
    assert _contents(tmp_path) == old  # the temporary files are gone already
    abandoned.set()
    worker.join(30)
    assert [type(e) for e in result] == [KeyboardInterrupt]
    assert _contents(tmp_path) == old


def test_the_same_output_twice_in_a_stage_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"a\.jsonl: is already an output of this"):
        with staged_outputs() as stage:
            stage.open(tmp_path / "a.jsonl")
            stage.open(tmp_path / "a.jsonl")
    assert _names(tmp_path) == []


# -- errors of the operating system ------------------------------------------------


def test_a_folder_where_no_file_can_be_made_is_found_by_check_output(
    tmp_path, monkeypatch
):
    def read_only(folder, name):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(skbalance._io, "_temporary", read_only)
    out = tmp_path / "out.jsonl"
    for existing in (False, True):
        if existing:
            out.write_bytes(b"old\n")
        with pytest.raises(OutputError) as info:
            check_output(out, force=True)
        assert str(info.value) == (
            f"{out}: cannot write in the folder {tmp_path}: the file system is "
            "read-only."
        )
        assert info.value.reason == "not-writable"
    assert check_output("/dev/null") == "stream"  # written in place: not tried


def test_a_read_only_file_system_is_found_by_check_output(tmpfs):
    folder = tmpfs("ro", "ro", "size=64k")
    with pytest.raises(OutputError) as info:
        check_output(folder / "out.jsonl")
    assert str(info.value) == (
        f"{folder}/out.jsonl: cannot write in the folder {folder}: the file system "
        "is read-only."
    )


def test_a_later_output_that_cannot_be_written_leaves_nothing(tmp_path, tmpfs):
    folder = tmpfs("disk", "size=64k")
    (folder / "out.jsonl").write_bytes(b"old\n")
    with pytest.raises(OutputError) as info:
        with staged_outputs() as stage:
            stage.open(tmp_path / "first.jsonl").write(b"new\n")
            remount_read_only(folder)
            stage.open(folder / "out.jsonl", force=True)
    assert str(info.value) == (
        f"{folder}/out.jsonl: cannot write in the folder {folder}: the file system "
        "is read-only."
    )
    assert _names(folder) == ["out.jsonl"]
    assert _names(tmp_path) == ["disk"]  # the first temporary file went too


def test_a_full_disk_leaves_the_old_output(tmpfs):
    folder = tmpfs("small", "size=64k")
    (folder / "out.jsonl").write_bytes(b"old\n")
    with pytest.raises(OutputError) as info:
        with atomic_output(folder / "out.jsonl", force=True) as fh:
            for _ in range(100):
                fh.write(b"x" * 1024)
    assert str(info.value) == (
        f"{folder}/out.jsonl: write failed: no space left on the device."
    )
    assert _contents(folder) == {"out.jsonl": b"old\n"}


def test_a_full_device_is_one_message():
    with pytest.raises(OutputError) as info:
        with atomic_output("/dev/full") as fh:
            fh.write(b"x\n")
    assert str(info.value) == "/dev/full: write failed: no space left on the device."
