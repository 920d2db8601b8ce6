"""What an RDF export holds besides the plain graph: only direct triples, or the ontology too."""
from __future__ import annotations

from ..namespaces import KG_NS, STANDARD_PREFIXES

__all__ = ["direct_only", "with_ontology", "ONTOLOGY_GRAPH"]

#: the named graph the ontology goes into in the quad formats (its owl:Ontology IRI)
ONTOLOGY_GRAPH = KG_NS.rstrip("#")


def direct_only(kg):
    """``kg`` without statement and evidence nodes: just the direct triples,
    entity descriptions, dataset and sources, for tools that do not want
    reification (no kg:Statement, kg:Evidence, rdf:subject/predicate/object)."""
    from rdflib import URIRef

    a = URIRef(STANDARD_PREFIXES["rdf"] + "type")
    drop_types = {URIRef(KG_NS + "Statement"), URIRef(KG_NS + "Evidence")}
    quads = list(kg.store.quads())
    reified = {s for s, p, o, _ in quads if p == a and o in drop_types}
    return kg.with_quads([q for q in quads if q[0] not in reified and q[2] not in reified])


def with_ontology(kg):
    """``kg`` plus the ontology's triples, in the named graph ONTOLOGY_GRAPH."""
    from rdflib import Graph, URIRef

    from ..schemas import ontology_path

    onto = Graph()
    onto.parse(ontology_path(), format="turtle")
    g = URIRef(ONTOLOGY_GRAPH)
    return kg.with_quads([*kg.store.quads(), *((s, p, o, g) for s, p, o in onto)])
