"""The incremental build: after every kind of change the patched store equals a fresh build."""
from __future__ import annotations

import shutil

import pytest

import kgbuilder
import kgbuilder.schemas as schemas_mod
from kgbuilder.builder.cache import incremental_build
from kgbuilder.sparql.query import execute

QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


def _check(root, spec):
    """Patch the store at ``spec`` and compare it with a fresh in-memory rdflib build."""
    built = incremental_build(root, spec)
    assert built.diagnostics == []
    fresh = kgbuilder.build(root, store="memory")
    assert set(built.store.quads()) == set(fresh.store.quads())
    assert built.origins == fresh.origins
    mode = built.mode
    built.store.close()
    return mode


@pytest.fixture
def spec(tmp_path):
    return f"oxigraph:{tmp_path / 'store'}"


def test_unchanged_is_not_rebuilt(mini_copy, spec):
    assert _check(mini_copy, spec) == "full"
    assert _check(mini_copy, spec) == "unchanged"


def test_a_build_on_disk_reads_its_origins_back_when_asked(mini_copy, spec):
    """The origins (two per fact) are written with the store's state and read back on first
    use instead of being held by the graph: the same mapping either way."""
    built = incremental_build(mini_copy, spec)
    assert built.mode == "full" and callable(built._origins)
    fresh = incremental_build(mini_copy, "memory")
    assert isinstance(fresh._origins, dict) and fresh.origins
    assert built.origins == fresh.origins
    built.store.close()


def test_the_build_pauses_the_cyclic_gc_and_gives_it_back(mini_copy, spec, monkeypatch):
    """The cyclic GC is off while a build runs (it walked the build's millions of live objects
    for nothing) and in the state it was in afterwards: on, off, and after a build that failed."""
    import gc

    from kgbuilder.builder import quads

    seen = []
    real = quads.build_quads

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(quads, "build_quads", spy)
    assert gc.isenabled()
    assert incremental_build(mini_copy, spec).mode == "full"
    assert seen and not any(seen) and gc.isenabled()
    gc.disable()
    try:
        incremental_build(mini_copy, "memory")
        assert not gc.isenabled()
    finally:
        gc.enable()

    def broken(*args, **kwargs):
        raise RuntimeError("a build that fails")

    monkeypatch.setattr(quads, "build_quads", broken)
    with pytest.raises(RuntimeError):
        incremental_build(mini_copy, "memory", use_cache=False)
    assert gc.isenabled()


def test_edit_add_delete_files(mini_copy, spec):
    _check(mini_copy, spec)
    facts = mini_copy / "facts" / "facts.yaml"
    # an edit that shifts the lines of every later fact (kg:file names the line)
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("    start: 2019\n", "    start: 2019\n    note: curator's note\n", 1),
                     encoding="utf-8")
    assert _check(mini_copy, spec) == "delta"
    # a new bulk file that repeats an existing fact from another source (evidence merges)
    extra = mini_copy / "facts" / "extra.csv"
    extra.write_text("subject,predicate,object,source,quote\n"
                     "toqaev,holdsPost,president-of-kazakhstan,paper,the president Toqaev\n"
                     "armenia,memberOf,csto,paper,Armenia is a member\n", encoding="utf-8")
    assert _check(mini_copy, spec) == "delta"
    extra.write_text(extra.read_text(encoding="utf-8").replace("is a member", "belongs"), encoding="utf-8")
    assert _check(mini_copy, spec) == "delta"
    # an event's quote (events are facts about their subject)
    events = mini_copy / "facts" / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace("agreed to send peacekeepers",
                                                                 "agreed to send troops"), encoding="utf-8")
    assert _check(mini_copy, spec) == "delta"
    extra.unlink()
    assert _check(mini_copy, spec) == "delta"
    # a renamed file: one delete and one add
    shutil.move(facts, mini_copy / "facts" / "zz-facts.yaml")
    assert _check(mini_copy, spec) == "delta"


