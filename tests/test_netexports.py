"""The networkx view carries one edge per fact, and the network exports read back typed.

A copy of the mini dataset gets a second file: the president fact restated by
the paper with a curator's note (two statements today, one fact), a price in
two currencies, an age and a detention figure with a bound.
"""
from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import pytest

from kgbuilder.exports import export, get_exporter
from kgbuilder.exports.netrows import network_rows

MORE = """\
entities:
  - {id: fuel-price, type: Price, label: Fuel price cap}
events:
  - id: detentions
    type: Arrest
    label: More than 200 people detained
    detained: {value: 200, bound: more-than, unit: person}
    place: almaty
    date: 2022-01-04
    sources:
      - {source: wire, quote: more than 200 people were detained}
      - {source: wire, quote: during a previous night of unrest}
facts:
  - subject: toqaev
    predicate: holdsPost
    object: president-of-kazakhstan
    note: restated by the paper in its second paragraph
    sources:
      - {source: paper, quote: President Toqaev said}
      - {source: paper, quote: 'Toqaev, the president'}
  - subject: nazarbayev
    predicate: age
    value: 81
    source: wire
    quote: 81-year-old Nursultan Nazarbayev
  - subject: fuel-price
    predicate: amount
    value: 50
    quantity: {value: 50, unit: KZT per liter, bound: exact}
    source: wire
    quote: the price cap of 50 tenge
  - subject: fuel-price
    predicate: amount
    value: '0.11'
    quantity: {value: '0.11', unit: USD per liter, bound: exact}
    source: wire
    quote: ($0.11) per liter
"""


@pytest.fixture(scope="module")
def two_kg(tmp_path_factory):
    import shutil

    import kgbuilder

    from conftest import MINI

    root = tmp_path_factory.mktemp("two") / "mini"
    shutil.copytree(MINI, root)
    (root / "facts" / "more.yaml").write_text(MORE, encoding="utf-8")
    return kgbuilder.build(root)


def _president_edges(G):
    return [(k, d) for k, d in G.get_edge_data("toqaev", "president-of-kazakhstan").items()]


# -- one edge per fact -------------------------------------------------------------

def test_one_fact_from_two_sources_is_one_edge_with_every_source(two_kg):
    statements = two_kg.query(
        "SELECT DISTINCT ?st WHERE { ?st rdf:subject mi:toqaev ; rdf:predicate kg:holdsPost ; "
        "rdf:object mi:president-of-kazakhstan }")
    assert len(list(statements)) == 1      # a note does not split a fact (issue 13 item 1)
    G = two_kg.to_networkx()
    [(key, d)] = _president_edges(G)
    assert d["sources"] == ["paper", "wire"]
    assert d["evidence"] == [{"source": "paper", "quote": "President Toqaev said"},
                             {"source": "paper", "quote": "Toqaev, the president"},
                             {"source": "wire", "quote": "President Qasym-Zhomart Toqaev"}]
    assert d["corroboration"] == 2 and d["conflict"] is False
    assert len(d["statements"]) == 1 and key == d["statements"][0]
    # every fact of the view follows the contract
    from kgbuilder.questions.network import facts

    for _, _, f in facts(G):
        assert f["sources"] == list(dict.fromkeys(e["source"] for e in f["evidence"]))
        assert f["corroboration"] == len(f["sources"]) and f["conflict"] is False


def test_central_path_and_show_count_the_fact_once(two_kg, mini_kg):
    from kgbuilder import api

    def degree(kg, ent):
        return next(c.degree for c in api.central(kg, top=0) if c.id == ent)

    # the restated fact adds no degree; the detention event adds none to toqaev either
    assert degree(two_kg, "toqaev") == degree(mini_kg, "toqaev") == 5
    [p] = api.paths(two_kg, "toqaev", "president-of-kazakhstan")
    [fact] = p.steps[0].facts
    assert [(e.source, e.quote) for e in fact.evidence] == [
        ("paper", "President Toqaev said"), ("paper", "Toqaev, the president"),
        ("wire", "President Qasym-Zhomart Toqaev")]
    assert fact.corroboration == 2 and len(fact.statements) == 1
    info = api.show_entity(two_kg, "toqaev")
    assert [f.object for f in info.facts_out].count("president-of-kazakhstan") == 1
    # the neighbourhood export keeps both statements behind the one fact
    hood = api.neighbors(two_kg, "president-of-kazakhstan")
    assert set(fact.statements) <= set(hood.statements)


def test_explorer_page_data_shows_the_fact_once_with_each_source(two_kg):
    from kgbuilder.exports.html import page_data
    from kgbuilder.questions.network import to_networkx

    data = page_data(to_networkx(two_kg))
    edges = [e for e in data["edges"] if (e["from"], e["to"]) == ("toqaev", "president-of-kazakhstan")]
    assert len(edges) == 1
    assert edges[0]["evidence"] == [["paper", "President Toqaev said"], ["paper", "Toqaev, the president"],
                                    ["wire", "President Qasym-Zhomart Toqaev"]]


# -- typed network exports ----------------------------------------------------------

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def test_graphml_declares_types_and_no_id_attribute(two_kg, tmp_path):
    out = tmp_path / "g.graphml"
    export(two_kg, out)
    keys = {(k.get("for"), k.get("attr.name")): k.get("attr.type")
            for k in ET.parse(out).getroot().iter(GRAPHML + "key")}
    assert keys[("node", "age")] == keys[("node", "detained")] == keys[("node", "killed")] == "long"
    assert keys[("node", "amount")] == "double"
    assert keys[("node", "detained_bound")] == keys[("node", "amount_values")] == "string"
    assert keys[("edge", "corroboration")] == "long" and keys[("edge", "conflict")] == "boolean"
    assert ("edge", "label") in keys
    assert not [k for k in keys if k[1] == "id"], keys     # igraph keeps its own 'id'


