"""Write query results: a terminal table and the W3C result formats.

SELECT and ASK results go out as SPARQL 1.1 Query Results JSON, CSV, TSV or
XML, or as a table for people; CONSTRUCT and DESCRIBE results are graphs and
go through the exporters (kgbuilder.exports.write_graph).
"""
from __future__ import annotations

import io

TYPE_CHECKING = False   # annotations only: a warm query's path never imports typing (see __main__)
if TYPE_CHECKING:
    from typing import BinaryIO, TextIO

from .. import registry
from ..errors import QueryError
from ..control_chars import escape_control
from ..terms import term_parts

__all__ = ["RESULT_FORMATS", "result_format_for_path", "write_result", "format_result",
           "write_table", "write_json", "write_csv", "write_tsv", "write_xml",
           "short", "SPARQL_RESULTS_NS"]

SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

#: format name -> file extensions, the usual one first (from the registry's results group)
RESULT_FORMATS: dict[str, tuple[str, ...]] = {p.name: p.extensions for p in registry.plugins("results").values()}


def result_format_for_path(path) -> str:
    from pathlib import Path

    plugin = registry.for_extension("results", path)
    if plugin is not None:
        return plugin.name
    suffix = Path(path).suffix.lower()
    known = ", ".join(e for exts in RESULT_FORMATS.values() for e in exts)
    raise QueryError(f"{path}: cannot tell the result format from the extension '{suffix or '(none)'}'; "
                     f"use --format (extensions: {known})")


def write_result(result, out: BinaryIO, fmt: str, prefixes: dict[str, str] | None = None) -> None:
    """Write a SELECT or ASK :class:`~kgbuilder.sparql.query.QueryResult` as ``fmt``."""
    out.write(format_result(result, fmt, prefixes).encode("utf-8"))


def format_result(result, fmt: str, prefixes: dict[str, str] | None = None, *, compact: bool = False) -> str:
    """``result`` written as ``fmt``; ``compact`` JSON has no indentation (for machines: the
    endpoint), which json writes at C speed."""
    if compact and fmt == "json":
        buf = io.StringIO()
        write_json(result, buf, prefixes or {}, indent=None)
        return buf.getvalue()
    writer = registry.get("results", fmt, error=QueryError, what="result format").load()
    buf = io.StringIO()
    writer(result, buf, prefixes or {})
    return buf.getvalue()


# ---------------------------------------------------------------- W3C formats

def write_json(result, out: TextIO, prefixes, indent: int | None = 2) -> None:
    if indent is None and result.kind != "ASK":
        out.write(_compact_json(result))
        return
    if result.kind == "ASK":
        doc = {"head": {}, "boolean": bool(result.boolean)}
    else:
        bindings = []
        for row in result.writable_cells:
            b = {}
            for var, term in zip(result.vars, row):
                if term is not None:
                    b[var] = _json_term(term)
            bindings.append(b)
        doc = {"head": {"vars": list(result.vars)}, "results": {"bindings": bindings}}
    import json             # here, as csv below: each writer imports only its own format's module

    out.write(json.dumps(doc, ensure_ascii=False, indent=indent))
    out.write("\n")


def _json_term(term) -> dict:
    kind, value, dt, lang = term_parts(term)
    d = {"type": kind, "value": value}
    if lang:
        d["xml:lang"] = lang
    elif dt:
        d["datatype"] = dt
    return d


def _compact_json(result) -> str:
    """What ``json.dumps`` writes for the document above with ``indent=None``, byte for byte
    (the same string encoder, the same separators), put together as text: the endpoint writes
    every answer this way, and building the dicts first took twice as long."""
    from json.encoder import encode_basestring as enc

    names = [enc(v) for v in result.vars]
    rows = []
    for row in result.writable_cells:
        cells = []
        for name, term in zip(names, row):
            if term is None:
                continue
            kind, value, dt, lang = term_parts(term)
            extra = f', "xml:lang": {enc(lang)}' if lang else f', "datatype": {enc(dt)}' if dt else ""
            cells.append(f'{name}: {{"type": "{kind}", "value": {enc(value)}{extra}}}')
        rows.append("{" + ", ".join(cells) + "}")
    return f'{{"head": {{"vars": [{", ".join(names)}]}}, "results": {{"bindings": [{", ".join(rows)}]}}}}\n'


