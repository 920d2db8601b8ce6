"""Where a built graph lives: a small interface with an in-memory rdflib back-end.

Everything above this layer (queries, exports, the networkx view) talks to a
:class:`Store`, so other back-ends (Oxigraph on disk) can slot in.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Iterable, Iterator

__all__ = ["Store", "MemoryStore", "open_store"]


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


class MemoryStore(Store):
    """rdflib in memory: the default for hand-curated datasets and the Python API."""

    name = "memory"

    def __init__(self):
        from rdflib import Dataset

        self._ds = Dataset(default_union=True)

    def add_quads(self, quads: Iterable[tuple]) -> None:
        self._ds.addN((s, p, o, self._ds.graph(g)) for s, p, o, g in quads)

    def quads(self) -> Iterator[tuple]:
        for s, p, o, g in self._ds.quads((None, None, None, None)):
            yield s, p, o, (g.identifier if hasattr(g, "identifier") else g)

    def __len__(self) -> int:
        return sum(1 for _ in self._ds.quads((None, None, None, None)))

    def rdflib_dataset(self):
        return self._ds


_BACKENDS = {"memory": MemoryStore}


def open_store(spec: str = "memory") -> Store:
    """A store from a spec such as ``memory`` (more back-ends register here)."""
    from ..errors import KGBuilderError

    kind, _, arg = spec.partition(":")
    cls = _BACKENDS.get(kind)
    if cls is None:
        from .resolve import did_you_mean

        raise KGBuilderError(f"unknown store '{spec}'" + did_you_mean(kind, _BACKENDS) +
                             f" (one of: {', '.join(sorted(_BACKENDS))})")
    return cls(arg) if arg else cls()
