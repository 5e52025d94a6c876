"""atomic_output: whole or nothing, and safe with any path."""

import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import threading

import pytest

from skbalance._io import OutputError, atomic_output, check_output


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


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_an_interruption_as_the_temporary_file_is_made_leaves_nothing(
    tmp_path, monkeypatch, interruption
):
    """Ctrl-C or SIGTERM just after the temporary file is made, before its
    descriptor is bound (the load run hit it): the file is still removed."""
    from skbalance import _io

    real = _io._create

    def made_then_interrupted(path):
        real(path)
        raise interruption

    monkeypatch.setattr(_io, "_create", made_then_interrupted)
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")
    with pytest.raises(interruption):
        with atomic_output(out, force=True) as fh:
            fh.write(b"new\n")
    assert out.read_bytes() == b"old\n"
    assert _names(tmp_path) == ["out.jsonl"]
