"""`kgbuilder push` and `kgbuilder query --endpoint` against servers on loopback.

A small recording Graph Store / Update server (http.server) checks what goes over the wire;
the remote query path runs against `kgbuilder serve`. The real-server checks are in
test_virtuoso.py.
"""
from __future__ import annotations

import base64
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from kgbuilder.cli import main
from kgbuilder.remote import Endpoint, RemoteError, push

USER, PASSWORD = "curator", "s3cret-Pa55"


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, auth: bool = True, fail_post: int | None = None):
        super().__init__(("127.0.0.1", 0), Handler)
        self.auth, self.fail_post = auth, fail_post
        self.requests: list[dict] = []
        self.posts = 0
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self):
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _handle(self):
        srv: Recorder = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if srv.auth and self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        srv.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                             "body": body})
        status = 201 if self.command == "PUT" else 200
        if self.command == "POST":
            srv.posts += 1
            if srv.fail_post is not None and srv.posts == srv.fail_post:
                status = 500
        out = b"" if status < 400 else b"<html><body><h1>Internal error</h1> disk full</body></html>"
        self.send_response(status)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    do_PUT = do_POST = do_HEAD = do_GET = _handle


@pytest.fixture
def recorder():
    servers = []

    def make(**kw):
        s = Recorder(**kw)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.close()


CREDS = {"KGBUILDER_ENDPOINT_USER": USER, "KGBUILDER_ENDPOINT_PASSWORD": PASSWORD}


def _graph(body: bytes):
    from rdflib import Graph

    return Graph().parse(data=body, format="turtle")


def test_push_gsp_puts_the_whole_graph_with_basic_auth(recorder, mini_path, mini_kg):
    from rdflib.compare import isomorphic

    srv = recorder()
    result = CliRunner().invoke(main, ["push", str(mini_path), "--endpoint", srv.url + "/store"], env=CREDS)
    assert result.exit_code == 0, result.output
    n = len(mini_kg.graph)
    assert result.output == (f"pushed {n} triples to <https://kgbuilder.example/mini/> at {srv.url}/store "
                             "(gsp, 1 request, HTTP 201)\n")
    (put,) = [r for r in srv.requests if r["method"] == "PUT"]
    assert put["path"] == "/store?graph=" + urllib.parse.quote("https://kgbuilder.example/mini/", safe="")
    assert put["headers"]["Content-Type"] == "text/turtle; charset=utf-8"
    assert isomorphic(_graph(put["body"]), mini_kg.graph)
    assert PASSWORD not in result.output


def test_push_to_a_chosen_graph(recorder, mini_path):
    srv = recorder(auth=False)
    result = CliRunner().invoke(main, ["push", str(mini_path), "--endpoint", srv.url + "/gsp?x=1",
                                       "--graph", "http://example.org/g"], env={})
    assert result.exit_code == 0, result.output
    assert srv.requests[-1]["path"] == "/gsp?x=1&graph=http%3A%2F%2Fexample.org%2Fg"


def test_push_without_credentials_is_one_error_line(recorder, mini_path):
    srv = recorder()
    result = CliRunner().invoke(main, ["push", str(mini_path), "--endpoint", srv.url + "/store"],
                                env={"KGBUILDER_ENDPOINT_USER": "", "KGBUILDER_ENDPOINT_PASSWORD": ""})
    assert result.exit_code == 1
    assert result.output == (f"Error: {srv.url}/store: HTTP 401 Unauthorized (set KGBUILDER_ENDPOINT_USER "
                             "and KGBUILDER_ENDPOINT_PASSWORD)\n")


def test_push_with_a_wrong_password_never_shows_it(recorder, mini_path):
    srv = recorder()
    env = {"KGBUILDER_ENDPOINT_USER": USER, "KGBUILDER_ENDPOINT_PASSWORD": "wrong-Password-99"}
    result = CliRunner().invoke(main, ["push", str(mini_path), "--endpoint", srv.url + "/store"], env=env)
    assert result.exit_code == 1
    assert "wrong-Password-99" not in result.output
    assert "HTTP 401" in result.output and "check KGBUILDER_ENDPOINT_USER/KGBUILDER_ENDPOINT_PASSWORD" in result.output


