"""The store: pyoxigraph in memory or on disk (``oxigraph:PATH``).

Each quad lives once, in its named graph (one per source, plus ``graph/meta``).
Queries run with Oxigraph's "default graph as union": a pattern outside
``GRAPH`` sees every named graph. A triple that two sources state lives in
both their graphs, so such a pattern matches it once per source (use
``DISTINCT`` to count it once); on a dataset where each fact has one source,
the answers are those of a store that kept the union separately, as the
saved queries check (tests/test_competency.py). Storing the union a second
time doubled the store's size and write time.

Terms stay pyoxigraph's; rdflib is imported only when a caller asks for
rdflib objects (:meth:`OxigraphStore.quads`, :meth:`rdflib_dataset`).
"""
from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path

TYPE_CHECKING = False   # annotations only: a warm query's path never imports typing (see __main__)
if TYPE_CHECKING:
    from typing import BinaryIO

from ..errors import KGBuilderError, QueryError, QuerySyntaxError

__all__ = ["OxigraphStore", "open_oxigraph", "OX_FORMATS", "trim_heap"]

#: kgbuilder format names -> pyoxigraph RdfFormat attribute names
OX_FORMATS = {"turtle": "TURTLE", "ntriples": "N_TRIPLES", "nquads": "N_QUADS", "trig": "TRIG",
              "rdfxml": "RDF_XML"}
_QUAD_FORMATS = {"nquads", "trig"}
#: an on-disk store loaded with more lines than this is compacted at the end of the load
#: (see :meth:`OxigraphStore.loading`): at 300k facts (3.7M quads) that paid for itself, at
#: 100k (1.2M) it did not
COMPACT_ABOVE = 2_000_000
#: the predicates of the union, then one predicate's distinct (subject, object) pairs:
#: every copy of a triple has its predicate, so these, predicate by predicate, are the
#: union's distinct triples (see :meth:`OxigraphStore.ox_triples`)
_PREDICATES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
_PAIRS = "SELECT DISTINCT ?s ?o WHERE {{ ?s {p} ?o }}"


#: the on-disk stores this process has open for writing, by resolved path: RocksDB
#: lets one handle per process hold a store's lock, so a second open shares it
_WRITABLE: "weakref.WeakValueDictionary[str, OxigraphStore]" = weakref.WeakValueDictionary()


def open_oxigraph(path: str | Path | None = None, *, read_only: bool = False, lazy: bool = False,
                  on_failure=None) -> "OxigraphStore":
    """An Oxigraph store in memory (no ``path``) or on disk; an on-disk store
    this process already has open for writing is shared, not opened twice.
    ``lazy``: a read-only store is opened on first use (see :class:`OxigraphStore`)."""
    if path is None:
        return OxigraphStore()
    key = str(Path(path).resolve())
    live = _WRITABLE.get(key)
    if live is not None:
        return live
    store = OxigraphStore(path, read_only=read_only, lazy=lazy, on_failure=on_failure)
    if not store.read_only:
        _WRITABLE[key] = store
    return store


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    import ctypes

    try:
        return ctypes.CDLL(None).malloc_trim       # glibc
    except (OSError, AttributeError):
        return None


