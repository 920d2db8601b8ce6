"""The networkx view: entities as nodes, facts between entities as edges."""
from __future__ import annotations

from .nquads import XSD as _XSD

__all__ = ["to_networkx", "view_size", "as_of", "undirected", "fact_holds", "event_happened", "date_bounds", "is_event"]


def to_networkx(kg, *, include_literals: bool = True):
    """A ``networkx.MultiDiGraph`` of the graph's entities.

    Nodes are entity ids with ``label``, ``type`` (ontology class), ``top_type``
    (Person, State, ..., Event), ``aliases`` and ``iri``. Each statement between
    two entities is an edge keyed by the statement id, with ``predicate``,
    ``date``/``start``/``end``, ``sources``, ``quotes``, ``claimed_by`` and
    ``verification``. Literal-valued facts become node attributes when
    ``include_literals`` is true.

    Read straight from the store's indexes, one predicate at a time (no rdflib).
    """
    import networkx as nx
    import pyoxigraph as ox

    from ..namespaces import KG_NS, STANDARD_PREFIXES
    from .ontology import load_ontology

    onto = load_ontology()
    st_ = kg.store._st
    RDF, RDFS = STANDARD_PREFIXES["rdf"], STANDARD_PREFIXES["rdfs"]
    SKOS, PROV = STANDARD_PREFIXES["skos"], STANDARD_PREFIXES["prov"]

    def pairs(pred: str) -> dict:
        """subject -> distinct objects of ``pred`` over all graphs (first-seen order)."""
        out: dict = {}
        for q in st_.quads_for_pattern(None, ox.NamedNode(pred), None, None):
            vals = out.setdefault(q.subject, [])
            if q.object not in vals:
                vals.append(q.object)
        return out

    def one(index: dict, s):
        vals = index.get(s)
        return vals[0] if vals else None

    base, sources_ns = kg.base, kg.base + "source/"

    def local(term) -> str:
        v = term.value
        return v[len(base):] if v.startswith(base) else v

    G = nx.MultiDiGraph(id=kg.id, title=kg.title, base=kg.base)
    types, labels, pref = pairs(RDF + "type"), pairs(RDFS + "label"), pairs(SKOS + "prefLabel")
    alt, comment, claimed = pairs(SKOS + "altLabel"), pairs(RDFS + "comment"), pairs(KG_NS + "claimedBy")
    entities = [e for e in pairs(KG_NS + "id") if isinstance(e, ox.NamedNode)
                and e.value.startswith(base) and not e.value.startswith(sources_ns)]
    for ent in sorted(entities, key=lambda e: e.value):
        names = sorted(onto.class_names.get(t.value, t.value) for t in types.get(ent, ()))
        typ = names[0] if names else "Entity"
        by_lang = {}
        for lab in pref.get(ent, ()):
            by_lang[getattr(lab, "language", None) or ""] = lab.value
        label, desc, who = one(labels, ent), one(comment, ent), one(claimed, ent)
        G.add_node(
            local(ent), iri=ent.value, label=label.value if label is not None else local(ent), type=typ,
            top_type=onto.top_type(typ), aliases=sorted(a.value for a in alt.get(ent, ())),
            labels=by_lang, description=desc.value if desc is not None else "",
            claimed_by=local(who) if who is not None else None,
        )
    statement = ox.NamedNode(KG_NS + "Statement")
    stmts = sorted((q.subject for q in st_.quads_for_pattern(None, ox.NamedNode(RDF + "type"), statement, None)),
                   key=lambda t: t.value)
    subj, pred_, obj = pairs(RDF + "subject"), pairs(RDF + "predicate"), pairs(RDF + "object")
    evidence_of, derived, quote = pairs(KG_NS + "evidence"), pairs(PROV + "wasDerivedFrom"), pairs(KG_NS + "quote")
    verification = pairs(KG_NS + "verification")
    when = {q: pairs(KG_NS + q) for q in ("date", "start", "end")}
    done = set()
    for st in stmts:
        if st in done:
            continue
        done.add(st)
        s, p, o = one(subj, st), one(pred_, st), one(obj, st)
        if s is None or p is None or o is None:
            continue
        u = local(s)
        if u not in G:
            continue
        pred = onto.predicate_names.get(p.value, p.value)
        evidence = []
        for e in evidence_of.get(st, ()):
            src, q = one(derived, e), one(quote, e)
            evidence.append((local(src).removeprefix("source/") if src is not None else "None",
                             q.value if q is not None else "None"))
        evidence.sort()
        who, ver = one(claimed, st), one(verification, st)
        attrs = {
            "statement": local(st), "predicate": pred,
            "sources": [src for src, _ in evidence], "quotes": [q for _, q in evidence],
            "claimed_by": local(who) if who is not None else None,
            "verification": ver.value.rsplit("#", 1)[-1] if ver is not None else None,
        }
        for q in ("date", "start", "end"):
            v = one(when[q], st)
            attrs[q] = v.value if v is not None else None
        if isinstance(o, ox.Literal):
            if include_literals:
                G.nodes[u].setdefault("facts", {}).setdefault(pred, []).append({"value": _py_value(o), **attrs})
                if pred == "date" and attrs["date"] is None:
                    G.nodes[u]["date"] = o.value
            continue
        v = local(o)
        if v not in G:
            continue
        G.add_edge(u, v, key=local(st), **attrs)
    return G


_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt",
                                "unsignedLong", "unsignedShort", "unsignedByte")}


def _py_value(lit):
    """A literal fact's value as a node attribute: int, bool or float for those
    datatypes, else its text (dates stay ISO text), as rdflib's toPython gave."""
    dt = lit.datatype.value if lit.datatype is not None else ""
    text = lit.value
    try:
        if dt in _INTEGERS:
            return int(text)
        if dt == _XSD + "boolean":
            return text in ("true", "1")
        if dt in (_XSD + "double", _XSD + "float"):
            return float(text)
        if dt == _XSD + "decimal":
            from decimal import Decimal

            return str(Decimal(text))
    except ValueError:
        pass
    return text


def view_size(kg) -> tuple[int, int]:
    """(nodes, edges) :func:`to_networkx` would give, counted by the engine without building it:
    an exporter can refuse an oversize graph before doing the work."""
    from ..namespaces import KG_NS, STANDARD_PREFIXES

    rdf = STANDARD_PREFIXES["rdf"]
    base = kg.base.replace("\\", "\\\\").replace('"', '\\"')
    entity = (lambda v: f'{v} <{KG_NS}id> ?id{v[1:]} . FILTER(STRSTARTS(STR({v}), "{base}") && '
                        f'!STRSTARTS(STR({v}), "{base}source/"))')
    nodes = f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {entity('?e')} }}"
    edges = (f"SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE {{ ?st a <{KG_NS}Statement> ; <{rdf}subject> ?s ; "
             f"<{rdf}object> ?o . {entity('?s')} {entity('?o')} }}")
    return tuple(int(next(iter(kg.store.raw_query(q)))[0].value) for q in (nodes, edges))


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
