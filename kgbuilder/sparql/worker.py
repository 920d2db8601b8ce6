"""Run code where it can be killed: a worker process with a deadline and a memory cap.

The one way kgbuilder runs a query it does not trust (``kgbuilder query``, ``kg.query`` with a
timeout, and each of ``kgbuilder serve``'s workers). Neither rdflib nor pyoxigraph can
interrupt a running query, so the only reliable deadline is a separate process that we
SIGKILL; an address-space cap (RLIMIT_AS) keeps it from swallowing the machine's memory.

A :class:`Worker` gets its state once (the opened graph), then answers any number of calls
``function(state, payload)``, named ``"module:function"``, over a socket pair: each message is
an 8-byte length and a pickle. How the worker gets its state depends on the caller:

* **fork**, when this process runs a single OS thread: the child already holds the graph, so
  nothing is copied and it is ready at once. Forking a process with other threads (Python's,
  or the native ones RocksDB starts for an on-disk Oxigraph store) can deadlock the child on
  a lock one of them held, so then we
* **spawn** a fresh interpreter (``python -c``, not multiprocessing, which re-runs the
  caller's ``__main__``) that builds its state from a recipe, ``("module:function", args)``.
  Loading is not the call's time: the deadline starts once the worker says it is ready.

A command that knows it will run a query calls :func:`prefork` first, while it is still one
thread: a blank child is forked then and waits for the recipe, which it gets instead of a
spawned interpreter once the graph is open (an on-disk store's recipe is its path, opened
read-only in the child). That saves a fresh interpreter's start and imports on every
``kgbuilder query`` (about 0.2 s, three quarters of a warm query's time). ``kgbuilder query``
forks it at its very start (``kgbuilder/__main__.py``) with a warm-up, a recipe whose work
(opening the store the command will most likely ask for: ``kgbuilder.kg.preopen``) is done
while the command loads click and checks the cache.
"""
from __future__ import annotations

import atexit
import functools
import importlib
import os
import select
# the C modules under pickle, signal and socket, not those modules: their Python layers
# (pickle.py; signal's and socket's enums, socket's selectors and array) cost a warm query
# ~6 ms to import before it forks its worker, and a worker's pipe needs none of what they add
try:
    import _pickle as pickle
except ImportError:     # a Python without the C pickler
    import pickle
try:
    import _signal as signal
except ImportError:
    import signal
import _socket
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path

TYPE_CHECKING = False   # annotations only: a warm query's path never imports typing (see __main__)
if TYPE_CHECKING:
    from typing import Any

from ..errors import KGBuilderError, QueryError, QueryTimeoutError

__all__ = ["Worker", "WorkerDied", "run_killable", "start_killable", "prefork", "take_spare", "can_fork", "ref",
           "open_state", "START_TIMEOUT"]

#: how long a spawned worker may take to build its state before we give up on it
START_TIMEOUT = 120.0
_HEADER = struct.Struct("!Q")


class WorkerDied(QueryError):
    """The worker exited under a call (killed, out of memory, crashed)."""


def can_fork() -> bool:
    """True when forking is safe: this process runs exactly one OS thread."""
    if not hasattr(os, "fork"):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        # no /proc: native threads are invisible, so only trust a process without Python threads
        import threading

        return threading.active_count() == 1 and sys.platform != "darwin"


