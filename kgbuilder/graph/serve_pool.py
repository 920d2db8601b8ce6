"""A fixed pool of query worker processes for ``kgbuilder serve``.

rdflib evaluates SPARQL in pure Python, cannot be interrupted and holds the GIL, so the
server runs each query in a worker process of its own: the pool size caps how many queries
run at once, a query past its deadline is stopped with SIGKILL (its worker is replaced in the
background), and the other workers keep answering meanwhile. Each worker is a fresh
interpreter started with ``python -c`` (not a fork: the server has threads by the time it
replaces a worker, and forking a threaded process can deadlock the child; nor
multiprocessing's ``spawn``, which re-runs the caller's main script), talking pickles over a
socket pair. A worker opens the graph from the build cache the parent filled, so starting
one costs an import and a cache read, not a rebuild.

Requests wait for a free worker in a bounded queue for a bounded time; past either bound
the caller gets :class:`Busy` (the server answers 503).
"""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import QueryError, QueryTimeoutError

__all__ = ["WorkerPool", "Busy", "Answer"]

#: how long a new worker may take to open the graph before the pool gives up on it
START_TIMEOUT = 120.0


class Busy(QueryError):
    """Every worker is taken and the wait queue is full or took too long."""


@dataclass
class Answer:
    """What a worker sends back: an HTTP status, a media type and the body."""

    status: int
    media_type: str
    body: bytes
    rows: int = -1          # rows or triples in the answer; -1 for errors
    truncated: bool = False
    warnings: tuple = ()    # the query linter's findings (str), shown by the query page


class _Worker:
    def __init__(self, args: tuple):
        from multiprocessing.connection import Connection

        mine, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (package_root, os.environ.get("PYTHONPATH")) if p)}
        fd = theirs.fileno()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from kgbuilder.graph.serve_pool import _child; _child()", str(fd)],
            pass_fds=[fd], stdin=subprocess.DEVNULL, env=env, close_fds=True)
        theirs.close()
        self.conn = Connection(mine.detach())
        self.conn.send(args)

    @property
    def exitcode(self):
        return self.proc.poll()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()


