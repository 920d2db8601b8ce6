"""One API: one result type for every query, a useful repr, the public names in dir()."""
from __future__ import annotations

import kgbuilder
from kgbuilder.sparql.query import QueryResult


def test_dir_lists_the_public_functions():
    names = dir(kgbuilder)
    for name in ("build", "open_graph", "validate", "query", "show_entity", "paths", "neighbors", "central",
                 "export", "stats", "show", "path", "conflicts", "push", "KnowledgeGraph", "ValidationError"):
        assert name in names
    assert "annotations" not in names and "errors" not in names


def test_repr_says_what_and_where(mini_path):
    kg = kgbuilder.build(mini_path)
    n = kg.store.count_triples()
    assert repr(kg) == f"<KnowledgeGraph 'mini': {n:,} triples, {len(kg.store):,} quads, <OxigraphStore in memory>>"
    disk = kgbuilder.open_graph(mini_path)
    assert repr(disk).startswith("<KnowledgeGraph 'mini': ") and "on disk at " in repr(disk)


def test_one_result_type_everywhere(mini_path, tmp_path):
    q = "SELECT ?s WHERE { ?s kg:memberOf mi:csto } ORDER BY ?s"
    results = [kgbuilder.build(mini_path).query(q), kgbuilder.build(mini_path, store="oxigraph").query(q),
               kgbuilder.build(mini_path, store=f"oxigraph:{tmp_path / 'st'}").query(q),
               kgbuilder.open_graph(mini_path).query(q), kgbuilder.query(mini_path, q)]
    assert all(type(r) is QueryResult for r in results)
    assert all(r == results[0] for r in results)
    assert [str(row[0]).rsplit("/", 1)[-1] for row in results[0]] == ["armenia", "kazakhstan"]
    assert repr(results[0]) == "<QueryResult SELECT: 2 rows of (s)>"
    ask = kgbuilder.build(mini_path).query("ASK { mi:armenia kg:memberOf mi:csto }")
    assert ask.kind == "ASK" and bool(ask) and list(ask) == [True] and repr(ask) == "<QueryResult ASK: true>"
    graph = kgbuilder.build(mini_path).query("CONSTRUCT { ?s kg:memberOf ?o } WHERE { ?s kg:memberOf ?o }")
    assert graph.kind == "CONSTRUCT" and len(graph) == 2 and len(graph.graph()) == 2
