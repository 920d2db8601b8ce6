"""kgbuilder.cli.plain, the click-free front door of a plain ``kgbuilder query``: what it accepts,
click parses to the same parameters; what it does not, it leaves to click; and both doors print
the same and end with the same exit code."""
from __future__ import annotations

import errno
import os
import random
import subprocess
import sys

import click
import pytest

from kgbuilder.cli import main, plain
from kgbuilder.cli.exits import as_click_ends, handle_errors
from kgbuilder.errors import KGBuilderError

QUERY = main.get_command(None, "query")
SELECT = "SELECT ?l WHERE { mi:armenia rdfs:label ?l }"

#: the query command's options that only click reads (a command line holding one goes to click)
FOR_CLICK = {"list_saved", "output", "endpoint", "graph_iri", "allow_update", "help"}


def click_params(args: list[str]) -> dict | None:
    """The parameters click passes to ``kgbuilder query ARGS``; None when it refuses the line
    (or prints help)."""
    try:
        return QUERY.make_context("query", list(args)).params
    except (click.ClickException, click.exceptions.Exit):
        return None


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A folder holding q.rq (a file), adir (a folder); missing.rq is not there."""
    (tmp_path / "q.rq").write_text("SELECT * WHERE { ?s ?p ?o }")
    (tmp_path / "adir").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("_KGBUILDER_COMPLETE", raising=False)
    return tmp_path


# ---------------------------------------------------------------- parsing: the same as click's

PLAIN_LINES = [
    ["ds", SELECT],
    ["ds", SELECT, "-F", "csv"],
    ["-F", "json", "ds", SELECT],
    ["ds", "--format=table", SELECT],
    ["ds", SELECT, "--format="],                 # an empty format: run_query says what is wrong
    ["ds", "-n", "armenia"],
    ["ds", "--name=armenia", "-F", "tsv"],
    ["ds", "-f", "q.rq"],
    ["ds", "--file", "missing.rq"],             # reading it says it is missing, as with click
    ["ds", SELECT, "--timeout", "2.5", "--limit", "3", "--infer", "--store", "memory", "--force"],
    ["ds", SELECT, "--timeout=0", "--limit=0"],
    ["ds", SELECT, "--limit", "007"],
    ["ds"],                                      # run_query: "give exactly one of QUERY, ..."
    ["", SELECT],
]

CLICK_LINES = [
    [], ["-h"], ["ds", "--help"], ["ds", "--list"], ["ds", SELECT, "-o", "a.csv"],
    ["--endpoint", "http://127.0.0.1:9/sparql", SELECT], ["ds", SELECT, "--graph", "g"],
    ["ds", SELECT, "--allow-update"], ["ds", SELECT, "-Fcsv"], ["ds", SELECT, "-F=csv"],
    ["ds", "--", SELECT], ["ds", "-"], ["ds", SELECT, "extra"], ["ds", SELECT, "-F", "csv", "-F", "json"],
    ["ds", SELECT, "--infer", "--infer"], ["ds", SELECT, "--infer=yes"], ["ds", SELECT, "-F"],
    ["ds", SELECT, "-F", "-n"], ["ds", SELECT, "--timeout", "nan"], ["ds", SELECT, "--timeout", "inf"],
    ["ds", SELECT, "--timeout", "-1"], ["ds", SELECT, "--timeout", "1e3"], ["ds", SELECT, "--timeout", ".5"],
    ["ds", SELECT, "--timeout", "5."], ["ds", SELECT, "--limit", "-1"], ["ds", SELECT, "--limit", "1.5"],
    ["ds", SELECT, "--limit", "\u0663"], ["ds", "-f", "adir"], ["ds", "--file=adir"], ["ds", "-f", "-"],
    ["ds", SELECT, "--form", "csv"], ["ds", SELECT, "--unknown"], ["ds", SELECT, "-x"],
]


@pytest.mark.parametrize("args", PLAIN_LINES, ids=lambda a: " ".join(a)[:40])
def test_a_plain_line_is_read_as_click_reads_it(args, files):
    got = plain.parse(args)
    assert got is not None, args
    assert got == click_params(args)


@pytest.mark.parametrize("args", CLICK_LINES, ids=lambda a: " ".join(a)[:40])
def test_any_other_line_is_left_to_click(args, files):
    assert plain.parse(args) is None


def test_a_shell_completion_request_is_left_to_click(files, monkeypatch):
    monkeypatch.setenv("_KGBUILDER_COMPLETE", "bash_complete")
    assert plain.parse(["ds", SELECT]) is None


def test_on_windows_every_line_is_left_to_click(files, monkeypatch):
    # click expands wildcards in a Windows command line; the plain reader does not
    assert plain.parse(["ds", SELECT]) is not None
    monkeypatch.setattr(os, "name", "nt")
    assert plain.parse(["ds", SELECT]) is None


def test_thousands_of_random_lines_read_as_click_reads_them_or_left_to_it(files):
    words = ["ds", SELECT, "q.rq", "adir", "missing.rq", "csv", "json", "memory", "5", "2.5", "0", "007", "-1",
             "nan", "1e3", "", "-", "--", "-F", "--format", "--format=csv", "-Fcsv", "-n", "--name", "--name=x",
             "-f", "--file", "--file=q.rq", "--file=adir", "--store", "--store=memory", "--timeout", "--timeout=5",
             "--limit", "--limit=2", "--infer", "--infer=1", "--force", "-o", "--output", "--list", "--endpoint",
             "--graph", "--allow-update", "-h", "--help", "-x", "--nope"]
    rng = random.Random(11)
    accepted = 0
    for _ in range(4000):
        args = [rng.choice(words) for _ in range(rng.randint(0, 7))]
        got = plain.parse(args)
        if got is not None:
            accepted += 1
            assert got == click_params(args), args
    assert accepted > 300       # the comparison ran on many plain lines, not on none


def test_every_option_of_query_is_read_by_the_front_door_or_left_to_click():
    # an option added to the command is left to click until the front door reads it (and then
    # under every spelling), and the front door's defaults are the command's
    read = set(plain.VALUED) | set(plain.FLAGS)
    for param in QUERY.params:
        spellings = set(param.opts) | set(param.secondary_opts)
        if isinstance(param, click.Option) and param.name not in FOR_CLICK:
            assert spellings <= read, param.name
        elif isinstance(param, click.Option):
            assert not spellings & read, param.name
    assert set(plain.DEFAULTS) == {p.name for p in QUERY.params} - {"help"}
    assert click_params(["ds"]) == {**plain.DEFAULTS, "dataset": "ds"}


# ---------------------------------------------------------------- ending: as click ends a command

@pytest.mark.parametrize("raised, code", [
    (None, 0), (KGBuilderError("bad input"), 1), (BrokenPipeError(), 0), (KeyboardInterrupt(), 1),
    (EOFError(), 1), (OSError(errno.EPIPE, "Broken pipe"), 0), (OSError(errno.EPIPE, "Broken pipe"), 1),
], ids=["done", "error", "closed-pipe", "ctrl-c", "eof", "epipe", "epipe-unhandled"])
def test_a_command_body_ends_as_click_ends_it(raised, code, capsys, request):
    # (OSError(EPIPE) is a BrokenPipeError, which handle_errors ends with 0; without it, click
    # ends with 1, quietly)
    wrap = (lambda fn: fn) if request.node.callspec.id == "epipe-unhandled" else handle_errors
    def body() -> None:
        print("some output")
        if raised is not None:
            raise raised

    command = click.command()(wrap(body))
    streams = sys.stdout, sys.stderr
    try:
        with pytest.raises(SystemExit) as by_click:
            command.main([], prog_name="kgbuilder")
        sys.stdout, sys.stderr = streams
        clicked = capsys.readouterr()
        with pytest.raises(SystemExit) as by_door:
            as_click_ends(wrap(body))
        sys.stdout, sys.stderr = streams
        door = capsys.readouterr()
    finally:
        sys.stdout, sys.stderr = streams
    assert (by_door.value.code, door.out, door.err) == (by_click.value.code, clicked.out, clicked.err)
    assert by_door.value.code == code
    assert door.out == "some output\n"
    if raised is not None and not isinstance(raised, OSError):
        assert door.err != ""


# ---------------------------------------------------------------- both doors, end to end

# the front door, as the console script starts it: writes to CLICK_OUT whether this process
# (not its worker) loaded click
DOOR = """
import atexit, os, sys
me = os.getpid()
def note():
    if os.getpid() == me:
        with open(os.environ["CLICK_OUT"], "w") as fh:
            fh.write("click" if "click" in sys.modules else "no click")
