"""Where a built graph lives: a small interface with an in-memory rdflib back-end.

Everything above this layer (queries, exports, the networkx view) talks to a
:class:`Store`, so other back-ends (Oxigraph on disk) can slot in.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Iterable, Iterator

from .. import registry

__all__ = ["Store", "MemoryStore", "open_store", "resolve_store_spec", "check_store_spec",
           "AUTO_THRESHOLD"]


class Store(ABC):
    """A quad store holding one built dataset."""

    name: str = "abstract"

    @abstractmethod
    def add_quads(self, quads: Iterable[tuple]) -> None:
        """Add (s, p, o, g) rdflib terms."""

    @abstractmethod
    def quads(self) -> Iterator[tuple]:
        """Every (s, p, o, g) as rdflib terms."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of quads."""

    @abstractmethod
    def rdflib_dataset(self):
        """The content as an ``rdflib.Dataset`` (queries see the union of graphs)."""

    def triples(self) -> Iterator[tuple]:
        """Distinct (s, p, o) over all graphs."""
        seen = set()
        for s, p, o, _ in self.quads():
            t = (s, p, o)
            if t not in seen:
                seen.add(t)
                yield t

    def query(self, prepared, **kwargs):
        """Run a prepared rdflib query over the union of graphs (an rdflib Result).

        kgbuilder.graph.query parses and safety-checks first; a back-end with
        its own SPARQL engine overrides this and keeps that contract.
        """
        return self.rdflib_dataset().query(prepared, **kwargs)

    def bulk_load(self, data, format: str = "nquads") -> None:
        """Add serialized RDF (N-Quads by default): bytes, str, a binary file or a Path."""
        from pathlib import Path

        ds = self.rdflib_dataset()
        fmt = {"ntriples": "nt"}.get(format, format)
        if isinstance(data, Path):
            ds.parse(str(data), format=fmt)
        else:
            ds.parse(data=data.read() if hasattr(data, "read") else data, format=fmt)

    def count_triples(self) -> int:
        """Number of distinct triples over all graphs."""
        return sum(1 for _ in self.triples())

    def dump(self, format: str, out, *, prefixes: dict[str, str] | None = None) -> None:
        """Write the content to the binary file ``out``: ``turtle`` and ``ntriples``
        get the distinct triples of the union, ``nquads`` and ``trig`` every graph."""
        from rdflib import Graph

        from ..errors import KGBuilderError

        if format in ("nquads", "trig"):
            g = self.rdflib_dataset()
        elif format in ("turtle", "ntriples"):
            g = Graph()
            for t in self.triples():
                g.add(t)
        else:
            raise KGBuilderError(f"cannot dump '{format}' (one of: turtle, ntriples, nquads, trig)")
        for name, ns in (prefixes or {}).items():
            g.bind(name, ns, override=True, replace=True)
        g.serialize(destination=out, format={"ntriples": "nt"}.get(format, format), encoding="utf-8")

    def close(self) -> None:
        """Flush and release the store (a no-op in memory)."""


class MemoryStore(Store):
    """rdflib in memory: the default for hand-curated datasets and the Python API."""

    name = "memory"

    def __init__(self):
        from rdflib import Dataset

        self._ds = Dataset(default_union=True)

    def add_quads(self, quads: Iterable[tuple]) -> None:
        # Dataset.graph() builds a new Graph object on every call; look each up once
        graphs: dict = {}

        def graph(name):
            g = graphs.get(name)
            if g is None:
                g = graphs[name] = self._ds.graph(name)
            return g

        self._ds.addN((s, p, o, graph(g)) for s, p, o, g in quads)

    def quads(self) -> Iterator[tuple]:
        for s, p, o, g in self._ds.quads((None, None, None, None)):
            yield s, p, o, (g.identifier if hasattr(g, "identifier") else g)

    def __len__(self) -> int:
        return sum(1 for _ in self._ds.quads((None, None, None, None)))

    def rdflib_dataset(self):
        return self._ds


#: ``auto`` picks Oxigraph (in memory) from this many facts up: below it
#: rdflib loads and answers quickly enough and keeps the whole Python API
AUTO_THRESHOLD = 20_000


def resolve_store_spec(spec: str | None, facts: int | None = None) -> str:
    """``auto`` (or None) -> ``memory`` or ``oxigraph`` by the number of facts."""
    if spec in (None, "", "auto"):
        return "oxigraph" if facts is not None and facts >= AUTO_THRESHOLD else "memory"
    return spec


def check_store_spec(spec: str) -> str:
    """``spec`` if it names a store, else a KGBuilderError with the choices."""
    from ..errors import KGBuilderError

    kind, _, arg = spec.partition(":")
    if kind == "auto" and not arg:
        return spec
    backends = registry.names("store")
    if kind not in backends or (kind == "memory" and arg) or (kind == "oxigraph" and ":" in spec and not arg):
        from .resolve import did_you_mean

        raise KGBuilderError(f"unknown store '{spec}'" + did_you_mean(kind, [*backends, "auto"]) +
                             " (one of: auto, memory, oxigraph, oxigraph:PATH)")
    return spec


def open_store(spec: str = "memory", *, facts: int | None = None) -> Store:
    """A store from a spec: ``memory``, ``oxigraph``, ``oxigraph:PATH`` or ``auto``
    (memory below :data:`AUTO_THRESHOLD` facts, else in-memory Oxigraph)."""
    spec = check_store_spec(resolve_store_spec(spec, facts))
    kind, _, arg = spec.partition(":")
    cls = registry.get("store", kind, what="store").load()
    return cls(arg) if arg else cls()
