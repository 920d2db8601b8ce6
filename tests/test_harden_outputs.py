"""Issue 14, outputs: nothing written inside a dataset or over an input, no temp file left,
a full disk is one error line (items 1, 10, 12). The red-team inputs are made in each test."""
from __future__ import annotations

import errno
import hashlib
import os
import resource
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgbuilder.cli import main

KG = str(Path(sys.executable).with_name("kgbuilder"))
EDGES = ("subject,predicate,object,source,quote\n"
         "armenia,memberOf,csto,wire,The CSTO includes Armenia\n")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def ds(mini_copy, monkeypatch):
    """D: the mini dataset with a bulk CSV, a JSONL file, a bulk/ folder and a saved query."""
    (mini_copy / "facts" / "b.csv").write_text(EDGES, encoding="utf-8")
    (mini_copy / "facts" / "c.jsonl").write_text(
        '{"subject": "kazakhstan", "predicate": "memberOf", "object": "csto", "quote": "q"}\n', encoding="utf-8")
    (mini_copy / "bulk").mkdir()
    (mini_copy / "bulk" / "edges.csv").write_text(EDGES, encoding="utf-8")
    (mini_copy / "queries").mkdir()
    (mini_copy / "queries" / "01-members.rq").write_text("# Question: who?\nASK {}\n", encoding="utf-8")
    (mini_copy / "README.md").write_text("# notes\n", encoding="utf-8")
    monkeypatch.chdir(mini_copy.parent)
    return Path("mini")


def refused(res, message: str) -> None:
    assert (res.exit_code, res.stdout, res.stderr) == (1, "", f"Error: {message}\n")


# ---------------------------------------------------------------- 1: never over an input

@pytest.mark.parametrize("args, target", [
    (["query", "mini", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "-o", "mini/facts/b.csv"], "facts/b.csv"),
    (["export", "mini", "-o", "mini/facts/c.jsonl", "-F", "jsonld"], "facts/c.jsonl"),
    (["build", "mini", "-o", "mini/facts/b.csv", "-F", "turtle"], "facts/b.csv"),
    (["query", "mini", "ASK {}", "-o", "mini/queries/01-members.rq", "-F", "csv"], "queries/01-members.rq"),
    (["export", "mini", "-o", "mini/dataset.yaml", "-F", "turtle"], "dataset.yaml"),
    (["neighbors", "mini", "toqaev", "-o", "mini/facts/entities.yaml", "-F", "turtle"], "facts/entities.yaml"),
])
@pytest.mark.parametrize("force", [False, True])
def test_an_input_is_never_overwritten_even_with_force(ds, args, target, force):
    before = digest(ds)
    res = run(*args, *(["--force"] if force else []))
    root = ds.resolve()
    refused(res, f"mini/{target}: refusing to overwrite an input file of the dataset {root}")
    assert digest(ds) == before


def test_a_folder_holding_an_input_is_never_replaced(ds):
    before = digest(ds)
    res = run("export", "mini", "-o", "mini/bulk", "--force")
    refused(res, f"mini/bulk: refusing to overwrite a folder that holds the input {ds.resolve() / 'bulk/edges.csv'} "
                 f"of the dataset {ds.resolve()}")
    res = run("export", "mini", "-o", ".", "-F", "csv")
    refused(res, f".: refusing to replace a folder that holds the dataset {ds.resolve()}")
    assert digest(ds) == before


@pytest.mark.parametrize("args", [
    ["export", "mini", "-o", "mini/README.md", "-F", "turtle"],
    ["export", "mini", "-o", "mini/graph.ttl"],
    ["query", "mini", "ASK {}", "-o", "mini/answer.csv"],
    ["neighbors", "mini", "toqaev", "-o", "mini/near.ttl"],
    ["build", "mini", "-o", "mini/out/graph.ttl"],
])
def test_nothing_is_written_inside_a_dataset_without_force(ds, args):
    (ds / "out").mkdir()
    before = digest(ds)
    res = run(*args)
    refused(res, f"{args[args.index('-o') + 1]}: refusing to write inside the dataset folder {ds.resolve()} "
                 "(write elsewhere, or add --force)")
    assert digest(ds) == before


