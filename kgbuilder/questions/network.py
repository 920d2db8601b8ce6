"""The networkx view: entities as nodes, facts between entities as edges.

One edge per fact, with every source that reports it. The edge contract (also
for the literal facts kept on nodes), shared by the exports, the explorer and
the graph questions:

* ``sources``: the distinct ids of the sources that report the fact;
* ``evidence``: a list of ``{"source": id, "quote": text}``, one per quote;
* ``corroboration``: how many independent sources back the fact (an int);
* ``conflict``: whether a one-valued predicate has another value elsewhere.

The last two are filled in one place, :func:`support`.
"""
from __future__ import annotations

__all__ = ["to_networkx", "view_size", "support", "facts", "as_of", "undirected", "fact_holds",
           "holds_between", "event_happened", "happened_from", "node_as_of", "edge_holds", "date_bounds",
           "is_event"]

from ..curation.model import date_bounds  # noqa: E402 - re-exported

#: the qualifiers that make two statements the same fact when they agree (see
#: docs/rdf-model.md): notes, quotes, verification and file positions do not split a fact
IDENTITY = ("predicate", "date", "start", "end", "place", "role", "claimed_by", "quantity", "unit", "bound")

# a fact backed by two statements keeps the most cautious verification its sources give
_CAUTION = {"Disputed": 0, "Unverified": 1, "Verified": 2}


def to_networkx(kg, *, include_literals: bool = True):
    """A ``networkx.MultiDiGraph`` of the graph's entities.

    Nodes are entity ids with ``label``, ``type`` (ontology class), ``top_type``
    (Person, State, ..., Event), ``aliases`` and ``iri``. Each fact between two
    entities is one edge, keyed by its (first) statement id, with ``predicate``,
    ``date``/``start``/``end``, ``place``, ``role``, ``quantity``/``unit``/``bound``
    (a quantity qualifier, as text), ``claimed_by``, ``verification``, ``statements`` and the
    evidence contract above. Literal-valued facts become node attributes when
    ``include_literals`` is true: ``facts[predicate]`` is a list of the same
    dicts with a ``value``.
    """
    import networkx as nx
    from rdflib import RDF, RDFS, Literal, URIRef

    from ..namespaces import KG_NS, STANDARD_PREFIXES
    from ..schemas.ontology import load_ontology

    onto = load_ontology()
    K = lambda n: URIRef(KG_NS + n)  # noqa: E731
    g = _Triples(kg.store, (K("id"), RDF.type))
    G = nx.MultiDiGraph(id=kg.id, title=kg.title, base=kg.base)
    SKOS = STANDARD_PREFIXES["skos"]
    derived = URIRef(STANDARD_PREFIXES["prov"] + "wasDerivedFrom")
    for ent in g.subjects(K("id"), None):
        sid = str(ent)
        if not sid.startswith(kg.base) or sid.startswith(kg.base + "source/"):
            continue
        types = sorted(onto.class_names.get(str(t), str(t)) for t in g.objects(ent, RDF.type))
        typ = onto.most_specific(types) or (types[0] if types else "Entity")
        labels = {}
        for lab in g.objects(ent, URIRef(SKOS + "prefLabel")):
            labels[getattr(lab, "language", None) or ""] = str(lab)
        G.add_node(
            kg.local(ent), iri=sid, label=str(g.value(ent, RDFS.label) or kg.local(ent)), type=typ,
            top_type=onto.top_type(typ), aliases=sorted(str(a) for a in g.objects(ent, URIRef(SKOS + "altLabel"))),
            labels=labels, description=str(g.value(ent, RDFS.comment) or ""),
            claimed_by=kg.local(g.value(ent, K("claimedBy"))) if g.value(ent, K("claimedBy")) else None,
        )

    def text(st, name):
        v = g.value(st, K(name))
        return str(v) if v is not None else None

    def day(st, name):
        v = g.value(st, K(name))
        return _as_curated(v, g.value(st, K(name + "Precision"))) if v is not None else None

    def local(st, name):
        v = g.value(st, K(name))
        return kg.local(v) if v is not None else None

    # every statement between known nodes, in curation order (kg:file is "path:line")
    found = []
    for st in g.subjects(RDF.type, K("Statement")):
        s, p, o = g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)
        u = kg.local(s)
        if u not in G:
            continue
        if isinstance(o, Literal):
            if not include_literals:
                continue
            v = None
        else:
            v = kg.local(o)
            if v not in G:
                continue
        where = text(st, "file") or ""
        path, _, line = where.rpartition(":")
        found.append(((path, int(line) if line.isdigit() else 0, kg.local(st)), st, u, p, o, v))
    found.sort(key=lambda f: f[0])

    merged: dict[tuple, dict] = {}
    for _, st, u, p, o, v in found:
        verification = text(st, "verification")
        attrs = {
            "predicate": onto.predicate_names.get(str(p), str(p)),
            # the graph holds comparable days; the view shows them as curated (2019, 2022-01)
            "date": day(st, "date"), "start": day(st, "start"), "end": day(st, "end"),
            "place": local(st, "location"), "role": text(st, "role"),
            "claimed_by": local(st, "claimedBy"),
            "verification": verification.rsplit("#", 1)[-1] if verification else None,
            "quantity": text(st, "quantityValue"), "unit": text(st, "quantityUnit"),
            "bound": text(st, "quantityBound"),
        }
        pieces = []
        for e in g.objects(st, K("evidence")):
            src = kg.local(g.value(e, derived)).removeprefix("source/")
            pieces.append((src, str(g.value(e, K("quote")))))
        if v is None:
            if o.datatype is not None and str(o.datatype) == XSD_DATE:
                value = _as_curated(o, g.value(st, K("datePrecision")))
            else:
                value = o.toPython() if o.datatype else str(o)
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            if not isinstance(value, (bool, int, float, str)):
                value = str(value)      # a Decimal stays exact as text
            target = ("literal", str(o), str(o.datatype or ""), o.language or "")
        else:
            value, target = None, ("entity", v)
        key = (u, target, *(attrs[k] for k in IDENTITY))
        fact = merged.get(key)
        if fact is None:
            fact = merged[key] = {**attrs, "statements": [], "_pieces": [], "_u": u, "_v": v}
            if v is None:
                fact["value"] = value
        elif _CAUTION.get(attrs["verification"], 3) < _CAUTION.get(fact["verification"], 3):
            fact["verification"] = attrs["verification"]
        fact["statements"].append(kg.local(st))
        fact["_pieces"].extend(pieces)

    for fact in merged.values():
        u, v, pieces = fact.pop("_u"), fact.pop("_v"), sorted(set(fact.pop("_pieces")))
        fact["evidence"] = [{"source": s, "quote": q} for s, q in pieces]
        fact["sources"] = list(dict.fromkeys(s for s, _ in pieces))
        if v is None:
            G.nodes[u].setdefault("facts", {}).setdefault(fact["predicate"], []).append(fact)
            if fact["predicate"] == "date" and fact["date"] is None:
                G.nodes[u]["date"] = str(fact["value"])
        else:
            G.add_edge(u, v, key=fact["statements"][0], **fact)
    support(G, kg)
    return G


