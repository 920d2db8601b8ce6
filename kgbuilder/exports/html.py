"""The interactive explorer: one self-contained HTML page built on pyvis's vis-network.

The page must open from a USB stick with no network, so nothing is linked:
vis-network's JavaScript and CSS come from the files pyvis ships and are
inlined, the graph travels as one JSON blob (pyvis's ``add_edge`` checks for
duplicates edge by edge, which is quadratic), and the explorer's own script
builds every piece of curated text with ``textContent``. A Content-Security-
Policy with script hashes backs that up: even a payload that slipped into the
markup could not run.
"""
from __future__ import annotations

import base64
import calendar
import hashlib
import html
import json
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import ExportError
from .base import Exporter

__all__ = ["HTMLExporter", "DEFAULT_MAX_NODES", "DEFAULT_MAX_EDGES", "PHYSICS_MAX_NODES",
           "TYPE_STYLES", "page_data", "render_kg", "render_page", "script_json", "vis_assets"]

#: Above these counts vis-network in a browser becomes unusable (see bench/bench_html.py):
#: the exporter refuses and suggests --focus or a filter. ``max_nodes=``/``max_edges=`` or the
#: environment variables KGBUILDER_HTML_MAX_NODES/_EDGES change them; 0 lifts a limit.
DEFAULT_MAX_NODES = 2000
DEFAULT_MAX_EDGES = 6000
#: Up to this many nodes the browser lays the graph out with physics, then stops it;
#: above it the page opens on a precomputed layout with physics off.
PHYSICS_MAX_NODES = 200

#: top type -> (colour, vis-network shape, legend glyph, legend name)
TYPE_STYLES: dict[str, tuple[str, str, str, str]] = {
    "Person": ("#4e79a7", "dot", "\u25cf", "People"),
    "State": ("#e15759", "hexagon", "\u2b22", "States"),
    "Organization": ("#f28e2b", "square", "\u25a0", "Organizations"),
    "Group": ("#b07aa1", "triangle", "\u25b2", "Groups"),
    "Post": ("#17becf", "diamond", "\u25c6", "Posts"),
    "Place": ("#59a14f", "triangleDown", "\u25bc", "Places"),
    "Event": ("#e6b800", "star", "\u2605", "Events"),
    "Document": ("#9c755f", "square", "\u25a0", "Documents"),
    "Service": ("#ff9da7", "dot", "\u25cf", "Services"),
    "Good": ("#d37295", "dot", "\u25cf", "Goods"),
    "Price": ("#a0cbe8", "dot", "\u25cf", "Prices"),
    "Topic": ("#8cd17d", "dot", "\u25cf", "Topics"),
    "Entity": ("#bab0ac", "dot", "\u25cf", "Other"),
}

_ASSETS = "kgbuilder.exports.html_assets"
_PLACEHOLDER = re.compile(r"@@([A-Z_]+)@@")
_DATA_OPEN = '<script type="application/json" id="kg-data">'


class HTMLExporter(Exporter):
    """``serialize(kg, out, max_nodes=, max_edges=, layout=, title=)``.

    The export pipeline has already narrowed ``kg`` to ``--focus``/``--type``/
    ``--since``/``--until``; the page draws all of what it is given. ``layout``:
    ``auto`` (browser physics up to PHYSICS_MAX_NODES nodes, then stopped;
    precomputed rings above), ``physics`` or ``rings``.
    """

    name = "html"
    file_extension = ".html"
    media_type = "text/html"
    kind = "page"

    def serialize(self, kg, out: BinaryIO, **options: Any) -> None:
        page, data = render_kg(kg, **options)
        out.write(page.encode("utf-8"))
        self._expected = (len(data["nodes"]), len(data["edges"]))
        self.written = f"{self._expected[0]} nodes, {self._expected[1]} edges"

    def verify(self, kg, path: Path, **options: Any) -> None:
        """Read the page back: UTF-8, one data block that parses, every node and edge in it."""
        try:
            text = Path(path).read_bytes().decode("utf-8")
            start = text.index(_DATA_OPEN) + len(_DATA_OPEN)
            data = json.loads(text[start:text.index("</script>", start)])
        except (UnicodeDecodeError, ValueError) as exc:
            raise ExportError(f"html export: the written page does not read back: {exc}") from None
        got = (len(data["nodes"]), len(data["edges"]))
        if got != getattr(self, "_expected", got):
            raise ExportError(f"html export: wrote {got[0]} nodes, {got[1]} edges; expected "
                              f"{self._expected[0]}, {self._expected[1]}")


