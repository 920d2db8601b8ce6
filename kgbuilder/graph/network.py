"""The networkx view: entities as nodes, facts between entities as edges."""
from __future__ import annotations

__all__ = ["to_networkx"]


def to_networkx(kg, *, include_literals: bool = True):
    """A ``networkx.MultiDiGraph`` of the graph's entities.

    Nodes are entity ids with ``label``, ``type`` (ontology class), ``top_type``
    (Person, State, ..., Event), ``aliases`` and ``iri``. Each statement between
    two entities is an edge keyed by the statement id, with ``predicate``,
    ``date``/``start``/``end``, ``sources``, ``quotes``, ``claimed_by`` and
    ``verification``. Literal-valued facts become node attributes when
    ``include_literals`` is true.
    """
    import networkx as nx
    from rdflib import RDF, RDFS, Literal, URIRef

    from ..namespaces import KG_NS, STANDARD_PREFIXES
    from .ontology import load_ontology

    onto = load_ontology()
    g = kg.graph
    G = nx.MultiDiGraph(id=kg.id, title=kg.title, base=kg.base)
    K = lambda n: URIRef(KG_NS + n)  # noqa: E731
    SKOS = STANDARD_PREFIXES["skos"]
    class_by_iri = {iri: name for name, iri in onto.classes.items()}
    pred_by_iri = {p.iri: name for name, p in onto.predicates.items()}
    for ent in g.subjects(K("id"), None):
        sid = str(ent)
        if not sid.startswith(kg.base) or sid.startswith(kg.base + "source/"):
            continue
        types = sorted(class_by_iri.get(str(t), str(t)) for t in g.objects(ent, RDF.type))
        typ = types[0] if types else "Entity"
        labels = {}
        for lab in g.objects(ent, URIRef(SKOS + "prefLabel")):
            labels[getattr(lab, "language", None) or ""] = str(lab)
        G.add_node(
            kg.local(ent), iri=sid, label=str(g.value(ent, RDFS.label) or kg.local(ent)), type=typ,
            top_type=onto.top_type(typ), aliases=sorted(str(a) for a in g.objects(ent, URIRef(SKOS + "altLabel"))),
            labels=labels, description=str(g.value(ent, RDFS.comment) or ""),
            claimed_by=kg.local(g.value(ent, K("claimedBy"))) if g.value(ent, K("claimedBy")) else None,
        )
    for st in g.subjects(RDF.type, K("Statement")):
        s, p, o = g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)
        u = kg.local(s)
        if u not in G:
            continue
        pred = pred_by_iri.get(str(p), str(p))
        evidence = []
        for e in g.objects(st, K("evidence")):
            evidence.append((kg.local(g.value(e, URIRef(STANDARD_PREFIXES["prov"] + "wasDerivedFrom"))).removeprefix("source/"),
                             str(g.value(e, K("quote")))))
        evidence.sort()
        attrs = {
            "statement": kg.local(st), "predicate": pred,
            "sources": [src for src, _ in evidence], "quotes": [q for _, q in evidence],
            "claimed_by": kg.local(g.value(st, K("claimedBy"))) if g.value(st, K("claimedBy")) else None,
            "verification": str(g.value(st, K("verification"))).rsplit("#", 1)[-1] if g.value(st, K("verification")) else None,
        }
        for q in ("date", "start", "end"):
            v = g.value(st, K(q))
            attrs[q] = str(v) if v is not None else None
        if isinstance(o, Literal):
            if include_literals:
                value = o.toPython() if o.datatype and not str(o.datatype).endswith(("gYear", "gYearMonth")) else str(o)
                if hasattr(value, "isoformat"):
                    value = value.isoformat()
                G.nodes[u].setdefault("facts", {}).setdefault(pred, []).append(
                    {"value": value if isinstance(value, (int, float, str)) else str(value), **attrs})
                if pred == "date" and attrs["date"] is None:
                    G.nodes[u]["date"] = str(o)
            continue
        v = kg.local(o)
        if v not in G:
            continue
        G.add_edge(u, v, key=kg.local(st), **attrs)
    return G
