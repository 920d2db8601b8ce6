"""Each safety rule of `kgbuilder query`, proven: no network, no files, read-only, bounded."""
from __future__ import annotations

import http.server
import threading
import time

import pytest
from click.testing import CliRunner

from kgbuilder.cli import main
from kgbuilder.errors import QueryError, QuerySyntaxError, QueryTimeoutError, UnsafeQueryError
from kgbuilder.sparql.query import execute

CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"


@pytest.fixture
def server(monkeypatch):
    """A local HTTP server that counts every request it receives."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self):
            hits.append(self.path)
            body = b'{"head": {"vars": []}, "results": {"bindings": []}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql", hits
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


SERVICE_FORMS = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SeRvIcE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ VALUES ?ep {{ <{url}> }} SERVICE ?ep {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x kg:id ?id OPTIONAL {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ ?x kg:id ?id }} UNION {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?x kg:id ?id MINUS {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?x kg:id ?id FILTER EXISTS {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ GRAPH ?g {{ OPTIONAL {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }} }}",
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX ep: <{url}>\nSELECT * WHERE {{ # a comment\n  SERVICE\n ep: {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("form", SERVICE_FORMS)
def test_service_is_refused_and_nothing_reaches_the_server(mini_kg, server, form):
    url, hits = server
    with pytest.raises(UnsafeQueryError, match=r"SERVICE .* is not allowed: queries never reach the network"):
        execute(mini_kg, form.format(url=url), timeout=5)
    assert hits == []


def test_the_server_fixture_does_see_a_service_call_when_safety_is_off(mini_kg, server):
    # the control for the test above: the same harness does record a request that is made
    url, hits = server
    try:
        execute(mini_kg, f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", timeout=30, safe=False)
    except QueryError:
        pass  # what the fake endpoint answers does not matter, only that it was asked
    assert len(hits) >= 1


def test_service_through_the_cli(mini_path, server):
    url, hits = server
    r = CliRunner().invoke(main, ["query", str(mini_path), f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"])
    assert r.exit_code == 1
    assert r.output == f"Error: query: SERVICE <{url}> is not allowed: queries never reach the network\n"
    assert hits == []


@pytest.mark.parametrize("text,shown", [
    ("SELECT * FROM <{file}> WHERE {{ ?s ?p ?o }}", "FROM <{file}>"),
    ("SELECT * FROM NAMED <{file}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM NAMED <{file}>"),
    ("select * from <{url}> where {{ ?s ?p ?o }}", "FROM <{url}>"),
])
def test_from_is_refused(mini_kg, server, tmp_path, text, shown):
    url, hits = server
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:a> <urn:b> <urn:c> .\n")
    file = secret.as_uri()
    with pytest.raises(UnsafeQueryError) as exc:
        execute(mini_kg, text.format(file=file, url=url))
    assert str(exc.value) == (f"query: {shown.format(file=file, url=url)} is not allowed: queries read only "
                              "the dataset's own graph (use GRAPH to pick a source)")
    assert hits == []


@pytest.mark.parametrize("update,op", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT DATA"),
    ("DELETE DATA { <urn:a> <urn:b> <urn:c> }", "DELETE DATA"),
    ("delete where { ?s ?p ?o }", "DELETE WHERE"),
    ("PREFIX ex: <urn:x:>\nDELETE { ?s ?p ?o } INSERT { ?s ex:q ?o } WHERE { ?s ?p ?o }", "DELETE"),
    ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD"),
    ("LOAD SILENT <file:///etc/passwd>", "LOAD SILENT"),
    ("CLEAR ALL", "CLEAR"),
    ("DROP GRAPH <urn:g>", "DROP"),
    ("CREATE GRAPH <urn:g>", "CREATE"),
    ("ADD DEFAULT TO <urn:g>", "ADD"),
    ("MOVE DEFAULT TO <urn:g>", "MOVE"),
    ("COPY DEFAULT TO <urn:g>", "COPY"),
    ("# a comment\nBASE <urn:x:>\nInsert Data { <a> <b> <c> }", "INSERT DATA"),
])
def test_updates_are_refused(mini_kg, update, op):
    before = len(mini_kg.store)
    with pytest.raises(UnsafeQueryError) as exc:
        execute(mini_kg, update)
    assert str(exc.value) == (f"query: {op} is a SPARQL update; queries are read-only "
                              "(use SELECT, ASK, CONSTRUCT or DESCRIBE)")
    assert len(mini_kg.store) == before


def test_update_through_the_cli(mini_path):
    r = CliRunner().invoke(main, ["query", str(mini_path), "CLEAR ALL"])
    assert r.exit_code == 1
    assert r.output == ("Error: query: CLEAR is a SPARQL update; queries are read-only "
                        "(use SELECT, ASK, CONSTRUCT or DESCRIBE)\n")


def test_runaway_query_stops_near_the_timeout(mini_kg):
    t0 = time.monotonic()
    with pytest.raises(QueryTimeoutError) as exc:
        execute(mini_kg, CARTESIAN, timeout=1)
    elapsed = time.monotonic() - t0
    assert elapsed < 1 + 2.5, elapsed
    assert str(exc.value) == "query: stopped after 1 s (--timeout); narrow the query down or raise the limit"


def test_runaway_query_stops_with_other_threads_running(mini_kg):
    # with a second thread alive the worker is spawned rather than forked; the deadline still holds
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        assert threading.active_count() > 1
        t0 = time.monotonic()
        with pytest.raises(QueryTimeoutError):
            execute(mini_kg, CARTESIAN, timeout=1)
        # spawning a fresh interpreter and loading the quads comes before the clock starts
        assert time.monotonic() - t0 < 1 + 15
        r = execute(mini_kg, "SELECT (COUNT(*) AS ?n) WHERE { ?s kg:memberOf ?o }", timeout=30)
        assert int(r.rows[0][0]) == 2
    finally:
        stop.set()
        t.join()


def test_runaway_query_through_the_cli(mini_path):
    t0 = time.monotonic()
    r = CliRunner().invoke(main, ["query", str(mini_path), CARTESIAN, "--timeout", "1"])
    assert time.monotonic() - t0 < 1 + 10  # includes loading the graph
    assert r.exit_code == 1
    assert r.output == "Error: query: stopped after 1 s (--timeout); narrow the query down or raise the limit\n"


def test_a_query_that_eats_memory_is_stopped(mini_kg):
    with pytest.raises(QueryError, match="the query needed more memory than allowed; narrow it down"):
        execute(mini_kg, CARTESIAN, timeout=60, memory_mb=64)


def test_row_limit(mini_kg):
    r = execute(mini_kg, "SELECT ?s WHERE { ?s ?p ?o }", limit=7)
    assert len(r.rows) == 7 and r.truncated
    r = execute(mini_kg, "SELECT ?s WHERE { ?s kg:memberOf ?o }", limit=2)
    assert len(r.rows) == 2 and not r.truncated


def test_row_limit_note_in_the_cli(mini_path):
    r = CliRunner().invoke(main, ["query", str(mini_path), "SELECT ?s WHERE { ?s ?p ?o }", "--limit", "5",
                                  "-F", "csv"])
    assert r.exit_code == 0
    assert r.stdout_bytes.count(b"\r\n") == 6
    assert r.stderr == ("note: stopped at the row limit (5 rows); use --limit N for more "
                        "(--limit 0 for all)\n")


@pytest.mark.parametrize("text,line,col,token,message", [
    ("SELECT ?x WHERE { ?x ?y }", 1, 25, "}", "query:1:25: syntax error at '}'"),
    ("SELECT ?x WHERE {\n  ?x a kg:Person .\n  FILTER(?x = ) }", 3, 15, ")", "query:3:15: syntax error at ')'"),
    ("SELEC ?x WHERE { ?x ?y ?z }", 1, 1, "SELEC", "query:1:1: syntax error at 'SELEC'"),
    ("SELECT ?x WHERE {\n  ?x nope:thing ?y }", 2, 6, "nope:", "query:2:6: unknown prefix 'nope:'"),
    ("SELECT ?x WHERE { ?x ?y ?z ", 1, 28, None, "query:1:28: syntax error: the query ends too early"),
])
def test_syntax_errors_name_line_column_and_token(mini_kg, text, line, col, token, message):
    with pytest.raises(QuerySyntaxError) as exc:
        execute(mini_kg, text)
    e = exc.value
    assert (e.line, e.column, e.token, str(e)) == (line, col, token, message)


def test_syntax_error_through_the_cli_names_the_file(mini_path, tmp_path):
    q = tmp_path / "bad.rq"
    q.write_text("# Question: what?\nSELECT ?x WHERE {\n  ?x kg:memberOf ?y ?z }\n")
    r = CliRunner().invoke(main, ["query", str(mini_path), "-f", str(q)])
    assert r.exit_code == 1
    assert r.output == f"Error: {q}:3:21: syntax error at '?z'\n"
