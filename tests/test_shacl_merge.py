"""The SHACL-as-SPARQL checks run merged (one query for the count checks of a
target) must report exactly what each check reports when run alone."""
from dataclasses import replace

import kgbuilder

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
KG = "https://w3id.org/kgbuilder/ns#"


def _norm(results):
    return sorted({(str(f), p, str(v), m, s) for f, p, v, m, s in results})


def _broken_store(mini_path):
    import pyoxigraph as ox

    kg = kgbuilder.build(mini_path, store="oxigraph")
    st = kg.store._st
    dg = ox.NamedNode(kg.base + "graph/source/wire")
    stmts = sorted({q.subject.value for q in st.quads_for_pattern(
        None, ox.NamedNode(RDF + "type"), ox.NamedNode(KG + "Statement"), None)})
    a, b, c = (ox.NamedNode(x) for x in stmts[:3])
    for q in list(st.quads_for_pattern(a, ox.NamedNode(RDF + "subject"), None, None)):
        st.remove(q)                                               # minCount on rdf:subject
    for q in list(st.quads_for_pattern(b, ox.NamedNode(KG + "evidence"), None, None)):
        st.remove(q)                                               # minCount on kg:evidence
    st.add(ox.Quad(c, ox.NamedNode(RDF + "predicate"), ox.NamedNode(KG + "other"), dg))   # maxCount
    st.add(ox.Quad(c, ox.NamedNode(RDF + "object"), ox.Literal("x"), dg))                 # maxCount
    st.add(ox.Quad(c, ox.NamedNode(KG + "datePrecision"), ox.Literal("week"), dg))        # sh:in (run alone)
    return kg.store, [a.value, b.value, c.value]


def test_merged_checks_report_what_single_checks_report(mini_path):
    from kgbuilder.builder.shacl_sparql import compile_shapes, run_checks

    store, focus = _broken_store(mini_path)
    checks = compile_shapes()
    alone = [replace(c, kind="") for c in checks]
    assert any(c.kind for c in checks)             # something is merged at all
    merged, single = _norm(run_checks(store, checks)), _norm(run_checks(store, alone))
    assert merged == single
    paths = {r[1] for r in merged}
    assert {RDF + "subject", KG + "evidence", RDF + "predicate", RDF + "object"} <= paths
    assert _norm(run_checks(store, checks, focus)) == _norm(run_checks(store, alone, focus)) != []


def test_scan_and_lookup_plans_report_the_same(mini_path, tmp_path):
    # the whole-graph plan (values read first, missing ones by anti-join) against one lookup per
    # node, merged and alone, in memory and on disk, on a graph broken in every way they test
    import pyoxigraph as ox

    from kgbuilder.builder.shacl_sparql import compile_shapes, run_checks
    from kgbuilder.store.oxigraph import OxigraphStore

    store, _ = _broken_store(mini_path)
    st = store._st
    stmt = sorted({q.subject for q in st.quads_for_pattern(None, ox.NamedNode(RDF + "type"),
                                                           ox.NamedNode(KG + "Statement"), None)}, key=str)[4]
    g = ox.NamedNode("https://kgbuilder.example/mini/graph/source/wire")
    st.add(ox.Quad(stmt, ox.NamedNode(KG + "quantityBound"), ox.Literal("roughly"), g))          # sh:in
    st.add(ox.Quad(stmt, ox.NamedNode(KG + "evidence"), ox.NamedNode(KG + "not-evidence"), g))   # sh:class
    disk = OxigraphStore(tmp_path / "disk")
    disk._st.extend(list(st))
    checks = compile_shapes()
    alone = [replace(c, kind="") for c in checks]
    for s in (store, disk):
        lookup = _norm(run_checks(s, checks, plan="lookup"))
        assert len({r[3] for r in lookup}) >= 6                  # six kinds of message at least
        assert _norm(run_checks(s, checks, plan="scan")) == lookup
        assert _norm(run_checks(s, alone, plan="scan")) == _norm(run_checks(s, alone, plan="lookup")) == lookup


