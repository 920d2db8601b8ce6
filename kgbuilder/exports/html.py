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

__all__ = ["HTMLExporter", "DEFAULT_MAX_NODES", "DEFAULT_MAX_EDGES", "FORCE_MAX_NODES", "INVERSE_PHRASES",
           "TYPE_STYLES", "page_data", "render_kg", "render_page", "script_json", "vis_assets"]

#: Above these counts a click or a keystroke in the page takes longer than bench/bench_html.py
#: allows (150 ms): the exporter refuses and suggests --focus or a filter. ``max_nodes=``/
#: ``max_edges=`` or the environment variables KGBUILDER_HTML_MAX_NODES/_EDGES change them;
#: 0 lifts a limit.
DEFAULT_MAX_NODES = 2000
DEFAULT_MAX_EDGES = 6000
#: Below this many nodes the layout is networkx's seeded force layout (numpy, dense: the
#: size where networkx itself switches to scipy); from it on, breadth-first rings (O(n + m)).
#: Either way the page opens on the final picture with physics off.
FORCE_MAX_NODES = 500
_SPRING_DENSE_MAX = 500     # networkx's spring_layout switches to scipy at this size
#: How many nodes carry a label readable at first sight: the best-linked ones. The others'
#: labels appear on zooming in, or on hover.
MAJOR_LABELS = (6, 24)
#: The date window the page opens on holds at least this share of the dated events.
WINDOW_SHARE = 0.8

#: How a relation reads from its object's side ("Toqaev - agent of - Toqaev appeals to the
#: CSTO"). A predicate missing here reads in its own direction from the subject.
INVERSE_PHRASES: dict[str, str] = {
    "agent": "agent of", "target": "target of", "participant": "participant in", "place": "place of",
    "about": "subject of", "instrument": "instrument of", "resultPost": "post changed by",
    "causedBy": "cause of", "inResponseTo": "prompted", "subEventOf": "has sub-event", "after": "before",
    "holdsPost": "held by", "postIn": "has post", "memberOf": "has member", "headOf": "headed by",
    "chairs": "chaired by", "partOf": "has part", "ledBy": "leads", "predecessorOf": "successor of",
    "relativeOf": "relative of", "spokespersonOf": "has spokesperson", "neighborOf": "neighbour of",
    "locatedIn": "location of", "capitalOf": "has capital", "largestCityOf": "has largest city",
    "basedIn": "base of", "ledByState": "leads", "operates": "operated by", "publishedBy": "published",
    "priceOf": "has price", "depicts": "depicted in",
}

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
    ``auto`` (networkx's seeded force layout up to FORCE_MAX_NODES nodes, rings
    above), ``force``, ``rings`` or ``physics`` (the browser lays it out, then stops).
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
    from ..questions.network import to_networkx, view_size

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
    """[source, quote] pairs. Read defensively: the contract's ``evidence`` list of
    {"source", "quote"} where the networkx view has it, else ``sources`` zipped with ``quotes``."""
    ev = d.get("evidence")
    if isinstance(ev, (list, tuple)) and ev:
        out = []
        for item in ev:
            if isinstance(item, dict):
                out.append([str(item.get("source") or ""), str(item.get("quote") or "")])
            elif isinstance(item, (list, tuple)) and len(item) == 2:
                out.append([str(item[0]), str(item[1])])
        if out:
            return out
    return [[str(s), str(q)] for s, q in zip(d.get("sources") or [], d.get("quotes") or [])]


def _support(d: dict, evidence: list[list[str]]) -> dict:
    """Corroboration (independent sources; default: distinct sources) and conflict (default False)."""
    sources = sorted({s for s, _ in evidence} | {str(s) for s in (d.get("sources") or [])})
    corr = d.get("corroboration")
    if not isinstance(corr, int) or isinstance(corr, bool) or corr < 0:
        corr = len(sources)
    out: dict[str, Any] = {"sources": sources, "corroboration": corr}
    if d.get("conflict") is True:
        out["conflict"] = True
    return out


def _fact(pred: str, f: dict) -> dict:
    evidence = _evidence(f)
    return {"predicate": pred, "value": f.get("value"), "evidence": evidence, **_support(f, evidence),
            **{k: f[k] for k in ("claimed_by", "verification", "date", "start", "end") if f.get(k)}}


