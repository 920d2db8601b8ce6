"""How fast the explorer page is built, opens and answers, against the bare engines doing the same work.

    .venv/bin/python bench/bench_html.py                 # everything (a few minutes on a quiet machine)
    .venv/bin/python bench/bench_html.py --no-browser    # build times only
    .venv/bin/python bench/bench_html.py --pages kazakhstan,gen6k --reps 9

Build: page_data + render_page for synthetic graphs, against pyvis's own add_node/add_edge
(the approach this exporter avoids).

Browser (Debian's headless Chromium through Playwright, every request but the file aborted), for
the Kazakhstan page, the page of ``bench/generate.py --facts 6000`` (162 nodes, 4,689 edges) and
synthetic pages up to and past the node limit:

- open: seconds from navigation to the first drawn picture, and how far any node moved in the
  second after it (the page ships its layout, so 0 px is the target);
- select: ``kgExplorer.select`` of a node up to a painted frame (one synchronous redraw), against
  the floor: vis-network's own ``setSelection`` of the same node and its edges plus the same redraw;
- search: a keystroke in the search box (matching and the result list), against the floor: a bare
  substring scan of the same normalised names;
- dates / type: moving the date range (the story's months <-> all dates) or unticking a type, up
  to a painted frame, against the floor: vis-network's ``DataSet.update`` of the same items'
  ``hidden`` flags plus the same redraw.

Each figure is the median over ``--reps`` runs, ours and the floor interleaved so both see the same
machine load; ratio = ours / floor. Every browser run is bounded (``--timeout`` seconds a page).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kgbuilder.exports.html import (DEFAULT_MAX_EDGES, DEFAULT_MAX_NODES, FORCE_MAX_NODES,  # noqa: E402
                                    page_data, render_page)

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
TYPES = [("Person", "Person"), ("State", "State"), ("GovernmentBody", "Organization"), ("City", "Place"),
         ("Post", "Post"), ("ViolentProtest", "Event")]
PREDICATES = ["memberOf", "holdsPost", "agent", "target", "place", "locatedIn", "headOf"]
SIZES = ((100, 200), (500, 1500), (2000, 6000), (3000, 9000), (10000, 30000))
BROWSER_SIZES = ((1000, 3000), (2000, 6000), (3000, 9000))


def synthetic(n_nodes: int, n_edges: int, seed: int = 1):
    import networkx as nx

    rnd = random.Random(seed)
    G = nx.MultiDiGraph()
    for i in range(n_nodes):
        typ, top = TYPES[i % len(TYPES)]
        attrs = {"label": f"Node {i} Узел", "type": typ, "top_type": top, "aliases": [f"n{i}"]}
        if top == "Event":
            attrs["date"] = f"2022-{1 + i % 3:02d}-{1 + i % 28:02d}"
        G.add_node(f"n{i}", **attrs)
    for j in range(n_edges):
        # a preferential-attachment flavour: some hubs, many leaves, like news graphs
        u = f"n{rnd.randrange(n_nodes)}"
        v = f"n{int(n_nodes * rnd.random() ** 2)}"
        G.add_edge(u, v, key=f"s{j}", statement=f"statement/{j}", predicate=rnd.choice(PREDICATES),
                   sources=["src"], evidence=[{"source": "src", "quote": f"quote {j}"}],
                   claimed_by="n0" if j % 17 == 0 else None)
    return G


def build_page(G, layout: str = "auto") -> tuple[float, str]:
    t = time.perf_counter()
    page = render_page(page_data(G, sources={"src": {"title": "Source", "url": "https://example.org/"}},
                                 title="bench", layout=layout))
    return time.perf_counter() - t, page


def time_pyvis(G) -> float:
    from pyvis.network import Network

    t = time.perf_counter()
    net = Network(directed=True)
    for n, d in G.nodes(data=True):
        net.add_node(n, label=d["label"])
    for u, v, d in G.edges(data=True):
        net.add_edge(u, v, title=d["predicate"])
    return time.perf_counter() - t


def dataset_page(path: Path) -> tuple[str, int, int]:
    """The dataset's explorer page, and its node and edge counts."""
    import kgbuilder
    from kgbuilder.exports.html import render_kg

    page, data = render_kg(kgbuilder.open_graph(path), max_nodes=0, max_edges=0)
    return page, len(data["nodes"]), len(data["edges"])


# ---------------------------------------------------------------- in the browser

_OPEN = """() => ({ready: kgExplorer.ready, t: kgExplorer.timing.ready - kgExplorer.timing.start,
                   nav: kgExplorer.timing.ready, pos: network.getPositions()})"""

