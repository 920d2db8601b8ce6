"""The query linter: typos and literals of the wrong datatype are named before the (empty) answer comes back."""
from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
import urllib.parse
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from doc_queries import doc_queries
from kgbuilder.cli import main
from kgbuilder.errors import QueryWarning
from kgbuilder.sparql.query import execute

ROOT = Path(__file__).parent.parent
KZ = ROOT / "datasets" / "kazakhstan-2022"


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def kz_kg(request):
    import kgbuilder

    kg = kgbuilder.build(KZ, store=request.param)
    assert kg.store.name == request.param
    return kg


CASES = [
    ("SELECT ?e WHERE { ?e kg:place kz:almatyy }", 1, 31, "kz:almatyy",
     "kz:almatyy is neither in the dataset nor in the ontology, so it matches nothing "
     "(did you mean 'kz:almaty'?)"),
    ("SELECT ?p WHERE {\n  ?x kg:holdPost ?p }", 2, 6, "kg:holdPost",
     "kg:holdPost is neither in the dataset nor in the ontology, so it matches nothing "
     "(did you mean 'kg:holdsPost'?)"),
    ("SELECT ?e WHERE { ?e <https://w3id.org/kgbuilder/ns#plac> ?x }", 1, 22,
     "<https://w3id.org/kgbuilder/ns#plac>",
     "kg:plac is neither in the dataset nor in the ontology, so it matches nothing "
     "(did you mean 'kg:place' or 'kg:Place'?)"),
    ('SELECT ?e WHERE { ?e kg:date "2022-01-05" }', 1, 30, '"2022-01-05"',
     '"2022-01-05" is xsd:string, but the values of kg:date are xsd:date, '
     'so it matches none of them (write "2022-01-05"^^xsd:date)'),
    ('SELECT ?e WHERE { ?e kg:date "2011" }', 1, 30, '"2011"',
     '"2011" is xsd:string, but the values of kg:date are xsd:date, so it matches none of them'),
    ('SELECT ?e ?d WHERE { ?e kg:date ?d FILTER(?d = "2022-01-05") }', 1, 48, '"2022-01-05"',
     '"2022-01-05" is xsd:string, but the values of kg:date are xsd:date, '
     'so comparing them with it fails for each (write "2022-01-05"^^xsd:date)'),
    ('SELECT ?e WHERE { ?e rdfs:label "Almaty" }', 1, 33, '"Almaty"',
     '"Almaty" is xsd:string, but the values of rdfs:label are rdf:langString, so it matches none of them '
     '(write "Almaty"@en, or compare STR(...) with it)'),
    ('SELECT ?e WHERE { ?e kg:place "Almaty" }', 1, 31, '"Almaty"',
     '"Almaty" is a literal, but the values of kg:place are entities (IRIs), so it matches none of them'),
]


@pytest.mark.parametrize("text,line,col,token,message", CASES)
def test_the_api_warns_and_still_answers(kz_kg, text, line, col, token, message):
    with pytest.warns(QueryWarning) as record:
        res = execute(kz_kg, text, timeout=None)
    assert res.kind == "SELECT"        # the answer is still given (empty: that is the point)
    assert res.rows == []
    [w] = [r.message for r in record if isinstance(r.message, QueryWarning)]
    assert (w.line, w.column, w.token, w.message) == (line, col, token, message)
    assert str(w) == f"query:{line}:{col}: {message}"


def test_kg_query_warns_too(kz_kg):
    with pytest.warns(QueryWarning, match="kz:almatyy is neither"):
        kz_kg.query("ASK { kz:almatyy ?p ?o }")


def test_the_fixed_queries_are_silent(kz_kg):
    with warnings.catch_warnings():
        warnings.simplefilter("error", QueryWarning)
        assert execute(kz_kg, 'SELECT ?e WHERE { ?e kg:date "2022-01-05"^^xsd:date }').rows
        assert execute(kz_kg, "SELECT ?e WHERE { ?e kg:place kz:almaty }").rows
        assert execute(kz_kg, "SELECT ?x WHERE { ?x kg:holdsPost ?p }").rows
        # a term the ontology defines that this graph does not use is no typo
        execute(kz_kg, "SELECT ?x WHERE { ?x kg:dateNote ?n }")
        # numbers compare across numeric types; VALUES rows are not triple patterns
        execute(kz_kg, "SELECT ?e WHERE { ?e kg:killed ?n FILTER(?n > 2.5) }")
        execute(kz_kg, 'SELECT ?p WHERE { VALUES (?p ?m) { (kg:killed "killed") } ?e ?p ?n }')


def test_lint_off(kz_kg):
    with warnings.catch_warnings():
        warnings.simplefilter("error", QueryWarning)
        execute(kz_kg, "SELECT ?e WHERE { ?e kg:place kz:almatyy }", lint=False)




def test_saved_queries_and_doc_examples_raise_no_warning(kz_kg):
    from kgbuilder.sparql.lint import lint_query
    from kgbuilder.sparql.safety import check_query

    found = [str(w) for name, text in doc_queries() for w in lint_query(kz_kg, check_query(text, kz_kg.prefixes, name))]
    assert found == []


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_cli_prints_the_warning_on_stderr_and_the_answer_on_stdout(store):
    r = CliRunner().invoke(main, ["query", str(KZ), "--store", store, "-F", "csv",
                                  "SELECT ?e WHERE { ?e kg:place kz:almatyy }"])
    assert r.exit_code == 0, r.output
    assert r.stderr == ("warning: query:1:31: kz:almatyy is neither in the dataset nor in the ontology, so it "
                        "matches nothing (did you mean 'kz:almaty'?)\n")
    assert r.stdout.splitlines() == ["e"]