class Worker:
    """One worker process.

    ``state`` (a callable) gives a forked worker its state; ``recipe``, a pair
    ``("module:function", args)`` or a callable returning one (computed only when needed),
    lets a spawned worker build it. ``fork=None`` forks when there is a ``state`` and
    :func:`can_fork` says so, and spawns otherwise.
    """

    def __init__(self, recipe=None, *, state: Callable[[], Any] | None = None,
                 memory_mb: int | None = None, fork: bool | None = None, _blank: bool = False,
                 _warmup=None):
        if _blank:                  # prefork(): a forked child that waits for its recipe
            self._start(None, None, fork=True, warmup=_warmup)
            return
        if fork is None:
            fork = state is not None and can_fork()
        if fork and state is None:
            built = recipe() if callable(recipe) else recipe
            state = lambda: open_state(built)  # noqa: E731 - built in the child
        if not fork:
            recipe = recipe() if callable(recipe) else recipe
            if recipe is None:
                raise QueryError("cannot isolate the query: other threads are running and "
                                 "there is no way to rebuild the graph in a fresh process")
        self._start(state, memory_mb, fork=fork)
        if not fork:
            _send(self.sock, (recipe, memory_mb))

    def _start(self, state, memory_mb, *, fork: bool, warmup=None) -> None:
        if _UNREAPED:
            _reap()
        mine, theirs = _socket.socketpair()
        self.pid: int | None = None
        self._proc = None           # the subprocess.Popen of a spawned worker
        if fork:
            pid = os.fork()
            if pid == 0:  # the worker: never return into the caller's stack
                code = 0
                try:
                    mine.close()
                    _let_go_of_stdio()
                    if state is None:   # blank: the recipe comes as a spawned worker's does
                        _main(theirs, warmup=warmup)
                    else:
                        _serve(theirs, state, memory_mb)
                except BaseException:  # noqa: BLE001 - the child must always reach _exit
                    code = 1
                finally:
                    os._exit(code)
            self.pid = pid
        else:
            package_root = str(Path(__file__).resolve().parents[2])
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(
                p for p in (package_root, os.environ.get("PYTHONPATH")) if p)}
            import subprocess   # only to spawn: ~2 ms to import, for every forking command

            fd = theirs.fileno()
            self._proc = subprocess.Popen(
                [sys.executable, "-c", f"from {__name__} import _main; _main()", str(fd)],
                pass_fds=[fd], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env, close_fds=True)
            self.pid = self._proc.pid
        theirs.close()
        self.sock = mine
        self.forked = fork
        self.memory_mb = memory_mb
        self._buf = bytearray()
        self._async = None          # a _Channel once used from asyncio
        self._ready = False

    # -- life cycle ---------------------------------------------------------------------------

    def kill(self, *, wait: bool = True) -> None:
        """SIGKILL the worker (if still running) and reap it. ``wait=False``: do not wait for
        the kernel to tear it down (tens of ms for a process with a store open); it is reaped
        by a later kill or start in this process."""
        if self.pid is None:
            self._close()
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if not wait:
            _UNREAPED.append(self._proc if self._proc is not None else self.pid)
            _reap()
        elif self._proc is not None:
            _wait(self._proc, 5)
        else:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
        self.pid = None
        self._close()

    def _close(self) -> None:
        if self._async is not None:
            self._async.close()
        else:
            self.sock.close()

    def exit_status(self) -> str:
        """How the worker ended, for error messages (it has closed its end of the socket: give
        it a moment to be gone)."""
        code = None
        if self._proc is not None:
            code = _wait(self._proc, 1)
        elif self.pid is not None:
            end = time.monotonic() + 1
            while code is None and time.monotonic() < end:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
                    self.pid = None      # reaped: never signal that number again
                else:
                    time.sleep(0.01)
        if code is None:
            return "it closed its end"
        return f"killed by signal {-code}" if code < 0 else f"exit code {code}"

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Block until the worker has built its state; QueryError if it could not. Returns at
        once when it said so already."""
        if not self._ready:
            self._check_ready(self._recv(time.monotonic() + timeout, "start"))

    async def ready(self, timeout: float = START_TIMEOUT) -> None:
        """:meth:`wait_ready` for asyncio: the event loop keeps running meanwhile."""
        await self._attach()
        self._check_ready(await self._async.receive(timeout, self, "start"))

    def _check_ready(self, message) -> None:
        status, detail = message
        self._ready = status == "ready"
        if status != "ready":
            self.kill()
            if status == "error" and isinstance(detail, KGBuilderError):
                raise detail
            raise QueryError(detail)

    # -- calls --------------------------------------------------------------------------------

    def call(self, function: str, payload: Any = None, *, timeout: float | None = None) -> Any:
        """``function(state, payload)`` in the worker; QueryTimeoutError (the worker is then
        killed) past ``timeout`` seconds; errors raised there are raised again here."""
        self.send(function, payload)
        return self.receive(timeout=timeout)

    def send(self, function: str, payload: Any = None) -> None:
        """The first half of :meth:`call`: the worker answers calls in the order they were
        sent (it reads them once ready), one :meth:`receive` each. A worker that is gone is
        not an error here: the next receive (or ``wait_ready``) says why."""
        try:
            _send(self.sock, (function, payload))
        except OSError:
            pass

    def receive(self, *, timeout: float | None = None) -> Any:
        """The answer to the oldest call not received yet (see :meth:`call`)."""
        deadline = None if not timeout else time.monotonic() + timeout
        return _result(self._recv(deadline, "call"))

    async def acall(self, function: str, payload: Any = None, *, timeout: float | None = None) -> Any:
        """:meth:`call` for asyncio (the worker is killed past ``timeout``)."""
        await self._attach()
        self._async.write(_frame((function, payload)))
        return _result(await self._async.receive(timeout, self, "call"))

    def _recv(self, deadline: float | None, what: str):
        while True:
            if len(self._buf) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(self._buf)
                if len(self._buf) >= _HEADER.size + size:
                    data = bytes(self._buf[_HEADER.size:_HEADER.size + size])
                    del self._buf[:_HEADER.size + size]
                    return pickle.loads(data)
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return self._timed_out(what)
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                continue
            try:
                chunk = self.sock.recv(1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                self._died()
            self._buf += chunk

    def _died(self):
        status = self.exit_status()
        self.kill()
        if self.memory_mb and status == f"killed by signal {int(signal.SIGABRT)}":
            # Oxigraph cannot raise MemoryError: an allocation over the cap aborts the worker
            raise WorkerDied("the query needed more memory than allowed; narrow it down")
        raise WorkerDied(f"the worker died ({status})")

    def _timed_out(self, what: str):
        self.kill()
        if what == "start":
            raise QueryError(f"the worker did not start within {START_TIMEOUT:g} s")
        raise QueryTimeoutError("stopped")

    async def _attach(self) -> None:
        if self._async is None:
            import asyncio

            channel = _channel_class()(asyncio.get_running_loop(), bytes(self._buf))
            self._buf.clear()
            await channel.loop.connect_accepted_socket(lambda: channel, self.sock)
            self._async = channel


@functools.lru_cache(maxsize=1)
def _channel_class():
    """The asyncio protocol of a worker's socket, defined on first use: importing asyncio costs
    a command line ~35 ms, and only ``serve`` needs it."""
    import asyncio

    class _Channel(asyncio.Protocol):
        """The parent's end of a worker's socket on the event loop: frames in, futures out."""

        def __init__(self, loop, pending: bytes):
            self.loop = loop
            self.buf = bytearray()
            self.waiter: asyncio.Future | None = None
            self.messages: list = []
            self.eof = False
            self.transport = None
            if pending:
                self.data_received(pending)

        def connection_made(self, transport) -> None:
            self.transport = transport

        def data_received(self, data: bytes) -> None:
            self.buf += data
            while len(self.buf) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(self.buf)
                if len(self.buf) < _HEADER.size + size:
                    break
                data = bytes(self.buf[_HEADER.size:_HEADER.size + size])
                del self.buf[:_HEADER.size + size]
                self.messages.append(pickle.loads(data))
            self._wake()

        def eof_received(self):
            self.eof = True
            self._wake()
            return False

        def connection_lost(self, exc) -> None:
            self.eof = True
            self._wake()

        def _wake(self) -> None:
            if self.waiter is not None and not self.waiter.done() and (self.messages or self.eof):
                self.waiter.set_result(None)

        def write(self, data: bytes) -> None:
            self.transport.write(data)

        async def receive(self, timeout: float | None, worker: Worker, what: str):
            if not self.messages and not self.eof:
                # a timer rather than asyncio.wait_for: no extra task per call
                waiter = self.waiter = self.loop.create_future()
                timer = self.loop.call_later(timeout, _expire, waiter) if timeout else None
                try:
                    await waiter
                finally:
                    self.waiter = None
                    if timer is not None:
                        timer.cancel()
                if not self.messages and not self.eof:
                    return worker._timed_out(what)
            if self.messages:
                return self.messages.pop(0)
            worker._died()

        def close(self) -> None:
            if self.transport is not None:
                self.transport.close()


    def _expire(waiter: asyncio.Future) -> None:
        if not waiter.done():
            waiter.set_result(None)

    return _Channel


def start_killable(*, state: Callable[[], Any] | None = None, recipe=None, memory_mb: int | None = None) -> Worker:
    """A worker for one killable call, started but not waited for: forked with ``state()``
    when that is safe, else the preforked spare (:func:`prefork`) or a spawned interpreter
    given ``recipe`` (see Worker). The caller waits (``wait_ready``), calls, and kills it."""
    worker = None
    if not (state is not None and can_fork()):
        worker = take_spare(recipe, memory_mb)
    return worker if worker is not None else Worker(recipe, state=state, memory_mb=memory_mb)


def run_killable(function: str, payload: Any, *, timeout: float | None, memory_mb: int | None = None,
                 state: Callable[[], Any] | None = None, recipe=None) -> Any:
    """``function(state, payload)`` in a fresh worker (:func:`start_killable`) that is killed
    at ``timeout`` seconds."""
    worker = start_killable(state=state, recipe=recipe, memory_mb=memory_mb)
    try:
        worker.wait_ready()
        return worker.call(function, payload, timeout=timeout)
    finally:
        worker.kill()


#: killed workers not reaped yet (Popen objects, or pids of forked ones)
_UNREAPED: list = []


def _reap() -> None:
    """Reap the killed workers that are gone by now (never waits)."""
    for child in list(_UNREAPED):
        try:
            if isinstance(child, int):
                done = os.waitpid(child, os.WNOHANG)[0] != 0
            else:
                done = child.poll() is not None
        except ChildProcessError:
            done = True
        if done:
            _UNREAPED.remove(child)


_SPARE: list[Worker] = []


def prefork(warmup=None) -> None:
    """Fork a blank worker now, if this process is still one thread, for the next
    :func:`run_killable` that cannot fork with its state, or for :func:`take_spare` (see the
    module docstring). ``warmup``, a recipe (or a callable returning one, called only when
    there is a worker to fork), runs in it at once, while it waits for its own: what the state
    will most likely need (a store opened ahead of time, say); its outcome is ignored, so it
    must never be what makes the state right."""
    if _SPARE or not can_fork():
        return
    _SPARE.append(Worker(_blank=True, _warmup=warmup() if callable(warmup) else warmup))


def take_spare(recipe, memory_mb: int | None = None) -> Worker | None:
    """The spare :func:`prefork` started, given ``recipe`` to build its state from (started,
    not yet ready), or None when there is none."""
    if not _SPARE:
        return None
    worker = _SPARE.pop()
    recipe = recipe() if callable(recipe) else recipe
    if recipe is None:
        worker.kill()
        return None
    worker.memory_mb = memory_mb
    try:
        _send(worker.sock, (recipe, memory_mb))
    except OSError:             # it is gone (killed from outside): start another the usual way
        worker.kill()
        return None
    return worker


@atexit.register
def _at_exit() -> None:
    """Kill an unused spare; wait for the spawned workers already killed (not a leak)."""
    while _SPARE:
        _SPARE.pop().kill()
    for child in _UNREAPED:
        if not isinstance(child, int):
            _wait(child, 5)


def _wait(proc, seconds: float) -> int | None:
    """A spawned worker's exit code, waiting up to ``seconds``; None if still running."""
    import subprocess

    try:
        return proc.wait(seconds)
    except subprocess.TimeoutExpired:
        return None


