"""``neighbors``: the entities within some facts of one entity (:class:`Neighborhood`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import KGBuilderError
from .answers import _answer, _day, _later, _there, resolve_entity

__all__ = ["Neighbor", "Neighborhood", "neighbors", "subgraph_kg"]


@dataclass(frozen=True)
class Neighbor:
    """A member of a neighbourhood and its ``distance`` (in facts) from the centre."""

    id: str
    label: str
    type: str
    distance: int


@dataclass
class Neighborhood:
    """The members within ``depth`` of ``center``; the subgraph they form (``view``, ``graph``)
    and the facts in it (``statements``) are made on first use, so a table of the members reads
    only them (around a hub the subgraph holds much of the graph)."""

    center: str
    depth: int
    members: list[Neighbor]
    subgraph: Callable[[], Any] = field(repr=False, compare=False)     # makes ``view``

    @property
    def view(self):
        """The subgraph as a :class:`kgbuilder.questions.netview.NetView` (made on first use)."""
        cached = self.__dict__.get("_view")
        if cached is None:
            cached = self.__dict__["_view"] = self.subgraph()
        return cached

    @property
    def statements(self) -> list[str]:
        """The statement ids of every fact in the subgraph, sorted."""
        from .network import facts

        cached = self.__dict__.get("_statements")
        if cached is None:
            cached = self.__dict__["_statements"] = sorted({st for _, _, d in facts(self.view)
                                                            for st in d["statements"]})
        return cached

    @property
    def graph(self):
        """The subgraph as a ``networkx.MultiDiGraph`` (made on first use)."""
        cached = self.__dict__.get("_graph")
        if cached is None:
            cached = self.__dict__["_graph"] = self.view.to_networkx()
        return cached


def neighbors(kg, name: str, *, depth: int = 1, as_of: str | None = None) -> Neighborhood:
    """The entities within ``depth`` facts of one entity, and the subgraph they form."""
    from .netview import bfs_distances

    if depth < 1:
        raise KGBuilderError(f"depth must be 1 or more, not {depth}")
    ent = resolve_entity(kg, name)

    def answer(G, adj) -> Neighborhood:
        _there(G, name, ent, as_of)
        dist = bfs_distances(adj, ent, cutoff=depth)
        members = sorted((Neighbor(n, G.nodes[n].get("label", n), G.nodes[n].get("type", ""), k)
                          for n, k in dist.items()), key=lambda m: (m.distance, m.id))
        return Neighborhood(center=ent, depth=depth, members=members,
                            subgraph=_later(kg, day, lambda H: H.subgraph(dist), G))

    day = _day(as_of)
    return _answer(kg, day, answer)


def subgraph_kg(kg, hood: Neighborhood):
    """A :class:`KnowledgeGraph` holding only a neighbourhood, for the exporters.

    It keeps the members' descriptions, the statements between them (with
    their direct triples and evidence) and the sources' descriptions.
    """
    from rdflib import RDF, URIRef

    members = {URIRef(kg.iri(m.id)) for m in hood.members}
    kept = {URIRef(kg.iri(s)) for s in hood.statements}
    quads = list(kg.store.quads())
    spo: dict = {}
    for s, p, o, g in quads:
        if p in (RDF.subject, RDF.predicate, RDF.object):
            spo.setdefault(s, {})[p] = o
    stated = {(d[RDF.subject], d[RDF.predicate], d[RDF.object]) for d in spo.values() if len(d) == 3}
    kept_triples = {(spo[s][RDF.subject], spo[s][RDF.predicate], spo[s][RDF.object]) for s in kept if s in spo}
    sources = kg.base + "source/"
    out = []
    for s, p, o, g in quads:
        ss = str(s)
        if s in members:
            if (s, p, o) in stated and (s, p, o) not in kept_triples:
                continue
            out.append((s, p, o, g))
        elif s in kept or ("/evidence/" in ss and URIRef(ss.rsplit("/evidence/", 1)[0]) in kept):
            out.append((s, p, o, g))
        elif ss.startswith(sources) or ss == kg.base:
            out.append((s, p, o, g))
    return kg.with_quads(out, title=f"{kg.title}: within {hood.depth} of {hood.center}")