@pytest.mark.parametrize("url,message", [
    ("http://bob:pw@127.0.0.1:1/store", "endpoint 'http://***@127.0.0.1:1/store': credentials do not belong "
                                       "in the URL; set KGBUILDER_ENDPOINT_USER and KGBUILDER_ENDPOINT_PASSWORD instead"),
    ("ftp://127.0.0.1/store", "endpoint 'ftp://127.0.0.1/store' is not an http(s) URL (e.g. http://127.0.0.1:8890/sparql)"),
    ("127.0.0.1:8890/sparql", "endpoint '127.0.0.1:8890/sparql' is not an http(s) URL (e.g. http://127.0.0.1:8890/sparql)"),
    # were a ValueError traceback, a wrong 'Connection refused', and a CR LF that reached the
    # request (http.client's InvalidURL, reported as 'the answer is not HTTP')
    ("http://[::1/sparql", "endpoint '<unparseable URL>' is not a URL: Invalid IPv6 URL"),
    ("http://127.0.0.1:99999/x", "endpoint 'http://127.0.0.1:99999/x' is not a URL: Port out of range 0-65535"),
    ("http://127.0.0.1:abc/x", "endpoint 'http://127.0.0.1:abc/x' is not a URL: Port could not be cast to integer "
                               "value as 'abc'"),
    ("http://bob:pw@127.0.0.1:9/x\r\nX-Evil: 1", "endpoint 'http://***@127.0.0.1:9/x\\r\\nX-Evil: 1' holds a space or "
                                             "a control character: not a URL (write a space as %20)"),
    ("http://127.0.0.1:9/a b", "endpoint 'http://127.0.0.1:9/a b' holds a space or a control character: not a URL "
                               "(write a space as %20)"),
])
def test_bad_endpoint_urls(mini_path, url, message):
    result = CliRunner().invoke(main, ["push", str(mini_path), "--endpoint", url], env={})
    assert result.exit_code == 1
    assert result.output == f"Error: {message}\n"
    assert "pw@" not in result.output


def test_password_without_user(mini_path):
    result = CliRunner().invoke(main, ["push", str(mini_path), "--endpoint", "http://127.0.0.1:1/x"],
                                env={"KGBUILDER_ENDPOINT_USER": "", "KGBUILDER_ENDPOINT_PASSWORD": "pw"})
    assert result.exit_code == 1
    assert result.output == "Error: KGBUILDER_ENDPOINT_PASSWORD is set but KGBUILDER_ENDPOINT_USER is not\n"


