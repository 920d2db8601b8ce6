"""``kgbuilder serve``: a read-only SPARQL 1.1 Protocol endpoint over a built dataset.

Starlette does the routing and uvicorn the HTTP: well-kept, small, and asyncio-based, so one
event loop waits on many slow queries while the worker pool (serve_pool) runs them in Oxigraph.
Routes:

* ``/sparql``  GET ``?query=``, POST form or ``application/sparql-query`` body; the answer
  in the format the Accept header prefers (W3C result formats, or RDF for CONSTRUCT/DESCRIBE);
* ``/queries`` the dataset's saved queries (JSON or an HTML list), ``/queries/NAME`` one of them;
* ``/`` the explorer page, ``/query`` a query page that works offline.

Guards: requests whose Host header is not the bound address (DNS rebinding) get 400; no CORS
headers, so browsers keep other sites' scripts from reading answers; the CLI's safety rules
(no update, SERVICE, FROM; no default-graph-uri either); a time limit that kills the worker; a
row cap; a bounded number of running and waiting queries (503 beyond); one access-log line per
request on stderr, which never holds query strings or headers.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..sparql.query import DEFAULT_MEMORY_MB
from .guards import NotUTF8, foreign_origin, strict_form

__all__ = ["ServeConfig", "create_app", "serve", "allowed_hosts"]

MAX_QUERY_BYTES = 1 << 20


@dataclass
class ServeConfig:
    dataset: Path
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    timeout: float = 5.0
    limit: int | None = 10000
    queue: int = 32
    queue_wait: float = 10.0
    memory_mb: int | None = DEFAULT_MEMORY_MB   # what a worker may allocate beyond the graph
    allow_hosts: tuple[str, ...] = ()
    header_timeout: float = 10.0            # a whole request must arrive within this (slow sockets)
    max_connections: int | None = None      # open sockets at once; None: half the fd limit
    store: str = "auto"                                # as for the other commands (see api.open_graph)
    log: object = field(default=None, repr=False)     # a text stream; None: sys.stderr


def allowed_hosts(host: str, port: int, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The Host header values the server answers: the bound host and the loopback names."""
    names = {"localhost", "127.0.0.1", "[::1]", *(h.lower() for h in extra)}
    if host not in ("0.0.0.0", "::", ""):
        names.add(f"[{host}]" if ":" in host else host.lower())
    values = {f"{n}:{port}" for n in names}
    if port == 80:
        values |= names
    return frozenset(values)


_SECURITY_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                     (b"x-frame-options", b"DENY"))


class _Guard:
    """Pure ASGI middleware: the Host check, security headers and the access log."""

    def __init__(self, app, hosts: frozenset[str], log):
        self.app, self.hosts, self.log = app, hosts, log

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status, size = [0], [0]

        async def send_wrapped(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), *_SECURITY_HEADERS]}
            elif message["type"] == "http.response.body":
                size[0] += len(message.get("body", b""))
            await send(message)

        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
        try:
            if host.lower() not in self.hosts:
                await _plain(send_wrapped, 400, "bad Host header: this server answers only for "
                             + ", ".join(sorted(self.hosts)) + "\n")
            elif foreign_origin(scope["headers"], self.hosts) is not None:
                await _plain(send_wrapped, 403, "refused: a request from another site (its Origin "
                             "header is not this server)\n")
            else:
                await self.app(scope, receive, send_wrapped)
        finally:
            client = scope.get("client")
            who = f"{client[0]}:{client[1]}" if client else "-"
            ms = (time.perf_counter() - start) * 1000
            # the path only: query strings can be long and are the user's business
            line = (f'{time.strftime("%Y-%m-%dT%H:%M:%S")} {who} "{scope["method"]} '
                    f'{_printable(scope["path"])} HTTP/{scope.get("http_version", "1.1")}" '
                    f"{status[0]} {size[0]} {ms:.1f}ms")
            print(line, file=self.log or sys.stderr, flush=True)


def _printable(path: str) -> str:
    return "".join(ch if ch.isprintable() and ch not in ' "' else f"%{ord(ch):02X}" for ch in path)[:200]


