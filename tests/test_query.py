"""`kgbuilder query`: prefixes, --infer, output formats, saved queries, the cache, a second engine."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from kgbuilder.cli import main
from kgbuilder.sparql.query import execute
from kgbuilder.sparql.results import SPARQL_RESULTS_NS, format_result

# values that need escaping in every format: comma, quotes, newline, tab, backslash, markup, Cyrillic
NASTY = r'''SELECT ?s ?text ?lang ?n ?none WHERE {
  VALUES (?s ?text ?lang ?n) {
    (mi:toqaev "a, \"quoted\"\nline\ttab \\ back <b>&amp;</b>" "Қасым-Жомарт"@kk 8)
    (mi:almaty "plain" "x"@en 2.5)
  }
  OPTIONAL { ?s kg:nothing ?none }
} ORDER BY ?s'''


def run(args):
    return CliRunner().invoke(main, [str(a) for a in args])


def term_tuple(t):
    """An engine-neutral form of a term: (kind, value, datatype, language)."""
    if t is None:
        return None
    kind = type(t).__name__
    if kind in ("URIRef", "NamedNode"):
        return ("iri", str(t) if kind == "URIRef" else t.value, "", "")
    if kind == "BNode" or kind == "BlankNode":
        return ("bnode", "", "", "")
    value = str(t) if isinstance(t, str) else t.value  # rdflib terms are str; pyoxigraph ones have .value
    lang = (t.language or "") if hasattr(t, "language") else ""
    dt = t.datatype
    dt = "" if dt is None else (dt.value if hasattr(dt, "value") else str(dt))
    if lang or dt in ("http://www.w3.org/2001/XMLSchema#string",
                      "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"):
        dt = ""
    return ("literal", value, dt, lang)


# ---------------------------------------------------------------- prefixes and --infer

def test_prefixes_are_bound(mini_kg):
    r = execute(mini_kg, "SELECT DISTINCT ?o WHERE { mi:toqaev kg:holdsPost ?o . ?o rdfs:label ?l }")
    assert [str(x[0]) for x in r.rows] == ["https://kgbuilder.example/mini/president-of-kazakhstan"]


STANDARD_VOCAB = {
    "SELECT ?m ?o WHERE { ?m org:memberOf ?o }": {("armenia", "csto"), ("kazakhstan", "csto")},
    "SELECT ?p WHERE { ?p a schema:Person }": {("nazarbayev",), ("toqaev",)},
    "SELECT ?p WHERE { ?p a foaf:Agent . ?p a schema:Country }": {("armenia",), ("kazakhstan",)},
    "SELECT ?e ?a WHERE { ?e sem:hasActor ?a . ?e a kg:Dismiss }": {("nazarbayev-removed", "toqaev"),
                                                                    ("nazarbayev-removed", "nazarbayev")},
    "SELECT ?x ?o WHERE { ?x org:headOf ?o }": {("toqaev", "security-council")},
    "SELECT ?e WHERE { ?e a ?t . ?t rdfs:subClassOf kg:Protest }": {("storming-mayors-office",)},
}


@pytest.mark.parametrize("sparql,expected", STANDARD_VOCAB.items())
def test_infer_lets_standard_vocabulary_find_the_dataset_terms(mini_kg, sparql, expected):
    plain = execute(mini_kg, sparql)
    inferred = execute(mini_kg, sparql, infer=True)
    local = {tuple(mini_kg.local(t) for t in row) for row in inferred.rows}
    assert local == expected
    assert plain.rows == [] or {tuple(mini_kg.local(t) for t in row) for row in plain.rows} != expected


def test_infer_adds_only_the_hierarchy_closure(mini_kg):
    from kgbuilder.builder.infer import inferred_quads

    from kgbuilder.builder.infer import hierarchy
    from kgbuilder.terms import to_rdflib

    conv = to_rdflib()
    quads = [(conv(q.subject), conv(q.predicate), conv(q.object), conv(q.graph_name)) for q in inferred_quads(mini_kg)]
    classes, props = hierarchy()
    data = set(mini_kg.store.triples())
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    sub = ("http://www.w3.org/2000/01/rdf-schema#subClassOf", "http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
    # every added triple is rdfs9 or rdfs7 over the ontology's hierarchy, or the hierarchy itself:
    # no rdfs:Resource, no domain/range typing, no axiomatic triples
    for s, p, o, _ in quads:
        assert (s, p, o) not in data
        if str(p) in sub:
            assert str(o) in (classes if str(p) == sub[0] else props)[str(s)]
        elif str(p) == rdf_type:
            assert any(str(o) in classes.get(str(c), ()) for c in data_types(data, s))
        else:
            assert any(str(p) in props.get(str(q), ()) for (x, q, y) in data if x == s and y == o)
    assert len(quads) > 100
    # an entity typed kg:Post gets org:Post but not the domain-derived kg:Person
    types = {str(o) for s, p, o, _ in quads if mini_kg.local(s) == "president-of-kazakhstan"}
    assert "http://www.w3.org/ns/org#Post" in types
    assert "https://w3id.org/kgbuilder/ns#Person" not in types
    assert [(conv(q.subject), conv(q.predicate), conv(q.object), conv(q.graph_name))
            for q in inferred_quads(mini_kg)] == quads  # deterministic


def data_types(data, s):
    return [o for (x, p, o) in data if x == s and str(p) == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"]


def test_infer_through_the_cli(mini_path):
    q = "SELECT ?m WHERE { ?m org:memberOf mi:csto } ORDER BY ?m"
    assert run(["query", mini_path, q, "-F", "csv"]).stdout_bytes == b"m\r\n"
    r = run(["query", mini_path, q, "-F", "csv", "--infer"])
    assert r.exit_code == 0
    assert r.stdout_bytes == (b"m\r\nhttps://kgbuilder.example/mini/armenia\r\n"
                              b"https://kgbuilder.example/mini/kazakhstan\r\n")


# ---------------------------------------------------------------- W3C result formats

def check_json_results(doc: dict, ask: bool = False) -> None:
    """The structure of SPARQL 1.1 Query Results JSON (W3C REC, section 3)."""
    assert isinstance(doc.get("head"), dict)
    if ask:
        assert set(doc) == {"head", "boolean"} and isinstance(doc["boolean"], bool)
        return
    assert set(doc) == {"head", "results"}
    names = doc["head"]["vars"]
    assert isinstance(names, list) and all(isinstance(v, str) and not v.startswith("?") for v in names)
    assert set(doc["results"]) == {"bindings"}
    for b in doc["results"]["bindings"]:
        assert set(b) <= set(names)
        for term in b.values():
            assert term["type"] in ("uri", "literal", "bnode")
            assert isinstance(term["value"], str)
            assert set(term) <= {"type", "value", "xml:lang", "datatype"}
            assert not ("xml:lang" in term and "datatype" in term)
            if term["type"] != "literal":
                assert set(term) == {"type", "value"}


def parse_back(text: str, fmt: str):
    from rdflib.query import Result

    return Result.parse(io.BytesIO(text.encode("utf-8")), format=fmt)


def test_json_results(mini_kg):
    r = execute(mini_kg, NASTY)
    text = format_result(r, "json", mini_kg.prefixes)
    doc = json.loads(text)
    check_json_results(doc)
    assert doc["head"]["vars"] == ["s", "text", "lang", "n", "none"]
    first = doc["results"]["bindings"][0]
    assert first["s"] == {"type": "uri", "value": "https://kgbuilder.example/mini/almaty"}
    assert first["lang"] == {"type": "literal", "value": "x", "xml:lang": "en"}
    assert first["n"] == {"type": "literal", "value": "2.5",
                          "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}
    assert "none" not in first
    second = doc["results"]["bindings"][1]
    assert second["text"] == {"type": "literal", "value": 'a, "quoted"\nline\ttab \\ back <b>&amp;</b>'}
    back = parse_back(text, "json")
    assert [tuple(row) for row in back] == r.rows


def test_compact_json_is_json_dumps_byte_for_byte(mini_kg):
    # the endpoint's compact JSON is put together as text: it must be exactly what json.dumps
    # writes for the same document (escapes, unbound cells, language tags, datatypes, blank nodes)
    r = execute(mini_kg, NASTY)
    doc = json.loads(format_result(r, "json", mini_kg.prefixes))
    assert format_result(r, "json", compact=True) == json.dumps(doc, ensure_ascii=False) + "\n"
    b = execute(mini_kg, "SELECT ?x ?n WHERE { VALUES ?n { 1 } BIND(BNODE() AS ?x) }")
    text = format_result(b, "json", compact=True)
    assert json.loads(text)["results"]["bindings"][0]["x"]["type"] == "bnode"
    assert text == json.dumps(json.loads(text), ensure_ascii=False) + "\n"
    empty = execute(mini_kg, "SELECT ?s WHERE { ?s ?p 'no such value' }")
    assert format_result(empty, "json", compact=True) == '{"head": {"vars": ["s"]}, "results": {"bindings": []}}\n'


def test_an_answer_travels_from_its_worker_as_parts_of_terms_and_reads_the_same(mini_kg):
    # a worker sends a SELECT's cells as (kind, value, datatype, language) tuples, which the
    # writers read as they are (the command writing the answer never loads pyoxigraph); the
    # engine's terms are made of them only when asked for
    import pickle

    import pyoxigraph as ox

    from kgbuilder.sparql.query import QueryResult

    r = execute(mini_kg, NASTY, timeout=None)       # in this process: the engine's terms
    b = execute(mini_kg, "SELECT ?x ?n WHERE { VALUES ?n { 1 } BIND(BNODE() AS ?x) }", timeout=None)
    for local in (r, b):
        assert local._parts is None and any(isinstance(c, (ox.Literal, ox.BlankNode)) for c in local.cells[0])
        back = pickle.loads(pickle.dumps(local))
        assert back._cells is None and all(isinstance(c, (tuple, type(None))) for row in back._parts for c in row)
        assert len(back) == len(local)
        for fmt in ("csv", "tsv", "json", "xml", "table"):
            assert format_result(back, fmt, mini_kg.prefixes) == format_result(local, fmt, mini_kg.prefixes), fmt
        assert format_result(back, "json", compact=True) == format_result(local, "json", compact=True)
        assert back._cells is None              # writing made no terms
        assert back.cells == local.cells and back.rows == local.rows and back == local
    # what a worker answers (execute's default: in a worker) is the same answer
    assert execute(mini_kg, NASTY) == r


def test_xml_results(mini_kg):
    r = execute(mini_kg, NASTY)
    text = format_result(r, "xml", mini_kg.prefixes)
    root = ET.fromstring(text.encode("utf-8"))  # well-formed
    ns = "{" + SPARQL_RESULTS_NS + "}"
    assert root.tag == ns + "sparql"
    assert [v.get("name") for v in root.find(ns + "head")] == ["s", "text", "lang", "n", "none"]
    results = root.find(ns + "results").findall(ns + "result")
    assert len(results) == 2
    b = {x.get("name"): x[0] for x in results[1]}
    assert b["text"].tag == ns + "literal" and b["text"].text == 'a, "quoted"\nline\ttab \\ back <b>&amp;</b>'
    assert b["lang"].get("{http://www.w3.org/XML/1998/namespace}lang") == "kk"
    assert b["n"].get("datatype") == "http://www.w3.org/2001/XMLSchema#integer"
    assert "none" not in b
    back = parse_back(text, "xml")
    assert [tuple(row) for row in back] == r.rows


def test_csv_results(mini_kg):
    r = execute(mini_kg, NASTY)
    text = format_result(r, "csv", mini_kg.prefixes)
    assert text.startswith("s,text,lang,n,none\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["s", "text", "lang", "n", "none"]
    assert rows[2] == ["https://kgbuilder.example/mini/toqaev", 'a, "quoted"\nline\ttab \\ back <b>&amp;</b>',
                       "Қасым-Жомарт", "8", ""]
    assert '"a, ""quoted""\nline\ttab \\ back <b>&amp;</b>"' in text  # RFC 4180 quoting
    assert len(rows) == 3


def test_tsv_results(mini_kg):
    r = execute(mini_kg, NASTY)
    text = format_result(r, "tsv", mini_kg.prefixes)
    lines = text.split("\n")
    assert lines[0] == "?s\t?text\t?lang\t?n\t?none"
    assert lines[2] == ('<https://kgbuilder.example/mini/toqaev>\t"a, \\"quoted\\"\\nline\\ttab \\\\ back '
                        '<b>&amp;</b>"\t"Қасым-Жомарт"@kk\t"8"^^<http://www.w3.org/2001/XMLSchema#integer>\t')
    assert all(line.count("\t") == 4 for line in lines[:-1]) and lines[-1] == ""
    back = parse_back(text, "tsv")
    assert [tuple(row) for row in back] == r.rows


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "table"])
def test_ask_in_every_format(mini_kg, fmt):
    yes = execute(mini_kg, "ASK { mi:toqaev kg:holdsPost mi:president-of-kazakhstan }")
    no = execute(mini_kg, "ASK { mi:toqaev kg:memberOf mi:csto }")
    assert (yes.boolean, no.boolean) == (True, False)
    text = format_result(yes, fmt)
    if fmt == "json":
        doc = json.loads(text)
        check_json_results(doc, ask=True)
        assert doc["boolean"] is True
    elif fmt == "xml":
        root = ET.fromstring(text)
        assert root.find("{%s}boolean" % SPARQL_RESULTS_NS).text == "true"
    else:
        assert text.split()[-1] == "true" and format_result(no, fmt).split()[-1] == "false"


def test_table_is_readable(mini_path):
    r = run(["query", mini_path, "SELECT DISTINCT ?who ?post WHERE { ?who kg:holdsPost ?post } ORDER BY ?who",
             "-F", "table"])
    assert r.exit_code == 0
    assert r.output == (
        "who            post\n"
        "-------------  ---------------------------\n"
        "mi:nazarbayev  mi:head-of-security-council\n"
        "mi:toqaev      mi:president-of-kazakhstan\n"
        "(2 rows)\n")


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"])
def test_construct_in_every_rdf_format(mini_kg, mini_path, tmp_path, fmt):
    from rdflib import Dataset, Graph
    from rdflib.compare import isomorphic

    from kgbuilder.exports import REGISTRY

    q = "CONSTRUCT { ?m org:memberOf ?o . ?o rdfs:label ?l } WHERE { ?m kg:memberOf ?o . ?o rdfs:label ?l }"
    expected = Graph()
    for t in execute(mini_kg, q).triples:
        expected.add(t)
    assert len(expected) == 3
    out = tmp_path / ("result" + REGISTRY[fmt].extensions[0])
    r = run(["query", mini_path, q, "-o", out])
    assert r.exit_code == 0, r.output
    assert r.output == f"wrote {out} (3 triples)\n"
    rdflib_fmt = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig",
                  "jsonld": "json-ld", "rdfxml": "xml"}[fmt]
    if fmt in ("nquads", "trig"):
        ds = Dataset()
        ds.parse(out, format=rdflib_fmt)
        got = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            got.add((s, p, o))
    else:
        got = Graph().parse(out, format=rdflib_fmt)
    assert isomorphic(got, expected)


def test_describe(mini_kg):
    r = execute(mini_kg, "DESCRIBE mi:csto")
    assert r.kind == "DESCRIBE"
    assert {(mini_kg.local(p)) for s, p, o in r.triples if mini_kg.local(s) == "csto"} >= {
        "http://www.w3.org/2000/01/rdf-schema#label", "https://w3id.org/kgbuilder/ns#id"}


def test_format_mismatches_are_errors(mini_path):
    r = run(["query", mini_path, "SELECT ?s WHERE { ?s ?p ?o }", "-F", "turtle"])
    assert r.exit_code == 1
    assert r.output == "Error: a SELECT result is a table; write it as table, json, csv, tsv, xml, not turtle\n"
    r = run(["query", mini_path, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "-F", "csv"])
    assert r.exit_code == 1
    assert r.output.startswith("Error: a CONSTRUCT result is a graph; write it in an RDF format (turtle, ")


def test_unknown_format_is_refused_before_the_graph_is_opened(mini_path, monkeypatch):
    import kgbuilder.api

    def no_build(*a, **k):
        raise AssertionError("the graph was opened for a format that does not exist")

    monkeypatch.setattr(kgbuilder.api, "open_graph", no_build)
    r = run(["query", mini_path, "SELECT ?s WHERE { ?s ?p ?o }", "-F", "cvs"])
    assert r.exit_code == 1
    assert r.output == ("Error: unknown format 'cvs' (did you mean 'csv'?) (one of: table, json, csv, tsv, xml, "
                        "turtle, ntriples, nquads, trig, jsonld, rdfxml, graphml, gexf, html)\n")
    r = run(["query", mini_path, "SELECT ?s WHERE { ?s ?p ?o }", "-F", "yaml"])
    assert r.exit_code == 1 and r.output.startswith("Error: unknown format 'yaml' (one of: table, json, ")


def test_output_file_is_written_atomically(mini_path, tmp_path):
    out = tmp_path / "answer.srj"
    out.write_text("previous")
    r = run(["query", mini_path, "SELECT ?s WHERE { ?s kg:memberOf ?o }", "-o", out])
    assert r.exit_code == 0 and r.output == f"wrote {out} (2 rows)\n"
    check_json_results(json.loads(out.read_text()))
    before = out.read_bytes()
    r = run(["query", mini_path, "SELECT ?s WHERE { ?s kg:memberOf }", "-o", out])
    assert r.exit_code == 1
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer.srj"]
    r = run(["query", mini_path, "SELECT ?s WHERE { ?s ?p ?o }", "-o", tmp_path / "x.unknown"])
    assert r.exit_code == 1
    assert r.output == (f"Error: {tmp_path / 'x.unknown'}: cannot tell the result format from the extension "
                        "'.unknown'; use --format (extensions: .txt, .srj, .json, .csv, .tsv, .srx, .xml)\n")


def test_exactly_one_query_source(mini_path):
    r = run(["query", mini_path])
    assert r.exit_code == 1
    assert r.output == "Error: give exactly one of QUERY, -f FILE, --name NAME or --list\n"


# ---------------------------------------------------------------- determinism, saved queries, cache

def test_results_are_deterministic(mini_path):
    q = "SELECT * WHERE { ?s ?p ?o }"
    a = run(["query", mini_path, q, "-F", "tsv"])
    b = run(["query", mini_path, q, "-F", "tsv"])
    assert a.exit_code == 0 and a.stdout_bytes == b.stdout_bytes
    assert a.output.splitlines()[0] == "?s\t?p\t?o"


def test_saved_queries(mini_copy):
    folder = mini_copy / "queries"
    folder.mkdir()
    (folder / "01-members.rq").write_text(
        "# Question: Which states belong to the CSTO?\nSELECT ?m WHERE { ?m kg:memberOf mi:csto } ORDER BY ?m\n")
    (folder / "02-heads.rq").write_text("#\n# question: Who heads what?\nSELECT ?a ?b WHERE { ?a kg:headOf ?b }\n")
    r = run(["query", mini_copy, "--list"])
    assert r.exit_code == 0
    assert r.output == "01-members  Which states belong to the CSTO?\n02-heads    Who heads what?\n"
    for name in ("01-members", "members"):
        r = run(["query", mini_copy, "--name", name, "-F", "csv"])
        assert r.exit_code == 0
        assert r.stdout_bytes == (b"m\r\nhttps://kgbuilder.example/mini/armenia\r\n"
                                  b"https://kgbuilder.example/mini/kazakhstan\r\n")
    r = run(["query", mini_copy, "--name", "member"])
    assert r.exit_code == 1
    assert r.output == (f"Error: {mini_copy}: no saved query 'member' (did you mean 'members'?) "
                        "(kgbuilder query DATASET --list shows them)\n")


def test_cached_answers_follow_edits(mini_copy):
    q = "SELECT ?m WHERE { ?m kg:memberOf mi:csto } ORDER BY ?m"
    first = run(["query", mini_copy, q, "-F", "csv"])
    assert first.stdout_bytes.count(b"\r\n") == 3
    again = run(["query", mini_copy, q, "-F", "csv"])  # from the cache
    assert again.stdout_bytes == first.stdout_bytes
    facts = mini_copy / "facts" / "facts.yaml"
    text = facts.read_text()
    facts.write_text(text.replace("armenia memberOf csto", "armenia neighborOf kazakhstan"))
    edited = run(["query", mini_copy, q, "-F", "csv"])
    assert edited.exit_code == 0
    assert edited.stdout_bytes == b"m\r\nhttps://kgbuilder.example/mini/kazakhstan\r\n"
    facts.write_text(text)
    assert run(["query", mini_copy, q, "-F", "csv"]).stdout_bytes == first.stdout_bytes


# ---------------------------------------------------------------- a second engine

CROSS_CHECK = [
    "SELECT ?s ?o WHERE { ?s kg:memberOf ?o }",
    "SELECT ?e ?t ?a ?d WHERE { ?e a ?t ; kg:agent ?a . OPTIONAL { ?e kg:date ?d } }",
    "SELECT ?x ?l WHERE { ?x skos:prefLabel ?l FILTER (lang(?l) = 'ru') }",
    "SELECT ?p (COUNT(?st) AS ?n) WHERE { ?st a kg:Statement ; rdf:predicate ?p } GROUP BY ?p",
    "SELECT ?s ?o WHERE { ?s kg:holdsPost/kg:postIn ?o }",
    "SELECT ?x WHERE { { ?x a kg:Person } UNION { ?x a kg:State } }",
    "SELECT ?x WHERE { ?x kg:id ?id MINUS { ?x a kg:Event } }",
    "SELECT ?st ?s WHERE { ?st rdf:subject ?s FILTER NOT EXISTS { ?st kg:claimedBy ?c } }",
    "SELECT ?q ?src WHERE { ?st rdf:subject mi:toqaev ; kg:evidence [ kg:quote ?q ; prov:wasDerivedFrom ?src ] }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT ?x ?v WHERE { ?x kg:killed ?v FILTER (?v > 5) }",
    "SELECT DISTINCT ?t WHERE { ?x a ?t } ORDER BY ?t LIMIT 5",
    "SELECT ?x (STRLEN(?l) AS ?len) WHERE { ?x rdfs:label ?l FILTER CONTAINS(LCASE(?l), 'cs') }",
    "SELECT ?s ?e WHERE { ?st rdf:subject ?s ; kg:end ?e ; kg:start ?b }",
    "SELECT ?x WHERE { VALUES ?x { mi:toqaev mi:nobody } ?x a ?t }",
]


@pytest.fixture(scope="module")
def oxigraph_store(mini_kg):
    import io

    import pyoxigraph as ox

    # the bare engine: the built quads dumped and loaded into a fresh store, queried with the
    # default graph as the union of the named graphs (as kgbuilder does, without its query layer)
    buf = io.BytesIO()
    mini_kg.store.dump("nquads", buf)
    store = ox.Store()
    store.load(buf.getvalue(), format=ox.RdfFormat.N_QUADS)

    class Union:
        def query(self, sparql, **kwargs):
            return store.query(sparql, use_default_graph_as_union=True, **kwargs)

    return Union()


@pytest.mark.parametrize("sparql", CROSS_CHECK)
def test_answers_match_pyoxigraph(mini_kg, oxigraph_store, sparql):
    mine = execute(mini_kg, sparql)
    theirs = oxigraph_store.query(sparql, prefixes=mini_kg.prefixes)
    names = [v.value for v in theirs.variables]
    assert names == mine.vars
    their_rows = sorted((tuple(term_tuple(sol[v]) for v in names) for sol in theirs), key=repr)
    my_rows = sorted((tuple(term_tuple(t) for t in row) for row in mine.rows), key=repr)
    assert my_rows == their_rows
    assert my_rows  # every query has answers, except where the data says otherwise
    if mine.ordered:
        assert [tuple(term_tuple(t) for t in row) for row in mine.rows] == \
               [tuple(term_tuple(sol[v]) for v in names) for sol in oxigraph_store.query(
                   sparql, prefixes=mini_kg.prefixes)]


def test_ask_and_construct_match_pyoxigraph(mini_kg, oxigraph_store):
    from rdflib import Graph, Literal, URIRef
    from rdflib.compare import isomorphic

    for q in ("ASK { ?x kg:memberOf mi:csto }", "ASK { mi:csto kg:memberOf ?x }"):
        assert execute(mini_kg, q).boolean == bool(oxigraph_store.query(
            q, prefixes=mini_kg.prefixes))
    q = "CONSTRUCT { ?e kg:who ?a ; kg:when ?d } WHERE { ?e kg:agent ?a ; kg:date ?d }"
    mine = Graph()
    for t in execute(mini_kg, q).triples:
        mine.add(t)
    theirs = Graph()
    for t in oxigraph_store.query(q, prefixes=mini_kg.prefixes):
        o = t.object
        obj = URIRef(o.value) if type(o).__name__ == "NamedNode" else Literal(o.value, datatype=o.datatype.value)
        theirs.add((URIRef(t.subject.value), URIRef(t.predicate.value), obj))
    assert len(mine) == 8
    assert isomorphic(mine, theirs)
