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