async def _plain(send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(config: ServeConfig, kg=None, *, on_ready=None):
    """The ASGI app for ``config.dataset`` (``kg``: the already opened graph, if at hand; an
    on-disk store of it is released for the workers, so do not use ``kg`` afterwards).

    ``on_ready()`` is called once every query worker has opened the graph.
    """
    import contextlib

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Route

    from .. import dataset as api
    from ..errors import KGBuilderError, QueryError, QueryTimeoutError
    from . import pages as serve_pages
    from ..sparql.query import read_query_file, saved_queries
    from .answer import negotiate
    from .pool import Busy, WorkerPool

    if kg is None:
        kg = api.open_graph(config.dataset, store=config.store)
    title = kg.title or kg.id
    saved = []
    for q in saved_queries(config.dataset):
        try:
            text = read_query_file(q.path, root=config.dataset)
        except KGBuilderError as exc:   # a link out of the dataset is refused, never shown
            text = f"# {exc}\n"
        saved.append({"name": q.name, "question": q.question, "query": text})
    by_name = {q["name"]: q for q in saved}
    explorer = _explorer(kg, title)
    default_query = saved[0]["query"] if saved else "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20\n"
    qpage, qcsp = serve_pages.query_page(title, default_query)
    lpage, lcsp = serve_pages.queries_page(title, saved)
    from ..store.oxigraph import OxigraphStore
    from .answer import answer, open_graph
    from ..sparql.worker import ref

    # the workers answer from Oxigraph: the on-disk store itself (read-only, no copy), or the
    # quads of an in-memory graph
    recipe = kg.worker_recipe(store="oxigraph")
    if isinstance(kg.store, OxigraphStore) and kg.store.path is not None and not kg.store.read_only:
        # let go of the read-write handle (its lock, its compactions) before the workers open
        # the folder read-only: nothing may write while they read
        kg.store.release()
    pool = WorkerPool((ref(open_graph), recipe), ref(answer),
                      size=config.workers, timeout=config.timeout, queue=config.queue,
                      queue_wait=config.queue_wait, memory_mb=config.memory_mb, label=str(config.dataset))

    def html(page: str, csp: str) -> Response:
        return Response(page, media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"})

    async def index(request: Request) -> Response:
        return html(*explorer)

    async def query_form(request: Request) -> Response:
        return html(qpage, qcsp)

    async def queries(request: Request) -> Response:
        if negotiate(request.headers.get("accept"), ["application/json", "text/html"]) == "text/html":
            return html(lpage, lcsp)
        return JSONResponse(saved)

    async def one_query(request: Request) -> Response:
        name = request.path_params["name"].removesuffix(".rq")
        q = by_name.get(name)
        if q is None:
            from ..resolve import did_you_mean

            return PlainTextResponse(f"no saved query '{name}'" + did_you_mean(name, by_name) + "\n", 404)
        return Response(q["query"], media_type="application/sparql-query; charset=utf-8")

    async def sparql(request: Request) -> Response:
        try:
            # parsed once, strictly: these pairs are the URL's parameters from here on
            params = strict_form(request.scope.get("query_string", b""))
        except NotUTF8 as exc:
            return PlainTextResponse(f"the query string is not valid UTF-8 ({exc})\n", 400)
        in_url = [v for k, v in params if k == "query"]
        if len(in_url) > 1:
            return PlainTextResponse("more than one 'query' parameter\n", 400)
        sparql_text = in_url[0] if in_url else None
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await _read_body(request)
            if body is None:
                return PlainTextResponse(f"query larger than {MAX_QUERY_BYTES} bytes\n", 413)
            if ctype == "application/sparql-query":
                if in_url:
                    return PlainTextResponse("a query in both the URL and the body\n", 400)
                sparql_text = _decode(body)
            elif ctype == "application/x-www-form-urlencoded":
                try:
                    form = strict_form(body)
                except NotUTF8 as exc:
                    return PlainTextResponse(f"the form is not valid UTF-8 ({exc})\n", 400)
                params = [*params, *form]
                if any(k == "update" for k, _ in form):
                    return PlainTextResponse("refused: this endpoint is read-only (no SPARQL update)\n", 403)
                values = [v for k, v in form if k == "query"]
                if len(values) > 1 or (values and in_url):
                    return PlainTextResponse("more than one 'query' parameter\n", 400)
                sparql_text = values[0] if values else sparql_text
            elif ctype == "application/sparql-update":
                return PlainTextResponse("refused: this endpoint is read-only (no SPARQL update)\n", 403)
            else:
                return PlainTextResponse(f"unsupported Content-Type '{ctype or '(none)'}' (use "
                                         "application/x-www-form-urlencoded or application/sparql-query)\n", 415)
        if sparql_text is None:
            if negotiate(request.headers.get("accept"), ["text/plain", "text/html"]) == "text/html":
                return RedirectResponse("/query", 303)
            return PlainTextResponse("missing 'query' (GET ?query=..., or POST a form or an "
                                     "application/sparql-query body)\n", 400)
        if sparql_text is False:
            return PlainTextResponse("the query is not UTF-8\n", 400)
        for key, _ in params:
            if key in ("default-graph-uri", "named-graph-uri"):
                return PlainTextResponse(f"refused: {key} is not allowed: queries read only the "
                                         "dataset's own graph (use GRAPH to pick a source)\n", 400)
        fmt = next((v for k, v in params if k == "format"), None)
        request_msg = {"sparql": sparql_text, "accept": request.headers.get("accept"),
                       "format": fmt, "limit": config.limit}
        try:
            ans = await pool.run(request_msg)
        except Busy as exc:
            return PlainTextResponse(f"busy: {exc}\n", 503, headers={"Retry-After": "1"})
        except QueryTimeoutError as exc:
            return PlainTextResponse(f"{exc} (the server's time limit); narrow the query down\n", 503)
        except QueryError as exc:
            return PlainTextResponse(f"{exc}\n", 500)
        headers = {"Cache-Control": "no-store", "Vary": "Accept"}
        if ans.truncated:
            headers["KGBuilder-Truncated"] = str(config.limit)
        if getattr(ans, "warnings", ()):
            # the query linter's findings, as a JSON list (ASCII: a header is latin-1)
            import json

            headers["KGBuilder-Warnings"] = json.dumps(list(ans.warnings))
        return Response(ans.body, ans.status, headers=headers, media_type=ans.media_type)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await pool.start()
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            await pool.close()

    app = Starlette(routes=[
        Route("/sparql", sparql, methods=["GET", "POST"]),       # first: routes are tried in order
        Route("/", index, methods=["GET"]),
        Route("/query", query_form, methods=["GET"]),
        Route("/queries", queries, methods=["GET"]),
        Route("/queries/{name}", one_query, methods=["GET"]),
    ], lifespan=lifespan)
    app.state.pool = pool
    hosts = allowed_hosts(config.host, config.port, config.allow_hosts)
    guarded = _Guard(app, hosts, config.log)
    guarded.pool = pool
    return guarded


async def _read_body(request) -> bytes | None:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_QUERY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes):
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return False


def _explorer(kg, title: str) -> tuple[str, str]:
    from ..errors import KGBuilderError
    from . import pages as serve_pages

    try:
        from ..exports import get_exporter

        exporter = get_exporter("html")
        import io

        buf = io.BytesIO()
        exporter.serialize(kg, buf)
        page = buf.getvalue().decode("utf-8")
        return page, serve_pages.csp_of(page)
    except KGBuilderError as exc:
        return serve_pages.index_page(title, str(exc))


def serve(config: ServeConfig, *, ready=None) -> None:
    """Bind, print the address, and serve until interrupted.

    ``ready(url)`` is called once the workers are up (port 0 picks a free port: read it there).
    """
    import socket

    import uvicorn

    from .. import dataset as api

    kg = api.open_graph(config.dataset, store=config.store)
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose
    # proto says TCP, and with Nagle on, a keep-alive client waits ~40 ms (a delayed ACK) for
    # every answer written in two pieces (head, body)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host, config.port))
    except OSError as exc:
        sock.close()
        from ..errors import KGBuilderError

        raise KGBuilderError(f"cannot listen on {config.host}:{config.port}: {exc.strerror}") from None
    # listen now: "ready" is announced from the app's start-up, which uvicorn runs before it
    # starts accepting; connections made in between wait in the backlog instead of being refused
    sock.listen(128)
    config.port = sock.getsockname()[1]
    shown = f"[{config.host}]" if ":" in config.host else config.host
    url = f"http://{shown}:{config.port}/"
    app = create_app(config, kg, on_ready=(lambda: ready(url)) if ready else None)
    from .limits import default_max_connections, guarded_protocol, install_log_guards

    cap = config.max_connections or default_max_connections()
    uv = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False,
                        proxy_headers=False, lifespan="on", timeout_graceful_shutdown=2,
                        http=guarded_protocol(config.header_timeout, cap), timeout_keep_alive=5,
                        limit_concurrency=cap, h11_max_incomplete_event_size=64 * 1024)
    install_log_guards()
    uvicorn.Server(uv).run(sockets=[sock])
