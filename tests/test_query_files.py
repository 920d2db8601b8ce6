"""Query files: -f FILE, -f -, and a dataset's saved queries, which come from someone else.

Before: ``-f /dev/zero`` read until the kernel killed the command; a FIFO named ``x.rq`` in a
dataset's queries/ folder hung ``query --list``, ``--name`` and ``serve``; a saved query that
was a link out of the dataset (to /etc/hostname, say) was read: ``--name`` showed its first
bytes in the syntax error, and ``serve`` put the whole file on its page of saved queries."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgbuilder.cli import main
from kgbuilder.sparql.query import MAX_QUERY_FILE_BYTES, read_query_file, saved_queries
from test_serve import Server

KGB = [sys.executable, "-m", "kgbuilder"]
SECRET = "TOPSECRET-7f3a\n"


def run(*args, **kw):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)


@pytest.fixture
def hostile(mini_copy, tmp_path) -> Path:
    """The mini dataset with a saved query, a link out of the folder and a FIFO among them."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    queries = mini_copy / "queries"
    queries.mkdir()
    (queries / "01-ok.rq").write_text("# Question: Who?\nASK {}\n")
    (queries / "02-evil.rq").symlink_to(secret)
    os.mkfifo(queries / "03-fifo.rq")
    (queries / "04-inside.rq").symlink_to(queries / "01-ok.rq")      # a link that stays inside: fine
    return mini_copy


def test_list_shows_the_refused_ones_and_reads_neither(hostile, tmp_path):
    # in a child process: a FIFO that were opened would hang it, not the test run
    out = subprocess.run([*KGB, "query", str(hostile), "--list"], capture_output=True, text=True, timeout=120)
    secret = (tmp_path / "secret.txt").resolve()
    assert (out.returncode, out.stderr) == (0, "")
    assert out.stdout == (f"01-ok      Who?\n"
                          f"02-evil    (symlink to {secret}, outside the dataset folder: refused)\n"
                          f"03-fifo    (not a file: refused)\n"
                          f"04-inside  Who?\n")


@pytest.mark.parametrize("name, problem", [
    ("02-evil", "symlink to {secret}, outside the dataset folder: refused"),
    ("03-fifo", "not a file: refused"),
])
def test_name_refuses_a_link_out_and_a_fifo(hostile, tmp_path, name, problem):
    problem = problem.format(secret=(tmp_path / "secret.txt").resolve())
    out = subprocess.run([*KGB, "query", str(hostile), "--name", name], capture_output=True, text=True, timeout=120)
    assert (out.returncode, out.stdout) == (1, "")
    assert out.stderr == f"Error: {hostile / 'queries' / name}.rq: {problem}\n"
    assert "TOPSECRET" not in out.stderr
    ok = subprocess.run([*KGB, "query", str(hostile), "--name", "04-inside", "-F", "csv"], capture_output=True,
                        text=True, timeout=120)
    assert ok.returncode == 0 and ok.stdout.split() == ["_askResult", "true"]


def test_the_endpoint_never_shows_a_file_a_saved_query_links_to(hostile):
    server = Server(hostile, "--workers", "1")
    try:
        status, _, body = server.request("/queries", headers={"Accept": "application/json"})
    finally:
        server.stop()
    assert status == 200 and b"TOPSECRET" not in body
    items = {q["name"]: q for q in json.loads(body)}
    assert items["01-ok"]["query"] == "# Question: Who?\nASK {}\n"
    assert items["02-evil"]["query"].startswith(f"# {hostile / 'queries' / '02-evil.rq'}: symlink to ")
    assert items["03-fifo"]["query"] == f"# {hostile / 'queries' / '03-fifo.rq'}: not a file: refused\n"


def test_a_query_file_has_a_size_limit(mini_path, tmp_path):
    res = run("query", mini_path, "-f", "/dev/zero")
    assert (res.exit_code, res.stderr) == (1, "Error: /dev/zero: larger than 16 MiB: not a query\n")
    res = run("query", mini_path, "-f", "-", input=b"#" * (MAX_QUERY_FILE_BYTES + 1))
    assert (res.exit_code, res.stderr) == (1, "Error: -: larger than 16 MiB: not a query\n")
    at_limit = tmp_path / "big.rq"
    at_limit.write_bytes(b"ASK {}\n" + b"#" * (MAX_QUERY_FILE_BYTES - 7))
    assert len(read_query_file(at_limit)) == MAX_QUERY_FILE_BYTES
    res = run("query", mini_path, "-f", "-", "-F", "csv", input="\ufeffASK {}\n".encode())
    assert res.exit_code == 0 and res.stdout.split() == ["_askResult", "true"]


def test_the_question_is_read_from_the_head_of_a_big_saved_query(mini_copy):
    (mini_copy / "queries").mkdir()
    big = mini_copy / "queries" / "big.rq"
    big.write_bytes("# Question: the big one, é\n".encode() + b"#" * (MAX_QUERY_FILE_BYTES * 2))
    assert [(q.name, q.question) for q in saved_queries(mini_copy)] == [("big", "the big one, é")]


def test_completing_an_entity_skips_a_fifo_among_the_yaml_files(hostile):
    os.mkfifo(hostile / "facts" / "pipe.yaml")
    code = "import sys; from kgbuilder.cli.complete import entity_ids; print(len(entity_ids(sys.argv[1])))"
    out = subprocess.run([sys.executable, "-c", code, str(hostile)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and int(out.stdout) > 5