# the nodes to select: the ten best linked (the slow case: most edges) and ten others, seeded
_PICK = """() => { const d = kgExplorer.data, deg = new Map(d.nodes.map(n => [n.id, 0]));
  d.edges.forEach(e => { deg.set(e.from, deg.get(e.from) + 1); deg.set(e.to, deg.get(e.to) + 1); });
  const ids = d.nodes.map(n => n.id).sort((a, b) => deg.get(b) - deg.get(a) || (a < b ? -1 : 1));
  const rest = ids.slice(10); let s = 7; const out = ids.slice(0, 10);
  for (let i = 0; i < 10 && rest.length; i++) { s = (s * 48271) % 2147483647; out.push(rest.splice(s % rest.length, 1)[0]); }
  return out; }"""

_SELECT_OURS = """id => { kgExplorer.clearSelection(); network.redraw();
  const t = performance.now(); kgExplorer.select('node', id, false); network.redraw(); return performance.now() - t; }"""

_SELECT_FLOOR = """id => { kgExplorer.clearSelection(); network.redraw();
  const edges = network.getConnectedEdges(id);
  const t = performance.now(); network.setSelection({nodes: [id], edges: edges}, {highlightEdges: false});
  network.redraw(); return performance.now() - t; }"""

_SEARCH_OURS = """q => { const box = document.getElementById('kg-search');
  const t = performance.now(); box.value = q; box.dispatchEvent(new Event('input'));
  return performance.now() - t; }"""

_SEARCH_FLOOR = """q => { const keys = kgExplorer.searchKeys;
  const t = performance.now(); const needle = q.normalize('NFKD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase();
  let hits = 0; for (const names of keys) { for (const k of names) if (k.indexOf(needle) >= 0) { hits++; break; } }
  return [performance.now() - t, hits]; }"""

_DATES_OURS = """which => { const t = performance.now();
  if (which === 'all') kgExplorer.allDates(); else kgExplorer.storyDates();
  network.redraw(); const ms = performance.now() - t;
  return [ms, kgExplorer.lastChange.nodes, kgExplorer.lastChange.edges]; }"""

_TYPE_OURS = """on => { const box = document.querySelector('#kg-legend input[data-type=Event]');
  const t = performance.now(); box.checked = on; box.dispatchEvent(new Event('change'));
  network.redraw(); const ms = performance.now() - t;
  return [ms, kgExplorer.lastChange.nodes, kgExplorer.lastChange.edges]; }"""

# the same hidden flags through vis-network's DataSet, then back, untimed, so the page's state holds
_DATASET_FLOOR = """([nodeUpd, edgeUpd]) => { const body = network.body;
  const t = performance.now();
  if (nodeUpd.length) body.data.nodes.update(nodeUpd); if (edgeUpd.length) body.data.edges.update(edgeUpd);
  network.redraw(); const ms = performance.now() - t;
  const undo = u => u.map(x => ({id: x.id, hidden: !x.hidden}));
  if (nodeUpd.length) body.data.nodes.update(undo(nodeUpd)); if (edgeUpd.length) body.data.edges.update(undo(edgeUpd));
  return ms; }"""


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def browse(page: str, reps: int, timeout_s: float) -> dict:
    """Open the page and time the interactions; figures in ms (open in s)."""
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "page.html"
        path.write_text(page, encoding="utf-8")
        url = path.as_uri()
        ctx = p.chromium.launch_persistent_context(
            str(Path(tmp) / "profile"), executable_path=CHROMIUM, headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            viewport={"width": 1400, "height": 900})
        try:
            leaked: list[str] = []
            tab = ctx.new_page()
            tab.on("request", lambda r: leaked.append(r.url) if r.url != url else None)
            tab.route("**/*", lambda r: r.continue_() if r.request.url == url else r.abort())
            t = time.perf_counter()
            tab.goto(url, timeout=timeout_s * 1000)
            # polled from here: wait_for_function would eval a string, which the page's CSP forbids
            while not tab.evaluate("() => !!(window.kgExplorer && window.kgExplorer.ready)"):
                if time.perf_counter() - t > timeout_s:
                    raise TimeoutError(f"not drawn after {timeout_s} s")
                time.sleep(0.02)
            out["open_s"] = time.perf_counter() - t
            first = tab.evaluate(_OPEN)["pos"]
            moved = 0.0
            for _ in range(4):      # the second after the first picture
                time.sleep(0.25)
                now = tab.evaluate(_OPEN)["pos"]
                moved = max([moved] + [abs(now[k]["x"] - v["x"]) + abs(now[k]["y"] - v["y"])
                                       for k, v in first.items() if k in now])
            out["moved_px"] = moved
            ids = tab.evaluate(_PICK)
            ours, floor = [], []
            for i in range(reps):
                for nid in ids[: max(1, min(len(ids), 20))] if i == 0 else ids[:4]:
                    ours.append(tab.evaluate(_SELECT_OURS, nid))
                    floor.append(tab.evaluate(_SELECT_FLOOR, nid))
            out["select"] = (_median(ours), _median(floor), max(ours))
            tab.evaluate("() => kgExplorer.clearSelection()")
            ours, floor = [], []
            queries = ["n", "na", "nod", "node 1", "узел", "ka", "tok", "zz"]
            for _ in range(reps):
                for q in queries:
                    ours.append(tab.evaluate(_SEARCH_OURS, q))
                    floor.append(tab.evaluate(_SEARCH_FLOOR, q)[0])
            out["search"] = (_median(ours), _median(floor), max(ours))
            tab.evaluate(_SEARCH_OURS, "")
            if tab.evaluate("() => !!kgExplorer.storyDates"):
                ours, floor = [], []
                for _ in range(reps):
                    for which in ("all", "story"):
                        ms, n_upd, e_upd = tab.evaluate(_DATES_OURS, which)
                        ours.append(ms)
                        floor.append(tab.evaluate(_DATASET_FLOOR, [n_upd, e_upd]))
                out["dates"] = (_median(ours), _median(floor), max(ours), len(e_upd))
            if tab.evaluate("() => !!document.querySelector('#kg-legend input[data-type=Event]')"):
                ours, floor = [], []
                for _ in range(reps):
                    for on in (False, True):
                        ms, n_upd, e_upd = tab.evaluate(_TYPE_OURS, on)
                        ours.append(ms)
                        floor.append(tab.evaluate(_DATASET_FLOOR, [n_upd, e_upd]))
                out["type"] = (_median(ours), _median(floor), max(ours), len(e_upd))
            out["leaked"] = leaked
        except Exception as exc:  # a timeout is a result here, not a crash
            out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        finally:
            ctx.close()
    return out