def _odd_values(mini_path):
    """The mini graph (rdflib quads) with a value of every odd kind on the paths whose checks
    test values: a blank node, an IRI, an empty string, a language-tagged and an integer
    literal where a quote belongs; a literal and a blank node as a statement's subject; a
    label without a language; an id that breaks its pattern and one that is a blank node; a
    sameAs that is a literal; an unknown date precision; a source that is not a Source."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import RDF as R, RDFS, XSD

    from kgbuilder.builder.quads import build_quads
    from kgbuilder.curation.load import load_dataset

    res = build_quads(load_dataset(mini_path))
    quads = list(res.quads)
    quote, subject = URIRef(KG + "quote"), R.subject
    evidence = sorted({q[0] for q in quads if q[1] == quote})
    stmts = sorted({q[0] for q in quads if q[1] == subject})
    base = "https://kgbuilder.example/mini/"
    odd_quotes = [BNode("b-quote"), URIRef("http://example.org/q"), Literal(""), Literal("said", lang="en"),
                  Literal("5", datatype=XSD.integer)]
    odd_subjects = [Literal("toqaev"), BNode("b-subject")]
    swap = {**{(e, quote): v for e, v in zip(evidence, odd_quotes)},
            **{(s, subject): v for s, v in zip(stmts, odd_subjects)},
            (URIRef(base + "toqaev"), RDFS.label): Literal("Toqaev"),
            (URIRef(base + "almaty"), URIRef(KG + "id")): Literal("Almaty City"),
            (URIRef(base + "armenia"), URIRef(KG + "id")): BNode("b-id")}
    out = [(s, p, swap.get((s, p), o), g) for s, p, o, g in quads]
    g = out[-1][3]
    out += [(URIRef(base + "armenia"), URIRef("http://www.w3.org/2002/07/owl#sameAs"), Literal("Q399"), g),
            (stmts[2], URIRef(KG + "datePrecision"), Literal("week"), g),
            (stmts[3], URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), URIRef(base + "toqaev"), g)]
    return out, res.origins, evidence[:5], stmts[:4]


def test_value_checks_catch_every_odd_value(mini_path, tmp_path):
    # the value checks name ?value once and, over the whole graph, first test a path's distinct
    # values (where they repeat): every violation is still found, with its focus node and value,
    # as pyshacl finds it, in memory and on disk
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    from kgbuilder.builder.shacl_sparql import (_few_values, compile_shapes, diagnostics_for, run_checks,
                                                shacl_sparql_diagnostics)
    from kgbuilder.store.base import open_store
    from kgbuilder.terms import from_rdflib
    from pyshacl_crosscheck import shacl_diagnostics

    quads, origins, evidence, stmts = _odd_values(mini_path)
    expected = shacl_diagnostics(quads, origins)
    base = "https://kgbuilder.example/mini/"
    to_ox = from_rdflib()
    for spec in ("oxigraph", f"oxigraph:{tmp_path / 'disk'}"):
        store = open_store(spec)
        store.add_quads(quads)
        checks = compile_shapes()
        scan = run_checks(store, checks, plan="scan")
        got = {(str(f), p.rsplit("#", 1)[-1].rsplit("/", 1)[-1], v) for f, p, v, _, _ in scan if v is not None}
        bad = {(str(to_ox(e)), "quote", to_ox(v)) for e, v in zip(evidence, [
            BNode("b-quote"), URIRef("http://example.org/q"), Literal(""), Literal("said", lang="en"),
            Literal("5", datatype=XSD.integer)])}
        bad |= {(str(to_ox(s)), "subject", to_ox(v))
                for s, v in zip(stmts, [Literal("toqaev"), BNode("b-subject")])}
        # a blank node's label in the store is its own: compare blank nodes by kind only
        norm = lambda rows: sorted((f, p, "_:" if type(v).__name__ == "BlankNode" else str(v))  # noqa: E731
                                   for f, p, v in rows)
        assert set(norm(bad)) <= set(norm(got))
        assert (f"<{base}toqaev>", "label", '"Toqaev"') in norm(got)
        assert (f"<{base}almaty>", "id", '"Almaty City"') in norm(got)
        assert (f"<{base}armenia>", "id", "_:") in norm(got)
        assert (f"<{base}armenia>", "sameAs", '"Q399"') in norm(got)
        assert (str(to_ox(stmts[2])), "datePrecision", '"week"') in norm(got)
        assert (str(to_ox(stmts[3])), "wasDerivedFrom", f"<{base}toqaev>") in norm(got)
        assert _norm(scan) == _norm(run_checks(store, checks, plan="lookup"))
        assert shacl_sparql_diagnostics(store, origins) == diagnostics_for(store, scan, origins) == expected
        # both ways of running a value check were taken: grouped values and every statement
        memo: dict = {}
        assert _few_values(store._st, KG + "datePrecision", memo) is True
        assert _few_values(store._st, KG + "quote", memo) is False


def test_checks_run_at_once_answer_as_one_at_a_time(mini_path, monkeypatch):
    # run_checks runs its queries in lanes at once: the same violations (the rows of one query
    # come in the engine's order, which varies from run to run: compared sorted, duplicates kept)
    import time

    from kgbuilder.builder import shacl_sparql
    from kgbuilder.builder.shacl_sparql import compile_shapes, run_checks

    store, focus = _broken_store(mini_path)
    checks = compile_shapes()
    as_text = lambda rows: sorted(tuple(map(str, r)) for r in rows)  # noqa: E731
    one = as_text(run_checks(store, checks, threads=1))
    assert len({r[1] for r in one}) >= 4
    for n in (2, 3):
        assert as_text(run_checks(store, checks, threads=n)) == one
        assert as_text(run_checks(store, checks, focus, threads=n)) == as_text(run_checks(store, checks, focus, threads=1))

    # the first queries finish last: the rows still come query by query, in the queries' order
    queries = shacl_sparql._merged(list(checks), "scan")
    order = {sparql: i for i, (sparql, _) in enumerate(queries)}

    def slow_first(store, sparql, group, *args):
        time.sleep(0.003 * (len(queries) - order[sparql]))
        return [(order[sparql], "a"), (order[sparql], "b")]

    monkeypatch.setattr(shacl_sparql, "_run_one", slow_first)
    assert run_checks(store, checks, threads=3) == [(i, x) for i in range(len(queries)) for x in "ab"]


def test_a_failing_check_fails_the_run_and_starts_no_more(mini_path, monkeypatch):
    import time

    import pytest

    from kgbuilder.builder import shacl_sparql
    from kgbuilder.builder.shacl_sparql import compile_shapes, run_checks

    store, _ = _broken_store(mini_path)
    calls = []

    def boom(store, sparql, *args):
        calls.append(sparql)
        time.sleep(0.05)
        raise RuntimeError("engine failed")

    monkeypatch.setattr(shacl_sparql, "_run_one", boom)
    with pytest.raises(RuntimeError, match="engine failed"):
        run_checks(store, compile_shapes(), threads=2)
    # the two running when the first failed, and maybe the next two: not the dozens queued
    assert 1 <= len(calls) <= 4 < len(shacl_sparql._merged(list(compile_shapes()), "scan"))


def test_check_threads_follow_the_cpus_we_may_use(monkeypatch):
    import os

    from kgbuilder.builder import shacl_sparql

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert shacl_sparql.check_threads() == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)))
    assert shacl_sparql.check_threads() == shacl_sparql.MAX_CHECK_THREADS == 2


def test_count_checks_run_one_at_a_time_beside_the_others(mini_path, monkeypatch):
    # the merged count checks hold the most memory: never two at once; the value checks run beside them
    import threading
    import time

    from kgbuilder.builder import shacl_sparql
    from kgbuilder.builder.shacl_sparql import compile_shapes, run_checks

    store, _ = _broken_store(mini_path)
    lock, active, most, beside = threading.Lock(), {"count": 0, "other": 0}, {"count": 0}, []

    def tracked(store, sparql, group, *args):
        kind = "count" if group[0].kind else "other"
        with lock:
            active[kind] += 1
            most["count"] = max(most["count"], active["count"])
            if active["count"] and active["other"]:
                beside.append(sparql)
        time.sleep(0.01)
        with lock:
            active[kind] -= 1
        return []

    monkeypatch.setattr(shacl_sparql, "_run_one", tracked)
    assert run_checks(store, compile_shapes(), threads=3) == []
    assert most["count"] == 1
    assert beside            # the lanes did run at once