def test_graphml_and_gexf_read_back_typed(two_kg, tmp_path):
    for fmt in ("graphml", "gexf"):
        out = tmp_path / f"g.{fmt}"
        export(two_kg, out)
        H = get_exporter(fmt).read(out)
        naz, det, price = H.nodes["nazarbayev"], H.nodes["detentions"], H.nodes["fuel-price"]
        assert naz["age"] == 81 and type(naz["age"]) is int, fmt
        assert det["detained"] == 200 and type(det["detained"]) is int, fmt
        assert (det["detained_bound"], det["detained_unit"]) == ("more-than", "person"), fmt
        assert H.nodes["police-killed"]["killed"] == 8, fmt
        # two values: the number is the first in curation order, all of them as text
        assert price["amount"] == 50.0 and type(price["amount"]) is float, fmt
        assert price["amount_unit"] == "KZT per liter", fmt
        assert price["amount_values"] == "50 KZT per liter | 0.11 USD per liter", fmt
        assert "id" not in naz
        [d] = [d for u, v, d in H.edges(data=True) if (u, v) == ("toqaev", "president-of-kazakhstan")]
        assert d["sources"] == "paper | wire", fmt
        assert d["label"] == "holds post" and d["predicate"] == "holdsPost", fmt
        assert d["corroboration"] == 2 and type(d["corroboration"]) is int, fmt
        assert d["conflict"] is False, fmt
        assert d["evidence"].startswith("paper: President Toqaev said | "), fmt
        if fmt == "gexf":   # networkx's reader puts the element's id in the data; the file has no such attribute
            titles = {a.get("title") for a in ET.parse(out).getroot().iter() if a.tag.endswith("}attribute")}
            assert "id" not in titles and {"age", "corroboration"} <= titles
        else:
            assert "id" not in d
        [d] = [d for u, v, d in H.edges(data=True) if (u, v) == ("detentions", "almaty")]
        assert d["sources"] == "wire" and d["corroboration"] == 1, fmt     # two quotes, one source


def test_kazakhstan_detentions_keep_their_bound_and_one_source(tmp_path):
    import kgbuilder

    from conftest import KAZAKHSTAN

    kg = kgbuilder.open_graph(KAZAKHSTAN)
    out = tmp_path / "kz.graphml"
    export(kg, out)
    H = get_exporter("graphml").read(out)
    node = H.nodes["almaty-detentions"]
    assert (node["detained"], node["detained_bound"]) == (200, "more-than")
    assert all(" | " not in d["sources"] for _, _, d in H.edges(data=True))   # one source in this dataset
    assert all(d["sources"] == "rferl-2022-01-05" for _, _, d in H.edges(data=True))


def test_csv_has_the_network_columns_as_text(two_kg, tmp_path):
    rows = network_rows(two_kg)
    out = tmp_path / "tables"
    export(two_kg, out)
    with open(out / "nodes.csv", encoding="utf-8", newline="") as fh:
        nodes = {r["id"]: r for r in csv.DictReader(fh)}
    with open(out / "edges.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        edges = list(reader)
        assert reader.fieldnames == rows.edge_columns
    assert list(nodes["nazarbayev"]) == rows.node_columns
    assert nodes["nazarbayev"]["age"] == "81" and nodes["fuel-price"]["amount"] == "50.0"
    assert nodes["detentions"]["detained_bound"] == "more-than"
    [e] = [e for e in edges if (e["source"], e["target"]) == ("toqaev", "president-of-kazakhstan")]
    assert (e["sources"], e["corroboration"], e["conflict"]) == ("paper | wire", "2", "false")
    # the same names as the GraphML attributes: id, source and target are the elements' own
    out = tmp_path / "g.graphml"
    export(two_kg, out)
    names = {(k.get("for"), k.get("attr.name")) for k in ET.parse(out).getroot().iter(GRAPHML + "key")}
    def used(items, columns):     # GraphML declares only the attributes some element has
        return {c for c in columns if any(r[c] not in (None, "") for r in items)}

    assert {n for f, n in names if f == "node"} == used(rows.nodes, rows.node_columns) - {"id"}
    assert {n for f, n in names if f == "edge"} == used(rows.edges, rows.edge_columns) - {"id", "source", "target"}
    for column in rows.node_columns:
        assert rows.type_of("node", column) in ("string", "int", "double", "boolean")


def test_a_quantity_on_a_fact_between_entities_is_part_of_it(mini_copy):
    import kgbuilder

    (mini_copy / "facts" / "more.yaml").write_text(
        "facts:\n"
        "  - {subject: storming-mayors-office, predicate: participant, object: police, quote: q1,\n"
        "     quantity: {value: 300, unit: officers, bound: at-least}}\n"
        "  - {subject: storming-mayors-office, predicate: participant, object: police, quote: q2,\n"
        "     quantity: {value: 500, unit: officers, bound: at-least}}\n", encoding="utf-8")
    rows = network_rows(kgbuilder.build(mini_copy))
    got = sorted((e["quantity"], e["quantity_unit"], e["quantity_bound"]) for e in rows.edges
                 if (e["source"], e["target"]) == ("storming-mayors-office", "police"))
    assert got == [(300.0, "officers", "at-least"), (500.0, "officers", "at-least")]   # two facts, not one
    assert rows.type_of("edge", "quantity") == "double"
