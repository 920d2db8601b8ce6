"""One SPARQL request answered inside a query worker: run, negotiate the format, serialize.

Runs in the worker processes of :mod:`kgbuilder.graph.serve_pool`; the query itself goes
through :func:`kgbuilder.graph.query.execute` (the CLI's parser and safety rules, and its
row cap) and the answer through :mod:`kgbuilder.graph.results` (the W3C result formats) or
the exporter registry (RDF for CONSTRUCT and DESCRIBE).
"""
from __future__ import annotations

from .. import registry
from ..errors import KGBuilderError, QueryError, QuerySyntaxError, UnsafeQueryError
from .serve_pool import Answer

__all__ = ["answer", "negotiate", "result_media_types", "graph_media_types", "FORMAT_ALIASES"]

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


def answer(kg, request: dict) -> Answer | None:
    """Run ``request`` = {sparql, accept, format, limit} on ``kg``: an HTTP status, type and body."""
    from .query import execute

    if request.get("warm_up"):
        execute(kg, "ASK { ?s ?p ?o }", timeout=None, limit=1)
        graph_media_types()
        return None
    import warnings

    from ..errors import QueryWarning

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", QueryWarning)
            qr = execute(kg, request["sparql"], timeout=None, limit=request.get("limit"))
        lint = tuple(str(w.message) for w in caught if issubclass(w.category, QueryWarning))
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
    media = negotiate(accept, list(types))
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
            from .results import format_result

            body = format_result(qr, types[media], kg.prefixes).encode("utf-8")
    except KGBuilderError as exc:
        return Answer(500, TEXT, f"cannot write the answer as {media}: {exc}\n".encode())
    ctype = media + "; charset=utf-8" if media.startswith("text/") else media
    return Answer(200, ctype, body, rows=len(qr), truncated=qr.truncated, warnings=lint)
