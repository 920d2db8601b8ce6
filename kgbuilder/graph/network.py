"""The networkx view: entities as nodes, facts between entities as edges."""
from __future__ import annotations

__all__ = ["to_networkx", "as_of", "undirected", "fact_holds", "event_happened", "date_bounds", "is_event"]


def to_networkx(kg, *, include_literals: bool = True):
    """A ``networkx.MultiDiGraph`` of the graph's entities.

    Nodes are entity ids with ``label``, ``type`` (ontology class), ``top_type``
    (Person, State, ..., Event), ``aliases`` and ``iri``. Each statement between
    two entities is an edge keyed by the statement id, with ``predicate``,
    ``date``/``start``/``end``, ``sources``, ``quotes``, ``claimed_by``,
    ``verification``, ``corroboration`` (independent sources backing it) and
    ``conflict`` (true when it is one side of a conflict, see graph.agreement).
    Literal-valued facts become node attributes when ``include_literals`` is true.
    """
    import networkx as nx
    from rdflib import RDF, RDFS, Literal, URIRef

    from ..namespaces import KG_NS, STANDARD_PREFIXES
    from .agreement import corroboration, find_conflicts, source_origins
    from .ontology import load_ontology

    onto = load_ontology()
    origins = source_origins(kg)
    conflicting = {side.statement for c in find_conflicts(kg, onto) for side in c.sides}
    g = kg.graph
    G = nx.MultiDiGraph(id=kg.id, title=kg.title, base=kg.base)
    K = lambda n: URIRef(KG_NS + n)  # noqa: E731
    SKOS = STANDARD_PREFIXES["skos"]
    for ent in g.subjects(K("id"), None):
        sid = str(ent)
        if not sid.startswith(kg.base) or sid.startswith(kg.base + "source/"):
            continue
        types = sorted(onto.class_names.get(str(t), str(t)) for t in g.objects(ent, RDF.type))
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
        pred = onto.predicate_names.get(str(p), str(p))
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
            "corroboration": corroboration({src for src, _ in evidence}, origins),
            "conflict": str(st) in conflicting,
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


# ---------------------------------------------------------------- time and shape

def date_bounds(value: str | None) -> tuple[str, str] | None:
    """An ISO date of day, month or year precision as its first and last day (ISO strings).

    ``2019`` -> (2019-01-01, 2019-12-31); ``2022-01`` -> (2022-01-01, 2022-01-31).
    ISO day strings compare correctly as text, so no datetime is needed.
    """
    if not value:
        return None
    v = str(value)[:10]
    parts = v.split("-")
    if len(parts) == 3:
        return v, v
    if len(parts) == 2:
        import calendar

        last = calendar.monthrange(int(parts[0]), int(parts[1]))[1]
        return f"{v}-01", f"{v}-{last:02d}"
    return f"{v}-01-01", f"{v}-12-31"


def is_event(G, node) -> bool:
    return G.nodes[node].get("top_type") == "Event"


def fact_holds(attrs: dict, as_of: str, *, event_date: str | None = None) -> bool:
    """Whether a fact (an edge's or a literal fact's attributes) held on ``as_of``.

    A fact with start and/or end holds when that interval (widened to whole
    months or years at coarser precision) includes the date. A role of an
    event holds once the event has happened: its date is on or before
    ``as_of``. Other facts carry no time and are kept.
    """
    start, end = date_bounds(attrs.get("start")), date_bounds(attrs.get("end"))
    if start or end:
        return (start is None or start[0] <= as_of) and (end is None or as_of <= end[1])
    if event_date is not None:
        d = date_bounds(event_date)
        return d is None or d[0] <= as_of
    return True


def event_happened(G, node, as_of: str) -> bool:
    """False for an event dated after ``as_of``; true for others (and undated events)."""
    if not is_event(G, node):
        return True
    d = date_bounds(G.nodes[node].get("date"))
    return d is None or d[0] <= as_of


def as_of(G, date: str):
    """A copy of the networkx view with only what held on ``date`` (YYYY-MM-DD).

    Events after the date are dropped with their roles; posts, memberships and
    other facts with a start/end keep only the edges whose interval includes
    the date; literal facts of the remaining nodes are filtered the same way.
    """
    H = G.__class__()
    H.graph.update(G.graph, as_of=date)
    for n, data in G.nodes(data=True):
        if not event_happened(G, n, date):
            continue
        data = dict(data)
        if "facts" in data:
            ev = data.get("date") if is_event(G, n) else None
            facts = {p: [f for f in fs if fact_holds(f, date, event_date=ev)] for p, fs in data["facts"].items()}
            data["facts"] = {p: fs for p, fs in facts.items() if fs}
        H.add_node(n, **data)
    for u, v, k, data in G.edges(keys=True, data=True):
        if u not in H or v not in H:
            continue
        ev = G.nodes[u].get("date") if is_event(G, u) else None
        if fact_holds(data, date, event_date=ev):
            H.add_edge(u, v, key=k, **data)
    return H


def undirected(G):
    """A simple undirected graph of who is linked to whom, nodes and edges in sorted order.

    Sorting makes path and centrality results independent of the order the
    store happened to yield triples in.
    """
    import networkx as nx

    U = nx.Graph()
    U.add_nodes_from(sorted(G.nodes))
    U.add_edges_from(sorted({tuple(sorted((u, v))) for u, v in G.edges() if u != v}))
    return U
