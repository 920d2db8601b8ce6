"""sparql/worker.py: the one killable worker, forked or spawned, sync or asyncio."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kgbuilder.errors import KGBuilderError, QueryError, QuerySyntaxError, QueryTimeoutError
from kgbuilder.kg import reopen
from kgbuilder.sparql.query import _run_in_worker
from kgbuilder.sparql.worker import Worker, WorkerDied, can_fork, ref, run_killable
from processes import children

TESTS = Path(__file__).resolve().parent

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MEMBERS = "SELECT ?s ?o WHERE { ?s kg:memberOf ?o } ORDER BY ?s ?o"
RUN = ref(_run_in_worker)


def _payload(sparql: str) -> dict:
    return {"sparql": sparql, "file": None, "limit": None, "infer": False, "safe": True}


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


@pytest.fixture(scope="module")
def ondisk_kg(tmp_path_factory, mini_path):
    import kgbuilder

    return kgbuilder.build(mini_path, store=f"oxigraph:{tmp_path_factory.mktemp('ox') / 'store'}")


def test_spawned_worker_keeps_its_state_between_calls():
    w = Worker(("builtins:int", "5"), fork=False)
    try:
        w.wait_ready()
        pid = w.pid
        assert w.call("operator:add", 3) == 8
        assert w.call("operator:mul", 2) == 10
        assert w.pid == pid and not w.forked
    finally:
        w.kill()
    assert _gone(pid)


def test_errors_raised_in_the_worker_are_raised_here(mini_kg):
    w = Worker(mini_kg.worker_recipe(), fork=False)
    try:
        w.wait_ready()
        with pytest.raises(QuerySyntaxError) as exc:
            w.call(RUN, _payload("SELECT ?s WHERE {\n  ?s ?p \n}"))
        assert exc.value.line == 3
        with pytest.raises(QueryError, match=r"^the query failed: TypeError: unsupported operand type"):
            w.call("operator:truediv", 0)     # the state is the graph
        # the worker survives both and answers the next call
        rows = w.call(RUN, _payload(MEMBERS)).rows
        assert [tuple(map(str, r)) for r in rows] == [tuple(map(str, r)) for r in mini_kg.query(MEMBERS)]
    finally:
        w.kill()


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_a_call_past_its_deadline_kills_the_worker(mini_kg, fork):
    w = Worker(mini_kg.worker_recipe(), state=lambda: mini_kg, fork=fork)
    pid = w.pid
    try:
        w.wait_ready()
        t0 = time.monotonic()
        with pytest.raises(QueryTimeoutError):
            w.call(RUN, _payload(CARTESIAN), timeout=1)
        assert time.monotonic() - t0 < 1 + 2.5
        assert _gone(pid)
    finally:
        w.kill()


def test_a_worker_killed_under_a_call_is_reported(mini_kg):
    w = Worker(mini_kg.worker_recipe(), fork=False)
    try:
        w.wait_ready()
        threading.Timer(0.5, os.kill, (w.pid, signal.SIGKILL)).start()
        with pytest.raises(WorkerDied, match=r"^the worker died \(killed by signal 9\)$"):
            w.call(RUN, _payload(CARTESIAN), timeout=60)
    finally:
        w.kill()


def test_a_worker_that_cannot_build_its_state_says_why(tmp_path):
    w = Worker((ref(reopen), {"path": str(tmp_path / "nothing"), "meta": {}}), fork=False)
    with pytest.raises(KGBuilderError, match=r"^cannot open the Oxigraph store at .*nothing"):
        w.wait_ready()
    assert _gone(w.pid or 0) if w.pid else True


def test_run_killable_forks_when_it_can():
    # in a fresh interpreter: this one may have started threads (an on-disk store's, pytest's)
    script = (
        "import os\n"
        "from kgbuilder.sparql.worker import can_fork, run_killable\n"
        "seen = []\n"
        "def state():\n"
        "    seen.append(os.getpid())\n"
        "    return 2\n"
        "assert can_fork()\n"
        "print(run_killable('operator:pow', 10, timeout=5, state=state), seen)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    # 1024, and the state was built in the forked child, not here
    assert out.stdout == "1024 []\n", out.stderr


def test_on_disk_oxigraph_is_never_forked(ondisk_kg):
    # RocksDB runs native threads, which fork would not carry over: the worker is spawned and
    # opens the store read-only, next to this process's read-write handle
    from kgbuilder.sparql.query import execute

    assert not can_fork()
    got = execute(ondisk_kg, MEMBERS, timeout=30)
    assert [tuple(map(str, r)) for r in got.rows] == [tuple(map(str, r)) for r in ondisk_kg.query(MEMBERS)]
    assert got.rows
    t0 = time.monotonic()
    with pytest.raises(QueryTimeoutError):
        execute(ondisk_kg, CARTESIAN, timeout=1)
    assert time.monotonic() - t0 < 1 + 15


def test_recipe_of_an_on_disk_store_names_its_folder(ondisk_kg, mini_kg):
    opener, args = ondisk_kg.worker_recipe()
    assert opener == ref(reopen) and args["path"] == str(ondisk_kg.store.path) and "nquads" not in args
    _, args = mini_kg.worker_recipe()
    copy = reopen(args)
    assert len(copy.store) == len(mini_kg.store)
    assert copy.store.count_triples() == mini_kg.store.count_triples()


def test_asyncio_calls_and_deadline(mini_kg):
    async def main():
        w = Worker(mini_kg.worker_recipe(store="oxigraph"), fork=False)
        try:
            await w.ready()
            answers = [await w.acall(RUN, _payload(MEMBERS), timeout=30) for _ in range(3)]
            assert len({tuple(map(str, a.rows)) for a in answers}) == 1
            t0 = time.monotonic()
            with pytest.raises(QueryTimeoutError):
                await w.acall(RUN, _payload(CARTESIAN), timeout=1)
            assert time.monotonic() - t0 < 1 + 2.5
        finally:
            w.kill()

    asyncio.run(main())


PREFORK = """
import os, sys, time
import kgbuilder
from kgbuilder.errors import QueryTimeoutError
from kgbuilder.sparql import worker
from kgbuilder.sparql.query import execute