class WorkerPool:
    """``size`` workers, each running ``handler(kg, request) -> Answer`` on the opened graph.

    ``handler`` must be a module-level function (it is imported by name in the workers).
    """

    def __init__(self, dataset: Path, handler: Callable[[Any, dict], Answer], *, size: int = 2,
                 timeout: float = 5.0, queue: int = 32, queue_wait: float = 10.0,
                 memory_mb: int | None = None):
        if size < 1:
            raise QueryError(f"the pool needs at least one worker (got {size})")
        self.dataset = Path(dataset)
        self.handler = handler
        self.size = size
        self.timeout = timeout
        self.queue = queue
        self.queue_wait = queue_wait
        self.memory_mb = memory_mb
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._waiting = 0
        self._starting: set[asyncio.Task] = set()
        self.killed = 0          # queries stopped at their deadline (for the access log / tests)
        self._closed = False

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every worker and wait until they have all opened the graph."""
        self._idle = asyncio.Queue()
        workers = [self._spawn() for _ in range(self.size)]
        results = await asyncio.gather(*(self._await_ready(w) for w in workers), return_exceptions=True)
        for w, r in zip(workers, results):
            if isinstance(r, BaseException):
                await self.close()
                raise r
            self._idle.put_nowait(w)

    async def close(self) -> None:
        self._closed = True
        for t in list(self._starting):
            t.cancel()
        for w in list(self._all):
            w.kill()
        self._all.clear()

    def _spawn(self) -> _Worker:
        w = _Worker((str(self.dataset), self.handler.__module__, self.handler.__name__, self.memory_mb))
        self._all.add(w)
        return w

    async def _await_ready(self, w: _Worker) -> None:
        if not await _readable(w.conn, START_TIMEOUT):
            w.kill()
            self._all.discard(w)
            raise QueryError(f"a query worker did not open {self.dataset} within {START_TIMEOUT:g} s")
        try:
            status, detail = w.conn.recv()
        except (EOFError, OSError):
            status, detail = "failed", f"the worker exited (code {w.exitcode})"
        if status != "ready":
            w.kill()
            self._all.discard(w)
            raise QueryError(f"a query worker could not open {self.dataset}: {detail}")

    def _replace(self, dead: _Worker) -> None:
        """Kill ``dead`` and start a replacement that joins the idle queue once ready."""
        dead.kill()
        self._all.discard(dead)
        if self._closed:
            return

        async def bring_up():
            w = self._spawn()
            try:
                await self._await_ready(w)
            except QueryError:
                return  # the pool runs one worker short; the next failure tries again
            if self._closed:
                w.kill()
            else:
                self._idle.put_nowait(w)

        task = asyncio.get_running_loop().create_task(bring_up())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    # -- queries ------------------------------------------------------------------------------

    @property
    def busy(self) -> int:
        """Workers running a query right now."""
        return len(self._all) - self._idle.qsize() - len(self._starting)

    async def run(self, request: dict) -> Answer:
        """Run ``request`` on a free worker; Busy or QueryTimeoutError when it cannot."""
        worker = await self._acquire()
        try:
            worker.conn.send(request)
            if not await _readable(worker.conn, self.timeout):
                self.killed += 1
                self._replace(worker)
                worker = None
                raise QueryTimeoutError(f"query stopped after {self.timeout:g} s")
            answer = await asyncio.to_thread(worker.conn.recv)
        except (EOFError, OSError, BrokenPipeError):
            # the worker died under the query (e.g. it hit its memory cap)
            if worker is not None:
                self._replace(worker)
                worker = None
            raise QueryError("the query worker died running this query (out of memory?)") from None
        finally:
            if worker is not None:
                self._idle.put_nowait(worker)
        return answer

    async def _acquire(self) -> _Worker:
        try:
            return self._idle.get_nowait()
        except asyncio.QueueEmpty:
            pass
        if self._waiting >= self.queue:
            raise Busy(f"{self.size} queries running and {self._waiting} waiting; try again later")
        self._waiting += 1
        try:
            return await asyncio.wait_for(self._idle.get(), self.queue_wait)
        except (asyncio.TimeoutError, TimeoutError):
            raise Busy(f"no free query worker within {self.queue_wait:g} s; try again later") from None
        finally:
            self._waiting -= 1


async def _readable(conn, timeout: float) -> bool:
    """Wait until ``conn`` has data (or EOF) without blocking the event loop."""
    if conn.poll():
        return True
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, lambda: fut.done() or fut.set_result(True))
    try:
        await asyncio.wait_for(fut, timeout)
        return True
    except (asyncio.TimeoutError, TimeoutError):
        return False
    finally:
        loop.remove_reader(fd)


def _child() -> None:  # pragma: no cover - the worker process's entry point
    from multiprocessing.connection import Connection

    conn = Connection(int(sys.argv[1]))
    _worker_main(conn, *conn.recv())


def _worker_main(conn, dataset: str, module: str, name: str, memory_mb) -> None:  # pragma: no cover
    """A worker: open the graph once, then answer requests until the pipe closes."""
    import importlib
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C stops the server, which stops us
    from .serve_limits import quiet_worker

    quiet_worker()                                  # nothing derived from a query reaches the log
    try:
        handler = getattr(importlib.import_module(module), name)
        from .. import api

        kg = api.open_graph(dataset)
        handler(kg, {"warm_up": True})   # import the SPARQL machinery before the first query
        if memory_mb:
            from .sandbox import _limit_memory

            _limit_memory(memory_mb)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails to start
        conn.send(("failed", f"{type(exc).__name__}: {exc}".splitlines()[0]))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            answer = handler(kg, request)
        except MemoryError:
            answer = Answer(500, "text/plain; charset=utf-8",
                            b"the query needed more memory than allowed; narrow it down\n")
        except Exception as exc:  # noqa: BLE001 - a library's bug on one query must not kill the worker
            answer = Answer(500, "text/plain; charset=utf-8",
                            f"the query failed inside the SPARQL engine ({type(exc).__name__})\n".encode())
        conn.send(answer)
