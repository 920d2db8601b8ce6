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
    import pyoxigraph as ox

    from ..schemas import ontology_path

    with open(path or ontology_path(), "rb") as fh:
        triples = [(t.subject, t.predicate.value, t.object) for t in ox.parse(fh, format=ox.RdfFormat.TURTLE)]

    def closure(pred: str) -> dict[str, frozenset[str]]:
        parents: dict[str, set[str]] = {}
        for s, p, o in triples:
            if p == pred and isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode) and s != o:
                parents.setdefault(s.value, set()).add(o.value)
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


def inferred_quads(kg) -> list:
    """New quads (pyoxigraph, in the graph ``base + 'graph/inferred'``) that --infer adds to ``kg``."""
    import pyoxigraph as ox

    classes, props = hierarchy()
    graph = ox.NamedNode(inferred_graph_iri(kg))
    N = ox.NamedNode
    rdf_type, subclass, subprop = N(RDF_TYPE), N(SUBCLASS), N(SUBPROP)
    existing = set(kg.store.ox_triples())
    new: dict = {}  # insertion-ordered set: the same input gives the same output

    def add(t):
        if t not in existing:
            new.setdefault(t, None)

    for cls in sorted(classes):
        for sup in sorted(classes[cls]):
            add(ox.Triple(N(cls), subclass, N(sup)))
    for prop in sorted(props):
        for sup in sorted(props[prop]):
            add(ox.Triple(N(prop), subprop, N(sup)))
    sups_c = {k: [N(x) for x in sorted(v)] for k, v in classes.items()}
    sups_p = {k: [N(x) for x in sorted(v)] for k, v in props.items()}
    for t in sorted(existing, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))):
        s, p, o = t.subject, t.predicate, t.object
        if p == rdf_type:
            for sup in sups_c.get(getattr(o, "value", None), ()):
                add(ox.Triple(s, rdf_type, sup))
        else:
            for sup in sups_p.get(p.value, ()):
                add(ox.Triple(s, sup, o))
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in new]
