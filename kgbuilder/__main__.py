"""``kgbuilder`` and ``python -m kgbuilder``: the command line of :mod:`kgbuilder.cli`, started
so that a warm ``kgbuilder query`` waits as little as possible for its store.

A query runs in a worker process that opens the dataset's store (:mod:`kgbuilder.sparql.worker`);
opening it takes about as long as loading click and the commands. So, for ``query``, the
worker is forked here, before click loads, and starts opening the cached store of the dataset
named on the command line while this process parses the command, checks the cache and the
query. The command line is only a hint here: click parses it afterwards, and what the worker
answers from is decided by the recipe the command sends it once it has opened the graph
(:func:`kgbuilder.kg.preopen` keeps the early store only if it is that graph's current build).
What comes before the fork delays both lines of work, so it imports as little as it can: no
``typing`` (annotations name its types under ``TYPE_CHECKING``, never true at run time),
``pickle``, ``signal`` or ``threading`` (the worker uses the C modules under the first two and
needs no threads), ~7 ms in all; ``tests/test_entry.py`` holds the fork and the worker to it.
These commands (a ``query``, a graph question: ``show``, ``stats``, ...) run without Python's
cyclic garbage collector, and once the answer is out they end without the interpreter's
teardown when that would only free memory (:func:`_end_now`).
"""
from __future__ import annotations

import os
import sys

__all__ = ["main"]


def main() -> None:
    """The ``kgbuilder`` command."""
    argv = sys.argv[1:]
    if argv[:1] and argv[0] in _READERS:
        # a reader lives for one answer: Python's cyclic collector would run dozens of times
        # while click and the command load (700 new objects trigger a pass), to find no cycles
        # worth freeing before the process ends (-3 to -11 ms for these imports, A/B,
        # bench/README.md); reference counting still frees everything else as it goes
        import gc

        gc.disable()
    try:
        if argv[:1] == ["query"]:
            _preopen(argv[1:])
            from .cli.plain import run

            run(argv[1:])               # a plain query ends here, without click (SystemExit)
        from .cli import main as cli

        cli(prog_name="kgbuilder")      # click ends every command with SystemExit
    except SystemExit as done:
        if argv[:1] and argv[0] in _READERS:
            _end_now(done.code)
        raise


#: the commands that only read a built graph and write their answer to stdout (or, for query,
#: to a file written whole before they return): once click is done with them, so are they
_READERS = frozenset({"query", "show", "path", "neighbors", "central", "stats"})


def _end_now(code) -> None:
    """End a finished command of :data:`_READERS` here, without the interpreter's teardown,
    when nothing is left to do but free memory; return (and let Python end it as usual)
    otherwise.

    The teardown frees the command's modules and objects one by one (10-15 ms of CPU for what
    click and these commands load), which the kernel does at once when the process ends.
    Everything the user sees is done first, as Python's own exit would: the atexit functions
    run (all of them, in their order), then stdout and stderr are flushed. Not here when
    Python's exit does more than that: a code that is no number (Python prints it), another
    thread running (Python waits for it), or pyoxigraph imported in this process (a store it
    opened may still write as it closes; a warm query's store is its worker's, and the graph
    questions answer from the views kept with the build). A flush that fails leaves the end
    to Python, which reports it in its own words (exit code 120)."""
    if code is None:
        code = 0
    threading = sys.modules.get("threading")
    if not (isinstance(code, int) and 0 <= code <= 255) or "pyoxigraph" in sys.modules or \
            (threading is not None and threading.active_count() > 1):
        return
    import atexit

    # atexit's own runner (what Python's exit calls): each function once, latest first
    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


def _preopen(args: list[str]) -> None:
    """Fork the query's worker with the store of the one dataset folder among ``args`` to open
    (nothing when there is none, several, or options that change the store or send the query
    elsewhere)."""
    if any(a.startswith(("--store", "--endpoint", "--infer")) for a in args) or _no_timeout(args):
        return      # another store, none, or no worker: not worth a guess
    folders = []
    for a in args:
        try:
            if not a.startswith("-") and os.path.isfile(os.path.join(a, "dataset.yaml")):
                folders.append(a)
        except (ValueError, OSError):   # a query text is rarely a path: NUL, too long
            continue
    if len(folders) != 1:
        return
    from .sparql.worker import can_fork, prefork

    if not can_fork():
        return
    import gc

    from .dataset import preopen_recipe

    recipe = preopen_recipe(folders[0])
    # pyoxigraph is not imported here: the worker imports it to open the store, and this
    # process does not need it (a SELECT's answer comes as plain parts of terms: see
    # kgbuilder.sparql.query.QueryResult). What this process holds now is kept to the end:
    # spared from the collector, its pages stay shared with the worker instead of being
    # copied by each collection's writes
    gc.freeze()
    prefork(warmup=recipe)


def _no_timeout(args: list[str]) -> bool:
    """Whether ``args`` say ``--timeout 0`` (the query then runs without a worker)."""
    for i, a in enumerate(args):
        value = a.partition("=")[2] if a.startswith("--timeout=") else \
            args[i + 1] if a == "--timeout" and i + 1 < len(args) else None
        try:
            if value is not None and float(value) == 0:
                return True
        except ValueError:
            pass
    return False


if __name__ == "__main__":
    main()