def _row(name: str, nodes: int, edges: int, r: dict) -> None:
    if "error" in r:
        print(f"{name:<12} {nodes:>6} {edges:>6}  {r['error']}", flush=True)
        return
    print(f"{name:<12} {nodes:>6} {edges:>6}  open {r['open_s']:.2f} s, moved {r['moved_px']:.0f} px in the next second"
          + (f"; REQUESTS: {r['leaked']}" if r["leaked"] else ""))
    for op in ("select", "search", "dates", "type"):
        if op in r:
            ours, floor, worst = r[op][:3]
            extra = f"  ({r[op][3]} edges change)" if len(r[op]) > 3 else ""
            print(f"{'':<27}{op:<7} {ours:>8.1f} ms  floor {floor:>8.1f} ms  ratio {ours / floor if floor else float('nan'):>5.2f}"
                  f"  worst {worst:>7.1f} ms{extra}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--pages", default="kazakhstan,gen6k,synthetic",
                    help="comma-separated: kazakhstan, gen6k, synthetic (default: all)")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--timeout", type=float, default=180)
    args = ap.parse_args()
    pages = set(args.pages.split(","))

    print("build: page_data + render_page (layout included); pyvis: Network.add_node/add_edge alone")
    print(f"{'nodes':>6} {'edges':>6} {'layout':>7} {'build s':>8} {'pyvis s':>8} {'ratio':>6} {'MB':>5}")
    build_page(synthetic(10, 10))     # reads the assets once, so the first row is not skewed
    for n_nodes, n_edges in SIZES:
        G = synthetic(n_nodes, n_edges)
        build, page = build_page(G)
        pv = time_pyvis(G)
        layout = "force" if n_nodes < FORCE_MAX_NODES else "rings"
        print(f"{n_nodes:>6} {n_edges:>6} {layout:>7} {build:>8.2f} {pv:>8.2f} {pv / build:>6.1f} "
              f"{len(page.encode()) / 1e6:>5.1f}", flush=True)
    print(f"limits: {DEFAULT_MAX_NODES} nodes, {DEFAULT_MAX_EDGES} edges; force layout below {FORCE_MAX_NODES} nodes")
    if args.no_browser:
        return
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("browser: playwright is not installed (pip install -e '.[test]')")
        return
    if not Path(CHROMIUM).exists():
        print(f"browser: {CHROMIUM} is missing (apt-get install chromium)")
        return
    print()
    print(f"in headless Chromium; medians of {args.reps} interleaved runs, each up to a painted frame "
          "(one synchronous redraw) except search")
    if "kazakhstan" in pages:
        page, n, m = dataset_page(ROOT / "datasets" / "kazakhstan-2022")
        _row("kazakhstan", n, m, browse(page, args.reps, args.timeout))
    if "gen6k" in pages:
        from bench.generate import generate

        with tempfile.TemporaryDirectory() as tmp:
            generate(6000, Path(tmp) / "gen6k")
            page, n, m = dataset_page(Path(tmp) / "gen6k")
        _row("gen 6k facts", n, m, browse(page, args.reps, args.timeout))
    if "synthetic" in pages:
        for n_nodes, n_edges in BROWSER_SIZES:
            _, page = build_page(synthetic(n_nodes, n_edges))
            _row("synthetic", n_nodes, n_edges, browse(page, max(3, args.reps // 2), args.timeout))


if __name__ == "__main__":
    main()
