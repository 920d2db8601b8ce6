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
