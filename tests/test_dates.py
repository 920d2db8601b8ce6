"""Dates compare in plain SPARQL whatever their precision, on both stores (docs/rdf-model.md, "Dates")."""
from __future__ import annotations

import pytest

from kgbuilder import api
from kgbuilder.curation.model import DateValue

from conftest import KAZAKHSTAN


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def kz(request):
    import kgbuilder

    return kgbuilder.build(KAZAKHSTAN, store=request.param)


def _ids(kg, sparql):
    return [tuple(kg.local(v) if v is not None and str(v).startswith(kg.base) else (None if v is None else str(v))
                  for v in row) for row in api.query(kg, sparql).rows]


def test_year_of_a_month_precision_start(kz):
    # the CSTO chairmanship starts "2022-01" (month precision): YEAR() and MONTH() work on it
    rows = _ids(kz, """SELECT ?chair ?y ?m WHERE { ?st rdf:subject ?chair ; rdf:predicate kg:chairs ;
                         kg:start ?start . BIND(YEAR(?start) AS ?y) BIND(MONTH(?start) AS ?m) FILTER(YEAR(?start) = 2022) }""")
    assert rows == [("armenia", "2022", "1")]


def test_comparison_with_a_day_keeps_year_precision_events(kz):
    rows = _ids(kz, """SELECT ?e WHERE { ?e kg:date ?d FILTER(?d < "2020-01-01"^^xsd:date) } ORDER BY ?d ?e""")
    assert rows == [("zhanaozen-2011-crackdown",), ("zhanaozen-2011-protest",), ("nazarbayev-steps-down",)]


def test_order_by_date_puts_2011_before_2022(kz):
    rows = _ids(kz, "SELECT ?e ?d WHERE { ?e kg:date ?d } ORDER BY ?d ?e")
    days = [d for _, d in rows]
    assert days == sorted(days) and days[0] == "2011-01-01" and days[-1] == "2022-01-05"


def test_an_end_of_month_precision_is_the_last_day_of_the_month(kz):
    # "chairing the CSTO in 2022" is 2022-01 .. 2022-12: it still holds on 2022-12-31 (as --as-of says)
    held = """ASK { ?st rdf:subject kz:armenia ; rdf:predicate kg:chairs ; kg:start ?s ; kg:end ?e ;
                 kg:endPrecision "month" . FILTER(?s <= "%s"^^xsd:date && "%s"^^xsd:date <= ?e) }"""
    assert api.query(kz, held % ("2022-12-31", "2022-12-31")).boolean is True
    assert api.query(kz, held % ("2023-01-01", "2023-01-01")).boolean is False


def test_the_precision_stays_recorded(kz):
    rows = _ids(kz, """SELECT ?d ?p WHERE { ?st rdf:subject kz:nazarbayev-steps-down ; rdf:predicate kg:date ;
                         rdf:object ?d ; kg:datePrecision ?p }""")
    assert rows == [("2019-01-01", "year")]


def test_the_views_show_dates_as_curated(kz):
    # the networkx view (and so show, as-of, GEXF, CSV, the explorer) reads 2019, not 2019-01-01
    info = api.show_entity(kz, "nazarbayev")
    assert {(e.event, e.date) for e in info.events if e.event == "nazarbayev-steps-down"} == {("nazarbayev-steps-down", "2019")}
    chair = [f for f in api.show_entity(kz, "armenia").facts_out if f.predicate == "chairs"]
    assert [(f.start, f.end) for f in chair] == [("2022-01", "2022-12")]
    # a 2011 event overlaps June 2011 in --since/--until, although the graph holds 2011-01-01
    from kgbuilder.questions.subgraph import subgraph

    part = subgraph(kz, since="2011-06-01", until="2011-06-30")
    assert any(str(s).endswith("/zhanaozen-2011-protest") for s, _, _ in part.store.triples())


@pytest.mark.parametrize("day, precision, end, text", [
    ("2019-01-01", "year", False, "2019"), ("2019-12-31", "year", True, "2019"),
    ("2022-02-01", "month", False, "2022-02"), ("2022-02-28", "month", True, "2022-02"),
    ("2022-01-05", "day", False, "2022-01-05"), ("2022-01-05", None, False, "2022-01-05"),
])
def test_date_value_round_trip(day, precision, end, text):
    d = DateValue.from_graph(day, precision)
    assert d.text == text
    assert (d.last if end else d.first) == day