def _limit(value: int | None, env: str, default: int) -> int:
    if value is not None:
        return int(value)
    raw = os.environ.get(env)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ExportError(f"{env}: '{raw}' is not a whole number (0 lifts the limit)") from None


def render_kg(kg, *, max_nodes: int | None = None, max_edges: int | None = None, layout: str = "auto",
              title: str | None = None, **_ignored: Any) -> tuple[str, dict]:
    """The explorer page for ``kg`` and its data (checks the size limit before any work)."""
    from ..graph.network import to_networkx, view_size

    limits = (_limit(max_nodes, "KGBUILDER_HTML_MAX_NODES", DEFAULT_MAX_NODES),
              _limit(max_edges, "KGBUILDER_HTML_MAX_EDGES", DEFAULT_MAX_EDGES))
    _check_size(*view_size(kg), *limits)        # counted by the engine: refuse before any work
    G = to_networkx(kg)
    _check_size(G.number_of_nodes(), G.number_of_edges(), *limits)
    data = page_data(G, sources=_sources(kg), title=title or kg.title or kg.id, layout=layout)
    return render_page(data), data


def _check_size(n: int, m: int, max_nodes: int, max_edges: int) -> None:
    too_many = []
    if max_nodes and n > max_nodes:
        too_many.append(f"{n} nodes (limit {max_nodes})")
    if max_edges and m > max_edges:
        too_many.append(f"{m} edges (limit {max_edges})")
    if too_many:
        raise ExportError(
            f"the graph has {' and '.join(too_many)}: more than a browser draws without hanging; "
            "export a part with --focus ENTITY --depth N (or --type, --since, --until), "
            "or lift the limit: KGBUILDER_HTML_MAX_NODES=0 KGBUILDER_HTML_MAX_EDGES=0 "
            "(max_nodes=0, max_edges=0 in Python)")


def _sources(kg) -> dict[str, dict[str, str]]:
    """Source id -> title, publisher, date, url (only http(s) urls), from kg.graph."""
    from rdflib import RDF, URIRef

    from ..namespaces import KG_NS, STANDARD_PREFIXES

    g = kg.graph
    dct = STANDARD_PREFIXES["dcterms"]
    prefix = kg.base + "source/"
    out: dict[str, dict[str, str]] = {}
    for src in g.subjects(RDF.type, URIRef(KG_NS + "Source")):
        sid = str(src).removeprefix(prefix)
        info = {}
        for key, pred in (("title", dct + "title"), ("publisher", KG_NS + "publisher"),
                          ("date", dct + "date"), ("url", KG_NS + "url")):
            value = g.value(src, URIRef(pred))
            if value is not None:
                info[key] = str(value)
        if not re.match(r"(?i)https?://", info.get("url", "")):
            info.pop("url", None)
        out[sid] = info
    return out


def _interval(date: str | None, start: str | None = None, end: str | None = None) -> tuple[str | None, str | None]:
    """The first and last day an item covers, as ISO dates (``None`` = open)."""
    lo = _first_day(start or date)
    hi = _last_day(end or date)
    return lo, hi


def _first_day(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"(-?\d{4})(?:-(\d\d))?(?:-(\d\d))?", value)
    if not m:
        return None
    return f"{m[1]}-{m[2] or '01'}-{m[3] or '01'}"