worker.prefork()
spare = worker._SPARE[0].pid
kg = kgbuilder.build(sys.argv[1], store="oxigraph:" + sys.argv[2])      # RocksDB's threads start here
assert not worker.can_fork()
ready = []
check = worker.Worker._check_ready
worker.Worker._check_ready = lambda self, m: (ready.append((m[1], self._proc is None)), check(self, m))[1]
rows = [tuple(map(str, r)) for r in execute(kg, sys.argv[3], timeout=30).rows]
try:
    execute(kg, sys.argv[4], timeout=1)
    timed_out = False
except QueryTimeoutError:
    timed_out = True
print(spare, ready, len(rows), rows == [tuple(map(str, r)) for r in kg.query(sys.argv[3])], timed_out)
"""


def test_a_preforked_worker_runs_the_query_an_on_disk_store_cannot_fork_for(mini_path, tmp_path):
    # forked before the store opened, the spare gets the store's recipe (its folder, read-only)
    # instead of a fresh interpreter; the next query, with no spare left, spawns one as before
    out = subprocess.run([sys.executable, "-c", PREFORK, str(mini_path), str(tmp_path / "store"), MEMBERS,
                          CARTESIAN], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    spare, ready, n, same, timed_out = out.stdout.split(" ", 1)[0], *out.stdout.split(" ", 1)[1].rsplit(" ", 3)
    ready = eval(ready)   # noqa: S307 - our own script's repr of [(pid, forked)]
    assert ready[0] == (int(spare), True)                 # the first query ran in the spare
    assert ready[1][0] != int(spare) and ready[1][1] is False   # then spawned, and killed at 1 s
    assert int(n) > 0 and same == "True" and timed_out.strip() == "True"


def test_an_unused_spare_ends_with_its_parent():
    script = ("from kgbuilder.sparql import worker\n"
              "worker.prefork()\n"
              "print(worker._SPARE[0].pid)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    pid = int(out.stdout)
    deadline = time.monotonic() + 10
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid)


def test_a_spare_computes_its_warmup_only_when_it_forks(monkeypatch):
    # a command that already has a spare (forked before click loaded) does not work out a
    # warm-up for a second one it will not fork; a process that cannot fork does not either
    from kgbuilder.sparql import worker

    asked, started = [], []
    monkeypatch.setattr(worker, "Worker", lambda **kw: started.append(kw) or "spare")
    monkeypatch.setattr(worker, "_SPARE", [])
    monkeypatch.setattr(worker, "can_fork", lambda: False)
    worker.prefork(warmup=lambda: asked.append(1))
    assert (asked, started, worker._SPARE) == ([], [], [])
    monkeypatch.setattr(worker, "can_fork", lambda: True)
    worker.prefork(warmup=lambda: asked.append(1) or ("m:f", {"a": 1}))
    assert asked == [1] and started == [{"_blank": True, "_warmup": ("m:f", {"a": 1})}]
    worker.prefork(warmup=lambda: asked.append(2))          # a spare is there already
    worker.prefork(warmup=("m:g", None))
    assert asked == [1] and len(started) == 1 and worker._SPARE == ["spare"]


def _zombie_children() -> list[int]:
    return children(zombies=True)


def test_workers_killed_without_waiting_are_reaped_later(mini_kg):
    # execute does not wait for its worker to be torn down; the next start reaps it
    from kgbuilder.sparql.query import execute

    for _ in range(6):
        assert execute(mini_kg, MEMBERS, timeout=30).rows
    time.sleep(0.5)
    assert len(_zombie_children()) <= 1


def test_a_warm_query_is_linted_and_run_by_the_worker_alone(mini_path, tmp_path, monkeypatch):
    # the cached store is opened on first use; the worker opens it, lints, then runs the query,
    # and this process never opens it: the warnings come back all the same
    import kgbuilder
    from kgbuilder.errors import QueryWarning
    from kgbuilder.sparql.query import execute

    monkeypatch.setenv("KGBUILDER_CACHE_DIR", str(tmp_path / "cache"))
    kgbuilder.validate(mini_path)
    kg = kgbuilder.open_graph(mini_path)
    assert not kg.store.is_open
    with pytest.warns(QueryWarning, match=r"^query:1:22: kg:memberof is neither in the dataset nor in the "
                                          r"ontology, so it matches nothing \(did you mean 'kg:memberOf'\?\)$"):
        got = execute(kg, "SELECT ?x WHERE { ?x kg:memberof mi:csto }", timeout=30)
    assert got.rows == [] and not kg.store.is_open
    assert [str(r[0]) for r in execute(kg, MEMBERS.replace("?s ?o", "?s"), timeout=30).rows]
    assert not kg.store.is_open


_EARLY = """
import sys, time
sys.path.insert(0, sys.argv[2])
import kgbuilder
from kgbuilder.errors import QuerySyntaxError, UnsafeQueryError
from kgbuilder.sparql import worker
from kgbuilder.sparql.query import execute
from processes import children

