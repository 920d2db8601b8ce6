"""The builder: direct triples, reified statements, evidence, named graphs, SHACL."""
from __future__ import annotations

import io
import textwrap

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS, XSD

import kgbuilder
from kgbuilder.errors import ValidationError

KG = Namespace("https://w3id.org/kgbuilder/ns#")
MI = Namespace("https://kgbuilder.example/mini/")
PROV = Namespace("http://www.w3.org/ns/prov#")


def statements(g, s, p, o):
    return list(g.query("SELECT ?st WHERE { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }",
                        initBindings={"s": s, "p": p, "o": o}, initNs={"rdf": RDF}))


def test_direct_triples_and_labels(mini_kg):
    g = mini_kg.graph
    assert (MI.toqaev, KG.holdsPost, MI["president-of-kazakhstan"]) in g
    assert (MI.toqaev, RDF.type, KG.Person) in g
    assert (MI.toqaev, RDFS.label, Literal("Qasym-Zhomart Toqaev", lang="en")) in g
    assert (MI.toqaev, SKOS.prefLabel, Literal("Қасым-Жомарт Тоқаев", lang="kk")) in g
    assert (MI.toqaev, SKOS.altLabel, Literal("Tokayev", lang="en")) in g
    assert (MI.toqaev, URIRef("http://www.w3.org/2002/07/owl#sameAs"), URIRef("http://www.wikidata.org/entity/Q1351305")) in g


def test_one_statement_with_evidence_from_two_sources(mini_kg):
    g = mini_kg.graph
    rows = statements(g, MI.toqaev, KG.holdsPost, MI["president-of-kazakhstan"])
    assert len(rows) == 1
    st = rows[0][0]
    assert set(g.objects(st, PROV.wasDerivedFrom)) == {MI["source/wire"], MI["source/paper"]}
    quotes = {(str(g.value(e, KG.quote)), g.value(e, PROV.wasDerivedFrom)) for e in g.objects(st, KG.evidence)}
    assert quotes == {("President Qasym-Zhomart Toqaev", MI["source/wire"]),
                      ("Toqaev, the president", MI["source/paper"])}
    assert str(g.value(st, KG.file)) == "facts/facts.yaml:2"


def test_named_graph_per_source_keeps_its_own_evidence(mini_kg):
    ds = mini_kg.dataset
    wire, paper = ds.graph(MI["graph/source/wire"]), ds.graph(MI["graph/source/paper"])
    triple = (MI.toqaev, KG.holdsPost, MI["president-of-kazakhstan"])
    assert triple in wire and triple in paper
    assert {str(q) for q in paper.objects(None, KG.quote)} == {"Toqaev, the president", "asked the alliance for help on Wednesday"}
    meta = ds.graph(MI["graph/meta"])
    assert (MI.toqaev, RDF.type, KG.Person) in meta
    assert (MI.toqaev, KG.holdsPost, None) not in meta


def test_qualifiers_dates_and_precision(mini_kg):
    g = mini_kg.graph
    (st,), = statements(g, MI.nazarbayev, KG.holdsPost, MI["head-of-security-council"])
    # comparable days at every precision, the precision beside each (docs/rdf-model.md, "Dates")
    assert g.value(st, KG.start) == Literal("2019-01-01", datatype=XSD.date)
    assert str(g.value(st, KG.startPrecision)) == "year"
    assert g.value(st, KG.end) == Literal("2022-01-05", datatype=XSD.date)
    assert str(g.value(st, KG.endPrecision)) == "day"
    assert g.value(st, KG.datePrecision) is None
    (ev_date,), = statements(g, MI["nazarbayev-removed"], KG.date, Literal("2022-01-05", datatype=XSD.date))
    assert str(g.value(ev_date[0] if isinstance(ev_date, tuple) else ev_date, KG.datePrecision)) == "day"


def test_claims_and_verification(mini_kg):
    g = mini_kg.graph
    assert (MI["police-killed"], KG.claimedBy, MI["interior-ministry"]) in g
    assert (MI["police-killed"], KG.killed, Literal(8)) in g
    (st,), = statements(g, MI["police-killed"], KG.killed, Literal(8))
    assert g.value(st, KG.claimedBy) == MI["interior-ministry"]
    (st,), = statements(g, MI["bodies-videos"], KG.place, MI.almaty)
    assert g.value(st, KG.verification) == KG.Unverified
    reported = mini_kg.query("""
        SELECT (COUNT(*) AS ?n) WHERE { ?st a kg:Statement . FILTER NOT EXISTS { ?st kg:claimedBy ?x } }""")
    claimed = mini_kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?st a kg:Statement ; kg:claimedBy ?x }")
    total = mini_kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?st a kg:Statement }")
    assert int(list(reported)[0][0]) + int(list(claimed)[0][0]) == int(list(total)[0][0])
    assert int(list(claimed)[0][0]) == 3  # the killed, target and date statements of police-killed


def test_every_statement_has_source_and_quote(mini_kg):
    rows = list(mini_kg.query("""
        SELECT ?st WHERE { ?st a kg:Statement .
          FILTER NOT EXISTS { ?st prov:wasDerivedFrom ?src ; kg:evidence/kg:quote ?q } }"""))
    assert rows == []


@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml", "json-ld"])
def test_round_trip_triples(mini_kg, fmt):
    data = mini_kg.graph.serialize(format=fmt)
    back = Graph().parse(data=data, format=fmt)
    assert isomorphic(back, mini_kg.graph)


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_round_trip_quads(mini_kg, fmt):
    data = mini_kg.dataset.serialize(format=fmt)
    back = Dataset()
    back.parse(data=data, format=fmt)
    for g in mini_kg.dataset.graphs():
        if len(g):
            assert isomorphic(back.graph(g.identifier), g), g.identifier


def test_build_is_deterministic(mini_path):
    a = kgbuilder.build(mini_path).graph
    b = kgbuilder.build(mini_path).graph
    assert set(a) == set(b)


def test_shacl_violation_maps_to_file_and_line(mini_copy):
    (mini_copy / "facts" / "age.yaml").write_text(textwrap.dedent("""\
        facts:
          - subject: nazarbayev
            predicate: age
            value: 200
            quote: Nazarbayev had held the post
        """), encoding="utf-8")
    problems = [str(d).replace(str(mini_copy), "DS") for d in kgbuilder.validate(mini_copy)]
    assert problems == ["DS/facts/age.yaml:2: SHACL age must be an integer from 0 to 130 (on kg:age)"]
    with pytest.raises(ValidationError):
        kgbuilder.build(mini_copy)


def test_unicode_survives(mini_kg):
    out = io.BytesIO()
    mini_kg.graph.serialize(destination=out, format="turtle", encoding="utf-8")
    assert "Нұрсұлтан Назарбаев".encode() in out.getvalue()
