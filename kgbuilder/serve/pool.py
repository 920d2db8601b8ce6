"""A fixed pool of query workers for ``kgbuilder serve``.

Neither engine can interrupt a query, so the server runs each one in a worker process of
:mod:`kgbuilder.sparql.worker`: the pool size caps how many queries run at once, a query past
its deadline is stopped with SIGKILL (its worker is replaced in the background), and the
other workers keep answering meanwhile. Workers live as long as the server and are fresh
interpreters (the server has threads, so no fork) that open the graph once from a
``KnowledgeGraph.worker_recipe``: an on-disk Oxigraph store read-only, in place, or the
quads of a small graph loaded into Oxigraph in memory. A request costs one small message to
the worker and the serialized answer back.

Requests wait for a free worker in a bounded queue for a bounded time; past either bound
the caller gets :class:`Busy` (the server answers 503).
"""
from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass
from typing import Any

from ..errors import KGBuilderError, QueryError, QueryTimeoutError
from ..sparql.worker import START_TIMEOUT, Worker, WorkerDied

__all__ = ["WorkerPool", "Busy", "Answer"]


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


class WorkerPool:
    """``size`` workers, each running ``handler(kg, request) -> Answer`` on the graph that
    ``recipe`` (``(opener, args)``, see :class:`~kgbuilder.sparql.worker.Worker`) opens.

    ``handler`` is named ``"module:function"``: it is imported by name in the workers.
    ``label`` names the graph in error messages.
    """

    def __init__(self, recipe: tuple[str, Any], handler: str, *, size: int = 2, timeout: float = 5.0,
                 queue: int = 32, queue_wait: float = 10.0, memory_mb: int | None = None, label: str = "the graph"):
        if size < 1:
            raise QueryError(f"the pool needs at least one worker (got {size})")
        self.recipe = recipe
        self.handler = handler
        self.label = label
        self.size = size
        self.timeout = timeout
        self.queue = queue
        self.queue_wait = queue_wait
        self.memory_mb = memory_mb
        self._idle: collections.deque[Worker] = collections.deque()
        self._waiters: collections.deque[asyncio.Future] = collections.deque()
        self._all: set[Worker] = set()
        self._starting: set[asyncio.Task] = set()
        self.killed = 0          # queries stopped at their deadline (for the access log / tests)
        self._closed = False

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every worker and wait until they have all opened the graph."""
        workers = [self._spawn() for _ in range(self.size)]
        results = await asyncio.gather(*(self._await_ready(w) for w in workers), return_exceptions=True)
        for w, r in zip(workers, results):
            if isinstance(r, BaseException):
                await self.close()
                raise r
            self._release(w)

    async def close(self) -> None:
        self._closed = True
        for t in list(self._starting):
            t.cancel()
        for w in list(self._all):
            w.kill()
        self._all.clear()

    def _spawn(self) -> Worker:
        w = Worker(self.recipe, memory_mb=self.memory_mb, fork=False)
        self._all.add(w)
        return w

    async def _await_ready(self, w: Worker) -> None:
        try:
            await w.ready(START_TIMEOUT)
        except KGBuilderError as exc:
            self._all.discard(w)
            raise QueryError(f"a query worker could not open {self.label}: {exc}") from None

    def _replace(self, dead: Worker) -> None:
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
                self._release(w)

        task = asyncio.get_running_loop().create_task(bring_up())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    # -- queries ------------------------------------------------------------------------------

    @property
    def busy(self) -> int:
        """Workers running a query right now."""
        return len(self._all) - len(self._idle) - len(self._starting)

    async def run(self, request: dict) -> Answer:
        """Run ``request`` on a free worker; Busy or QueryTimeoutError when it cannot."""
        worker = await self._acquire()
        try:
            return await worker.acall(self.handler, request, timeout=self.timeout)
        except QueryTimeoutError:
            self.killed += 1          # the worker is dead already: replace it
            self._replace(worker)
            worker = None
            raise QueryTimeoutError(f"query stopped after {self.timeout:g} s") from None
        except (WorkerDied, OSError):
            # e.g. it hit its memory cap
            self._replace(worker)
            worker = None
            raise QueryError("the query worker died running this query (out of memory?)") from None
        finally:
            if worker is not None:
                self._release(worker)

    async def _acquire(self) -> Worker:
        # first come, first served: a free worker goes to the longest waiting request (a
        # request arriving meanwhile does not jump the queue)
        if self._idle and not self._waiters:
            return self._idle.popleft()
        if len(self._waiters) >= self.queue:
            raise Busy(f"{self.size} queries running and {len(self._waiters)} waiting; try again later")
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        timer = fut.get_loop().call_later(self.queue_wait, self._give_up, fut)
        try:
            return await fut
        except asyncio.CancelledError:
            # the request went away while waiting: pass on a worker it was handed meanwhile
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                self._release(fut.result())
            elif fut in self._waiters:
                self._waiters.remove(fut)
            raise
        finally:
            timer.cancel()

    def _give_up(self, fut: asyncio.Future) -> None:
        if not fut.done():
            self._waiters.remove(fut)
            fut.set_exception(Busy(f"no free query worker within {self.queue_wait:g} s; try again later"))

    def _release(self, worker: Worker) -> None:
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():      # not given up, not cancelled (a client that went away)
                fut.set_result(worker)
                return
        self._idle.append(worker)
