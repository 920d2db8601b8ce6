"""Turn a :class:`CuratedDataset` into RDF quads with full provenance.

Every fact yields its direct triple and a reified ``kg:Statement`` carrying
qualifiers, sources, quotes and attribution (see docs/rdf-model.md). Quads go
to ``graph/meta`` (dataset, sources, entities) or ``graph/source/<id>``.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DatasetError, Diagnostic
from ..namespaces import KG_NS, STANDARD_PREFIXES
from .agreement import origin_of
from .identity import statement_id
from ..curation.model import CuratedDataset, DateValue, Fact
from ..schemas.ontology import Ontology, load_ontology

__all__ = ["build_quads", "BuildResult", "statement_id", "check_iri"]

RDF = STANDARD_PREFIXES["rdf"]
RDFS = STANDARD_PREFIXES["rdfs"]
XSD = STANDARD_PREFIXES["xsd"]
SKOS = STANDARD_PREFIXES["skos"]
OWL = STANDARD_PREFIXES["owl"]
PROV = STANDARD_PREFIXES["prov"]
DCT = STANDARD_PREFIXES["dcterms"]
WD = STANDARD_PREFIXES["wd"]

_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
_LANG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
_VERIFICATION = {"unverified": "Unverified", "disputed": "Disputed", "verified": "Verified"}


def check_iri(iri: str) -> str:
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", iri) or _BAD_IRI.search(iri):
        raise ValueError(f"invalid IRI {iri!r}")
    return iri


@functools.lru_cache(maxsize=1024)
def _relative(file: str, root) -> str:
    """A curated file's path relative to the dataset folder, with / separators."""
    try:
        return Path(file).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(file).name


@dataclass
class BuildResult:
    quads: list = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)   # IRI -> "file:line"
    statements: int = 0


def build_quads(ds: CuratedDataset, onto: Ontology | None = None, *, part: str = "all",
                facts: list[Fact] | None = None, seen: dict | None = None,
                terms: str = "rdflib", closure: bool = True) -> BuildResult:
    """Build the quads of a dataset (rdflib terms). Raises DatasetError on a bad term.

    ``part`` is ``all``, ``meta`` (dataset, sources, entities) or ``facts``
    (``facts``, default ``ds.facts``; pass the same ``seen`` to successive calls
    so a statement split over several calls is merged as in one build).
    ``terms="nt"`` gives :mod:`.nquads` string terms instead of rdflib's; ``terms="nq"``
    gives N-Quads lines (newline included) in place of the quads, the very lines
    ``nquad_lines`` writes for the ``nt`` quads, in their order: what the build sends to the
    engine, without a 4-tuple per quad and a second pass to write it (at 100k facts the
    tuples and that pass cost ~2 s of the build's ~10 s of Python CPU).
    ``closure=False`` leaves out the ontology's hierarchy closure (the superclass types,
    ``kg:directType`` and the superproperty triples): bench/run.py measures its cost so.
    """
    if terms in ("nt", "nq"):
        from ..terms import NTIri as URIRef, nt_literal as Literal, nt_string as string

        if terms == "nq":
            # lines carry no term objects: an IRI is its text (an NTIri per IRI cost ~0.5 s per
            # 100k facts), and what is not an NTLiteral is written as an IRI all the same
            URIRef = str
    else:
        from rdflib import Literal, URIRef  # lazy: keeps --help fast
        string = Literal

    onto = onto or load_ontology()
    out = BuildResult()
    problems: list[Diagnostic] = []
    base = ds.base
    U = URIRef

    def lit(value, lang=None, datatype=None):
        if lang is not None and not _LANG.match(lang):
            raise ValueError(f"invalid language tag {lang!r}")
        return Literal(value, lang=lang, datatype=U(datatype) if datatype else None)

    date_type = U(XSD + "date")
    dates: dict = {}

    def date_lit(d: DateValue, end: bool = False):
        # always an xsd:date, so YEAR(), comparisons and ORDER BY work at every precision;
        # the precision goes beside it (kg:datePrecision, kg:startPrecision, kg:endPrecision).
        # Made once per distinct date: a dataset has a few thousand, its facts a million
        key = (d.text, d.precision, end)
        hit = dates.get(key)
        if hit is None:
            hit = dates[key] = Literal(d.last if end else d.first, datatype=date_type)
        return hit

    seen = {} if seen is None else seen
    if part != "facts":
        _add_meta(ds, onto, out, problems, U, Literal, lit, date_lit, closure)
        if terms == "nq":
            from ..terms import nquad_lines

            out.quads = nquad_lines(out.quads)      # a few per entity: not worth a second writer
    if part != "meta":
        T = _Terms(U, Literal, lit, date_lit, base, lines=terms == "nq", string=string)
        T.closure = closure
        _add_facts(ds.facts if facts is None else facts, ds, onto, out, seen, problems, T)
    if problems:
        raise DatasetError(problems)
    return out


