"""Any SPARQL 1.1 server as the store: push a built graph there, run queries against it.

Only the standard protocols, so Virtuoso, Fuseki, GraphDB, Neptune or QLever all work:

* push with the SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT`` replaces the named graph,
  so the server keeps the previous graph unless the whole upload arrives; or, where a server
  only speaks SPARQL 1.1 Update, upload into a fresh scratch graph in chunks and ``MOVE`` it
  over the target in one last operation (a failure before that leaves the target untouched);
* query with the SPARQL 1.1 Protocol (``POST`` of a URL-encoded form).

HTTP goes through the standard library's urllib: it does Basic and Digest authentication
(Virtuoso's ``/sparql-graph-crud-auth`` wants Digest), and the network is only touched when
a user names an endpoint. Credentials come from ``KGBUILDER_ENDPOINT_USER`` and
``KGBUILDER_ENDPOINT_PASSWORD`` and never appear in messages.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Iterable

from ..errors import KGBuilderError, UnsafeQueryError

__all__ = [
    "RemoteError", "Endpoint", "PushResult", "push", "remote_query", "remote_result",
    "query_kind", "with_prefixes", "dataset_prefixes", "split_remote_args", "RemoteSession",
    "USER_ENV", "PASSWORD_ENV",
]

USER_ENV = "KGBUILDER_ENDPOINT_USER"
PASSWORD_ENV = "KGBUILDER_ENDPOINT_PASSWORD"
PROTOCOLS = ("gsp", "update")
#: the most bytes read from one answer: a server (or something posing as one) cannot fill
#: memory; a query whose answer is larger wants a LIMIT (or the dataset built locally)
MAX_ANSWER_BYTES = 256 * 1024 * 1024
#: triples per INSERT DATA request when pushing with SPARQL Update (Virtuoso turns each
#: request into SQL and refuses more than 10,000 lines of it: 5,000 triples fail, 1,000 pass)
UPDATE_CHUNK = 1000


class RemoteError(KGBuilderError):
    """A SPARQL server could not be reached or refused a request."""


@dataclass(frozen=True)
class Endpoint:
    """A server URL plus the credentials the environment holds for it."""

    url: str
    user: str | None = None
    password: str | None = None
    timeout: float = 60.0
    max_bytes: int = MAX_ANSWER_BYTES

    @classmethod
    def from_url(cls, url: str, *, timeout: float = 60.0, environ=None) -> "Endpoint":
        """Check ``url`` and pick up the credentials from the environment."""
        from urllib.parse import urlsplit

        env = os.environ if environ is None else environ
        if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
            # a CR LF in it would reach the request line (http.client refuses it, in its words)
            shown = _redact(url.encode("unicode_escape").decode("ascii"))     # \r, \t shown, not taken out
            raise RemoteError(f"endpoint '{shown}' holds a space or a control character: not a URL "
                              "(write a space as %20)")
        try:
            parts = urlsplit(url)
            parts.port          # raises for a port out of range or not a number
        except ValueError as exc:   # 'Invalid IPv6 URL', 'Port out of range 0-65535'
            raise RemoteError(f"endpoint '{_redact(url)}' is not a URL: {exc}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RemoteError(f"endpoint '{_redact(url)}' is not an http(s) URL "
                              "(e.g. http://127.0.0.1:8890/sparql)")
        if parts.username is not None or parts.password is not None:
            raise RemoteError(f"endpoint '{_redact(url)}': credentials do not belong in the URL; "
                              f"set {USER_ENV} and {PASSWORD_ENV} instead")
        user = env.get(USER_ENV) or None
        password = env.get(PASSWORD_ENV)
        if password and not user:
            raise RemoteError(f"{PASSWORD_ENV} is set but {USER_ENV} is not")
        return cls(url, user, password if user else None, timeout)

    def with_params(self, **params: str) -> str:
        from urllib.parse import urlencode

        sep = "&" if "?" in self.url else "?"
        return self.url + sep + urlencode(params) if params else self.url

    def open(self, method: str, url: str, body: bytes | None, headers: dict[str, str]):
        """Send one request; return (status, content type, body). HTTP errors become RemoteError.

        ``timeout`` bounds the whole exchange, not each read (a server sending a byte a
        second is cut off), and at most ``max_bytes`` of the answer are read.
        """
        import http.client
        import socket
        import urllib.error
        import urllib.request

        from .deadline import Deadline, deadline_handlers

        deadline = Deadline(self.timeout)
        handlers = deadline_handlers(deadline)
        digest = None
        if self.user:
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            mgr.add_password(None, self.url, self.user, self.password or "")
            digest = urllib.request.HTTPDigestAuthHandler(mgr)
            handlers += [digest, urllib.request.HTTPBasicAuthHandler(mgr)]
        opener = urllib.request.build_opener(*handlers)
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with deadline:
                if body:
                    self._authorize(req, digest, urllib.request.build_opener(*deadline_handlers(deadline)))
                with opener.open(req, timeout=self.timeout) as resp:
                    data = resp.read(self.max_bytes + 1)
                    if len(data) > self.max_bytes:
                        raise RemoteError(f"{self.url}: the answer is over {self.max_bytes:,} bytes: "
                                          "stopped reading (add a LIMIT to the query)")
                    deadline.check()
                    return resp.status, resp.headers.get("Content-Type", ""), data
        except RemoteError:
            raise
        except urllib.error.HTTPError as exc:
            detail = _first_line(exc.read(64 * 1024))
            hint = ""
            if exc.code == 401:
                hint = (f" (set {USER_ENV} and {PASSWORD_ENV})" if not self.user
                        else f" (check {USER_ENV}/{PASSWORD_ENV} and the user's rights)")
            elif exc.code == 403 and self.user:
                hint = f" (check the rights of {USER_ENV} on the server)"
            raise RemoteError(f"{self.url}: HTTP {exc.code} {exc.reason}"
                              + (f": {detail}" if detail else "") + hint) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc) if isinstance(exc, urllib.error.URLError) else exc
            if deadline.expired or isinstance(reason, (socket.timeout, TimeoutError)):
                raise RemoteError(f"{self.url}: no complete answer within {self.timeout:g} s") from None
            if isinstance(reason, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
                raise RemoteError(f"{self.url}: the connection broke off mid-request: {reason}") from None
            if isinstance(reason, http.client.HTTPException):
                raise RemoteError(f"{self.url}: the answer is not HTTP ({type(reason).__name__}): "
                                  "is this a SPARQL endpoint?") from None
            if isinstance(exc, urllib.error.URLError):
                raise RemoteError(f"{self.url}: cannot connect: {reason}") from None
            # e.g. the server closed the connection in the middle of an upload
            raise RemoteError(f"{self.url}: connection failed: {getattr(exc, 'strerror', None) or exc}") from None

    def _authorize(self, req, digest, opener) -> None:
        """Answer the server's challenge before sending a body.

        A server that wants authentication answers the first, unauthenticated request with 401
        and closes the connection before reading its body (Virtuoso does): a large upload then
        dies with a broken pipe. So a body-less HEAD fetches the challenge first and the real
        request goes out with its Authorization header already set.
        """
        import base64
        import urllib.error
        import urllib.request

        probe = urllib.request.Request(req.full_url, method="HEAD")
        try:
            with opener.open(probe, timeout=self.timeout):
                return          # no authentication asked for
        except urllib.error.HTTPError as exc:
            challenges = (exc.headers.get_all("WWW-Authenticate") or []) if exc.code == 401 else []
            if challenges and not self.user:
                raise RemoteError(f"{self.url}: HTTP 401 {exc.reason} (set {USER_ENV} and {PASSWORD_ENV})") from None
        for challenge in challenges:
            scheme, _, rest = challenge.partition(" ")
            if scheme.lower() == "digest":
                chal = urllib.request.parse_keqv_list(
                    [x for x in urllib.request.parse_http_list(rest) if "=" in x])
                auth = digest.get_authorization(req, chal)
                if auth:
                    req.add_unredirected_header("Authorization", "Digest " + auth)
                return
            if scheme.lower() == "basic":
                token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
                req.add_unredirected_header("Authorization", "Basic " + token)
                return


def _redact(url: str) -> str:
    """The URL without any user:password part, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if "@" in parts.netloc:
        parts = parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1])
    return urlunsplit(parts)