def test_unreachable_server(mini_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()   # nothing listens there now
    result = CliRunner().invoke(main, ["push", str(mini_path), "--endpoint", f"http://127.0.0.1:{port}/x"], env={})
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: http://127.0.0.1:{port}/x: cannot connect: ")


def test_push_invalid_dataset_sends_nothing(recorder, mini_copy):
    srv = recorder(auth=False)
    (mini_copy / "facts" / "facts.yaml").write_text("facts:\n  - subject: nobody-at-all\n")
    result = CliRunner().invoke(main, ["push", str(mini_copy), "--endpoint", srv.url + "/store"], env={})
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert srv.requests == []


def test_push_update_goes_through_a_scratch_graph(recorder, mini_kg):
    from rdflib import Graph
    from rdflib.compare import isomorphic

    srv = recorder()
    ep = Endpoint.from_url(srv.url + "/update", environ=CREDS)
    res = push(mini_kg, ep, "http://example.org/g", protocol="update", chunk=100)
    n = len(mini_kg.graph)
    assert (res.triples, res.requests, res.protocol) == (n, -(-n // 100) + 1, "update")
    posts = [urllib.parse.parse_qs(r["body"].decode())["update"][0] for r in srv.requests if r["method"] == "POST"]
    scratch = re.match(r"INSERT DATA \{ GRAPH <(urn:kgbuilder:upload:[0-9a-f-]+)> \{", posts[0]).group(1)
    assert all(p.startswith(f"INSERT DATA {{ GRAPH <{scratch}> {{") for p in posts[:-1])
    assert posts[-1] == f"MOVE SILENT GRAPH <{scratch}> TO GRAPH <http://example.org/g>"
    sent = Graph()
    for p in posts[:-1]:
        sent.parse(data=p.split("{\n", 1)[1].rsplit("\n}", 1)[0], format="nt")
    assert isomorphic(sent, mini_kg.graph)


def test_push_update_failing_midway_drops_the_scratch_graph_and_never_moves(recorder, mini_kg):
    srv = recorder(fail_post=2)
    ep = Endpoint.from_url(srv.url + "/update", environ=CREDS)
    with pytest.raises(RemoteError) as info:
        push(mini_kg, ep, "http://example.org/g", protocol="update", chunk=100)
    assert str(info.value) == (f"{srv.url}/update: HTTP 500 Internal Server Error: Internal error disk full; "
                               "push abandoned, graph <http://example.org/g> left as it was")
    posts = [urllib.parse.parse_qs(r["body"].decode())["update"][0] for r in srv.requests if r["method"] == "POST"]
    assert len(posts) == 3
    scratch = re.search(r"<(urn:kgbuilder:upload:[^>]+)>", posts[0]).group(1)
    assert posts[2] == f"DROP SILENT GRAPH <{scratch}>"
    assert not any("MOVE" in p or "http://example.org/g" in p for p in posts)


def test_bad_graph_iri(recorder, mini_path):
    srv = recorder(auth=False)
    result = CliRunner().invoke(main, ["push", str(mini_path), "--endpoint", srv.url, "--graph", "not an iri"],
                                env={})
    assert result.exit_code == 1
    assert result.output == "Error: graph IRI 'not an iri' is not an absolute IRI (it contains ' ')\n"
    assert srv.requests == []


# ---------------------------------------------------------------- query --endpoint

@pytest.fixture(scope="module")
def endpoint(tmp_path_factory, mini_path):
    import shutil

    from test_serve import Server

    ds = tmp_path_factory.mktemp("remote") / "mini"
    shutil.copytree(mini_path, ds)
    (ds / "queries").mkdir()
    (ds / "queries" / "01-persons.rq").write_text(
        "# Question: Who?\nSELECT ?p ?label WHERE { ?p a kg:Person ; rdfs:label ?label }\n")
    server = Server(ds, "--workers", "1")
    server.dataset = ds
    yield server
    server.stop()


def _run(args, **kw):
    return CliRunner().invoke(main, ["query", *args], env={"KGBUILDER_ENDPOINT_USER": ""}, **kw)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table"])
def test_remote_query_answers_like_the_local_one(endpoint, fmt):
    q = "SELECT ?p ?label WHERE { ?p a kg:Person ; rdfs:label ?label }"
    remote = _run(["--endpoint", endpoint.url + "sparql", str(endpoint.dataset), q, "-F", fmt])
    local = _run([str(endpoint.dataset), q, "-F", fmt])
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output and "Toqaev" in remote.output


def test_remote_saved_query_and_construct(endpoint, tmp_path):
    from rdflib import Graph
    from rdflib.compare import isomorphic

    url = endpoint.url + "sparql"
    remote = _run(["--endpoint", url, str(endpoint.dataset), "--name", "persons", "-F", "json"])
    local = _run([str(endpoint.dataset), "--name", "persons", "-F", "json"])
    assert remote.exit_code == 0 and remote.output == local.output
    q = "CONSTRUCT WHERE { ?p a kg:Person ; rdfs:label ?l }"
    out = tmp_path / "persons.ttl"
    remote = _run(["--endpoint", url, q, "-o", str(out)])   # no DATASET at all
    local = _run([str(endpoint.dataset), q, "-F", "turtle"])
    assert remote.exit_code == 0, remote.output
    assert remote.output == f"wrote {out} (4 triples)\n"
    assert isomorphic(Graph().parse(out), Graph().parse(data=local.output, format="turtle"))


def test_remote_limit_truncates(endpoint):
    result = _run(["--endpoint", endpoint.url + "sparql", "SELECT ?s WHERE { ?s ?p ?o }", "--limit", "3", "-F", "csv"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 4    # header + 3 rows
    assert "note: stopped at the row limit (3 rows)" in result.output


def test_remote_update_is_refused_unless_allowed(endpoint):
    url = endpoint.url + "sparql"
    result = _run(["--endpoint", url, "CLEAR ALL"])
    assert result.exit_code == 1
    assert result.output == ("Error: refusing to send a SPARQL update to the server; "
                             "pass --allow-update if you mean it\n")
    # allowed here, and then refused by the server, which is read-only
    result = _run(["--endpoint", url, "CLEAR ALL", "--allow-update"])
    assert result.exit_code == 1
    assert result.output == (f"Error: {url}: HTTP 403 Forbidden: refused: this endpoint is read-only "
                             "(no SPARQL update)\n")


def test_remote_errors(endpoint):
    url = endpoint.url + "sparql"
    result = _run(["--endpoint", url, "SELECT ?s WHERE { ?s ?p }"])
    assert result.exit_code == 1 and result.output.startswith("Error: query:1:")
    result = _run(["--endpoint", url, "--name", "persons"])
    assert result.exit_code == 1
    assert result.output == "Error: --name and --list need DATASET (its queries/ folder) before QUERY\n"
    result = _run(["--endpoint", url, "SELECT * WHERE { ?s ?p ?o }", "--infer"])
    assert result.exit_code == 1 and "--infer works on a local build" in result.output
    result = _run(["SELECT * WHERE { ?s ?p ?o }", "--graph", "http://example.org/g"])
    assert result.exit_code == 1
    assert result.output == "Error: --graph and --allow-update go with --endpoint URL\n"
    result = _run([])
    assert result.exit_code == 2 and "Missing argument 'DATASET'" in result.output
