"""One SPARQL request answered inside a query worker: check, run, negotiate, serialize.

Runs in the worker processes of :mod:`kgbuilder.serve.pool`, whose graph lives in
Oxigraph. A query passes the CLI's safety check and linter (:mod:`kgbuilder.sparql.query`),
then Oxigraph runs the text the check rebuilt; the answer, cut at the row cap, goes out
through :mod:`kgbuilder.sparql.results` (the W3C result formats) or the exporters (RDF for
CONSTRUCT and DESCRIBE). The check's reading of a query text is remembered (it depends on
nothing else), so a client that repeats a query pays only for running it.
"""
from __future__ import annotations

import functools

from .. import registry
from ..errors import KGBuilderError, QueryError, QuerySyntaxError, UnsafeQueryError
from .pool import Answer

__all__ = ["answer", "open_graph", "negotiate", "result_media_types", "graph_media_types", "FORMAT_ALIASES"]

#: SELECT/ASK: media type -> result format name, from the registry; the first is the default
RESULT_TYPES: dict[str, str] = {mt: p.name for p in registry.plugins("results").values()
                                if p.name != "table" for mt in p.media_types}
#: ``?format=`` values a browser can use instead of an Accept header
FORMAT_ALIASES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                  "csv": "text/csv", "tsv": "text/tab-separated-values"}
TEXT = "text/plain; charset=utf-8"


def result_media_types() -> dict[str, str]:
    return dict(RESULT_TYPES)


def graph_media_types() -> dict[str, str]:
    """CONSTRUCT/DESCRIBE: media type -> exporter name, the registry's RDF syntaxes (Turtle first)."""
    return {mt: p.name for p in registry.plugins("exporter").values() if p.rdf for mt in p.media_types}


def _parse_accept(accept: str) -> list[tuple[str, float, int]]:
    """(media range, q, position) for each entry of an Accept header."""
    ranges = []
    for pos, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        mt = fields[0].lower()
        if not mt:
            continue
        if "/" not in mt:
            mt = "*/*" if mt == "*" else mt + "/*"
        q = 1.0
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((mt, q, pos))
    return ranges


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers; the first offer for no Accept header; None when none fits.

    The most specific matching range gives an offer its q; ties go to the range listed first,
    then to the server's order.
    """
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges = _parse_accept(accept)
    best, best_key = None, None
    for order, offer in enumerate(offers):
        otype, osub = offer.split("/", 1)
        match = None
        for mt, q, pos in ranges:
            rtype, _, rsub = mt.partition("/")
            if mt == offer:
                spec = 3
            elif rtype == otype and rsub == "*":
                spec = 2
            elif mt == "*/*":
                spec = 1
            else:
                continue
            if match is None or spec > match[0]:
                match = (spec, q, pos)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], -match[2], match[0], -order)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best


@functools.lru_cache(maxsize=512)
def _checked(kg, sparql: str) -> tuple:
    """The safety check's reading of ``sparql`` (what Oxigraph runs) and the linter's findings
    (str): they depend on the text and the graph only, so a repeated query reuses them.
    Errors are not remembered."""
    from ..sparql.query import _checked as check

    checked, found = check(kg, sparql, None, True, True)
    return checked, tuple(str(w) for w in found)


@functools.lru_cache(maxsize=256)
def _negotiated(accept: str | None, offers: tuple[str, ...]) -> str | None:
    return negotiate(accept, list(offers))


def _run(kg, sparql: str, limit: int | None):
    """The query's answer (a QueryResult cut after ``limit`` rows) and the linter's findings."""
    from ..sparql.query import _run as run, collect

    checked, lint = _checked(kg, sparql)
    return collect(run(kg.store, checked), sparql, limit, checked.ordered), lint


def open_graph(recipe):
    """A worker's state: the graph of a ``KnowledgeGraph.worker_recipe``, warmed up (the
    SPARQL machinery imported before the first query and before the memory cap)."""
    from .limits import quiet_worker
    from ..sparql.worker import open_state

    quiet_worker()                                  # nothing derived from a query reaches the log
    kg = open_state(recipe)
    _run(kg, "ASK { ?s ?p ?o }", 1)
    graph_media_types()
    return kg


def answer(kg, request: dict) -> Answer:
    """Run ``request`` = {sparql, accept, format, limit} on ``kg``: an HTTP status, type and body."""
    try:
        return _answer(kg, request)
    except MemoryError:
        return Answer(500, TEXT, b"the query needed more memory than allowed; narrow it down\n")
    except Exception as exc:  # noqa: BLE001 - a library's bug on one query must not kill the worker
        # the type only: a library's message could quote the query
        return Answer(500, TEXT, f"the query failed inside the SPARQL engine ({type(exc).__name__})\n".encode())


def _answer(kg, request: dict) -> Answer:
    try:
        qr, lint = _run(kg, request["sparql"], request.get("limit") or None)
    except UnsafeQueryError as exc:
        return Answer(400, TEXT, f"refused: {exc}\n".encode())
    except QuerySyntaxError as exc:
        return Answer(400, TEXT, f"bad query: {exc}\n".encode())
    except QueryError as exc:
        return Answer(500, TEXT, f"query failed: {exc}\n".encode())
    graph = qr.kind in ("CONSTRUCT", "DESCRIBE")
    types = graph_media_types() if graph else RESULT_TYPES
    accept = request.get("accept")
    fmt = request.get("format")
    if fmt:
        accept = FORMAT_ALIASES.get(fmt) or next((mt for mt, n in types.items() if n == fmt), None)
        if accept is None:
            names = sorted(set(types.values()))
            return Answer(400, TEXT, f"format '{fmt}' is not available for a {qr.kind} query "
                                     f"(one of: {', '.join(names)})\n".encode())
    media = _negotiated(accept, tuple(types))
    if media is None:
        listed = ", ".join(types)
        return Answer(406, TEXT, f"cannot answer a {qr.kind} query as '{accept}'; "
                                 f"acceptable: {listed}\n".encode())
    try:
        if graph:
            import io

            from ..exports import write_graph

            buf = io.BytesIO()
            write_graph(qr.triples, kg, buf, types[media], what=f"a {qr.kind} result")
            body = buf.getvalue()
        else:
            from ..sparql.results import format_result

            body = format_result(qr, types[media], kg.prefixes, compact=True).encode("utf-8")
    except KGBuilderError as exc:
        return Answer(500, TEXT, f"cannot write the answer as {media}: {exc}\n".encode())
    ctype = media + "; charset=utf-8" if media.startswith("text/") else media
    return Answer(200, ctype, body, rows=len(qr), truncated=qr.truncated, warnings=lint)