def _first_line(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    import re

    text = re.sub(r"<[^>]+>", " ", text)       # servers answer errors in HTML too
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line[:200]
    return ""


@dataclass(frozen=True)
class PushResult:
    triples: int
    graph: str
    protocol: str
    status: int
    requests: int


def _ntriples(triples: Iterable[tuple]) -> list[bytes]:
    """One N-Triples line per triple (N-Triples is also valid Turtle and INSERT DATA content)."""
    from rdflib import Graph

    g = Graph()
    for t in triples:
        g.add(t)
    data = g.serialize(format="nt", encoding="utf-8")
    return sorted(line for line in data.splitlines() if line.strip())


def push(kg, endpoint: Endpoint, graph: str | None = None, *, protocol: str = "gsp",
         chunk: int = UPDATE_CHUNK) -> PushResult:
    """Replace the named graph ``graph`` (default: the dataset's base IRI) on the server with ``kg``.

    All or nothing: with ``gsp`` one PUT carries the whole graph; with ``update`` the triples go
    to a scratch graph first and a single ``MOVE`` replaces the target at the end.
    """
    if protocol not in PROTOCOLS:
        raise RemoteError(f"unknown protocol '{protocol}' (one of: {', '.join(PROTOCOLS)})")
    graph = graph or kg.base
    _check_iri(graph)
    lines = _ntriples(kg.graph)
    if protocol == "gsp":
        body = b"\n".join(lines) + b"\n"
        status, _, _ = endpoint.open("PUT", endpoint.with_params(graph=graph), body,
                                     {"Content-Type": "text/turtle; charset=utf-8"})
        return PushResult(len(lines), graph, protocol, status, 1)
    return _push_update(lines, endpoint, graph, chunk)


def _push_update(lines: list[bytes], endpoint: Endpoint, graph: str, chunk: int) -> PushResult:
    scratch = f"urn:kgbuilder:upload:{uuid.uuid4()}"
    requests = 0

    def update(text: str) -> int:
        nonlocal requests
        from urllib.parse import urlencode

        requests += 1
        status, _, _ = endpoint.open("POST", endpoint.url, urlencode({"update": text}).encode(),
                                     {"Content-Type": "application/x-www-form-urlencoded"})
        return status

    try:
        for i in range(0, len(lines), chunk):
            body = b"\n".join(lines[i:i + chunk]).decode("utf-8")
            update(f"INSERT DATA {{ GRAPH <{scratch}> {{\n{body}\n}} }}")
        if not lines:
            update(f"CREATE SILENT GRAPH <{scratch}>")
        status = update(f"MOVE SILENT GRAPH <{scratch}> TO GRAPH <{graph}>")
    except RemoteError as exc:
        try:
            update(f"DROP SILENT GRAPH <{scratch}>")
        except RemoteError:
            pass
        raise RemoteError(f"{exc}; push abandoned, graph <{graph}> left as it was") from None
    return PushResult(len(lines), graph, "update", status, requests)


def _check_iri(iri: str) -> None:
    from urllib.parse import urlsplit

    bad = set('<>"{}|^`\\ ') & set(iri)
    if not urlsplit(iri).scheme or bad:
        raise RemoteError(f"graph IRI '{iri}' is not an absolute IRI"
                          + (f" (it contains {''.join(sorted(bad))!r})" if bad else ""))


# --- queries ---------------------------------------------------------------------------------

def query_kind(sparql: str, prefixes: dict[str, str] | None = None) -> tuple[str, bool]:
    """(SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE; whether it has ORDER BY), by parsing locally.

    Parsing here gives syntax errors with line and column before anything is sent.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    from ..sparql.query import has_order_by, parse_query

    try:
        parsed = parseQuery(sparql)
    except ParseException:
        try:
            parseUpdate(sparql)
        except ParseException:
            parse_query(sparql, prefixes or {})     # raises the CLI's QuerySyntaxError, with the token
            raise
        return "UPDATE", False
    kind = parsed[1].name.removesuffix("Query").upper()
    return kind, has_order_by(sparql)


def with_prefixes(sparql: str, prefixes: dict[str, str]) -> str:
    """The query with PREFIX lines for ``prefixes`` in front (a query's own PREFIX lines come
    later and win)."""
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(prefixes.items()))
    return head + sparql


RESULT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


def remote_query(endpoint: Endpoint, sparql: str, *, accept: str = RESULT_ACCEPT,
                 graph: str | None = None, update: bool = False) -> tuple[str, bytes]:
    """Send ``sparql`` (SPARQL 1.1 Protocol, POST form): the answer's (content type, body).

    ``graph`` restricts the default graph to that named graph (``default-graph-uri``).
    """
    from urllib.parse import urlencode

    form = [("update" if update else "query", sparql)]
    if graph and not update:
        form.append(("default-graph-uri", graph))
    _, ctype, body = endpoint.open("POST", endpoint.url, urlencode(form).encode(),
                                   {"Content-Type": "application/x-www-form-urlencoded",
                                    "Accept": "*/*" if update else accept})
    return ctype, body


def remote_result(endpoint: Endpoint, sparql: str, *, prefixes: dict[str, str] | None = None,
                  graph: str | None = None, limit: int | None = None, allow_update: bool = False):
    """Run ``sparql`` on the server: a :class:`~kgbuilder.sparql.query.QueryResult` like a local
    query's (rows sorted the same way when there is no ORDER BY), or None for an update.

    Updates are refused unless ``allow_update``; SERVICE and FROM are the server's business.
    """
    import io

    from rdflib import Graph
    from rdflib.query import Result

    from ..sparql.query import QueryResult, term_key

    kind, ordered = query_kind(sparql, prefixes)
    text = with_prefixes(sparql, prefixes or {})
    if kind == "UPDATE":
        if not allow_update:
            raise UnsafeQueryError("refusing to send a SPARQL update to the server; "
                                   "pass --allow-update if you mean it")
        remote_query(endpoint, text, update=True)
        return None
    out = QueryResult(kind=kind, limit=limit or None, ordered=ordered)
    if kind in ("CONSTRUCT", "DESCRIBE"):
        ctype, body = remote_query(endpoint, text, accept=GRAPH_ACCEPT, graph=graph)
        fmt = _rdf_format(ctype)
        g = Graph()
        try:
            g.parse(data=body, format=fmt)
        except Exception as exc:  # noqa: BLE001 - rdflib parsers raise many types
            raise RemoteError(f"{endpoint.url}: cannot read the {fmt} answer: {exc}") from None
        out.triples = sorted(g, key=lambda t: tuple(term_key(x) for x in t))
    else:
        ctype, body = remote_query(endpoint, text, accept=RESULT_ACCEPT, graph=graph)
        if "json" not in ctype:
            raise RemoteError(f"{endpoint.url}: expected SPARQL JSON results, got '{ctype or 'no type'}'")
        try:
            res = Result.parse(io.BytesIO(body), format="json")
        except Exception as exc:  # noqa: BLE001
            raise RemoteError(f"{endpoint.url}: cannot read the JSON results: {exc}") from None
        if kind == "ASK":
            out.boolean = bool(res.askAnswer)
            return out
        out.vars = [str(v) for v in res.vars]
        out.rows = [tuple(row.get(v) for v in res.vars) for row in res.bindings]
        if not ordered:
            out.rows.sort(key=lambda r: tuple(term_key(t) for t in r))
    n = len(out)
    if limit and n > limit:
        out.truncated = True
        if kind in ("CONSTRUCT", "DESCRIBE"):
            out.triples = out.triples[:limit]
        else:
            out.rows = out.rows[:limit]
    return out


def _rdf_format(ctype: str) -> str:
    mt = ctype.split(";")[0].strip().lower()
    return {"application/n-triples": "nt", "text/plain": "nt", "text/turtle": "turtle",
            "application/rdf+xml": "xml", "application/ld+json": "json-ld",
            "text/n3": "n3"}.get(mt, "turtle")


def dataset_prefixes(dataset) -> dict[str, str]:
    """The ontology's prefixes plus a dataset's own (read from its dataset.yaml only)."""
    from pathlib import Path

    import yaml

    from ..namespaces import STANDARD_PREFIXES

    out = dict(STANDARD_PREFIXES)
    if dataset is None:
        return out
    path = Path(dataset) / "dataset.yaml"
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KGBuilderError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if isinstance(meta, dict) and isinstance(meta.get("prefix"), str) and isinstance(meta.get("base"), str):
        out[meta["prefix"]] = meta["base"]
    return out


# --- the CLI's `kgbuilder query --endpoint` ------------------------------------------------

def split_remote_args(dataset: str | None, query: str | None, query_elsewhere: bool):
    """``query --endpoint``'s positionals: [DATASET] QUERY, or DATASET with -f/--name/--list.

    DATASET is optional with an endpoint (it only lends its prefixes and saved queries), so a
    lone positional is the query unless the query comes from -f or --name.
    """
    from ..curation.files import has_dataset_yaml

    if query is None and not query_elsewhere:
        dataset, query = None, dataset
    if dataset is not None and not has_dataset_yaml(dataset):
        raise KGBuilderError(f"{dataset}: not a dataset folder (no dataset.yaml); with --endpoint "
                             "a DATASET only lends its prefixes and saved queries")
    return dataset, query


class RemoteSession:
    """Stands in for the KnowledgeGraph the query writers get: prefixes, base, id, title."""

    def __init__(self, url: str, dataset=None, *, graph: str | None = None, allow_update: bool = False,
                 timeout: float | None = None, limit: int | None = None, infer: bool = False):
        from ..namespaces import KG_NS

        if infer:
            raise KGBuilderError("--infer works on a local build; with --endpoint the server does "
                                 "its own inference (if any)")
        if graph is not None:
            _check_iri(graph)
        self.endpoint = Endpoint.from_url(url, timeout=timeout or 300.0)
        self.graph, self.allow_update, self.limit = graph, allow_update, limit or None
        self.prefixes = dataset_prefixes(dataset)
        self.base, self.prefix = KG_NS, "kg"
        if dataset is not None:
            from ..namespaces import STANDARD_PREFIXES

            own = {p: b for p, b in self.prefixes.items() if p not in STANDARD_PREFIXES}
            if own:
                self.prefix, self.base = next(iter(own.items()))
        self.id = self.title = _redact(url)

    def with_triples(self, triples, *, title: str | None = None):
        """A local graph of a CONSTRUCT answer, for the exporters (as KnowledgeGraph.with_triples)."""
        from ..kg import KnowledgeGraph
        from ..store.base import open_store

        empty = KnowledgeGraph(open_store("memory"), base=self.base, prefix=self.prefix, dataset_id=self.id,
                               title=self.title)
        return empty.with_triples(triples, title=title)

    def update_if_update(self, sparql: str) -> str | None:
        """Send ``sparql`` if it is an update (refused without allow_update): a message; else None."""
        kind, _ = query_kind(sparql, self.prefixes)
        if kind != "UPDATE":
            return None
        remote_result(self.endpoint, sparql, prefixes=self.prefixes, allow_update=self.allow_update)
        return f"update sent to {self.endpoint.url}"

    def query(self, sparql: str, file: str | None = None):
        try:
            return remote_result(self.endpoint, sparql, prefixes=self.prefixes, graph=self.graph,
                                 limit=self.limit, allow_update=self.allow_update)
        except KGBuilderError as exc:
            if file and not str(exc).startswith(file):
                raise type(exc)(f"{file}: {exc}") if type(exc) in (RemoteError, UnsafeQueryError) else exc
            raise
