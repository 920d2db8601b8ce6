"""The docs cannot drift: every console example in README.md and docs/*.md runs, its output compared.

A console block is a list of ``$ COMMAND`` lines, each followed by the output it prints. A line
that is only ``...`` stands for any number of lines the docs leave out. ``kgbuilder`` commands run
in-process (click's CliRunner) from a scratch folder holding ``datasets/``, ``tests/fixtures/`` and
the files of ``docs/examples/`` (the README's ``broken`` dataset, ``bad.rq``); output shown without a pipe is
what a terminal gets (tables), ``| head -N`` keeps N lines. ``kgbuilder serve`` runs for real on a
free port, which replaces 8000 in its block and in the ``curl`` block that talks to it; its access
log is compared with times, client ports and durations left open. ``push`` and ``--endpoint``
examples need the Virtuoso of ``.ci/run`` (``KGBUILDER_TEST_VIRTUOSO``) and skip without it, like
tests/test_virtuoso.py. Every ```sparql block runs on the Kazakhstan graph and returns rows.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLES = ROOT / "docs" / "examples"
SOURCES = next((p for p in (ROOT.parent / "shared" / "sources", Path("/work/shared/sources")) if p.is_dir()), None)
VIRTUOSO = os.environ.get("KGBUILDER_TEST_VIRTUOSO", "").rstrip("/")


def _blocks(kind: str):
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in re.finditer(rf"^```{kind}\n(.*?)^```", text, re.S | re.M):
            yield doc, text[:m.start()].count("\n") + 2, m.group(1)


def _steps(body: str) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


CONSOLE = [(doc, line, steps) for doc, line, body in _blocks("console") if (steps := _steps(body))]
# the serve block and the curl block that talks to it run together, in test_serve_examples
SERVED = [c for c in CONSOLE if c[2][0][0].startswith(("curl ", "kgbuilder serve"))]
LOCAL = [c for c in CONSOLE if c not in SERVED]
SPARQL = list(_blocks("sparql"))


def _pattern(expected: list[str], loose_log: bool = False) -> re.Pattern:
    parts = []
    for line in expected:
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
            continue
        esc = re.escape(line.rstrip())
        if loose_log:
            # an access-log line: its time, the client's port and the duration vary
            esc = re.sub(r"\d{4}\\-\d\d\\-\d\dT\d\d:\d\d:\d\d", r"\\S+", esc)
            esc = re.sub(r"127\\.0\\.0\\.1:\d+\\ ", r"127\\.0\\.0\\.1:\\d+\\ ", esc)
            esc = re.sub(r"(\d{3})\\ \d+\\ \d+\\.\dms$", r"\1\\ \\d+\\ [\\d.]+ms", esc)
        parts.append(esc + r"[ \t]*\n")
    return re.compile("".join(parts), re.S)


def _matches(expected: list[str], output: str, **kw) -> bool:
    out = "\n".join(line.rstrip() for line in output.splitlines()) + ("\n" if output else "")
    while expected and not expected[-1].strip():
        expected = expected[:-1]
    return _pattern(expected, **kw).fullmatch(out) is not None


def _kgbuilder(args: list[str], *, tty: bool, monkeypatch) -> str:
    from click.testing import CliRunner

    import kgbuilder.cli.output as cli_output
    import kgbuilder.cli.query_body as query_body
    from kgbuilder.cli import main

    with monkeypatch.context() as m:
        # the docs show what a terminal gets (tables) unless the example pipes the output
        for module in (cli_output, query_body):
            m.setattr(module, "on_terminal", lambda: tty)
        r = CliRunner().invoke(main, args, env=dict(os.environ))
    return r.output


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "datasets").symlink_to(ROOT / "datasets")
    # the README's two-source example is a test fixture (tests/fixtures/twosources)
    (work / "tests").mkdir()
    (work / "tests" / "fixtures").symlink_to(ROOT / "tests" / "fixtures")
    (work / "out").mkdir()      # what `make run` makes before the examples that write there
    for item in EXAMPLES.iterdir():
        (work / item.name).symlink_to(item)
    if SOURCES is not None:
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "sources").symlink_to(SOURCES)
    monkeypatch.chdir(work)
    return work


def _needs(cmd: str) -> str | None:
    if "--endpoint" in cmd or cmd.startswith(("kgbuilder push", "export KGBUILDER_ENDPOINT", "unset KGBUILDER")):
        return None if VIRTUOSO else "needs the Virtuoso of .ci/run (KGBUILDER_TEST_VIRTUOSO)"
    if "../shared/sources/" in cmd and SOURCES is None:
        return "needs the archived source texts in ../shared/sources"
    return None


def _drop_pushed_graphs(steps) -> None:
    """The push examples show a first push (HTTP 201, created): start from no such graph."""
    from kgbuilder.remote import Endpoint, remote_result

    creds = {"KGBUILDER_ENDPOINT_USER": os.environ.get("KGBUILDER_TEST_VIRTUOSO_USER", "dba"),
             "KGBUILDER_ENDPOINT_PASSWORD": os.environ.get("KGBUILDER_TEST_VIRTUOSO_PASSWORD", "dba")}
    endpoint = Endpoint.from_url(VIRTUOSO + "/sparql-auth", environ=creds, timeout=120)
    for cmd, expected in steps:
        for iri in re.findall(r"pushed \d+ triples to <([^>]+)>", "\n".join(expected)):
            remote_result(endpoint, f"DROP SILENT GRAPH <{iri}>", allow_update=True)


@pytest.mark.parametrize("doc, line, steps", LOCAL, ids=[f"{d.name}:{n}" for d, n, _ in LOCAL])
def test_console_example(doc, line, steps, scratch, monkeypatch):
    why = next((w for c, _ in steps if (w := _needs(c))), None)
    if why:
        pytest.skip(why)
    if VIRTUOSO and any(c.startswith("kgbuilder push") for c, _ in steps):
        _drop_pushed_graphs(steps)
    failures = []
    for cmd, expected in steps:
        if VIRTUOSO:
            # the docs' Virtuoso is the one .ci/run started, with its credentials
            cmd = cmd.replace("http://127.0.0.1:8890", VIRTUOSO)
            expected = [e.replace("http://127.0.0.1:8890", VIRTUOSO) for e in expected]
        if cmd.startswith("export "):
            for assignment in shlex.split(cmd)[1:]:
                name, _, value = assignment.partition("=")
                if name.startswith("KGBUILDER_ENDPOINT_"):
                    value = os.environ.get(name.replace("ENDPOINT", "TEST_VIRTUOSO"), value)
                monkeypatch.setenv(name, value)
            continue
        if cmd.startswith("unset "):
            for name in shlex.split(cmd)[1:]:
                monkeypatch.delenv(name, raising=False)
            continue
        command, _, pipe = cmd.partition(" | ")
        args = shlex.split(command)
        assert args[0] == "kgbuilder", f"{doc.name}:{line}: cannot run '{cmd}'"
        out = _kgbuilder(args[1:], tty=not pipe, monkeypatch=monkeypatch)
        if pipe:
            m = re.fullmatch(r"head -(\d+)", pipe.strip())
            assert m, f"{doc.name}:{line}: unsupported pipe '{pipe}'"
            out = "".join(out.splitlines(keepends=True)[:int(m.group(1))])
        if not _matches(expected, out):
            failures.append(f"$ {cmd}\n--- the docs say:\n" + "\n".join(expected) + "\n--- it prints:\n" + out)
    assert not failures, f"{doc.name}:{line}:\n" + "\n\n".join(failures)


def test_serve_examples():
    """The serve block's banner and access log, from the curl block's four requests."""
    from test_serve import Server

    assert len(SERVED) == 2, "expected the serve block and its curl block"
    serve = next((d, n, s) for d, n, s in SERVED if s[0][0].startswith("kgbuilder serve"))
    curl = next((d, n, s) for d, n, s in SERVED if s[0][0].startswith("curl "))
    args = shlex.split(serve[2][0][0])
    server = Server(ROOT / args[2], *args[3:])
    try:
        hostport = server.hostport
        failures = []
        for cmd, expected in curl[2]:
            port = hostport.rsplit(":", 1)[1]
            cmd = cmd.replace(":8000", ":" + port)
            expected = [e.replace(":8000", ":" + port) for e in expected]
            out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=60).stdout
            if not _matches(expected, out):
                failures.append(f"$ {cmd}\n--- the docs say:\n" + "\n".join(expected) + "\n--- it prints:\n" + out)
        banner, *log = [e.replace("127.0.0.1:8000", hostport) for e in serve[2][0][1]]
        for _ in range(100):
            if len(server.log) >= 1 + len(log):
                break
            import time

            time.sleep(0.1)
        if not _matches([banner.replace("datasets/kazakhstan-2022", str(ROOT / args[2]))], server.log[0] + "\n"):
            failures.append(f"banner: {server.log[0]!r} is not {banner!r}")
        if not _matches(log, "\n".join(server.log[1:1 + len(log)]) + "\n", loose_log=True):
            failures.append("log:\n" + "\n".join(server.log[1:]) + "\n--- the docs say:\n" + "\n".join(log))
    finally:
        server.stop()
    assert not failures, "\n\n".join(failures)


@pytest.fixture(scope="module")
def kz():
    import kgbuilder

    return kgbuilder.open_graph(ROOT / "datasets" / "kazakhstan-2022")


@pytest.mark.parametrize("doc, line, sparql", SPARQL, ids=[f"{d.name}:{n}" for d, n, _ in SPARQL])
def test_sparql_example_returns_rows(doc, line, sparql, kz):
    from kgbuilder import api

    res = api.query(kz, sparql)
    assert res.rows, f"{doc.name}:{line}: the example query returns no rows"


def test_the_runner_sees_the_examples():
    # a renamed fence or a moved file would otherwise make these tests pass by running nothing
    assert len(CONSOLE) >= 14 and len(SPARQL) >= 5
    assert any(cmd.startswith("kgbuilder validate broken") for _, _, steps in CONSOLE for cmd, _ in steps)