def _add_meta(ds, onto, out, problems, U, Literal, lit, date_lit, closure: bool = True) -> None:
    """The dataset, its sources and its entities, into ``graph/meta``."""
    base = ds.base
    kg = lambda name: U(KG_NS + name)  # noqa: E731
    a = U(RDF + "type")
    meta = U(base + "graph/meta")
    add = out.quads.append
    # dataset and sources
    ds_iri = U(base)
    add((ds_iri, a, kg("CuratedDataset"), meta))
    add((ds_iri, U(DCT + "title"), lit(ds.title, ds.language), meta))
    add((ds_iri, U(DCT + "identifier"), lit(ds.id), meta))
    if ds.license:
        add((ds_iri, U(DCT + "license"), lit(ds.license), meta))
    if ds.description:
        add((ds_iri, U(DCT + "description"), lit(ds.description, ds.language), meta))
    for src in ds.sources.values():
        s = U(base + "source/" + src.id)
        out.origins[str(s)] = f"{src.file}:{src.line}"
        add((s, a, kg("Source"), meta))
        add((ds_iri, U(PROV + "wasDerivedFrom"), s, meta))
        add((s, kg("id"), lit(src.id), meta))
        add((s, U(DCT + "title"), lit(src.title, src.language or ds.language), meta))
        if src.publisher:
            add((s, kg("publisher"), lit(src.publisher), meta))
        if src.date:
            add((s, U(DCT + "date"), date_lit(src.date), meta))
        if src.url:
            try:
                add((s, kg("url"), Literal(check_iri(src.url), datatype=U(XSD + "anyURI")), meta))
            except ValueError as exc:
                problems.append(Diagnostic(src.file, src.line, str(exc)))
        if src.language:
            add((s, U(DCT + "language"), lit(src.language), meta))
        if src.relays:
            add((s, kg("relays"), lit(src.relays), meta))
        origin = origin_of(ds, src.id)
        if origin is not None and origin != "source/" + src.id:
            # only a relaying source says so: an unrelayed one is its own origin
            # (what corroboration counts: sources with one origin back a fact once)
            try:
                add((s, kg("origin"), U(check_iri(base + origin)), meta))
            except ValueError as exc:
                problems.append(Diagnostic(src.file, src.line, f"relays: {exc}"))

    # entities
    for ent in ds.entities.values():
        try:
            e = U(check_iri(base + ent.id))
            out.origins[str(e)] = f"{ent.file}:{ent.line}"
            add((e, a, U(onto.classes[ent.type]), meta))
            if closure:
                add((e, kg("directType"), U(onto.classes[ent.type]), meta))
                # the closure of the ontology's own hierarchy: ?a a kg:Appeal finds every kind
                # of appeal without --infer (standard vocabularies stay with --infer)
                for sup in onto.ancestors.get(ent.type, ()):
                    if sup != ent.type:
                        add((e, a, U(onto.classes[sup]), meta))
            add((e, kg("id"), lit(ent.id), meta))
            add((e, U(RDFS + "label"), lit(ent.label, ds.language), meta))
            add((e, U(SKOS + "prefLabel"), lit(ent.label, ds.language), meta))
            for lang, label in sorted(ent.labels.items()):
                if lang != ds.language:
                    add((e, U(SKOS + "prefLabel"), lit(label, lang), meta))
            for alias, lang in ent.aliases:
                add((e, U(SKOS + "altLabel"), lit(alias, lang), meta))
            if ent.description:
                add((e, U(RDFS + "comment"), lit(ent.description, ds.language), meta))
            if ent.wikidata:
                add((e, U(OWL + "sameAs"), U(WD + ent.wikidata), meta))
            if ent.type in onto.cameo:
                # copied onto the event so "events by CAMEO code" needs no ontology in the graph
                add((e, kg("cameoCode"), lit(onto.cameo[ent.type]), meta))
        except ValueError as exc:
            problems.append(Diagnostic(ent.file, ent.line, str(exc)))