def trim_heap() -> None:
    """Hand the memory the C heap holds free back to the system (glibc; elsewhere a no-op).

    The engine's loader and RocksDB's threads each allocate from an arena of their own, and
    glibc keeps what they free: after a bulk load of 3.7M quads the process's resident size
    was 0.9 GB of which 0.3 GB was in use. A build calls this between its phases, so its peak
    is what it uses rather than what it once used (a few ms per call)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class OxigraphStore:
    """A quad store holding one built dataset: in memory (no ``path``) or on disk.

    ``read_only`` opens an on-disk store without taking its lock, so any
    number of processes can read it while nobody writes.
    """

    name = "oxigraph"
    #: queries reach it as :class:`.safety.SafeQuery` (see :func:`.query.prepare`)
    native_sparql = True

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False, lazy: bool = False,
                 on_failure=None):
        self.path = Path(path) if path else None
        self.read_only = bool(read_only and self.path is not None)
        # lazy (read-only only): opened on first use. A warm command that answers from the
        # views kept with the build never opens it, and `query` forks its worker before RocksDB
        # starts the threads that make forking unsafe. ``on_failure`` runs if that open fails
        # (a picklable callable: a worker that opens the store again is given it too).
        self.on_failure = on_failure
        if not (lazy and self.read_only):
            self._st = self._open()

    @classmethod
    def from_nquads(cls, data: bytes, *, stands_for: str | Path) -> "OxigraphStore":
        """A read-only store in memory holding the N-Quads ``data``, a copy of the on-disk store
        at ``stands_for`` (its ``path``: a worker opens that one again). The data must be that
        store's own dump: it is parsed without checking its IRIs (see kgbuilder.builder.image)."""
        import pyoxigraph as ox

        st = ox.Store()
        st.load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
        store = cls(stands_for, read_only=True, lazy=True)
        store._st, store.in_memory = st, True
        return store

    def _open(self):
        import pyoxigraph as ox

        try:
            if self.path is None:
                return ox.Store()
            if self.read_only:
                return ox.Store.read_only(str(self.path))
            self.path.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(self.path))
        except (OSError, RuntimeError) as exc:     # RocksDB reports corruption as RuntimeError
            hint = ""
            if self.on_failure is not None:
                self.on_failure()
                hint = " (a cached build: the next command rebuilds it)"
            raise KGBuilderError(f"cannot open the Oxigraph store at {self.path}: {exc}{hint}") from None

    def __getattr__(self, name: str):
        # only reached while a lazy store's handle is not open yet
        if name == "_st" and "path" in self.__dict__:
            self._st = self._open()
            return self._st
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def open(self) -> None:
        """Open a lazy store's handle now (nothing to do when it is open)."""
        self._st  # noqa: B018 - opens it

    @property
    def is_open(self) -> bool:
        """Whether the engine's handle is open (a lazy store opens on first use; a released
        one is closed for good)."""
        return self.__dict__.get("_st") is not None

    #: True for a copy in memory of the on-disk store at ``path`` (:meth:`from_nquads`)
    in_memory = False

    def __repr__(self) -> str:
        where = f"on disk at {self.path}" if self.path else "in memory"
        if self.in_memory:
            where = f"in memory, a copy of the one on disk at {self.path}"
        return f"<OxigraphStore {where}{', read-only' if self.read_only else ''}>"

    # -- writing --------------------------------------------------------------
    def add_quads(self, quads: Iterable[tuple]) -> None:
        """Add (s, p, o, g) quads: rdflib terms, kgbuilder.terms string terms or
        pyoxigraph terms; a quad without a graph goes to the store's default graph."""
        import pyoxigraph as ox

        from ..terms import from_rdflib

        conv = from_rdflib()
        batch = []
        for s, p, o, g in quads:
            batch.append(ox.Quad(conv(s), conv(p), conv(o), conv(g)))
            if len(batch) >= 100_000:
                self._st.extend(batch)
                batch = []
        if batch:
            self._st.extend(batch)

    def bulk_load(self, data: bytes | str | BinaryIO | Path, format: str = "nquads") -> None:
        """Load serialized RDF (N-Quads by default) at pyoxigraph's bulk speed."""
        import pyoxigraph as ox

        fmt = getattr(ox.RdfFormat, OX_FORMATS[format])
        try:
            if isinstance(data, Path):
                self._st.bulk_load(path=str(data), format=fmt)
            else:
                self._st.bulk_load(input=data, format=fmt)
        except SyntaxError as exc:
            raise KGBuilderError(f"cannot load {format} into Oxigraph: {exc}") from None

    @contextlib.contextmanager
    def loading(self, format: str = "nquads", *, batch_lines: int | None = None) -> Iterator["_Loading"]:
        """A sink to write serialized RDF into (N-Quads by default, whole lines per ``write``),
        loaded as it is written: pyoxigraph's bulk loader reads the other end of a pipe in a
        thread of its own, without the GIL, so the caller making quads and the engine loading
        them overlap. By default everything goes to one bulk load, which holds at most three
        batches of a million quads whatever the input's size (the engine's batches) and adds its
        files to the store once, at its end. With ``batch_lines`` the pipe is closed every so
        many lines and the next ones go to a new bulk load while the last one sorts and writes
        its files (at most two loads' batches in memory). Each load's files overlap the
        earlier ones', and RocksDB merges every two new ones into the whole level below, which
        grows with each load: a load per 500,000 lines (25 for the 12.3M quads of 1M facts)
        cost 157 s of compaction CPU, one load and one compaction 57 s (bench/README.md,
        "the fourth round").

        An on-disk store that got more than ``COMPACT_ABOVE`` lines is then compacted
        (``Store.optimize``) before the block ends, so that what reads it next (the SHACL
        checks, every later command, which open it read-only and so never compact it) reads
        settled files, and no compaction runs beside them (compacting in a thread beside the
        checks cost more CPU: 538 against 497 s at 1M). Below, one load's few files are read
        as they are: compacting 1.2M quads (100k facts) took longer than it saved.

        What was written is in the store when the block ends, also when it ends by an
        exception (as with ``bulk_load`` of the pieces so far); a load's own failure is raised
        as a KGBuilderError."""
        sink = _Loading(self._st, format, batch_lines)
        try:
            yield sink
        except BrokenPipeError:
            if sink.finish() is None:       # not a load that died: someone else's pipe
                raise
        finally:
            failure = sink.finish()
        if failure is not None:
            if isinstance(failure, (SyntaxError, OSError, ValueError)):
                raise KGBuilderError(f"cannot load {format} into Oxigraph: {failure}") from None
            raise failure
        if self.path is not None and sink.lines > COMPACT_ABOVE:
            self._st.optimize()


    def remove_nquads(self, data: bytes | str) -> None:
        """Remove the quads written in ``data`` (N-Quads); absent ones are ignored."""
        import pyoxigraph as ox

        for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            self._st.remove(q)

    def clear(self) -> None:
        self._st.clear()

    def close(self) -> None:
        """Flush an on-disk store (a no-op in memory or read-only)."""
        if self.path is not None and not self.read_only and self.is_open:
            self._st.flush()

    # -- reading --------------------------------------------------------------

    def release(self) -> None:
        """Flush and let go of an on-disk store (its lock and background threads), so that
        other processes can open it read-only; the object is unusable afterwards."""
        if self.is_open:
            self.close()
        self._st = None

    def ox_quads(self) -> Iterator:
        """Every quad as pyoxigraph Quads (no conversion). A built graph has
        them all in named graphs; a CONSTRUCT answer's triples are in the default one."""
        return iter(self._st)

    def _predicates(self) -> list:
        return [r[0] for r in self._st.query(_PREDICATES, use_default_graph_as_union=True)]

    def ox_triples(self) -> Iterator:
        """Distinct triples over all graphs as pyoxigraph Triples, predicate by predicate.

        A triple that several sources state is in several graphs; ``SELECT DISTINCT ?s ?p ?o``
        over the union held every distinct triple in one hash set (1.4 GB at 1M facts, the
        process's peak). The copies of a triple share its predicate, so deduplicating one
        predicate's pairs at a time gives the same triples while holding the largest
        predicate's pairs only (rdf:type, ~18% of the quads), and was faster too (a Turtle
        dump at 100k facts on disk: 21.6 -> 12.9 s, peak 291 -> 128 MB). The order is the
        engine's per predicate: the exporters that abbreviate sort it for a graph of up to
        ``rdfio.STREAM_LIMIT`` quads, and write it as it comes above (exports/rdfio.py)."""
        import pyoxigraph as ox

        for p in self._predicates():
            for r in self._st.query(_PAIRS.format(p=p), use_default_graph_as_union=True):
                yield ox.Triple(r[0], p, r[1])

    def quads(self) -> Iterator[tuple]:
        """Every (s, p, o, g) as rdflib terms."""
        from ..terms import to_rdflib

        conv = to_rdflib()
        for q in self._st:
            yield conv(q.subject), conv(q.predicate), conv(q.object), conv(q.graph_name)

    def triples(self) -> Iterator[tuple]:
        """Distinct (s, p, o) over all graphs as rdflib terms."""
        from ..terms import to_rdflib

        conv = to_rdflib()
        for t in self.ox_triples():
            yield conv(t.subject), conv(t.predicate), conv(t.object)

    def __len__(self) -> int:
        """Number of quads."""
        return len(self._st)

    def __bool__(self) -> bool:
        # a store is a store, empty or not: without this, ``store or ...`` and ``if store:``
        # fall back on __len__, which counts every quad (a full scan; it was on every warm
        # query's path until the sixth round)
        return True

    def count_triples(self) -> int:
        """Number of distinct triples over all graphs, counted predicate by predicate
        (see :meth:`ox_triples`: at 100k facts on disk 3.1 -> 2.9 s, peak 313 -> 102 MB)."""
        n = 0
        for p in self._predicates():
            res = self._st.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {_PAIRS.format(p=p)} }}",
                                 use_default_graph_as_union=True)
            n += int(next(iter(res))["n"].value)
        return n

    def rdflib_dataset(self):
        """A copy in an ``rdflib.Dataset`` whose default graph is the union (slow for big graphs)."""
        from rdflib import Dataset

        ds = Dataset(default_union=True)
        graphs: dict = {}
        for s, p, o, g in self.quads():
            h = graphs.get(g)
            if h is None:
                h = graphs[g] = ds.graph(g)
            h.add((s, p, o))
        return ds

    def raw_query(self, text: str, prefixes: dict[str, str] | None = None, **kwargs):
        """Run SPARQL text natively over the union of graphs: pyoxigraph's answer."""
        try:
            return self._st.query(text, prefixes=dict(prefixes or {}), use_default_graph_as_union=True, **kwargs)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc).splitlines()[0]) from None
        except OSError as exc:
            raise QueryError(f"Oxigraph could not run the query: {exc}") from None

    def dump(self, format: str, out: BinaryIO, *, prefixes: dict[str, str] | None = None) -> int:
        """Write the graph with pyoxigraph's serializer, as a stream (memory does not grow with
        the graph): Turtle, N-Triples and RDF/XML get the distinct triples of the union (in
        :meth:`ox_triples`' order), N-Quads and TriG every named graph. Returns how many
        statements were written."""
        import pyoxigraph as ox

        if format not in OX_FORMATS:
            raise KGBuilderError(f"the Oxigraph store cannot dump '{format}' (one of: {', '.join(OX_FORMATS)})")
        fmt = getattr(ox.RdfFormat, OX_FORMATS[format])
        pre = dict(prefixes or {}) if format in ("turtle", "trig", "rdfxml") else None
        written = [0]

        def counted(statements):
            n = 0
            for n, st in enumerate(statements, 1):
                yield st
            written[0] = n

        ox.serialize(counted(self.ox_quads() if format in _QUAD_FORMATS else self.ox_triples()), out, fmt,
                     prefixes=pre)
        return written[0]


