"""How fast the explorer page is built, and how big a graph a browser can still draw.

    .venv/bin/python bench/bench_html.py            # build times; browser times if chromium is there
    .venv/bin/python bench/bench_html.py --no-browser

Prints, for synthetic graphs of growing size: the time to build the page from a
networkx graph (page_data + render_page), the time pyvis's own add_node/add_edge
take for the same graph (the approach this exporter avoids), and, in headless
Chromium, the time from opening the file to a settled, drawn graph. Every run is
bounded: five sizes, the browser only up to 3000 nodes and at most 120 s each.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kgbuilder.exports.html import (DEFAULT_MAX_EDGES, DEFAULT_MAX_NODES, PHYSICS_MAX_NODES,  # noqa: E402
                                    page_data, render_page)

TYPES = [("Person", "Person"), ("State", "State"), ("GovernmentBody", "Organization"), ("City", "Place"),
         ("Post", "Post"), ("ViolentProtest", "Event")]
PREDICATES = ["memberOf", "holdsPost", "agent", "target", "place", "locatedIn", "headOf"]


def synthetic(n_nodes: int, n_edges: int, seed: int = 1):
    import networkx as nx

    rnd = random.Random(seed)
    G = nx.MultiDiGraph()
    for i in range(n_nodes):
        typ, top = TYPES[i % len(TYPES)]
        attrs = {"label": f"Node {i} Узел", "type": typ, "top_type": top, "aliases": [f"n{i}"]}
        if top == "Event":
            attrs["date"] = f"2022-01-{1 + i % 28:02d}"
        G.add_node(f"n{i}", **attrs)
    for j in range(n_edges):
        # a preferential-attachment flavour: some hubs, many leaves, like news graphs
        u = f"n{rnd.randrange(n_nodes)}"
        v = f"n{int(n_nodes * rnd.random() ** 2)}"
        G.add_edge(u, v, key=f"s{j}", statement=f"statement/{j}", predicate=rnd.choice(PREDICATES),
                   sources=["src"], evidence=[{"source": "src", "quote": f"quote {j}"}], claimed_by="n0" if j % 17 == 0 else None)
    return G


def time_build(G, layout: str = "auto") -> tuple[float, str]:
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


def time_browser(page: str, timeout_s: float = 120) -> tuple[float, float] | None:
    """Seconds from opening the file to a settled first drawing, and ms for one redraw."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path("/usr/bin/chromium").exists():
        return None
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "page.html"
        path.write_text(page, encoding="utf-8")
        ctx = p.chromium.launch_persistent_context(
            str(Path(tmp) / "profile"), executable_path="/usr/bin/chromium", headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            viewport={"width": 1400, "height": 900})
        try:
            ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            tab = ctx.new_page()
            t = time.perf_counter()
            tab.goto(path.as_uri(), timeout=timeout_s * 1000)
            # polled from here: wait_for_function would eval a string, which the page's CSP forbids
            while not tab.evaluate("() => !!(window.kgExplorer && window.kgExplorer.ready)"):
                if time.perf_counter() - t > timeout_s:
                    raise TimeoutError(f"not settled after {timeout_s} s")
                time.sleep(0.1)
            opened = time.perf_counter() - t
            redraw = tab.evaluate("() => { const t = performance.now(); network.body.emitter.emit('_redraw');"
                                  " return performance.now() - t; }")
            return opened, redraw
        except Exception as exc:  # a timeout is a result here, not a crash
            print(f"    browser: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            return float("inf"), float("inf")
        finally:
            ctx.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    print("build: page_data + render_page; pyvis: Network.add_node/add_edge alone; open: file to settled")
    print("first drawing in headless Chromium; redraw: one frame of the whole graph")
    print(f"{'nodes':>6} {'edges':>6} {'layout':>7} {'build s':>8} {'pyvis s':>8} {'ratio':>6} {'MB':>5} "
          f"{'open s':>7} {'redraw ms':>9}")
    time_build(synthetic(10, 10))     # reads the assets once, so the first row is not skewed
    for n_nodes, n_edges in ((100, 200), (200, 600), (2000, 6000), (3000, 9000), (10000, 30000)):
        G = synthetic(n_nodes, n_edges)
        build, page = time_build(G)
        pv = time_pyvis(G)
        br = None if args.no_browser or n_nodes > 3000 else time_browser(page)
        opened, redraw = br or (None, None)
        layout = "physics" if n_nodes <= PHYSICS_MAX_NODES else "rings"
        print(f"{n_nodes:>6} {n_edges:>6} {layout:>7} {build:>8.2f} {pv:>8.2f} {pv / build:>6.1f} "
              f"{len(page.encode()) / 1e6:>5.1f} {'-' if br is None else f'{opened:.1f}':>7} "
              f"{'-' if br is None else f'{redraw:.0f}':>9}", flush=True)
    print(f"limits: {DEFAULT_MAX_NODES} nodes, {DEFAULT_MAX_EDGES} edges; physics up to {PHYSICS_MAX_NODES} nodes")


if __name__ == "__main__":
    main()