def write_csv(result, out: TextIO, prefixes) -> None:
    import csv

    # RFC 4180, as the W3C CSV results format asks: CRLF line ends, quotes only when needed
    w = csv.writer(out, lineterminator="\r\n")
    if result.kind == "ASK":
        w.writerow(["_askResult"])
        w.writerow(["true" if result.boolean else "false"])
        return
    w.writerow(result.vars)
    for row in result.writable_cells:
        w.writerow([_csv_term(t) for t in row])


def _csv_term(term) -> str:
    if term is None:
        return ""
    kind, value, _, _ = term_parts(term)
    return "_:" + value if kind == "bnode" else value


def write_tsv(result, out: TextIO, prefixes) -> None:
    if result.kind == "ASK":
        out.write("?_askResult\n" + ("true" if result.boolean else "false") + "\n")
        return
    out.write("\t".join("?" + v for v in result.vars) + "\n")
    for row in result.writable_cells:
        out.write("\t".join(_tsv_term(t) for t in row) + "\n")


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_term(term) -> str:
    if term is None:
        return ""
    kind, value, dt, lang = term_parts(term)
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    text = '"' + value.translate(_TSV_ESCAPES) + '"'
    if lang:
        return f"{text}@{lang}"
    if dt:
        return f"{text}^^<{dt}>"
    return text


def write_xml(result, out: TextIO, prefixes) -> None:
    from xml.sax.saxutils import escape, quoteattr

    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<sparql xmlns="{SPARQL_RESULTS_NS}">\n  <head>\n')
    if result.kind == "ASK":
        out.write("  </head>\n  <boolean>" + ("true" if result.boolean else "false") + "</boolean>\n</sparql>\n")
        return
    for v in result.vars:
        out.write(f"    <variable name={quoteattr(v)}/>\n")
    out.write("  </head>\n  <results>\n")
    for row in result.writable_cells:
        out.write("    <result>\n")
        for var, term in zip(result.vars, row):
            if term is None:
                continue
            kind, value, dt, lang = term_parts(term)
            if kind == "uri":
                inner = f"<uri>{escape(_xml_text(value))}</uri>"
            elif kind == "bnode":
                inner = f"<bnode>{escape(_xml_text(value))}</bnode>"
            else:
                attr = ""
                if lang:
                    attr = f" xml:lang={quoteattr(lang)}"
                elif dt:
                    attr = f" datatype={quoteattr(dt)}"
                inner = f"<literal{attr}>{escape(_xml_text(value))}</literal>"
            out.write(f"      <binding name={quoteattr(var)}>{inner}</binding>\n")
        out.write("    </result>\n")
    out.write("  </results>\n</sparql>\n")


def _xml_text(text: str) -> str:
    bad = [ch for ch in text if ord(ch) < 0x20 and ch not in "\t\n\r"]
    if bad:
        raise QueryError(f"value {text[:40]!r} holds a control character that XML cannot carry; "
                         "use --format json")
    return text


# ---------------------------------------------------------------- table

CELL_WIDTH = 60


def short(term, prefixes: dict[str, str]) -> str:
    """A term as people read it: prefixed names for IRIs, literals as their text."""
    if term is None:
        return ""
    kind, s, _, _ = term_parts(term)
    if kind == "uri":
        best = None
        for name, ns in prefixes.items():
            if s.startswith(ns) and (best is None or len(ns) > len(best[1])):
                local = s[len(ns):]
                if local and all(ch.isalnum() or ch in "-_." for ch in local):
                    best = (name, ns)
        return f"{best[0]}:{s[len(best[1]):]}" if best else escape_control(f"<{s}>")
    if kind == "bnode":
        return f"_:{s}"
    return escape_control(" ".join(s.split()))


def write_table(result, out: TextIO, prefixes) -> None:
    if result.kind == "ASK":
        out.write(("true" if result.boolean else "false") + "\n")
        return
    header = list(result.vars)
    cells = [[_clip(short(t, prefixes)) for t in row] for row in result.writable_cells]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    out.write("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for r in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() + "\n")
    n = len(cells)
    out.write(f"({n} row{'s' if n != 1 else ''})\n")


def _clip(text: str) -> str:
    return text if len(text) <= CELL_WIDTH else text[:CELL_WIDTH - 1] + "…"