def test_rename_an_entity_re_resolves_everything(mini_copy, spec):
    _check(mini_copy, spec)
    ents = mini_copy / "facts" / "entities.yaml"
    text = ents.read_text(encoding="utf-8")
    ents.write_text(text.replace("label: Nursultan Nazarbayev", "label: Nursultan A. Nazarbayev"),
                    encoding="utf-8")
    assert _check(mini_copy, spec) == "full"
    # an alias used by a fact disappears: the fact no longer resolves, a clear problem
    facts = mini_copy / "facts" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("subject: nazarbayev", "subject: Nazarbaev"),
                     encoding="utf-8")
    assert _check(mini_copy, spec) == "delta"
    ents.write_text(ents.read_text(encoding="utf-8").replace("aliases: [Nazarbaev]", "aliases: [Nazarbai]"),
                    encoding="utf-8")
    built = incremental_build(mini_copy, spec)
    assert [d.message for d in built.diagnostics] == [
        "unknown entity 'Nazarbaev' in 'subject' (did you mean 'nazarbayev'?)"]
    assert built.diagnostics == kgbuilder.validate(mini_copy, store="memory")


def test_problems_leave_the_store_consistent(mini_copy, spec):
    _check(mini_copy, spec)
    facts = mini_copy / "facts" / "facts.yaml"
    good = facts.read_text(encoding="utf-8")
    facts.write_text(good.replace("object: security-council", "object: security-councel"), encoding="utf-8")
    built = incremental_build(mini_copy, spec)
    assert built.store is None and len(built.diagnostics) == 1
    facts.write_text(good.replace("removed his predecessor", "took over from"), encoding="utf-8")
    assert _check(mini_copy, spec) == "delta"


def test_changing_the_ontology_rebuilds(mini_copy, spec, tmp_path, monkeypatch):
    _check(mini_copy, spec)
    onto = tmp_path / "ontology.ttl"
    text = schemas_mod.ontology_path().read_text(encoding="utf-8")
    # relabel a class: the graph is the same, but nothing may be trusted from before
    onto.write_text(text + "\n# a change\n", encoding="utf-8")
    monkeypatch.setattr(schemas_mod, "ontology_path", lambda: onto)
    assert _check(mini_copy, spec) == "full"
    assert _check(mini_copy, spec) == "unchanged"


def test_in_memory_oxigraph_reuses_validated_files(mini_copy):
    a = incremental_build(mini_copy, "oxigraph")
    b = incremental_build(mini_copy, "oxigraph")
    assert a.mode == b.mode == "full"
    assert set(a.store.quads()) == set(b.store.quads())


def test_open_graph_answers_follow_the_edits(mini_copy, tmp_path):
    spec = f"oxigraph:{tmp_path / 'store'}"
    q = "SELECT ?o WHERE { mi:mayors-office kg:locatedIn ?o }"
    kg = kgbuilder.open_graph(mini_copy, store=spec)
    assert [str(r[0]) for r in execute(kg, q, timeout=None).rows] == ["https://kgbuilder.example/mini/almaty"]
    kg.store.close()
    del kg
    facts = mini_copy / "facts" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("mayors-office locatedIn almaty",
                                                               "mayors-office locatedIn kazakhstan"),
                     encoding="utf-8")
    kg = kgbuilder.open_graph(mini_copy, store=spec)
    assert [str(r[0]) for r in execute(kg, q, timeout=None).rows] == [
        "https://kgbuilder.example/mini/kazakhstan"]


# ---------------------------------------------------------------- SHACL as SPARQL

