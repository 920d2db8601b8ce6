"""The HTML pages ``kgbuilder serve`` answers with: the query page and the saved-query list.

Both work offline: no CDN, no external file; the only script is inline and the
Content-Security-Policy names it by hash, so nothing else can run. Everything curated or
user-supplied is escaped (and the query page builds result cells with ``textContent``).
"""
from __future__ import annotations

import base64
import hashlib
import html
import re
from urllib.parse import quote

__all__ = ["query_page", "queries_page", "index_page", "csp_of", "page_csp"]

_STYLE = """
body{font:15px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:70em;padding:0 1em;color:#222}
textarea{width:100%;height:16em;font:13px/1.35 ui-monospace,monospace;box-sizing:border-box}
table{border-collapse:collapse;margin-top:.8em;font-size:13px}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3} pre{background:#f7f7f7;padding:.6em;overflow:auto;font-size:13px}
.err{color:#a00} .warn{color:#8a5a00;margin:.3em 0} nav a{margin-right:1em} select{max-width:100%}
""".strip()

_SCRIPT = r"""
"use strict";
const $ = (id) => document.getElementById(id);
let saved = [];
function pick() {
  const q = saved.find((x) => x.name === $("saved").value);
  if (q) $("q").value = q.query;
}
async function loadSaved() {
  const r = await fetch("/queries", {headers: {Accept: "application/json"}});
  if (!r.ok) return;
  saved = await r.json();
  for (const q of saved) {
    const o = document.createElement("option");
    o.value = q.name;
    o.textContent = q.name + (q.question ? " \u2014 " + q.question : "");
    $("saved").appendChild(o);
  }
  const name = new URLSearchParams(location.search).get("name");
  if (name) { $("saved").value = name; pick(); }
}
function cell(term) {
  const td = document.createElement("td");
  if (term) {
    let text = term.value;
    if (term["xml:lang"]) text += " @" + term["xml:lang"];
    td.textContent = text;
    if (term.datatype) td.title = term.datatype;
  }
  return td;
}
function table(doc) {
  const t = document.createElement("table");
  if ("boolean" in doc) { const tr = t.insertRow(); tr.appendChild(cell({value: String(doc.boolean)})); return t; }
  const vars = doc.head.vars, head = t.createTHead().insertRow();
  for (const v of vars) { const th = document.createElement("th"); th.textContent = "?" + v; head.appendChild(th); }
  const body = t.createTBody();
  for (const b of doc.results.bindings) { const tr = body.insertRow(); for (const v of vars) tr.appendChild(cell(b[v])); }
  return t;
}
async function run(ev) {
  ev.preventDefault();
  const accept = $("fmt").value, out = $("out"), status = $("status");
  out.replaceChildren();
  status.className = "";
  status.textContent = "running\u2026";
  const t0 = performance.now();
  let r, text;
  try {
    r = await fetch("/sparql", {method: "POST", body: $("q").value,
      headers: {"Content-Type": "application/sparql-query", Accept: accept}});
    text = await r.text();
  } catch (e) { status.className = "err"; status.textContent = String(e); return; }
  const ms = Math.round(performance.now() - t0);
  if (!r.ok) { status.className = "err"; status.textContent = r.status + " " + r.statusText + ": " + text; return; }
  const type = r.headers.get("Content-Type") || "";
  const cut = r.headers.get("KGBuilder-Truncated");
  let lint = [];
  try { lint = JSON.parse(r.headers.get("KGBuilder-Warnings") || "[]"); } catch (e) { lint = []; }
  for (const w of lint) {
    const p = document.createElement("p");
    p.className = "warn";
    p.textContent = "warning: " + w;
    out.appendChild(p);
  }
  if (type.includes("sparql-results+json")) {
    const doc = JSON.parse(text);
    out.appendChild(table(doc));
    const n = "boolean" in doc ? 1 : doc.results.bindings.length;
    status.textContent = n + " row" + (n === 1 ? "" : "s") + " in " + ms + " ms" + (cut ? " (cut at " + cut + " rows)" : "");
  } else {
    const pre = document.createElement("pre");
    pre.textContent = text;
    out.appendChild(pre);
    status.textContent = type.split(";")[0] + ", " + text.length + " characters in " + ms + " ms";
  }
}
$("saved").addEventListener("change", pick);
$("form").addEventListener("submit", run);
loadSaved();
""".strip()


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def page_csp(*, script: str | None = None, style: str | None = _STYLE, connect: bool = False) -> str:
    """A policy that lets only the given inline script and style run, and nothing load."""
    parts = ["default-src 'none'"]
    if script is not None:
        parts.append(f"script-src {_sha256(script)}")
    if style is not None:
        parts.append(f"style-src {_sha256(style)}")
    if connect:
        parts.append("connect-src 'self'")
    parts += ["img-src 'self' data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"]
    return "; ".join(parts)