class _Terms:
    """The term constructors and the constant terms of a build, made once: a
    million facts would otherwise build the same dozen IRIs millions of times."""

    def __init__(self, U, Literal, lit, date_lit, base: str, lines: bool = False, string=None):
        self.U, self.Literal, self.lit, self.date_lit, self.base = U, Literal, lit, date_lit, base
        # how a fact's triples become the build's output: (s, p, o) tuples completed with each
        # graph, or (``lines``) each triple's N-Triples text written once and completed with
        # each graph's " <g> .\n" (a fact is in one graph but for the few its sources split)
        if lines:
            from ..terms import NTLiteral

            def tri(s, p, o):
                return f"<{s}> <{p}> {o if o.__class__ is NTLiteral else '<' + o + '>'}"

            def emit(add, triples, g):
                tail = self.tails.get(g)
                if tail is None:
                    tail = self.tails[g] = f" <{g}> .\n"
                for t in triples:
                    add(t + tail)
        else:
            def tri(s, p, o):
                return (s, p, o)

            def emit(add, triples, g):
                for t in triples:
                    add((*t, g))
        self.tri, self.emit, self.tails = tri, emit, {}
        self.string = string or Literal         # a plain literal of a str
        kg = lambda name: U(KG_NS + name)  # noqa: E731
        self.a = U(RDF + "type")
        self.Statement, self.Evidence = kg("Statement"), kg("Evidence")
        self.subject, self.predicate, self.object = U(RDF + "subject"), U(RDF + "predicate"), U(RDF + "object")
        self.derived = U(PROV + "wasDerivedFrom")
        self.decimal = U(XSD + "decimal")
        self.kg = {k: kg(k) for k in (
            "file", "date", "start", "end", "datePrecision", "startPrecision", "endPrecision", "dateNote", "location", "claimedBy", "disputedBy",
            "verification", "role", "note", "quantityValue", "quantityUnit", "quantityBound", "evidence",
            "quote", *_VERIFICATION.values())}
        self.predicates: dict = {}      # ontology local name -> IRI term
        self.supers: dict = {}          # ontology local name -> its kg: superproperty terms
        self.closure = True
        self.graphs: dict = {}          # source id -> (graph IRI, source IRI)

    def graph(self, source: str) -> tuple:
        hit = self.graphs.get(source)
        if hit is None:
            hit = self.graphs[source] = (self.U(self.base + "graph/source/" + source),
                                         self.U(self.base + "source/" + source))
        return hit


def _add_facts(facts, ds, onto, out, seen, problems, T: _Terms) -> None:
    for fact in facts:
        try:
            _add_fact(fact, ds, onto, out, seen, T)
        except ValueError as exc:
            problems.append(Diagnostic(fact.file, fact.line, str(exc)))