def page_data(G, *, sources: dict[str, dict] | None = None, title: str = "", layout: str = "auto") -> dict:
    """What the page's script needs, from a ``to_networkx`` graph: plain JSON-able data.

    Everything the browser would otherwise work out on opening is done here, once and
    the same on every build: positions, label importance, the date window to open on.
    """
    if layout not in ("auto", "force", "physics", "rings"):
        raise ExportError(f"layout: unknown value '{layout}' (one of: auto, force, physics, rings)")
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
        evidence = _evidence(d)
        edge = {"id": f"e{i}", "from": str(u), "to": str(v), "predicate": d.get("predicate") or "",
                "statement": str(d.get("statement") or key), "evidence": evidence, **_support(d, evidence)}
        for k in ("claimed_by", "verification", "date", "start", "end"):
            if d.get(k):
                edge[k] = d[k]
        lo, hi = _interval(d.get("date"), d.get("start"), d.get("end"))
        if lo or hi:
            edge["lo"], edge["hi"] = lo, hi
        edges.append(edge)
    if nodes:
        if layout == "force" or (layout == "auto" and len(nodes) < FORCE_MAX_NODES):
            placed = _force_layout(G)
        else:
            placed = _layout(G)      # physics starts from the rings too: it settles sooner than from chance
        for node, (x, y) in zip(nodes, placed):
            node["x"], node["y"] = x, y
        for node, rank in zip(nodes, _importance(G)):
            node["rank"] = rank
    present = {n["group"] for n in nodes}
    return {
        "title": title,
        "nodes": nodes,
        "edges": edges,
        "sources": sources or {},
        "styles": {top: {"color": c, "shape": s, "glyph": g, "name": name}
                   for top, (c, s, g, name) in TYPE_STYLES.items() if top in present},
        "predicates": _predicate_phrases({e["predicate"] for e in edges}),
        "window": _date_window(nodes, edges),
        "physics": layout == "physics",
    }


def _predicate_phrases(names: set[str]) -> dict[str, dict[str, str]]:
    """Predicate name -> how it reads: its ontology label, and from the object's side."""
    from ..schemas.ontology import load_ontology

    known = load_ontology().predicates
    out = {}
    for name in sorted(names):
        label = known[name].label if name in known else name
        out[name] = {"label": label, **({"inverse": INVERSE_PHRASES[name]} if name in INVERSE_PHRASES else {})}
    return out


def _importance(G) -> list[int]:
    """Each node's rank by how many distinct others it touches (1 = best linked; ties by id).

    Distinct neighbours rather than edges: a pair joined by twenty facts is not twenty
    times as central. Degree and not pagerank: networkx's pagerank needs scipy, and on news
    graphs the two agree on the top handful, which is what the labels need.
    """
    nbrs: dict = {n: set() for n in G.nodes}
    for u, v in G.edges():
        if u != v:
            nbrs[u].add(v)
            nbrs[v].add(u)
    order = sorted(G.nodes, key=lambda n: (-len(nbrs[n]), str(n)))
    rank = {n: i + 1 for i, n in enumerate(order)}
    return [rank[n] for n in G.nodes]