# ---------------------------------------------------------------- framing and outcomes

def _frame(obj) -> bytes:
    data = pickle.dumps(obj, protocol=-1)   # -1: the highest
    return _HEADER.pack(len(data)) + data


def _send(sock: _socket.socket, obj) -> None:
    sock.sendall(_frame(obj))


def _recv_blocking(sock: _socket.socket, buf: bytearray):
    """The worker's side: one message, or None at EOF."""
    while True:
        if len(buf) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buf)
            if len(buf) >= _HEADER.size + size:
                data = bytes(buf[_HEADER.size:_HEADER.size + size])
                del buf[:_HEADER.size + size]
                return pickle.loads(data)
        chunk = sock.recv(1 << 20)
        if not chunk:
            return None
        buf += chunk


def _outcome(job: Callable[[], Any]) -> tuple:
    try:
        return ("ok", job())
    except MemoryError:
        return ("memory", None)
    except KGBuilderError as exc:   # ours (a QueryError, a store that will not open): raised again there
        return ("error", exc)
    except Exception as exc:  # noqa: BLE001 - engines raise plain exceptions for bad queries
        return ("failed", f"{type(exc).__name__}: {exc}".splitlines()[0])


def _result(message) -> Any:
    status, value = message
    if status == "ok":
        return value
    if status == "memory":
        raise QueryError("the query needed more memory than allowed; narrow it down")
    if status == "error":
        raise value
    raise QueryError(f"the query failed: {value}")