def _broken_quads(mini_path):
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS, XSD

    from kgbuilder.builder.quads import build_quads
    from kgbuilder.curation.load import load_dataset

    ds = load_dataset(mini_path)
    res = build_quads(ds)
    base = "https://kgbuilder.example/mini/"
    KG = "https://w3id.org/kgbuilder/ns#"
    meta = URIRef(base + "graph/meta")
    quads = list(res.quads)
    stmts = sorted({q[0] for q in quads if str(q[0]).startswith(base + "statement/")})
    victim = stmts[0]
    # a statement without evidence, an entity with two labels, a bad verification, an age out of range,
    # an unknown precision, a non-Wikidata sameAs, a string date on an event, an Evidence without quote
    quads = [q for q in quads if not (q[0] == victim and str(q[1]) == KG + "evidence")]
    g = quads[-1][3]
    quads += [
        (URIRef(base + "toqaev"), RDFS.label, Literal("Another label", lang="en"), meta),
        (stmts[1], URIRef(KG + "verification"), URIRef(KG + "Maybe"), g),
        (URIRef(base + "nazarbayev"), URIRef(KG + "age"), Literal(200, datatype=XSD.integer), g),
        (stmts[2], URIRef(KG + "datePrecision"), Literal("week"), g),
        (URIRef(base + "armenia"), URIRef("http://www.w3.org/2002/07/owl#sameAs"), URIRef("http://example.org/x"), meta),
        (URIRef(base + "police-killed"), URIRef(KG + "date"), Literal("soon"), g),
        (URIRef(base + "orphan-evidence"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
         URIRef(KG + "Evidence"), g),
        (URIRef(base + "toqaev"), URIRef(KG + "holdsPost"), URIRef(base + "almaty"), g),
    ]
    return quads, res.origins


def test_sparql_checks_report_what_pyshacl_reports(mini_path):
    from kgbuilder.builder.shacl_sparql import shacl_sparql_diagnostics
    from kgbuilder.store.base import open_store
    from pyshacl_crosscheck import shacl_diagnostics

    quads, origins = _broken_quads(mini_path)
    expected = shacl_diagnostics(quads, origins)
    store = open_store("oxigraph")
    store.add_quads(quads)
    got = shacl_sparql_diagnostics(store, origins)
    assert len(expected) >= 8
    assert got == expected


def test_sparql_checks_on_a_clean_graph(mini_path):
    from kgbuilder.builder.shacl_sparql import compile_shapes, shacl_sparql_diagnostics

    kg = kgbuilder.build(mini_path, store="oxigraph")
    assert shacl_sparql_diagnostics(kg.store, kg.origins) == []
    # every constraint of shapes.ttl became a query
    assert len(compile_shapes()) > 40


def test_unsupported_shape_is_an_error(tmp_path):
    from kgbuilder.errors import KGBuilderError
    from kgbuilder.builder.shacl_sparql import compile_shapes

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kg: <https://w3id.org/kgbuilder/ns#> .
kg:S a sh:NodeShape ; sh:targetClass kg:Person ;
  sh:property [ sh:path kg:age ; sh:lessThan kg:other ; sh:message "m" ] .
""", encoding="utf-8")
    with pytest.raises(KGBuilderError, match="sh:lessThan is not supported"):
        compile_shapes(shapes)


def test_compiled_shape_checks_are_kept_and_follow_the_shapes(tmp_path, monkeypatch):
    from kgbuilder.builder import cache, shacl_sparql

    monkeypatch.setenv("KGBUILDER_CACHE_DIR", str(tmp_path / "cache"))
    fresh = shacl_sparql.compile_shapes()
    assert cache._compiled_checks() == fresh                  # compiled, then kept
    calls = []
    real = shacl_sparql.compile_shapes
    monkeypatch.setattr(shacl_sparql, "compile_shapes", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert cache._compiled_checks() == fresh and calls == []   # read back
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(schemas_mod.shapes_path().read_text(encoding="utf-8").replace(
        "sh:minCount 1", "sh:minCount 2", 1), encoding="utf-8")
    monkeypatch.setattr(schemas_mod, "shapes_path", lambda: shapes)
    changed = cache._compiled_checks()
    assert calls == [1] and changed != fresh                  # another shapes file: compiled again