_NAV = '<nav><a href="/">explorer</a><a href="/query">query</a><a href="/queries">saved queries</a></nav>'


def _page(title: str, body: str, *, script: str | None = None) -> str:
    js = f"<script>{script}</script>" if script is not None else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n"
            f"<body>{_NAV}\n{body}\n{js}</body></html>\n")


def query_page(title: str, default_query: str) -> tuple[str, str]:
    """The query page and its CSP: a text area, the saved queries, results as a table."""
    options = "".join(f'<option value="{html.escape(mt)}">{html.escape(label)}</option>' for mt, label in (
        ("application/sparql-results+json", "table (SPARQL JSON)"),
        ("application/sparql-results+xml", "SPARQL XML"), ("text/csv", "CSV"),
        ("text/tab-separated-values", "TSV"), ("text/turtle", "Turtle (CONSTRUCT, DESCRIBE)"),
        ("application/n-triples", "N-Triples (CONSTRUCT, DESCRIBE)"),
        ("application/ld+json", "JSON-LD (CONSTRUCT, DESCRIBE)")))
    body = (f"<h1>{html.escape(title)}: SPARQL</h1>\n"
            '<form id="form"><p><label>Saved query: <select id="saved"><option value="">(none)</option>'
            "</select></label></p>\n"
            f'<textarea id="q" spellcheck="false" aria-label="SPARQL query">{html.escape(default_query)}'
            "</textarea>\n"
            f'<p><label>Answer as <select id="fmt">{options}</select></label> '
            '<button type="submit">Run</button> <span id="status" role="status"></span></p></form>\n'
            '<div id="out"></div>\n'
            "<p><small>Prefixes of the dataset and the ontology are bound; the endpoint is "
            "<code>/sparql</code> (SPARQL 1.1 Protocol, read-only).</small></p>")
    return _page(f"{title}: SPARQL", body, script=_SCRIPT), page_csp(script=_SCRIPT, connect=True)


def queries_page(title: str, queries: list[dict]) -> tuple[str, str]:
    """The saved queries as a list of links to the query page."""
    items = "\n".join(
        f'<li><a href="/query?name={quote(q["name"], safe="")}">{html.escape(q["name"])}</a>'
        + (f" \u2014 {html.escape(q['question'])}" if q.get("question") else "")
        + f'<details><summary>SPARQL</summary><pre>{html.escape(q["query"])}</pre></details></li>'
        for q in queries)
    body = (f"<h1>{html.escape(title)}: saved queries</h1>\n"
            + (f"<ol>\n{items}\n</ol>" if queries else "<p>This dataset has no saved queries "
               "(put NAME.rq files in its <code>queries/</code> folder).</p>"))
    return _page(f"{title}: saved queries", body), page_csp()


def index_page(title: str, problem: str) -> tuple[str, str]:
    """What ``/`` shows when the explorer cannot be drawn (e.g. the graph is too large)."""
    body = (f"<h1>{html.escape(title)}</h1>\n<p>The explorer is not available: "
            f"{html.escape(problem)}</p>\n<p>Use the <a href=\"/query\">query page</a> or the "
            "<code>/sparql</code> endpoint.</p>")
    return _page(title, body), page_csp()


_META_CSP = re.compile(r'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"', re.I)


def csp_of(page: str) -> str:
    """The policy a page declares in its meta tag, plus frame-ancestors (a header-only rule)."""
    m = _META_CSP.search(page)
    policy = html.unescape(m.group(1)) if m else "default-src 'none'; style-src 'unsafe-inline'"
    return policy.rstrip("; ") + "; frame-ancestors 'none'"