def _last_day(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"(-?\d{4})(?:-(\d\d))?(?:-(\d\d))?", value)
    if not m:
        return None
    month = int(m[2] or 12)
    day = int(m[3]) if m[3] else calendar.monthrange(int(m[1]), month)[1]
    return f"{m[1]}-{month:02d}-{day:02d}"


def _evidence(d: dict) -> list[list[str]]:
    return [[e["source"], e["quote"]] for e in d.get("evidence") or []]


def _fact(pred: str, f: dict) -> dict:
    return {"predicate": pred, "value": f.get("value"), "evidence": _evidence(f),
            **{k: f[k] for k in ("claimed_by", "verification", "date", "start", "end") if f.get(k)}}


def page_data(G, *, sources: dict[str, dict] | None = None, title: str = "", layout: str = "auto") -> dict:
    """What the page's script needs, from a ``to_networkx`` graph: plain JSON-able data."""
    if layout not in ("auto", "physics", "rings"):
        raise ExportError(f"layout: unknown value '{layout}' (one of: auto, physics, rings)")
    nodes = []
    for nid, d in G.nodes(data=True):
        top = d.get("top_type") or "Entity"
        node = {"id": str(nid), "label": str(d.get("label") or nid), "group": top if top in TYPE_STYLES else "Entity",
                "type": d.get("type") or top}
        labels = sorted((lang, text) for lang, text in (d.get("labels") or {}).items() if text != node["label"])
        for key, value in (("aliases", list(d.get("aliases") or [])), ("labels", [list(x) for x in labels]),
                           ("description", d.get("description")), ("claimed_by", d.get("claimed_by"))):
            if value:
                node[key] = value
        facts = d.get("facts") or {}
        node_facts = [_fact(pred, f) for pred in sorted(facts) for f in facts[pred]]
        if node_facts:
            node["facts"] = node_facts
            verification = {f.get("verification") for f in node_facts if f.get("verification")}
            if verification:
                node["verification"] = sorted(verification)[0]
        start = _first_of(facts, "start")
        end = _first_of(facts, "end")
        date = d.get("date") or _first_of(facts, "date")
        if date or start or end:
            node["date"], node["start"], node["end"] = date, start, end
            node["lo"], node["hi"] = _interval(date, start, end)
            node = {k: v for k, v in node.items() if v is not None}
        nodes.append(node)
    edges = []
    for i, (u, v, key, d) in enumerate(G.edges(keys=True, data=True)):
        edge = {"id": f"e{i}", "from": str(u), "to": str(v), "predicate": d.get("predicate") or "",
                "statement": str(d.get("statement") or key), "evidence": _evidence(d)}
        for k in ("claimed_by", "verification", "date", "start", "end"):
            if d.get(k):
                edge[k] = d[k]
        lo, hi = _interval(d.get("date"), d.get("start"), d.get("end"))
        if lo or hi:
            edge["lo"], edge["hi"] = lo, hi
        edges.append(edge)
    use_physics = layout == "physics" or (layout == "auto" and len(nodes) <= PHYSICS_MAX_NODES)
    if nodes:
        # physics starts from the rings too, and settles sooner than from random places
        for node, (x, y) in zip(nodes, _layout(G)):
            node["x"], node["y"] = x, y
    present = {n["group"] for n in nodes}
    return {
        "title": title,
        "nodes": nodes,
        "edges": edges,
        "sources": sources or {},
        "styles": {top: {"color": c, "shape": s, "glyph": g, "name": name}
                   for top, (c, s, g, name) in TYPE_STYLES.items() if top in present},
        "physics": use_physics,
    }


def _first_of(facts: dict, pred: str) -> str | None:
    values = facts.get(pred) or []
    return str(values[0]["value"]) if values else None