def test_cli_names_the_file(tmp_path):
    q = tmp_path / "typo.rq"
    q.write_text('# Question: what happened that day?\nSELECT ?e WHERE {\n  ?e kg:date "2022-01-05" }\n')
    r = CliRunner().invoke(main, ["query", str(KZ), "-f", str(q), "-F", "csv"])
    assert r.exit_code == 0
    assert r.stderr.startswith(f'warning: {q}:3:14: "2022-01-05" is xsd:string, but the values of kg:date')


def test_serve_answer_carries_the_warnings(kz_kg):
    from kgbuilder.serve.answer import answer

    ans = answer(kz_kg, {"sparql": "SELECT ?p WHERE { ?x kg:holdPost ?p }", "accept": None, "limit": 10})
    assert ans.status == 200
    assert list(ans.warnings) == ["query:1:22: kg:holdPost is neither in the dataset nor in the ontology, so it "
                                  "matches nothing (did you mean 'kg:holdsPost'?)"]
    assert answer(kz_kg, {"sparql": "SELECT ?p WHERE { ?x kg:holdsPost ?p }", "accept": None,
                          "limit": 10}).warnings == ()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from test_serve import Server

    ds = tmp_path_factory.mktemp("lint") / "mini"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", ds)
    server = Server(ds, "--workers", "1", "--timeout", "10")
    yield server
    server.stop()


def test_serve_sends_the_warnings_in_a_header(served):
    query = 'SELECT ?x WHERE { ?x kg:memberOf mi:csto2 . ?x rdfs:label "<b>Russia</b>" }'
    status, headers, body = served.request("/sparql?" + urllib.parse.urlencode({"query": query}),
                                           headers={"Accept": "application/sparql-results+json"})
    assert status == 200
    assert json.loads(body)["results"]["bindings"] == []
    found = json.loads(headers["KGBuilder-Warnings"])
    assert [re.sub(r" \(did you mean.*", "", w) for w in found] == [
        f"query:1:{query.index('mi:csto2') + 1}: mi:csto2 is neither in the dataset nor in the ontology, "
        "so it matches nothing",
        f'query:1:{query.index("<b>") }: "<b>Russia</b>" is xsd:string, but the values of rdfs:label are rdf:langString, so it '
        'matches none of them (write "<b>Russia</b>"@en, or compare STR(...) with it)']
    status, headers, _ = served.request("/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))
    assert status == 200 and "KGBuilder-Warnings" not in headers


def test_the_query_page_shows_the_warnings_as_text(served):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    query = 'SELECT ?x WHERE { ?x rdfs:label "<b>Russia</b>" }'
    with tempfile.TemporaryDirectory() as profile, sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=chromium, headless=True,
                                                   args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = ctx.new_page()
            page.goto(served.url + "query")
            page.fill("#q", query)
            page.select_option("#fmt", "application/sparql-results+json")
            page.click("button[type=submit], input[type=submit]")
            deadline = time.monotonic() + 30
            while not page.query_selector(".warn"):
                assert time.monotonic() < deadline, page.content()
                time.sleep(0.05)
            texts = [e.text_content() for e in page.query_selector_all(".warn")]
            assert page.query_selector(".warn b") is None           # shown as text, never as markup
        finally:
            ctx.close()
    assert texts == ['warning: query:1:33: "<b>Russia</b>" is xsd:string, but the values of rdfs:label are '
                     'rdf:langString, so it matches none of them (write "<b>Russia</b>"@en, or compare STR(...) '
                     'with it)']


def test_no_warning_for_a_construct_template_or_an_inequality(kz_kg):
    with warnings.catch_warnings():
        warnings.simplefilter("error", QueryWarning)
        execute(kz_kg, "CONSTRUCT { ?e kg:summaryPlace ?p } WHERE { ?e kg:place ?p }")
        execute(kz_kg, 'SELECT ?x WHERE { ?x rdfs:label ?l FILTER(?l != "") }')
    with pytest.warns(QueryWarning, match="kg:plac is neither"):
        execute(kz_kg, "CONSTRUCT { ?e kg:summaryPlace ?p } WHERE { ?e kg:plac ?p }")
    with pytest.warns(QueryWarning, match="kg:plac is neither"):
        execute(kz_kg, "CONSTRUCT WHERE { ?e kg:plac ?p }")


def test_a_warning_carries_no_terminal_escape():
    # the literal is the user's; ESC in it must not reach the terminal raw
    r = CliRunner().invoke(main, ["query", str(KZ), "-F", "csv", 'SELECT ?e WHERE { ?e kg:place "\x1b]0;pwned\x07" }'])
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stderr and "\\x1b]0;pwned" in r.stderr


def test_a_query_that_does_not_parse_gets_its_error_alone(tmp_path):
    q = tmp_path / "bad.rq"
    q.write_text("# Question: what?\nSELECT ?x WHERE {\n  ?x kg:x ?y . FILTER(?x = ) }\n")
    r = CliRunner().invoke(main, ["query", str(KZ), "-f", str(q)])
    assert r.exit_code == 1
    assert r.output == f"Error: {q}:3:28: syntax error at ')'\n"
