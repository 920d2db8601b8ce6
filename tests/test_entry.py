"""kgbuilder/__main__.py: the ``kgbuilder`` command's start (and ``python -m kgbuilder``), which
forks a query's worker before click loads, to open the dataset's cached store meanwhile."""
from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kgbuilder import __version__

# runs the command as the console script does and writes, at exit, the kgbuilder modules this
# process (not its worker) imported
# (and, as "at fork: ...", those of them it held when it forked its worker), plus difflib, socket
# and the standard modules of SLOW; in the file TEARDOWN_OUT names, whether the interpreter's
# teardown ran; in the file GC_OUT names, whether the cyclic garbage collector was on at the end;
# (and click's), and in the file WORKER_OUT names, each module of SLOW the worker imported (one per line)
_RUN = """
import atexit, gc, os, sys
me = os.getpid()
SLOW = {"typing", "pickle", "signal", "threading"}
def ours():
    return sorted(m for m in sys.modules if m.startswith(("kgbuilder", "pyoxigraph", "difflib", "socket", "click"))
                  or m in SLOW)
at_fork = []
worker_out = os.environ.get("WORKER_OUT")
def hook(event, args):
    if event == "os.fork" and os.getpid() == me and not at_fork:
        at_fork.extend("at fork: " + m for m in ours())
    elif event == "import" and worker_out and os.getpid() != me and args[0] in SLOW:
        fd = os.open(worker_out, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.write(fd, args[0].encode() + b"\\n")
        os.close(fd)
sys.addaudithook(hook)
class Teardown:
    # freed when the interpreter's teardown drops the modules: says so in TEARDOWN_OUT (what
    # it uses is bound here: by then the globals may be gone)
    def __del__(self, out=os.environ.get("TEARDOWN_OUT"), write=os.write, open=os.open,
                flags=os.O_WRONLY | os.O_CREAT):
        if out:
            write(open(out, flags), b"torn down")
def modules():
    if os.getpid() == me:
        with open(os.environ["MODULES_OUT"], "w") as fh:
            fh.write("\\n".join(ours() + at_fork))
        if os.environ.get("GC_OUT"):
            with open(os.environ["GC_OUT"], "w") as fh:
                fh.write("on" if gc.isenabled() else "off")
        # made now, after the fork's gc.freeze() (what that froze is never freed), and held by
        # a module of its own, which the teardown drops with the others
        probe = type(sys)("teardown_probe")
        probe.kept = Teardown()
        sys.modules[probe.__name__] = probe
atexit.register(modules)
sys.argv = ["kgbuilder", *sys.argv[1:]]
from kgbuilder.__main__ import main
main()
"""

ARMENIA = ("SELECT ?l WHERE { mi:armenia rdfs:label ?l }")