def ref(function: Callable) -> str:
    """``"module:function"``, the name a worker finds ``function`` by (derived, never typed
    out, so that it follows the module wherever it moves)."""
    return f"{function.__module__}:{function.__qualname__}"


def open_state(recipe: tuple[str, Any]) -> Any:
    """What a recipe ``(opener, args)`` builds (for openers that wrap another recipe)."""
    return _resolve(recipe[0])(recipe[1])


_RESOLVED: dict[str, Callable] = {}


def _resolve(name: str) -> Callable:
    hit = _RESOLVED.get(name)
    if hit is None:
        module, _, attr = name.partition(":")
        hit = _RESOLVED[name] = getattr(importlib.import_module(module), attr)
    return hit


# ---------------------------------------------------------------- the worker's side

def _let_go_of_stdio() -> None:  # pragma: no cover - in a child process
    """A forked worker reads nothing from the caller's stdin and writes nothing to its stdout
    (answers go over the socket): it lets go of both, so that whoever reads the caller's
    output sees its end when the caller exits, not when the worker is gone too (a killed
    worker with a store open takes tens of ms to tear down)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)
    os.close(devnull)


def _main(sock: _socket.socket | None = None, warmup=None) -> None:  # pragma: no cover - in a child process
    """A spawned worker's entry point (and a preforked one's): the recipe first, then calls."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C stops the parent, which stops us
    if sock is None:
        sock = _socket.socket(fileno=int(sys.argv[1]))
    if warmup is not None:
        try:
            open_state(warmup)
            import resource  # noqa: F401 - for _limit_memory: here, while there is time (~0.3 ms)
        except Exception:  # noqa: BLE001, S110 - a warm-up that fails only saves nothing
            pass
    buf = bytearray()
    message = _recv_blocking(sock, buf)
    if message is None:                 # the parent had no use for us
        return
    setup, memory_mb = message
    _serve(sock, setup, memory_mb, buf)