class _PipeLoad:
    """One bulk load reading a pipe in its own thread (see :meth:`OxigraphStore.loading`)."""

    def __init__(self, st, fmt):
        import os
        import threading

        r, w = os.pipe()
        self.failure: BaseException | None = None
        # the loader opens the pipe by path (Linux, macOS): reading a Python file object
        # instead takes the GIL for every read
        by_path = os.path.isdir("/dev/fd")

        def load() -> None:
            try:
                if by_path:
                    st.bulk_load(path=f"/dev/fd/{r}", format=fmt)
                else:
                    with os.fdopen(r, "rb", closefd=False) as fh:
                        st.bulk_load(input=fh, format=fmt)
            except BaseException as exc:       # reported by the writer, in its thread
                self.failure = exc
            finally:
                os.close(r)     # no reader left: a writer blocked on a full pipe gets EPIPE

        self.thread = threading.Thread(target=load, name="kgbuilder-bulk-load", daemon=True)
        self.thread.start()
        self.out = os.fdopen(w, "wb", buffering=1 << 20)

    def close(self) -> None:
        """End of input: the loader sorts and writes what it read, then returns."""
        try:
            self.out.close()
        except BrokenPipeError:
            self.out = None         # the loader is gone; its failure says why
        except ValueError:
            pass

    def join(self) -> BaseException | None:
        self.close()
        self.thread.join()
        return self.failure


