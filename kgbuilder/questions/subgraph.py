"""A subgraph of a built graph: a focus entity's neighbourhood, entity types, a time window.

:func:`subgraph` returns a new KnowledgeGraph over the kept quads, so every
exporter (and anything else that takes a KnowledgeGraph) works on it
unchanged. What is kept:

* entities: those within ``depth`` facts of ``focus`` (facts followed in
  either direction, through events too), of one of ``types`` (or a subclass),
  and not dated outside the window (an event's date is its ``kg:date``);
* facts (direct triple, statement and its evidence): those whose subject and
  entity object are kept and whose time span overlaps ``since``..``until``. A
  fact's span is its own date, start and end, else its event's date; facts
  with no date at all are timeless and stay;
* the dataset description and the sources, always.

The focus walk runs over the time-filtered graph, before the type filter, so
``--focus toqaev --depth 2 --type Person`` finds the people two steps from
Toqaev through the events between them.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from ..errors import EntityNotFoundError, KGBuilderError
from ..namespaces import KG_NS, STANDARD_PREFIXES

__all__ = ["subgraph", "date_span", "entity_resolver"]

_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

Span = tuple[dt.date, dt.date]


def date_span(text: str) -> Span | None:
    """The days a date written as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` covers; None if not a date."""
    m = _DATE.match(str(text).strip())
    if not m:
        return None
    try:
        year = int(m.group(1))
        if m.group(3):
            day = dt.date(year, int(m.group(2)), int(m.group(3)))
            return day, day
        if m.group(2):
            month = int(m.group(2))
            first = dt.date(year, month, 1)
            last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
            return first, last
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        return None


def _bound(text: str | None, which: str) -> dt.date | None:
    if text is None:
        return None
    span = date_span(text)
    if span is None or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", str(text).strip()):
        raise KGBuilderError(f"{which}: '{text}' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return span[0] if which == "since" else span[1]


def entity_resolver(kg, quads=None):
    """A Resolver over the graph's entities: ids, labels and aliases."""
    from ..resolve import Resolver

    names = {STANDARD_PREFIXES["rdfs"] + "label", STANDARD_PREFIXES["skos"] + "prefLabel",
             STANDARD_PREFIXES["skos"] + "altLabel"}
    kg_id = KG_NS + "id"
    ids: dict = {}
    labels: dict = defaultdict(list)
    for s, p, o, _ in (quads if quads is not None else kg.store.quads()):
        ps = str(p)
        if ps == kg_id and _is_entity(kg, s):
            ids[s] = kg.local(s)
        elif ps in names:
            labels[s].append(str(o))
    r = Resolver()
    for s, eid in ids.items():
        r.add(eid, labels.get(s, ()))
    return r


def _is_entity(kg, term) -> bool:
    s = str(term)
    return s.startswith(kg.base) and not s.startswith(kg.base + "source/")


def subgraph(kg, *, focus: str | None = None, depth: int = 1, types=(), since: str | None = None,
             until: str | None = None):
    """The part of ``kg`` the filters select, as a new KnowledgeGraph (see the module doc)."""
    from rdflib import Literal, URIRef

    from ..schemas.ontology import load_ontology
    from ..resolve import AmbiguousName, UnknownName, did_you_mean

    if depth < 0:
        raise KGBuilderError(f"depth must be 0 or more, not {depth}")
    lo, hi = _bound(since, "since"), _bound(until, "until")
    if lo and hi and lo > hi:
        raise KGBuilderError(f"since {since} is after until {until}")
    onto = load_ontology()
    wanted_types: set[str] = set()
    by_lower = {c.lower(): c for c in onto.classes}
    for t in types:
        name = by_lower.get(t.lower())
        if name is None:
            raise KGBuilderError(f"unknown type '{t}'" + did_you_mean(t, onto.classes))
        wanted_types.add(name)

    quads = list(kg.store.quads())
    K = lambda n: URIRef(KG_NS + n)  # noqa: E731
    RDF = STANDARD_PREFIXES["rdf"]
    a, kg_id = URIRef(RDF + "type"), K("id")
    r_s, r_p, r_o = URIRef(RDF + "subject"), URIRef(RDF + "predicate"), URIRef(RDF + "object")
    statement_cls, evidence_p, date_p = K("Statement"), K("evidence"), K("date")

    entities: set = set()
    statements: dict = defaultdict(dict)     # statement -> {"s","p","o","date","start","end"}
    owner: dict = {}                         # evidence -> statement
    ent_types: dict = defaultdict(set)
    ent_date: dict = {}
    for s, p, o, _ in quads:
        if p == kg_id and _is_entity(kg, s):
            entities.add(s)
        elif p == a:
            if o == statement_cls:
                statements[s]
            elif str(o) in onto.class_names:
                ent_types[s].add(onto.class_names[str(o)])
        elif p == r_s:
            statements[s]["s"] = o
        elif p == r_p:
            statements[s]["p"] = o
        elif p == r_o:
            statements[s]["o"] = o
        elif p == evidence_p:
            owner[o] = s
        elif str(p) in (KG_NS + "date", KG_NS + "start", KG_NS + "end"):
            key = str(p)[len(KG_NS):]
            statements[s][key] = o  # an entity's kg:date lands here too; sorted out below
            if key == "date" and isinstance(o, Literal):
                ent_date.setdefault(s, o)
        elif str(p) in (KG_NS + "datePrecision", KG_NS + "startPrecision", KG_NS + "endPrecision"):
            statements[s][str(p)[len(KG_NS):]] = str(o)
    statements = {st: d for st, d in statements.items() if "s" in d}
    # the graph holds days (first day of a month or year; last day for an end): the
    # precision widens them back to the period, so a 2011 event overlaps June 2011
    from ..curation.model import DateValue

    def curated(o, precision):
        return DateValue.from_graph(str(o), precision).text if isinstance(o, Literal) else o

    for st, d in statements.items():
        for key in ("date", "start", "end"):
            if key in d:
                d[key] = curated(d[key], d.get(key + "Precision"))
        if d["p"] == date_p and "date" not in d:
            d["value"] = curated(d["o"], d.get("datePrecision"))
            if d["s"] in ent_date:
                ent_date[d["s"]] = d["value"]

    def overlaps(span) -> bool:
        return span is None or ((lo is None or span[1] >= lo) and (hi is None or span[0] <= hi))

    def fact_span(d):
        if "date" in d:
            return date_span(d["date"])
        if "start" in d or "end" in d:
            first = date_span(d["start"])[0] if "start" in d and date_span(d["start"]) else dt.date.min
            last = date_span(d["end"])[1] if "end" in d and date_span(d["end"]) else dt.date.max
            return first, last
        if "value" in d:
            return date_span(d["value"])
        if d["s"] in ent_date:
            return date_span(ent_date[d["s"]])
        return None

    timed = lo is not None or hi is not None
    allowed = {e for e in entities if not timed or overlaps(date_span(ent_date[e]) if e in ent_date else None)}
    live = {st for st, d in statements.items() if not timed or overlaps(fact_span(d))}

    keep = allowed
    if focus is not None:
        resolver = entity_resolver(kg, quads)
        try:
            start = URIRef(kg.iri(resolver.resolve(focus)))
        except UnknownName as exc:
            raise EntityNotFoundError(f"unknown focus entity '{focus}'{exc.hint}") from None
        except AmbiguousName as exc:
            raise EntityNotFoundError(str(exc)) from None
        if start not in allowed:
            raise KGBuilderError(f"the focus entity '{focus}' is dated outside {since or '...'}..{until or '...'}")
        links: dict = defaultdict(set)
        for st in live:
            d = statements[st]
            if d["s"] in allowed and d["o"] in allowed:
                links[d["s"]].add(d["o"])
                links[d["o"]].add(d["s"])
        keep, frontier = {start}, {start}
        for _ in range(depth):
            frontier = {n for f in frontier for n in links[f]} - keep
            keep |= frontier
    if wanted_types:
        keep = {e for e in keep if any(onto.is_a(t, w) for t in ent_types[e] for w in wanted_types)}

    def inside(term) -> bool:
        return term in keep or not (term in entities)

    kept_st = {st for st in live
               if statements[st]["s"] in keep and inside(statements[st]["o"])}
    # a direct triple is backed by its statement, and so are the superproperty triples the
    # build adds for it (kg:chairs -> kg:headOf): they go when the statement goes
    supers = {URIRef(p.iri): [URIRef(x) for x in p.supers] for p in onto.predicates.values() if p.supers}

    def spo(d):
        yield d["s"], d["p"], d["o"]
        for sup in supers.get(d["p"], ()):
            yield d["s"], sup, d["o"]

    backed = {t for d in statements.values() for t in spo(d)}
    named = {t for st in kept_st for t in spo(statements[st])}

    def wanted(s, p, o) -> bool:
        if s in statements:
            return s in kept_st
        if s in owner:
            return owner[s] in kept_st
        if s in entities:
            if s not in keep or not inside(o):
                return False
            return (s, p, o) in named or (s, p, o) not in backed
        return True

    return kg.with_quads([q for q in quads if wanted(q[0], q[1], q[2])])
