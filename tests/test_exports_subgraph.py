"""Subgraphs for exports: --focus/--depth, --type, --since/--until."""
from __future__ import annotations

import datetime as dt

import pytest
from rdflib import RDF, URIRef

from kgbuilder.errors import EntityNotFoundError, KGBuilderError
from kgbuilder.exports import REGISTRY, get_exporter
from kgbuilder.exports.pipeline import run_export
from kgbuilder.schemas.ontology import load_ontology
from kgbuilder.questions.subgraph import date_span, subgraph

KG = "https://w3id.org/kgbuilder/ns#"


def _entities(kg) -> set[str]:
    return {kg.local(s) for s in kg.graph.subjects(URIRef(KG + "id"), None)
            if not kg.local(s).startswith("source/")}


def _statements(kg) -> set:
    return set(kg.graph.subjects(RDF.type, URIRef(KG + "Statement")))


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_focus_keeps_the_neighbourhood(mini_kg, depth):
    import networkx as nx

    U = mini_kg.to_networkx().to_undirected()
    want = set(nx.single_source_shortest_path_length(U, "toqaev", cutoff=depth))
    sub = subgraph(mini_kg, focus="Tokayev", depth=depth)      # an alias resolves
    assert _entities(sub) == want
    G = sub.to_networkx()
    assert set(G.nodes) == want
    assert G.number_of_edges() == U.subgraph(want).number_of_edges()
    # the dataset and its sources stay; statements keep their evidence
    assert (URIRef(mini_kg.base), RDF.type, URIRef(KG + "CuratedDataset")) in sub.graph
    for st in _statements(sub):
        assert list(sub.graph.objects(st, URIRef(KG + "evidence")))
        for ev in sub.graph.objects(st, URIRef(KG + "evidence")):
            assert (ev, RDF.type, URIRef(KG + "Evidence")) in sub.graph


def test_focus_keeps_the_quads_in_their_graphs(mini_kg):
    sub = subgraph(mini_kg, focus="csto", depth=1)
    full = set(mini_kg.store.quads())
    assert set(sub.store.quads()) <= full
    graphs = {str(q[3]) for q in sub.store.quads()}
    assert f"{mini_kg.base}graph/source/paper" in graphs      # the appeal has a paper source


def test_type_filter_keeps_subclasses(mini_kg):
    onto = load_ontology()
    full = mini_kg.to_networkx()
    want = {n for n, d in full.nodes(data=True) if onto.is_a(d["type"], "Organization")}
    assert len(want) >= 3       # an international organization and government bodies
    sub = subgraph(mini_kg, types=["organization"])
    assert _entities(sub) == want
    assert set(full.subgraph(want).edges(keys=True)) == set(sub.to_networkx().edges(keys=True))


def test_time_window(mini_kg):
    sub = subgraph(mini_kg, since="2022-01-06")
    onto = load_ontology()
    G = sub.to_networkx()
    # every event is dated 2022-01-05: all gone, and their role edges with them
    assert not [n for n, d in G.nodes(data=True) if onto.is_a(d["type"], "Event")]
    # a span reaching into the window stays (Toqaev heads the council from 2022-01-05 on) ...
    preds = {(u, d["predicate"], v) for u, v, d in G.edges(data=True)}
    assert ("toqaev", "headOf", "security-council") in preds
    # ... one that ended before it goes, undated facts stay
    assert ("nazarbayev", "holdsPost", "head-of-security-council") not in preds
    assert ("kazakhstan", "memberOf", "csto") in preds
    # nothing left is dated outside the window
    for st in _statements(sub):
        for q in ("date", "end"):
            for v in sub.graph.objects(st, URIRef(KG + q)):
                assert date_span(v)[1] >= dt.date(2022, 1, 6)


def test_until_keeps_what_started_before(mini_kg):
    sub = subgraph(mini_kg, until="2021")
    preds = {(u, d["predicate"], v) for u, v, d in sub.to_networkx().edges(data=True)}
    assert ("nazarbayev", "holdsPost", "head-of-security-council") in preds   # 2019..2022-01-05
    assert ("toqaev", "headOf", "security-council") not in preds             # from 2022-01-05
    onto = load_ontology()
    assert not [n for n, d in sub.to_networkx().nodes(data=True) if onto.is_a(d["type"], "Event")]


def test_filters_combine(mini_kg):
    sub = subgraph(mini_kg, focus="toqaev", depth=2, types=["Person"])
    assert _entities(sub) == {"toqaev", "nazarbayev"}


def test_date_span():
    assert date_span("2019") == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert date_span("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert date_span("2022-12") == (dt.date(2022, 12, 1), dt.date(2022, 12, 31))
    assert date_span("2022-01-05") == (dt.date(2022, 1, 5),) * 2
    assert date_span("soon") is None


def test_errors(mini_kg):
    with pytest.raises(EntityNotFoundError, match=r"^unknown focus entity 'nazarbaeyv' \(did you mean 'nazarbayev'\?\)$"):
        subgraph(mini_kg, focus="nazarbaeyv")
    with pytest.raises(KGBuilderError, match=r"^unknown type 'Persno' \(did you mean 'Person'\?\)$"):
        subgraph(mini_kg, types=["Persno"])
    with pytest.raises(KGBuilderError, match=r"^since 2023 is after until 2022$"):
        subgraph(mini_kg, since="2023", until="2022")


@pytest.mark.parametrize("fmt", list(REGISTRY))
def test_every_exporter_writes_a_subgraph(mini_kg, tmp_path, fmt):
    spec = REGISTRY[fmt]
    out = tmp_path / f"s{spec.extensions[0]}"
    report = run_export(mini_kg, out, fmt, focus="csto", depth=1)
    assert out.stat().st_size > 0
    exporter = get_exporter(fmt)
    sub = subgraph(mini_kg, focus="csto", depth=1)
    if exporter.kind == "rdf":
        n = len(sub.store) if exporter.quads else len(sub.graph)
        assert report.written == f"{n} {'quads' if exporter.quads else 'triples'}"
        assert n < (len(mini_kg.store) if exporter.quads else len(mini_kg.graph))
    elif exporter.kind in ("network", "table"):
        G = sub.to_networkx()
        assert report.written == f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges"