def _date_window(nodes: list[dict], edges: list[dict]) -> list[str] | None:
    """The whole months holding most (WINDOW_SHARE) of the dated events: where the story is.

    Starts from the month with the most events and takes in the nearest events one by one;
    without dated events, the dated facts stand in. None when nothing is dated.
    """
    days = sorted(n["lo"] for n in nodes if n.get("group") == "Event" and n.get("lo"))
    if not days:
        days = sorted(x["lo"] for x in nodes + edges if x.get("lo"))
    if not days:
        return None
    months: dict[str, int] = {}
    for d in days:
        months[d[:7]] = months.get(d[:7], 0) + 1
    best = min(months, key=lambda m: (-months[m], m))
    lo = next(i for i, d in enumerate(days) if d.startswith(best))
    hi = max(i for i, d in enumerate(days) if d.startswith(best))
    need = max(1, -(-len(days) * WINDOW_SHARE // 1))
    while hi - lo + 1 < need:
        before = _days_between(days[lo - 1], days[lo]) if lo > 0 else None
        after = _days_between(days[hi], days[hi + 1]) if hi + 1 < len(days) else None
        if after is None or (before is not None and before <= after):
            lo -= 1
        else:
            hi += 1
    return [_first_day(days[lo][:7]), _last_day(days[hi][:7])]


def _days_between(a: str, b: str) -> int:
    from datetime import date

    def parse(s: str) -> date:
        y, m, d = s.lstrip("-").split("-")
        return date(max(1, int(y)), int(m), int(d))

    return (parse(b) - parse(a)).days


def _first_of(facts: dict, pred: str) -> str | None:
    values = facts.get(pred) or []
    return str(values[0]["value"]) if values else None


def _force_layout(G) -> list[tuple[int, int]]:
    """Node positions in page pixels from networkx's seeded force layout, one connected part at a time.

    Seeded, so every build draws the same picture. Each part gets room for its size (about
    110 px a node), the biggest in the middle; the small parts and the isolated nodes are packed
    in columns beside it instead of being thrown far out, where they would stretch the first view.
    """
    import networkx as nx

    U = nx.Graph()
    U.add_nodes_from(G.nodes)
    U.add_edges_from((u, v) for u, v in G.edges() if u != v)
    parts = sorted(nx.connected_components(U), key=lambda c: (-len(c), min(map(str, c))))
    pos: dict = {}
    main_w = 0.0
    row: list[tuple[dict, float]] = []
    for i, part in enumerate(parts):
        if len(part) == 1:
            placed, r = {next(iter(part)): (0.0, 0.0)}, 45.0
        elif len(part) >= _SPRING_DENSE_MAX:
            # networkx needs scipy for its force layout from here on: rings for this part
            H = U.subgraph(sorted(part, key=str))
            xy = dict(zip(H.nodes, _layout(H)))
            cx = (max(x for x, _ in xy.values()) + min(x for x, _ in xy.values())) / 2
            cy = (max(y for _, y in xy.values()) + min(y for _, y in xy.values())) / 2
            placed = {n: (x - cx, y - cy) for n, (x, y) in xy.items()}
            r = max(max(abs(x), abs(y)) for x, y in placed.values()) + 60
        else:
            # nodes and edges in a fixed order: the seed fixes the start positions in node order, and
            # the networkx view's order follows the store's, which varies between runs
            H = nx.Graph()
            H.add_nodes_from(sorted(part, key=str))
            H.add_edges_from(sorted((tuple(sorted((u, v), key=str)) for u, v in U.edges(part)), key=str))
            r = 110 * len(part) ** 0.5 / 2 + 40
            raw = nx.spring_layout(H, seed=7, iterations=200, k=3.5 / len(part) ** 0.5)
            xs = [p[0] for p in raw.values()]
            ys = [p[1] for p in raw.values()]
            span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
            cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
            placed = _separate(_even_out({n: ((x - cx) / span * 2, (y - cy) / span * 2) for n, (x, y) in raw.items()},
                                         r - 40))
        if i == 0:
            pos.update(placed)
            main_w = r
            continue
        row.append((placed, r))
    # the rest: columns to the right of the main part (screens are wider than tall), as tall as it
    x, y, col_w = main_w + 40, -main_w, 0.0
    for placed, r in row:
        if y > -main_w and y + 2 * r > max(main_w, 400):
            x, y, col_w = x + col_w, -main_w, 0.0
        for node, (px, py) in placed.items():
            pos[node] = (x + r + px, y + r + py)
        y += 2 * r
        col_w = max(col_w, 2 * r)
    return [(round(pos[n][0]), round(pos[n][1])) for n in G.nodes]


def _separate(pos: dict, gap: float = 70.0, rounds: int = 60) -> dict:
    """Push apart nodes closer than ``gap`` px (node plus label room), a little at a time.

    Evening out keeps directions, so two nodes in the same direction can land on each other;
    a click on one would then pick the other. Deterministic (no randomness: coincident nodes
    part along a direction fixed by their order).
    """
    import numpy as np

    names = list(pos)
    xy = np.array([pos[n] for n in names], dtype=float)
    if len(names) < 2:
        return dict(pos)
    fallback = np.stack([np.cos(np.arange(len(names))), np.sin(np.arange(len(names)))], axis=1)
    for _ in range(rounds):
        delta = xy[:, None, :] - xy[None, :, :]
        dist = np.hypot(delta[..., 0], delta[..., 1])
        np.fill_diagonal(dist, np.inf)
        close = dist < gap
        if not close.any():
            break
        safe = np.where(dist > 1e-6, dist, 1.0)
        unit = np.where((dist > 1e-6)[..., None], delta / safe[..., None], fallback[:, None, :])
        push = np.where(close, (gap - np.minimum(dist, gap)) / 2, 0.0)
        xy += (unit * push[..., None]).sum(axis=1) * 0.5
    return {n: (float(x), float(y)) for n, (x, y) in zip(names, xy)}


def _even_out(raw: dict, radius: float) -> dict:
    """Spread a force layout evenly over a disc of ``radius``, keeping each node's direction and
    the order of distances from the middle.

    On news graphs the force layout packs the hubs and their many events into a dense middle,
    where labels overlap, and leaves the rim sparse; giving the k-th closest of n nodes the
    radius sqrt(k/n) makes the density even.
    """
    import math

    order = sorted(raw, key=lambda n: (math.hypot(*raw[n]), str(n)))
    out = {}
    for k, n in enumerate(order):
        x, y = raw[n]
        d = math.hypot(x, y)
        target = radius * math.sqrt((k + 0.5) / len(order))
        out[n] = (x / d * target, y / d * target) if d > 1e-9 else (0.0, 0.0)
    return out


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