def test_force_writes_inside_a_dataset_but_not_a_file_the_loader_would_read(ds):
    res = run("export", "mini", "-o", "mini/README.md", "-F", "turtle", "--force")
    assert res.exit_code == 0, res.output
    assert (ds / "README.md").read_text().startswith("@prefix")
    res = run("query", "mini", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "-o", "mini/facts/new.csv", "--force")
    refused(res, f"mini/facts/new.csv: refusing to write a .csv file inside the dataset folder {ds.resolve()}: "
                 "the next run would read it as input")
    assert not (ds / "facts" / "new.csv").exists()
    # the dataset still validates as before: the forced file is not an input
    assert run("validate", "mini").exit_code == 0


def test_a_symlinked_output_is_judged_by_where_it_points(ds, tmp_path):
    link = tmp_path / "innocent.csv"
    link.symlink_to((ds / "facts" / "b.csv").resolve())
    before = digest(ds)
    res = run("query", "mini", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "-o", link)
    refused(res, f"{link}: refusing to overwrite an input file of the dataset {ds.resolve()}")
    assert digest(ds) == before


# ---------------------------------------------------------------- 10: a full disk, a size limit

def _limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # write() then fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_file_size_limit_during_export_is_one_line_and_keeps_the_old_file(mini_path, tmp_path):
    out = tmp_path / "g.nt"
    out.write_bytes(b"previous\n")
    env = {**os.environ, "KGBUILDER_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([KG, "export", str(mini_path), "-o", str(out)], capture_output=True, text=True,
                          preexec_fn=_limit_file_size, env=env, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", f"Error: {out}: cannot write: File too large\n")
    assert out.read_bytes() == b"previous\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == ["g.nt"]


def test_full_disk_during_query_output_is_one_line(mini_path, tmp_path, monkeypatch):
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "a.csv"
    res = run("query", mini_path, "SELECT ?s WHERE { ?s ?p ?o }", "-o", out)
    monkeypatch.setattr(os, "fsync", real_fsync)
    refused(res, f"{out}: cannot write: No space left on device")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- 12: temp files of killed writers

WRITER = textwrap.dedent("""
    import sys, time
    from kgbuilder.atomic import atomic_write
    from kgbuilder.cli.exits import exit_on_sigterm
    exit_on_sigterm()
    with atomic_write(sys.argv[1]) as fh:
        fh.write(b"x" * 1_000_000)
        print("writing", flush=True)
        time.sleep(60)
""")


def _start_writer(target: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "writing\n"
    return proc


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".old")))


def test_sigterm_removes_the_temp_file(tmp_path):
    out = tmp_path / "g.ttl"
    proc = _start_writer(out)
    assert len(_temps(tmp_path)) == 1
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 128 + signal.SIGTERM
    assert _temps(tmp_path) == [] and not out.exists()


def test_temp_file_of_a_killed_export_is_swept_on_the_next_run(mini_path, tmp_path):
    out = tmp_path / "g.ttl"
    proc = _start_writer(out)
    proc.kill()
    proc.wait(30)
    stale = _temps(tmp_path)
    assert len(stale) == 1 and stale[0].startswith(f".g.ttl.{proc.pid}-")
    # a live writer's temp (ours) is left alone
    live = tmp_path / f".g.ttl.{os.getpid()}-busy.tmp"
    live.write_bytes(b"")
    res = run("export", mini_path, "-o", out)
    assert res.exit_code == 0, res.output
    assert _temps(tmp_path) == [live.name]


def test_stale_folder_of_a_killed_csv_export_is_swept(mini_path, tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f".tables.{dead}-abc.tmp"
    stale.mkdir()
    (stale / "nodes.csv").write_text("half")
    res = run("export", mini_path, "-o", tmp_path / "tables", "-F", "csv")
    assert res.exit_code == 0, res.output
    assert _temps(tmp_path) == []