def _add_fact(fact, ds, onto, out, seen, T: _Terms) -> None:
    U, Literal, K = T.U, T.Literal, T.kg
    base = ds.base
    add = out.quads.append
    s = U(base + fact.subject)
    p = T.predicates.get(fact.predicate)
    if p is None:
        pred = onto.predicates[fact.predicate]
        p = T.predicates[fact.predicate] = U(pred.iri)
        T.supers[fact.predicate] = [U(sup) for sup in pred.supers] if T.closure else []
    supers = T.supers[fact.predicate]
    if fact.object is not None:
        o = U(base + fact.object)
    elif isinstance(fact.value, DateValue):
        o = T.date_lit(fact.value)
    elif fact.lang:
        o = T.lit(fact.value, fact.lang)
    else:
        o = Literal(fact.value, datatype=U(fact.datatype)) if fact.datatype != XSD + "string" else Literal(fact.value)
        if getattr(o, "ill_typed", False):
            raise ValueError(f"'{fact.value}' is not a valid {fact.datatype.rsplit('#', 1)[-1]}")
    sid = statement_id(fact)
    st = U(base + "statement/" + sid)
    # ``seen`` lives for the whole build, an entry per statement (a million at 1M facts), so
    # it is kept small: keyed by the id's 64 bits as an int, holding the kg:file value and
    # the hash of each (source, quote) already attached, in order (the evidence's number is
    # its place), where a dict of the pairs themselves kept every quote string alive. Two
    # pairs of one statement would have to share a 64-bit hash to be merged by mistake.
    skey = int(sid, 16)
    known = seen.get(skey)
    first = known is None
    where = f"{fact.file}:{fact.line}"
    if first:
        known = seen[skey] = (f"{_relative(fact.file, ds.root)}:{fact.line}",)
        out.origins[str(st)] = where
        out.statements += 1
    rel = known[0]
    q = fact.qualifiers
    graphs = []
    for ev in fact.evidence:
        g = T.graph(ev.source)[0]
        if g not in graphs:
            graphs.append(g)
    # the statement's quads are the same in each of its graphs: made once
    tri, emit = T.tri, T.emit
    body = [tri(s, p, o)]
    body.extend([tri(s, sup, o) for sup in supers])  # kg:chairs implies kg:headOf: the direct triple only
    body += (tri(st, T.a, T.Statement), tri(st, T.subject, s), tri(st, T.predicate, p), tri(st, T.object, o),
             tri(st, K["file"], T.string(rel)))
    more = body.append
    for key in ("date", "start", "end"):
        if key in q:
            more(tri(st, K[key], T.date_lit(q[key], key == "end")))
            more(tri(st, K[key + "Precision"], T.string(q[key].precision)))
    if isinstance(fact.value, DateValue) and "date" not in q:
        # the object of a kg:date fact (an event's date): its precision is the statement's
        more(tri(st, K["datePrecision"], T.string(fact.value.precision)))
    if "date_note" in q:
        more(tri(st, K["dateNote"], Literal(q["date_note"])))
    if "place" in q:
        more(tri(st, K["location"], U(base + q["place"])))
    if "claimed_by" in q:
        more(tri(st, K["claimedBy"], U(base + q["claimed_by"])))
    if "disputed_by" in q:
        more(tri(st, K["disputedBy"], U(base + q["disputed_by"])))
    if "verification" in q:
        more(tri(st, K["verification"], K[_VERIFICATION[q["verification"]]]))
    if "role" in q:
        more(tri(st, K["role"], Literal(q["role"])))
    if "note" in q:
        more(tri(st, K["note"], Literal(q["note"])))
    qty = q.get("quantity")
    if qty:
        value = qty.get("value", fact.value if isinstance(fact.value, (int, str)) else None)
        if value is not None:
            more(tri(st, K["quantityValue"], Literal(str(value), datatype=T.decimal)))
        if "unit" in qty:
            more(tri(st, K["quantityUnit"], Literal(qty["unit"])))
        if "bound" in qty:
            more(tri(st, K["quantityBound"], Literal(qty["bound"])))
    for g in graphs:
        emit(add, body, g)
    # a claimed event also says so directly
    ent = ds.entities.get(fact.subject)
    if ent is not None and ent.claimed_by and first:
        emit(add, (tri(s, K["claimedBy"], U(base + ent.claimed_by)),), graphs[0])
    for ev in fact.evidence:
        h = hash((ev.source, ev.quote))
        if h in known[1:]:
            continue
        known = seen[skey] = (*known, h)
        i = len(known) - 1
        g, src = T.graph(ev.source)
        e = U(f"{st}/evidence/{i}")
        # a bulk row's evidence is on the fact's own line: one string for both origins
        out.origins[str(e)] = where if (ev.file == fact.file and ev.line == fact.line) else f"{ev.file}:{ev.line}"
        emit(add, (tri(st, T.derived, src), tri(st, K["evidence"], e), tri(e, T.a, T.Evidence),
                   tri(e, T.derived, src), tri(e, K["quote"], T.string(ev.quote))), g)