class _Triples:
    """The look-ups :func:`to_networkx` makes of an rdflib Graph (``subjects``, ``objects``,
    ``value``), answered from dicts filled in one pass over the store's distinct triples, in
    the order an rdflib Graph filled from them gives (its memory store keeps subject ->
    predicate -> objects and predicate -> object -> subjects in insertion order). Filling an
    rdflib Graph with every triple took ~5 s of the ~7 s the view cost at 10k facts (~2 min at
    100k), for look-ups that plain dicts answer. ``by_object``: the predicates whose subjects
    are listed (``subjects(p)``); only those are indexed that way."""

    def __init__(self, store, by_object):
        from ..terms import to_rdflib

        conv = to_rdflib()
        spo: dict = {}
        pos: dict = {p: {} for p in by_object}
        for t in store.ox_triples():
            s, p, o = conv(t.subject), conv(t.predicate), conv(t.object)
            by_p = spo.get(s)
            if by_p is None:
                by_p = spo[s] = {}
            objects = by_p.get(p)
            if objects is None:
                by_p[p] = {o: None}
            else:
                objects[o] = None
            subjects_of = pos.get(p)
            if subjects_of is not None:
                subjects_of.setdefault(o, {})[s] = None
        self._spo, self._pos = spo, pos

    def subjects(self, p, o=None):
        by_o = self._pos[p]
        if o is not None:
            return iter(by_o.get(o, ()))
        return (s for subjects in by_o.values() for s in subjects)

    def objects(self, s, p):
        return iter(self._spo.get(s, {}).get(p, ()))

    def value(self, s, p):
        for o in self._spo.get(s, {}).get(p, ()):
            return o
        return None


def facts(G):
    """Every fact of the view as ``(subject, object, attrs)``: edges, then literal facts
    (``object`` None; the value is ``attrs["value"]``). ``attrs`` is the live dict."""
    for u, v, d in G.edges(data=True):
        yield u, v, d
    for u, d in G.nodes(data=True):
        for values in d.get("facts", {}).values():
            for f in values:
                yield u, None, f


def support(G, kg=None) -> None:
    """Fill ``corroboration`` and ``conflict`` on every fact of the view.

    The one place the view gets them, from builder.agreement (which ``show``,
    ``stats`` and ``conflicts`` use too): corroboration counts the distinct
    origins of the fact's sources (sources relaying one origin count once), a
    fact is in conflict when one of its statements is a side of a conflict.
    Without ``kg`` every source is its own origin and nothing is a conflict.
    """
    from ..builder.agreement import corroboration, find_conflicts, source_origins

    origins: dict[str, str] = {}
    conflicting: set[str] = set()
    if kg is not None:
        origins = source_origins(kg)
        conflicting = {kg.local(side.statement) for c in find_conflicts(kg) for side in c.sides}
    for _, _, d in facts(G):
        d["corroboration"] = corroboration(d.get("sources") or (), origins)
        d["conflict"] = any(st in conflicting for st in d.get("statements", ()))