kg = kgbuilder.open_graph(sys.argv[1])
assert not kg.store.is_open and worker.can_fork()
kept = []          # the exceptions' frames hold the Worker objects: one not stopped stays alive
for text, error in (("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", UnsafeQueryError),
                    ("SELECT * WHERE { ?s ?p ", QuerySyntaxError)):
    try:
        execute(kg, text, timeout=30)
    except error as exc:
        kept.append(exc)
deadline = time.monotonic() + 10
while children(zombies=False) and time.monotonic() < deadline:
    time.sleep(0.05)
print(len(kept), len(children(zombies=False)), kg.store.is_open)
print(len(execute(kg, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", timeout=30).rows))
for lint in (True, False):       # located in the user's text, with or without the linter
    try:
        execute(kg, "SELECT ?s WHERE {\\n  ?s ?p ?o .\\n  FILTER( }", timeout=30, lint=lint)
    except QuerySyntaxError as exc:
        print(exc)
"""


def test_a_refused_query_on_a_warm_graph_stops_the_worker_forked_ahead_of_the_check(mini_path, tmp_path):
    # on a warm graph (store not open in this process, which can fork) the worker is forked
    # before the query is checked and opens the store meanwhile: a query the check refuses
    # never reaches it, and it is stopped at once, not left waiting (in a fresh process: this
    # one may run threads, and then no worker is forked ahead)
    env = {**os.environ, "KGBUILDER_CACHE_DIR": str(tmp_path / "cache")}
    warm = subprocess.run([sys.executable, "-c", "import kgbuilder, sys; kgbuilder.validate(sys.argv[1])", str(mini_path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert warm.returncode == 0, warm.stderr
    out = subprocess.run([sys.executable, "-c", _EARLY, str(mini_path), str(TESTS)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["2 0 False", "3"] + 2 * ["query:3:11: syntax error at '}'"]


def _armenia_label(kg) -> list[str]:
    rows = kg.store.raw_query("SELECT ?l WHERE { GRAPH ?g { <https://kgbuilder.example/mini/armenia> "
                              "<http://www.w3.org/2000/01/rdf-schema#label> ?l } }")
    return sorted(str(r[0].value) for r in rows)


def test_a_store_opened_ahead_is_opened_after_the_check_is_loaded(mini_copy, tmp_path, monkeypatch):
    # RocksDB's open waits on ~180 threads it starts, and suffers most beside the command's busy
    # start: the spare does its plain work (the check and the linter) first, the open last
    import kgbuilder
    from kgbuilder import kg as kgmod
    from kgbuilder.dataset import preopen_recipe
    from kgbuilder.sparql import query as querymod
    from kgbuilder.store import oxigraph

    monkeypatch.setenv("KGBUILDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(kgmod, "_PREOPENED", [])
    assert kgbuilder.validate(mini_copy) == []
    done = []
    load_checker, store_class = querymod.load_checker, oxigraph.OxigraphStore

    class Recorded(store_class):
        def __init__(self, path=None, **kwargs):
            if path is not None:         # not the empty in-memory store the syntax check uses
                done.append("open")
            super().__init__(path, **kwargs)

    monkeypatch.setattr(querymod, "load_checker", lambda: done.append("check") or load_checker())
    monkeypatch.setattr(oxigraph, "OxigraphStore", Recorded)
    kgmod.preopen(preopen_recipe(mini_copy)[1])
    assert done == ["check", "open"] and kgmod._PREOPENED[-1][3].is_open
    kgmod._PREOPENED.pop()[3].release()


def test_a_store_opened_ahead_serves_only_while_it_holds_the_current_build(mini_copy, tmp_path, monkeypatch):
    # kg.preopen runs in the spare a query command forks at its start, before the command has
    # checked the cache: it opens the cached store read-only; reopen takes that store only if
    # the state beside it still names the same build, else it opens the store again
    import kgbuilder
    from kgbuilder import kg as kgmod
    from kgbuilder.dataset import preopen_recipe

    monkeypatch.setenv("KGBUILDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(kgmod, "_PREOPENED", [])
    name, args = preopen_recipe(mini_copy)
    assert name == ref(kgmod.preopen)
    kgmod.preopen(args)                      # nothing built yet: nothing to open
    assert kgmod._PREOPENED == []
    assert kgbuilder.validate(mini_copy) == []

    kgmod.preopen(args)
    early = kgmod._PREOPENED[-1][3]
    graph = kgbuilder.open_graph(mini_copy)
    assert graph.worker_recipe()[1]["path"] == args["path"]
    counted = []
    with monkeypatch.context() as patch:      # taking the early store does not count its quads
        patch.setattr(type(early), "__len__", lambda self: counted.append(self) or 0)
        same = reopen(graph.worker_recipe()[1])
    assert counted == []
    assert same.store is early and _armenia_label(same) == ["Armenia"] and kgmod._PREOPENED == []

    kgmod.preopen(args)                      # then the dataset changes and the cache is rebuilt
    stale = kgmod._PREOPENED[-1][3]
    entities = mini_copy / "facts" / "entities.yaml"
    entities.write_text(entities.read_text().replace("label: Armenia,", "label: Republic of Armenia,"))
    rebuilt = kgbuilder.open_graph(mini_copy)
    fresh = reopen(rebuilt.worker_recipe()[1])
    assert fresh.store is not stale and not stale.is_open
    assert _armenia_label(fresh) == ["Republic of Armenia"]
    # nor is one opened at another path than the graph's
    kgmod.preopen(args)
    elsewhere = kgmod._PREOPENED[-1][3]
    assert kgmod._preopened(str(tmp_path / "elsewhere")) is None and not elsewhere.is_open
    assert kgmod._PREOPENED == []


def test_no_store_is_opened_ahead_for_a_store_in_memory(mini_path):
    from kgbuilder.dataset import preopen_recipe

    assert preopen_recipe(mini_path, store="memory") is None
    assert preopen_recipe(mini_path, store="nosuchstore") is None     # open_graph says why, later


_STDIO = """
import os
from kgbuilder.sparql.worker import Worker, can_fork
assert can_fork()
w = Worker(state=lambda: None)
w.wait_ready()
print(*[os.readlink(f"/proc/{w.pid}/fd/{fd}") for fd in (0, 1, 2)])
w.kill()
"""


def test_a_forked_worker_lets_go_of_the_callers_stdin_and_stdout():
    # a worker holding the caller's stdout would keep a pipe reader waiting for the end of the
    # output until the killed worker is torn down too (in a fresh process: this one may run
    # threads, and then no worker is forked); its stderr stays the caller's
    out = subprocess.run([sys.executable, "-c", _STDIO], stdin=subprocess.PIPE, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    stdin, stdout, stderr = out.stdout.split()
    assert (stdin, stdout) == (os.devnull, os.devnull) and stderr.startswith("pipe:")