atexit.register(note)
sys.argv = ["kgbuilder", *sys.argv[1:]]
from kgbuilder.__main__ import main
main()
"""
CLICK = "from kgbuilder.cli import main; main(prog_name='kgbuilder')"


def test_both_doors_answer_alike(mini_copy, tmp_path):
    env = {**os.environ, "KGBUILDER_CACHE_DIR": str(tmp_path / "cache"), "KGBUILDER_PROGRESS": "0"}
    env.pop("_KGBUILDER_COMPLETE", None)
    (mini_copy / "queries").mkdir()
    (mini_copy / "queries" / "armenia.rq").write_text("# Armenia's name\n" + SELECT + "\n")
    (tmp_path / "q.rq").write_text("ASK { mi:armenia rdfs:label ?l }")
    ds = str(mini_copy)
    assert subprocess.run([sys.executable, "-c", CLICK, "validate", ds], env=env, timeout=300).returncode == 0
    cases = {
        # a plain line answered without click: False; one that prints a message loads click for it
        "csv": ([ds, SELECT, "-F", "csv"], False),
        "json": ([ds, SELECT, "--format=json"], False),
        "pipe default": ([ds, SELECT], False),
        "table": ([ds, SELECT, "-F", "table"], False),
        "saved": ([ds, "-n", "armenia", "-F", "tsv"], False),
        "file": ([ds, "-f", str(tmp_path / "q.rq")], False),
        "construct": ([ds, "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l }", "-F", "ntriples"], False),
        "in process": ([ds, SELECT, "--timeout", "0", "--store", "memory"], False),
        "infer": ([ds, "SELECT ?s WHERE { ?s a schema:Organization }", "--infer", "--limit", "2"], True),
        "bad format": ([ds, SELECT, "-F", "cvs"], True),
        "unsafe": ([ds, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], True),
        "syntax": ([ds, "SELEC ?l"], True),
        "lint": ([ds, "SELECT ?s WHERE { ?s kg:memberof mi:csto }", "-F", "csv"], True),
        "no file": ([ds, "-f", str(tmp_path / "missing.rq")], True),
        "no saved query": ([ds, "-n", "armenai"], True),
        "no dataset": ([str(tmp_path / "nowhere"), SELECT], True),
        "no query": ([ds], True),
        "two queries": ([ds, SELECT, "-n", "armenia"], True),
        # left to click by the front door: the same command line through both
        "for click": ([ds, "--list"], True),
        "usage": ([ds, SELECT, "--limit", "-1"], True),
    }
    for name, (args, loads_click) in cases.items():
        probe = tmp_path / f"{name}.click"
        door = subprocess.run([sys.executable, "-c", DOOR, "query", *args], env={**env, "CLICK_OUT": str(probe)},
                              capture_output=True, text=True, timeout=300)
        clicked = subprocess.run([sys.executable, "-c", CLICK, "query", *args], env=env, capture_output=True,
                                 text=True, timeout=300)
        assert (door.returncode, door.stdout, door.stderr) == \
            (clicked.returncode, clicked.stdout, clicked.stderr), name
        assert probe.read_text() == ("click" if loads_click else "no click"), name
    assert door.returncode == 2 and "Usage: kgbuilder query" in door.stderr     # click's own words
