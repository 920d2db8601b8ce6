"""``--infer``: the entailments a query in standard vocabulary needs, and no more.

The ontology aligns every kg: class and predicate with schema.org, W3C ORG,
SEM, PROV-O, FOAF and SKOS through rdfs:subClassOf and rdfs:subPropertyOf.
Full RDFS or OWL 2 RL closure (owlrl) is far too slow for this (4 s on 10k
triples, unfinished on 100k after minutes), and almost all of what it adds
(rdfs:Resource types, reflexive axioms, domain and range guesses) answers no
question. We materialize exactly rules rdfs9 and rdfs7 over the transitive
closure of the ontology's hierarchy: one pass over the data, linear in its
size. The hierarchy itself is added too, so ``?t rdfs:subClassOf* kg:Event``
works.
"""
from __future__ import annotations

import functools

__all__ = ["hierarchy", "inferred_quads", "inferred_graph_iri"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
SUBPROP = "http://www.w3.org/2000/01/rdf-schema#subPropertyOf"


@functools.lru_cache(maxsize=4)
def hierarchy(path: str | None = None) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(class -> all strict superclasses, property -> all strict superproperties), as IRIs."""
    from rdflib import Graph, URIRef

    from .ontology import ontology_path

    g = Graph()
    g.parse(path or ontology_path(), format="turtle")

    def closure(pred: str) -> dict[str, frozenset[str]]:
        parents: dict[str, set[str]] = {}
        for s, o in g.subject_objects(URIRef(pred)):
            if isinstance(s, URIRef) and isinstance(o, URIRef) and s != o:
                parents.setdefault(str(s), set()).add(str(o))
        out: dict[str, frozenset[str]] = {}
        for start in parents:
            seen: set[str] = set()
            stack = list(parents[start])
            while stack:
                p = stack.pop()
                if p not in seen and p != start:
                    seen.add(p)
                    stack.extend(parents.get(p, ()))
            out[start] = frozenset(seen)
        return out

    return closure(SUBCLASS), closure(SUBPROP)


def inferred_graph_iri(kg) -> str:
    return kg.base + "graph/inferred"


def inferred_quads(kg) -> list[tuple]:
    """New quads (in the graph ``base + 'graph/inferred'``) that --infer adds to ``kg``."""
    from rdflib import URIRef

    classes, props = hierarchy()
    graph = URIRef(inferred_graph_iri(kg))
    rdf_type, subclass, subprop = URIRef(RDF_TYPE), URIRef(SUBCLASS), URIRef(SUBPROP)
    existing = set(kg.store.triples())
    new: dict[tuple, None] = {}  # insertion-ordered set: the same input gives the same output

    def add(t):
        if t not in existing:
            new.setdefault(t, None)

    for cls in sorted(classes):
        for sup in sorted(classes[cls]):
            add((URIRef(cls), subclass, URIRef(sup)))
    for prop in sorted(props):
        for sup in sorted(props[prop]):
            add((URIRef(prop), subprop, URIRef(sup)))
    for s, p, o in sorted(existing):
        if p == rdf_type:
            for sup in sorted(classes.get(str(o), ())):
                add((s, rdf_type, URIRef(sup)))
        else:
            for sup in sorted(props.get(str(p), ())):
                add((s, URIRef(sup), o))
    return [(s, p, o, graph) for s, p, o in new]