def view_size(kg) -> tuple[int, int]:
    """(nodes, at least how many edges) :func:`to_networkx` gives, counted by the engine
    without building the view, so an exporter can refuse an oversize graph before doing the
    work. Edges are facts; the count is of distinct (subject, predicate, object) between
    entities, which two facts share only when their qualifiers differ: a lower bound."""
    from ..namespaces import KG_NS, STANDARD_PREFIXES

    rdf = STANDARD_PREFIXES["rdf"]
    base = kg.base.replace("\\", "\\\\").replace('"', '\\"')
    entity = (lambda v: f'{v} <{KG_NS}id> ?id{v[1:]} . FILTER(STRSTARTS(STR({v}), "{base}") && '
                        f'!STRSTARTS(STR({v}), "{base}source/"))')
    nodes = f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {entity('?e')} }}"
    # each part its own DISTINCT sub-select, joined on ?st: over the union of the source graphs
    # one join of the four patterns repeats a statement once per combination of graphs that hold
    # it (38 rows per statement on a generated 25k dataset: 36 s there, 0.7 s this way)
    part = lambda v, pattern: f"{{ SELECT DISTINCT {v} WHERE {{ {pattern} }} }}"  # noqa: E731
    edges = ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
             + part("?st", f"?st a <{KG_NS}Statement>")
             + "".join(part(f"?st {v}", f"?st <{rdf}{name}> {v}")
                       for v, name in (("?s", "subject"), ("?p", "predicate"), ("?o", "object")))
             + part("?s", entity("?s")) + part("?o", entity("?o")) + " } }")
    return tuple(int(next(iter(kg.store.raw_query(q)))[0].value) for q in (nodes, edges))


# ---------------------------------------------------------------- time and shape

XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


def _as_curated(day, precision) -> str:
    """``2019-01-01`` with precision ``year`` -> ``2019`` (see DateValue.from_graph)."""
    from ..curation.model import DateValue

    return DateValue.from_graph(str(day), str(precision) if precision is not None else None).text


def is_event(G, node) -> bool:
    return G.nodes[node].get("top_type") == "Event"


def holds_between(attrs: dict, *, event_date: str | None = None) -> tuple[str | None, str | None]:
    """The first and last day (ISO text; None: unbounded) on which a fact holds: see :func:`fact_holds`."""
    start, end = date_bounds(attrs.get("start")), date_bounds(attrs.get("end"))
    if start or end:
        return (start[0] if start else None, end[1] if end else None)
    if event_date is not None:
        d = date_bounds(event_date)
        return (d[0] if d else None, None)
    return (None, None)


def fact_holds(attrs: dict, as_of: str, *, event_date: str | None = None) -> bool:
    """Whether a fact (an edge's or a literal fact's attributes) held on ``as_of``.

    A fact with start and/or end holds when that interval (widened to whole
    months or years at coarser precision) includes the date. A role of an
    event holds once the event has happened: its date is on or before
    ``as_of``. Other facts carry no time and are kept.
    """
    first, last = holds_between(attrs, event_date=event_date)
    return (first is None or first <= as_of) and (last is None or as_of <= last)


def happened_from(G, node) -> str | None:
    """The first day an event may have happened (None: any day, and for every other node)."""
    if not is_event(G, node):
        return None
    d = date_bounds(G.nodes[node].get("date"))
    return d[0] if d else None


def event_happened(G, node, as_of: str) -> bool:
    """False for an event dated after ``as_of``; true for others (and undated events)."""
    first = happened_from(G, node)
    return first is None or first <= as_of


def node_as_of(G, n, data: dict, date: str) -> dict | None:
    """A node's attributes as of ``date`` (its literal facts cut the same way), None if it is an
    event that had not happened yet."""
    if not event_happened(G, n, date):
        return None
    data = dict(data)
    if "facts" in data:
        ev = data.get("date") if is_event(G, n) else None
        facts = {p: [f for f in fs if fact_holds(f, date, event_date=ev)] for p, fs in data["facts"].items()}
        data["facts"] = {p: fs for p, fs in facts.items() if fs}
    return data


def edge_holds(G, u, data: dict, date: str) -> bool:
    """Whether an edge out of ``u`` (between two nodes that are there on ``date``) held then."""
    return fact_holds(data, date, event_date=G.nodes[u].get("date") if is_event(G, u) else None)


def as_of(G, date: str):
    """A copy of the networkx view with only what held on ``date`` (YYYY-MM-DD).

    Events after the date are dropped with their roles; posts, memberships and
    other facts with a start/end keep only the edges whose interval includes
    the date; literal facts of the remaining nodes are filtered the same way.
    """
    H = G.__class__()
    H.graph.update(G.graph, as_of=date)
    for n, data in G.nodes(data=True):
        data = node_as_of(G, n, data, date)
        if data is not None:
            H.add_node(n, **data)
    for u, v, k, data in G.edges(keys=True, data=True):
        if u in H and v in H and edge_holds(G, u, data, date):
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
