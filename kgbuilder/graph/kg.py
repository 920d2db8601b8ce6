"""The built knowledge graph: a store plus what we know about the dataset."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from ..namespaces import STANDARD_PREFIXES
from .store import Store

__all__ = ["KnowledgeGraph", "Stats"]


@dataclass
class Stats:
    triples: int
    quads: int
    entities: dict[str, int] = field(default_factory=dict)      # by type
    predicates: dict[str, int] = field(default_factory=dict)    # by predicate (direct facts)
    statements: int = 0
    claims: int = 0
    claims_by: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)       # statements per source
    events: int = 0
    evidence: int = 0
    corroborated: int = 0           # statements backed by two or more independent sources
    single_source: int = 0
    conflicts: int = 0              # see graph.agreement
    corroborated_by_source: dict[str, int] = field(default_factory=dict)
    conflicting_by_source: dict[str, int] = field(default_factory=dict)   # statements on one side of a conflict
    # quotes of events with several roles that say no 'supports': each backs every role
    whole_event_quotes: int = 0


class KnowledgeGraph:
    """A built dataset. ``dataset`` is an ``rdflib.Dataset``; ``to_networkx()`` a MultiDiGraph."""

    def __init__(self, store: Store, *, base: str, prefix: str, dataset_id: str, title: str = "",
                 origins: dict[str, str] | None = None, root=None, curated=None):
        self.store = store
        self.base = base
        self.prefix = prefix
        self.id = dataset_id
        self.title = title
        self.origins = origins or {}
        self.root = root
        self.curated = curated

    @property
    def prefixes(self) -> dict[str, str]:
        return {**STANDARD_PREFIXES, self.prefix: self.base}

    @property
    def dataset(self):
        """The graph as an ``rdflib.Dataset`` (named graph per source; default graph = union)."""
        return self.store.rdflib_dataset()

    @functools.cached_property
    def graph(self):
        """All triples in one ``rdflib.Graph`` with the prefixes bound."""
        from rdflib import Graph

        g = Graph()
        for name, ns in self.prefixes.items():
            g.bind(name, ns, override=True, replace=True)
        for t in self.store.triples():
            g.add(t)
        return g

    def __len__(self) -> int:
        return len(self.graph)

    def query(self, sparql: str, **kwargs: Any):
        """Run SPARQL over the union of graphs with every prefix bound (rdflib Result)."""
        from .query import run_query

        return run_query(self, sparql, **kwargs)

    def to_networkx(self, **kwargs):
        """The graph as a ``networkx.MultiDiGraph`` of entities (see graph.network)."""
        from .network import to_networkx

        return to_networkx(self, **kwargs)

    def with_quads(self, quads, *, title: str | None = None) -> "KnowledgeGraph":
        """A graph like this one (same dataset, prefixes, origins) over other quads, in memory.

        Lower layers (subgraphs, views, CONSTRUCT answers) make their graphs through
        this method of the graph they were given, never by importing this class.
        """
        from .store import open_store

        store = open_store("memory")
        store.add_quads(quads)
        return type(self)(store, base=self.base, prefix=self.prefix, dataset_id=self.id,
                          title=self.title if title is None else title, origins=self.origins,
                          root=self.root, curated=self.curated)

    def with_triples(self, triples, *, title: str | None = None) -> "KnowledgeGraph":
        """:meth:`with_quads` for triples (a CONSTRUCT answer), all in the default graph."""
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        return self.with_quads(((s, p, o, DATASET_DEFAULT_GRAPH_ID) for s, p, o in triples), title=title)

    def iri(self, entity_id: str) -> str:
        return self.base + entity_id

    def local(self, iri) -> str:
        s = str(iri)
        return s[len(self.base):] if s.startswith(self.base) else s

    def stats(self) -> Stats:
        from rdflib import RDF, URIRef

        from ..namespaces import KG_NS
        from .ontology import load_ontology

        onto = load_ontology()
        g = self.graph
        kgid = URIRef(KG_NS + "id")
        st = Stats(triples=len(g), quads=len(self.store))
        for ent in g.subjects(kgid, None):
            if str(ent).startswith(self.base + "source/"):
                continue
            # counted once, by its most specific type (the graph also holds its superclasses)
            names = [onto.class_names.get(str(t), str(t)) for t in g.objects(ent, RDF.type)]
            name = onto.most_specific(names) or (sorted(names)[0] if names else None)
            if name is None:
                continue
            st.entities[name] = st.entities.get(name, 0) + 1
            if onto.is_a(name, "Event"):
                st.events += 1
        claimed = URIRef(KG_NS + "claimedBy")
        derived = URIRef(STANDARD_PREFIXES["prov"] + "wasDerivedFrom")
        for stmt in g.subjects(RDF.type, URIRef(KG_NS + "Statement")):
            st.statements += 1
            p = g.value(stmt, RDF.predicate)
            name = onto.predicate_names.get(str(p), str(p))
            st.predicates[name] = st.predicates.get(name, 0) + 1
            who = list(g.objects(stmt, claimed))
            if who:
                st.claims += 1
                for w in who:
                    k = self.local(w)
                    st.claims_by[k] = st.claims_by.get(k, 0) + 1
            for src in g.objects(stmt, derived):
                k = self.local(src).removeprefix("source/")
                st.sources[k] = st.sources.get(k, 0) + 1
        st.evidence = sum(1 for _ in g.subjects(RDF.type, URIRef(KG_NS + "Evidence")))
        if self.curated is not None:
            st.whole_event_quotes = sum(getattr(e, "whole_event_quotes", 0) for e in self.curated.entities.values())
        self._agreement_stats(st)
        return st

    def _agreement_stats(self, st: Stats) -> None:
        from .agreement import find_conflicts, support

        backing = support(self)
        for sup in backing.values():
            if sup.corroboration > 1:
                st.corroborated += 1
            else:
                st.single_source += 1
            for src in sup.sources:
                st.corroborated_by_source.setdefault(src, 0)
                st.conflicting_by_source.setdefault(src, 0)
                if sup.corroboration > 1:
                    st.corroborated_by_source[src] += 1
        found = find_conflicts(self)
        st.conflicts = len(found)
        for c in found:
            for side in c.sides:
                for src in backing[side.statement].sources:
                    st.conflicting_by_source[src] += 1