def _run(args: list[str], env: dict, modules: Path | None = None, teardown: Path | None = None,
         collector: Path | None = None, worker: Path | None = None) -> subprocess.CompletedProcess:
    env = {**env, "MODULES_OUT": str(modules or os.devnull), "TEARDOWN_OUT": str(teardown or ""),
           "GC_OUT": str(collector or ""), "WORKER_OUT": str(worker or "")}
    return subprocess.run([sys.executable, "-c", _RUN, *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_a_warm_query_is_answered_from_the_store_opened_ahead_and_a_changed_dataset_anew(mini_copy, tmp_path):
    env = {**os.environ, "KGBUILDER_CACHE_DIR": str(tmp_path / "cache"), "KGBUILDER_PROGRESS": "0"}
    built = _run(["validate", str(mini_copy)], env)
    assert built.returncode == 0, built.stderr
    seen = tmp_path / "modules.txt"
    warm = _run(["query", str(mini_copy), ARMENIA, "-F", "csv"], env, seen)
    assert (warm.returncode, warm.stdout, warm.stderr) == (0, "l\nArmenia\n", "")
    # the worker checked, linted and ran the query: this process never loaded the check
    mine = seen.read_text().splitlines()
    assert "kgbuilder.sparql.worker" in mine and "kgbuilder.sparql.safety" not in mine
    # nor pyoxigraph: the worker imports it to open the store (this process forked it before
    # it could), and the answer came as plain parts of terms (kgbuilder.terms.term_parts)
    assert "at fork: kgbuilder.sparql.worker" in mine
    assert not [m for m in mine if "pyoxigraph" in m]
    # the worker forked at the start opens the store of the build the cache held then; the
    # command rebuilds the changed dataset meanwhile, and the answer is the new build's
    entities = mini_copy / "facts" / "entities.yaml"
    entities.write_text(entities.read_text().replace("label: Armenia,", "label: Republic of Armenia,"))
    changed = _run(["query", str(mini_copy), ARMENIA, "-F", "csv"], env)
    assert (changed.returncode, changed.stdout) == (0, "l\nRepublic of Armenia\n"), changed.stderr
    # what the worker refuses is refused here, in the same words, with the linter's warning first
    refused = _run(["query", str(mini_copy), "SELECT * WHERE { ?s kg:memberof ?o SERVICE <http://127.0.0.1:9/> "
                    "{ ?s ?p ?o } }"], env)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == ("Error: query: SERVICE <http://127.0.0.1:9/> is not allowed: queries never "
                              "reach the network\n")
    typo = _run(["query", str(mini_copy), "SELECT ?s WHERE { ?s kg:memberof mi:csto }", "-F", "csv"], env)
    assert (typo.returncode, typo.stdout) == (0, "s\n")
    assert typo.stderr == ("warning: query:1:22: kg:memberof is neither in the dataset nor in the ontology, so "
                           "it matches nothing (did you mean 'kg:memberOf'?)\n")


def test_a_warm_query_loads_no_suggestions_no_exporter_and_no_other_command(mini_copy, tmp_path):
    # "did you mean" (difflib, kgbuilder.resolve) is for mistakes only (the worker finds them:
    # see the test above); an answer written as CSV needs no exporter, not even the formats
    # table (only build's and export's options list it); and the commands of other modules
    # are not defined (kgbuilder.cli.COMMANDS); the worker's pipe is the C module's socket pair,
    # without the socket module. (--format, not -F: click itself imports
    # difflib whenever it matches a short option, trying it as a long one first.)
    env = {**os.environ, "KGBUILDER_CACHE_DIR": str(tmp_path / "cache"), "KGBUILDER_PROGRESS": "0"}
    assert _run(["validate", str(mini_copy)], env).returncode == 0
    seen = tmp_path / "modules.txt"
    warm = _run(["query", str(mini_copy), ARMENIA, "--format", "csv"], env, seen)
    assert (warm.returncode, warm.stdout, warm.stderr) == (0, "l\nArmenia\n", "")
    mine = seen.read_text().splitlines()
    assert "kgbuilder.sparql.query" in mine
    assert not {"difflib", "kgbuilder.resolve", "kgbuilder.cli.commands", "socket"} & set(mine)
    assert not [m for m in mine if m.startswith("kgbuilder.exports")]


def test_a_warm_query_neither_forks_nor_answers_with_typing_pickle_signal_or_threading(mini_copy, tmp_path):
    # both of a warm query's two lines of work start at the fork (the command loads click,
    # the worker opens the store), so what comes before it delays both; these four standard
    # modules cost ~7 ms to import there, and the worker needs none of them (the C modules
    # under pickle and signal do its work; typing only names annotations). A plain query
    # (kgbuilder.cli.plain) is answered without them, and without click; a command line for
    # click imports typing and threading with it.
    env = {**os.environ, "KGBUILDER_CACHE_DIR": str(tmp_path / "cache"), "KGBUILDER_PROGRESS": "0"}
    assert _run(["validate", str(mini_copy)], env).returncode == 0
    seen, worker = tmp_path / "modules.txt", tmp_path / "worker.txt"
    warm = _run(["query", str(mini_copy), ARMENIA, "-F", "csv"], env, seen, worker=worker)
    assert (warm.returncode, warm.stdout, warm.stderr) == (0, "l\nArmenia\n", "")
    mine = seen.read_text().splitlines()
    assert "at fork: kgbuilder.sparql.worker" in mine
    assert not {"typing", "pickle", "signal", "threading", "click"} & {m.removeprefix("at fork: ") for m in mine}
    # the worker imported the check, the linter and the engine, and answered, without them
    assert not worker.exists() or worker.read_text() == ""
    # the probe sees them: -o is for click, which loads typing and threading, after the fork
    clicked, out = tmp_path / "clicked.txt", tmp_path / "a.csv"
    done = _run(["query", str(mini_copy), ARMENIA, "-o", str(out)], env, clicked)
    assert (done.returncode, out.read_bytes()) == (0, b"l\r\nArmenia\r\n"), done.stderr
    loaded = clicked.read_text().splitlines()
    assert {"typing", "threading", "click", "at fork: kgbuilder.sparql.worker"} <= set(loaded)
    assert [m for m in loaded if m.startswith("at fork: ") and m[9:] in {"typing", "pickle", "signal", "threading"}] == []


def test_a_finished_warm_query_ends_without_the_interpreters_teardown(mini_copy, tmp_path):
    # the teardown only frees memory (10-15 ms for click and the command's modules); the
    # atexit functions still run (the one writing modules.txt), and what the user sees is what
    # the same command line prints through click alone (kgbuilder.cli.main, torn down as usual)
    env = {**os.environ, "KGBUILDER_CACHE_DIR": str(tmp_path / "cache"), "KGBUILDER_PROGRESS": "0"}
    assert _run(["validate", str(mini_copy)], env).returncode == 0
    ds = str(mini_copy)
    cases = {
        "answer": (["query", ds, ARMENIA, "-F", "csv"], 0, False),
        "error": (["query", ds, "SELEC ?l"], 1, False),
        # no worker: this process opens the store itself, and leaves its end to Python
        "in-process": (["query", ds, ARMENIA, "-F", "csv", "--timeout", "0"], 0, True),
        # the graph questions answer from the views kept with the build
        "show": (["show", ds, "armenia"], 0, False),
        "stats": (["stats", ds], 0, False),
        "unknown entity": (["show", ds, "armenai"], 1, False),
        # a command that writes ends as Python ends it
        "validate": (["validate", ds], 0, True),
    }
    for args, _, _ in (cases["show"], cases["stats"]):
        assert _run(args, env).returncode == 0      # the first graph question keeps the views
    for name, (args, code, torn_down) in cases.items():
        seen, torn = tmp_path / f"{name}.modules", tmp_path / f"{name}.teardown"
        done = _run(args, env, seen, torn)
        plain = subprocess.run([sys.executable, "-c", "from kgbuilder.cli import main; main(prog_name='kgbuilder')",
                                *args], env=env, capture_output=True, text=True, timeout=300)
        assert (done.returncode, done.stdout, done.stderr) == (plain.returncode, plain.stdout, plain.stderr), name
        assert (done.returncode, seen.exists(), torn.exists()) == (code, True, torn_down), name
    assert _run(["query", ds, ARMENIA, "-F", "csv"], env).stdout == "l\nArmenia\n"


@pytest.mark.parametrize("args, collector", [
    (["stats", "{ds}"], "off"),                              # a reader: one answer, then the end
    (["query", "{ds}", ARMENIA, "-F", "csv"], "off"),
    (["show", "{ds}", "armenia", "-F", "json"], "off"),
    (["validate", "{ds}"], "on"),                            # the others keep the collector
    (["build", "{ds}", "-o", "{out}"], "on"),
])
def test_a_reader_runs_without_the_cyclic_collector(args, collector, mini_copy, tmp_path):
    probe = tmp_path / "gc.txt"
    argv = [a.replace("{ds}", str(mini_copy)).replace("{out}", str(tmp_path / "g.ttl")) for a in args]
    env = {**os.environ, "KGBUILDER_CACHE_DIR": str(tmp_path / "cache"), "KGBUILDER_PROGRESS": "0"}
    done = _run(argv, env, collector=probe)
    assert done.returncode == 0, done.stderr
    assert probe.read_text() == collector


def test_python_dash_m_is_the_same_command(tmp_path):
    out = subprocess.run([sys.executable, "-m", "kgbuilder", "--version"], capture_output=True, text=True,
                         timeout=60)
    assert (out.returncode, out.stdout) == (0, f"kgbuilder, version {__version__}\n")
    usage = subprocess.run([sys.executable, "-m", "kgbuilder", "query"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and usage.stderr.endswith("Error: Missing argument 'DATASET'.\n")
    assert usage.stderr.startswith("Usage: kgbuilder query ")


@pytest.mark.parametrize("args, opened", [
    (["{ds}", "SELECT * WHERE { ?s ?p ?o }", "-F", "csv"], True),
    (["-F", "csv", "{ds}", "SELECT * WHERE { ?s ?p ?o }"], True),
    (["{ds}", "-f", "q.rq", "--limit", "3"], True),
    (["{ds}", "SELECT 1", "--store", "memory"], False),        # another store: nothing to open ahead
    (["{ds}", "SELECT 1", "--store=oxigraph"], False),
    (["{ds}", "SELECT 1", "--endpoint", "http://127.0.0.1:9/"], False),
    (["{ds}", "SELECT 1", "--infer"], False),
    (["{ds}", "SELECT 1", "--timeout", "0"], False),              # no worker at all
    (["{ds}", "SELECT 1", "--timeout=0.0"], False),
    (["{ds}", "SELECT 1", "--timeout", "5"], True),
    (["{ds}", "SELECT 1", "--timeout", "soon"], True),            # click says what is wrong
    (["{ds}", "{ds}"], False),                                  # which one? click decides
    (["SELECT * WHERE { ?s ?p ?o }"], False),
    (["{ds}", "bad\0arg", "x" * 5000], True),                  # no path at all: skipped, no error
])
def test_the_worker_is_forked_ahead_for_the_one_dataset_folder_named(args, opened, mini_path, monkeypatch):
    from kgbuilder import __main__ as entry
    from kgbuilder.dataset import preopen_recipe
    from kgbuilder.sparql import worker

    forked, frozen = [], []
    monkeypatch.setattr(worker, "prefork", lambda warmup=None: forked.append(warmup))
    monkeypatch.setattr(worker, "can_fork", lambda: True)       # whatever threads this process runs
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))     # not this test process's heap
    entry._preopen([a.replace("{ds}", str(mini_path)) for a in args])
    assert forked == ([preopen_recipe(mini_path)] if opened else [])
    assert frozen == ([True] if opened else [])
