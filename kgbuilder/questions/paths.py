"""``path``: the shortest connections between two entities (:class:`Path` of :class:`Step`)."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import KGBuilderError
from .answers import _answer, _day, _there, resolve_entity
from .fact import Fact, fact_key, fact_of

__all__ = ["Step", "Path", "paths"]


@dataclass(frozen=True)
class Step:
    """One step of a path: from ``source`` to ``target`` through one or more facts."""

    source: str
    target: str
    facts: tuple[Fact, ...]


@dataclass
class Path:
    """A shortest connection: its ``nodes`` in order and the ``steps`` between them."""

    nodes: list[str]
    steps: list[Step]

    def __len__(self) -> int:
        return len(self.steps)


def _facts_between(G, a: str, b: str) -> tuple[Fact, ...]:
    facts = [fact_of(G, a, b, d) for d in G.get_edge_data(a, b, default={}).values()]
    facts += [fact_of(G, b, a, d) for d in G.get_edge_data(b, a, default={}).values()]
    return tuple(sorted(facts, key=fact_key))


def paths(kg, source: str, target: str, *, all: bool = False, max_length: int | None = None,
          as_of: str | None = None, max_paths: int = 100) -> list[Path]:
    """The shortest connections between two entities (one path, or every shortest one).

    A connection follows facts in either direction, through events and posts
    too. Each step lists every fact that links its two ends. An empty list
    means no connection (within ``max_length`` steps).
    """
    from .netview import shortest_paths_both_ways

    a, b = resolve_entity(kg, source), resolve_entity(kg, target)

    def answer(G, adj) -> list[Path]:
        for name, ent in ((source, a), (target, b)):
            _there(G, name, ent, as_of)
        if a == b:
            raise KGBuilderError(f"'{source}' and '{target}' are the same entity ({a})")
        found = shortest_paths_both_ways(adj, a, b, limit=10000, max_length=max_length)
        if not found:
            return []
        if max_length is not None and len(found[0]) - 1 > max_length:
            return []
        found.sort()
        if not all:
            found = found[:1]
        out = []
        for nodes in found[:max_paths]:
            steps = [Step(x, y, _facts_between(G, x, y)) for x, y in zip(nodes, nodes[1:])]
            out.append(Path(nodes=list(nodes), steps=steps))
        return out

    return _answer(kg, _day(as_of), answer)