def _layout(G) -> list[tuple[int, int]]:
    """Node positions in page pixels: each connected part as rings around its best-linked node.

    Breadth-first rings (O(nodes + edges), no numpy) stand in for a force layout
    where the browser cannot afford one; children sit near their parent on the
    next ring. Parts are packed in rows, largest first.
    """
    adj: dict = {n: set() for n in G.nodes}
    for u, v in G.edges():
        if u != v:
            adj[u].add(v)
            adj[v].add(u)
    seen: set = set()
    parts = []
    for n in sorted(G.nodes, key=lambda n: (-len(adj[n]), str(n))):
        if n in seen:
            continue
        rings, seen_here = [[n]], {n}
        while True:
            nxt = []
            for u in rings[-1]:
                for v in sorted(adj[u], key=lambda v: (-len(adj[v]), str(v))):
                    if v not in seen_here:
                        seen_here.add(v)
                        nxt.append(v)
            if not nxt:
                break
            rings.append(nxt)
        seen |= seen_here
        parts.append(_rings(rings))
    pos: dict = {}
    x = y = row_h = 0
    width = 200 * max(1.0, len(G) ** 0.5)     # roughly square overall
    for placed, radius in sorted(parts, key=lambda p: -p[1]):
        if x and x + 2 * radius > width:
            x, y, row_h = 0, y + row_h, 0
        for node, (px, py) in placed.items():
            pos[node] = (round(x + radius + px), round(y + radius + py))
        x += 2 * radius + 80
        row_h = max(row_h, 2 * radius + 80)
    return [pos[n] for n in G.nodes]


def _rings(rings: list[list]) -> tuple[dict, float]:
    import math

    placed, radius = {rings[0][0]: (0.0, 0.0)}, 0.0
    for ring in rings[1:]:
        # each ring far enough out that its nodes are ~90 px apart
        radius = max(radius + 160, len(ring) * 90 / (2 * math.pi))
        for i, node in enumerate(ring):
            a = 2 * math.pi * i / len(ring)
            placed[node] = (radius * math.cos(a), radius * math.sin(a))
    return placed, radius + 60


def script_json(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&``,
    U+2028 or U+2029 survive as themselves, so no text can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str, str]:
    """(vis-network JS, its CSS, its version) from the files the pyvis package ships."""
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib"
    found = sorted((p for p in lib.glob("vis-*/vis-network.min.js")),
                   key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.parent.name)))
    if not found:
        raise ExportError(f"pyvis {getattr(pyvis, '__version__', '?')} ships no vis-network under {lib}; "
                          "reinstall pyvis>=0.3.2")
    js_path = found[-1]
    js = js_path.read_text(encoding="utf-8")
    css = (js_path.parent / "vis-network.css").read_text(encoding="utf-8")
    for name, text, closer in (("vis-network.min.js", js, "</script"), ("vis-network.css", css, "</style")):
        # inlined verbatim, so it must not be able to end its own element
        if closer in text.lower() or "<!--" in text:
            raise ExportError(f"{js_path.parent / name}: contains '{closer}' or '<!--'; cannot inline it")
    return js, css, js_path.parent.name.removeprefix("vis-")


def _asset(name: str) -> str:
    return resources.files(_ASSETS).joinpath(name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render_page(data: dict) -> str:
    """The page for ``page_data(...)``: inline assets, escaped data, a hash-based CSP."""
    from .. import __version__

    vis_js, vis_css, vis_version = vis_assets()
    app_js, app_css, template = _asset("explorer.js"), _asset("explorer.css"), _asset("template.html")
    # only the two scripts we inline may run; the JSON block is data and never executes
    csp = ("default-src 'none'; "
           f"script-src {_sha256(vis_js)} {_sha256(app_js)}; "
           "style-src 'unsafe-inline'; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    values = {
        "CSP": html.escape(csp, quote=False).replace('"', "&quot;"),
        "TITLE": html.escape(data.get("title") or "Knowledge graph", quote=True),
        "GENERATOR": html.escape(f"kgbuilder {__version__}, vis-network {vis_version} (from pyvis)", quote=True),
        "VIS_CSS": vis_css,
        "APP_CSS": app_css,
        "DATA": script_json(data),
        "VIS_JS": vis_js,
        "APP_JS": app_js,
    }
    # one pass over the template: text substituted in is never scanned for placeholders again
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