def _serve(sock: _socket.socket, setup, memory_mb: int | None, buf: bytearray | None = None) -> None:
    """Build the state, cap the memory, say ready, then answer calls until the socket closes.

    ``setup`` is the state's callable (forked) or recipe (spawned)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C stops the parent, which stops us
    buf = bytearray() if buf is None else buf
    try:
        state = setup() if callable(setup) else open_state(setup)
    except KGBuilderError as exc:      # ours says what went wrong in its own words: raised again there
        sock.sendall(_frame(("error", exc)))
        return
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails to start us
        sock.sendall(_frame(("failed", f"{type(exc).__name__}: {exc}".splitlines()[0])))
        return
    if memory_mb:
        # the engine (Rust) aborts with a line on stderr when the cap stops an allocation; the
        # parent reports that as a memory error, so the line is noise
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    _limit_memory(memory_mb)
    sock.sendall(_frame(("ready", os.getpid())))
    while True:
        try:
            message = _recv_blocking(sock, buf)
        except (OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        function, payload = message
        out = _outcome(lambda: _resolve(function)(state, payload))
        try:
            data = _frame(out)
        except Exception as exc:  # noqa: BLE001 - e.g. an exception that does not pickle
            data = _frame(("failed", f"{type(exc).__name__}: {exc}".splitlines()[0]))
        sock.sendall(data)


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