class _Loading:
    """The sink :meth:`OxigraphStore.loading` hands out: ``write(data)`` of whole lines."""

    def __init__(self, st, format: str, batch_lines: int | None):
        import pyoxigraph as ox

        self._st, self._fmt = st, getattr(ox.RdfFormat, OX_FORMATS[format])
        self._batch = batch_lines
        self._lines = 0
        self.lines = 0              # in all
        self._previous: _PipeLoad | None = None
        self._current: _PipeLoad | None = _PipeLoad(st, self._fmt)
        self._failure: BaseException | None = None

    def write(self, data: bytes) -> None:
        self._current.out.write(data)
        n = data.count(b"\n")
        self._lines += n
        self.lines += n
        if self._batch is not None and self._lines >= self._batch:
            self._current.close()
            if self._previous is not None:
                self._failure = self._previous.join()
                if self._failure is not None:
                    raise BrokenPipeError("the bulk load failed")
            self._previous, self._current = self._current, _PipeLoad(self._st, self._fmt)
            self._lines = 0
            trim_heap()         # what the finished load sorted and wrote is free now

    def finish(self) -> BaseException | None:
        """Close the input and wait for every load: the first failure, or None."""
        for load in (self._previous, self._current):
            if load is not None:
                failure = load.join()
                self._failure = self._failure or failure
        # nothing of the engine stays referenced here: a store handed back read-only is only
        # opened after the writable one is gone (its compactions delete files under a reader)
        self._previous = self._current = self._st = None
        return self._failure
