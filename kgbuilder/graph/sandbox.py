"""Run a query where it can be killed: a worker process with a deadline.

rdflib evaluates SPARQL in pure Python with no way to interrupt it, so the
only reliable timeout is a separate process that we SIGKILL. When this
process has a single thread we fork: the child already holds the graph, so
nothing is copied and the query starts at once. Forking a process with other
threads running can deadlock the child on a lock one of them held, so then we
spawn a fresh interpreter and send it the quads instead (slower to start, the
clock starts only once it has loaded them). Either way the answer comes back
as one pickle through a pipe that the parent drains while it waits.
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import threading
import time
from typing import Any, Callable

from ..errors import QueryError, QueryTimeoutError

__all__ = ["run_isolated"]

_READY = b"R"


def run_isolated(job: Callable[[], Any], *, timeout: float, memory_mb: int | None = None,
                 fallback: Callable[[], Any] | None = None) -> Any:
    """``job()`` in a forked child, or ``run_payload(fallback())`` in a spawned one.

    Raises QueryTimeoutError when it runs past ``timeout`` seconds; errors the
    job raises are raised again here.
    """
    if hasattr(os, "fork") and threading.active_count() == 1:
        return _run_forked(job, timeout, memory_mb)
    if fallback is None:
        raise QueryError("cannot isolate the query: other threads are running")
    return _run_spawned(fallback(), timeout, memory_mb)


def _run_forked(job, timeout: float, memory_mb: int | None) -> Any:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: never return into the caller's stack
        code = 0
        try:
            os.close(r)
            if memory_mb:
                # the engine (Rust) aborts with a line on stderr when the cap stops an allocation;
                # the parent reports that as a memory error, so the line is noise
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
            _limit_memory(memory_mb)
            data = _outcome(job)
            _write_all(w, data)
        except BaseException:  # noqa: BLE001 - the child must always reach _exit
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    try:
        data = _drain(r, pid, time.monotonic() + timeout, aborts_on_memory=bool(memory_mb))
    finally:
        os.close(r)
    return _result(data)


def _run_spawned(payload, timeout: float, memory_mb: int | None) -> Any:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_spawn_main, args=(child, payload, memory_mb), daemon=True)
    proc.start()
    child.close()
    try:
        # loading the quads is not the query's time: wait for the child to say it is ready
        if not parent.poll(60 + len(payload["quads"]) / 5000):
            raise QueryError("the query worker did not start")
        parent.recv_bytes()
        if not parent.poll(timeout):
            raise QueryTimeoutError(f"stopped after {timeout:g} s")
        data = parent.recv_bytes()
    except EOFError:
        raise QueryError("the query worker died") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
    return _result(data)


def _spawn_main(conn, payload, memory_mb) -> None:  # pragma: no cover - runs in the child
    from .query import run_payload  # noqa: F401 - imported before the clock starts

    _limit_memory(memory_mb)
    from .store import open_store

    store = open_store("memory")
    store.add_quads(payload.pop("quads"))
    conn.send_bytes(_READY)
    conn.send_bytes(_outcome(lambda: run_payload({**payload, "store": store})))
    conn.close()


def _outcome(job) -> bytes:
    try:
        return pickle.dumps(("ok", job()), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return pickle.dumps(("memory", None))
    except QueryError as exc:
        return pickle.dumps(("error", exc))
    except Exception as exc:  # noqa: BLE001 - rdflib raises plain exceptions for bad queries
        msg = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return pickle.dumps(("failed", msg))


def _result(data: bytes) -> Any:
    status, value = pickle.loads(data)
    if status == "ok":
        return value
    if status == "memory":
        raise QueryError("the query needed more memory than allowed; narrow it down")
    if status == "error":
        raise value
    raise QueryError(f"the query failed: {value}")


def _drain(fd: int, pid: int, deadline: float, aborts_on_memory: bool = False) -> bytes:
    chunks = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QueryTimeoutError("stopped")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    except BaseException:
        _kill(pid)
        raise
    _, status = os.waitpid(pid, 0)
    if not chunks:
        if aborts_on_memory and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT:
            # Oxigraph cannot raise MemoryError: an allocation over the cap aborts the worker
            return pickle.dumps(("memory", None))
        raise QueryError(f"the query worker died ({_describe(status)})")
    return b"".join(chunks)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _limit_memory(memory_mb: int | None) -> None:
    """Cap the worker's address space at what it holds now plus ``memory_mb``."""
    if not memory_mb:
        return
    try:
        import resource

        with open("/proc/self/status") as fh:
            vm = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = vm + memory_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError, StopIteration, ImportError):
        pass  # no /proc or no rlimits here: the time limit still holds
