"""``-o`` a pipe, a device or stdout itself: written into once complete, never replaced.

Before, every writer renamed a temp file onto the output's name: ``-o /dev/stdout`` (as root)
replaced the ``/dev/stdout`` link with a file, and the data never reached the shell's file or
pipe; ``-o /dev/full`` replaced the device; ``-o FIFO`` replaced the FIFO."""
from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgbuilder.atomic import atomic_write, writes_into
from kgbuilder.cli import main
from kgbuilder.errors import ExportError

KGB = [sys.executable, "-m", "kgbuilder"]
ROWS = "SELECT ?s WHERE { ?s a kg:Person } ORDER BY ?s LIMIT 2"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """The system's temp folder, as the writer sees it: empty, and checked empty afterwards."""
    folder = tmp_path / "systmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _read_fifo(path: Path, got: list) -> threading.Thread:
    def reader():
        with open(path, "rb") as fh:
            got.append(fh.read())
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    return thread


def test_an_export_into_a_fifo_is_the_export_and_the_fifo_stays(mini_path, tmp_path, private_tmp):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = _read_fifo(fifo, got)
    res = run("export", mini_path, "-o", fifo, "-F", "ntriples")
    thread.join(30)
    assert (res.exit_code, res.stdout) == (0, "")
    assert res.stderr.startswith(f"wrote {fifo} (ntriples, ")     # not in the data
    assert run("export", mini_path, "-o", tmp_path / "g.nt", "-F", "ntriples").exit_code == 0
    assert got == [(tmp_path / "g.nt").read_bytes()]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert list(private_tmp.iterdir()) == []


def test_dev_null_and_dev_full_are_written_into_and_stay_devices(mini_path, private_tmp):
    res = run("query", mini_path, ROWS, "-o", "/dev/null", "-F", "csv")
    assert (res.exit_code, res.stdout, res.stderr) == (0, "", "wrote /dev/null (2 rows)\n")
    res = run("export", mini_path, "-o", "/dev/full", "-F", "turtle")
    assert (res.exit_code, res.stdout, res.stderr) == (1, "", "Error: /dev/full: cannot write: No space left on device\n")
    for dev in ("/dev/null", "/dev/full"):
        assert stat.S_ISCHR(os.lstat(dev).st_mode)
    assert list(private_tmp.iterdir()) == []


def test_dev_stdout_reaches_the_shells_file_after_what_is_there(mini_path, tmp_path):
    # the shell opened the file; the command appends its answer (the x stays), prints its
    # 'wrote' line on stderr, and /dev/stdout is still the link it was
    out = tmp_path / "answer.txt"
    script = f'printf "x\\n"; exec "$@" query {mini_path} "{ROWS}" -o /dev/stdout -F csv'
    with open(out, "wb") as fh:
        proc = subprocess.run(["sh", "-c", script, "sh", *KGB], stdout=fh, stderr=subprocess.PIPE, timeout=120)
    assert (proc.returncode, proc.stderr) == (0, b"wrote /dev/stdout (2 rows)\n")
    direct = subprocess.run([*KGB, "query", str(mini_path), ROWS, "-F", "csv"], capture_output=True, timeout=120)
    assert out.read_bytes() == b"x\n" + direct.stdout and direct.stdout.count(b"\n") == 3
    assert os.path.islink("/dev/stdout")
    piped = subprocess.run([*KGB, "export", str(mini_path), "-o", "/dev/fd/1", "-F", "ntriples"],
                           capture_output=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr.startswith(b"wrote /dev/fd/1 (ntriples, ")
    assert piped.stdout.count(b"\n") > 100


def test_a_failed_export_sends_nothing_into_the_pipe(mini_path, tmp_path, private_tmp):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = _read_fifo(fifo, got)
    with pytest.raises(ExportError, match="the check failed"):
        with atomic_write(fifo, verify=lambda tmp: (_ for _ in ()).throw(ExportError("the check failed"))) as fh:
            fh.write(b"half an answer\n")
    with open(fifo, "wb"):          # the reader's end of file: what it got before is all it gets
        pass
    thread.join(30)
    assert got == [b""] and list(private_tmp.iterdir()) == []


def test_a_socket_or_a_block_device_is_refused(mini_path, tmp_path):
    sock_path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        res = run("export", mini_path, "-o", sock_path, "-F", "turtle")
    assert (res.exit_code, res.stderr) == (1, f"Error: {sock_path}: is a socket: refusing to write into it\n")
    disk = tmp_path / "disk"
    try:
        os.mknod(disk, 0o600 | stat.S_IFBLK, os.makedev(7, 200))
    except PermissionError:
        pytest.skip("making a device node needs root")
    res = run("query", mini_path, ROWS, "-o", disk, "-F", "csv")
    assert (res.exit_code, res.stderr) == (1, f"Error: {disk}: is a block device: refusing to write into it\n")
    assert stat.S_ISBLK(os.lstat(disk).st_mode)


def test_writes_into_follows_links_to_the_fd_folder(tmp_path):
    (tmp_path / "f").write_text("x")
    (tmp_path / "out").symlink_to("/dev/stdout")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert [writes_into(p) for p in ("/dev/stdout", "/dev/fd/1", "/proc/self/fd/2", tmp_path / "out")] == [True] * 4
    assert [writes_into(p) for p in (tmp_path / "f", tmp_path / "none", tmp_path / "loop", "/proc/self/fdx/1")] == \
        [False] * 4
