"""The explorer page as a file: self-contained, escaped, size-limited (no browser needed)."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kgbuilder.errors import ExportError
from kgbuilder.exports import export, format_for_path, get_exporter
from kgbuilder.exports.html import FORCE_MAX_NODES, page_data, render_page, script_json

XSS = Path(__file__).parent / "fixtures" / "xss"


class Page(HTMLParser):
    """Tags with their attributes, and the text of each script and style element."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in: tuple[str, dict] | None = None
        self._buf: list[str] = []
        self.title = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag in ("script", "style", "title"):
            self._in, self._buf = (tag, attrs), []

    def handle_data(self, data):
        if self._in:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if self._in and tag == self._in[0]:
            text = "".join(self._buf)
            if tag == "script":
                self.scripts.append((self._in[1], text))
            elif tag == "title":
                self.title = text
            self._in = None


@pytest.fixture(scope="module")
def mini_page(mini_kg, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("html") / "mini.html"
    export(mini_kg, out, "html")
    return out, out.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def xss_kg():
    import kgbuilder

    return kgbuilder.build(XSS)


def _data(text: str) -> dict:
    page = Page(text)
    blocks = [body for attrs, body in page.scripts if attrs.get("type") == "application/json"]
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_registered_as_a_page_format():
    assert format_for_path("explorer.HTML") == "html"
    assert format_for_path("explorer.htm") == "html"
    exporter = get_exporter("html")
    assert (exporter.kind, exporter.media_type) == ("page", "text/html")


def test_page_links_nothing_and_writes_nothing_else(mini_kg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    export(mini_kg, "explorer.html", "html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["explorer.html"]   # no lib/ folder, no temp file
    page = Page((tmp_path / "explorer.html").read_text(encoding="utf-8"))
    linking = [(tag, attrs) for tag, attrs in page.tags
               if {"src", "href", "srcset", "action", "data"} & set(attrs) or tag in ("link", "iframe", "object")]
    assert linking == []
    assert [attrs.get("type") for attrs, _ in page.scripts] == ["application/json", None, None]


def test_csp_allows_exactly_the_inlined_scripts(mini_page):
    _, text = mini_page
    page = Page(text)
    metas = [a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    policy = dict(part.strip().split(" ", 1) for part in metas[0]["content"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["img-src"] == "data:" and policy["style-src"] == "'unsafe-inline'"
    assert "connect-src" not in policy and "unsafe-inline" not in policy["script-src"]
    hashes = ["'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
              for attrs, body in page.scripts if attrs.get("type") is None]
    assert sorted(policy["script-src"].split()) == sorted(hashes)
    # the CSP comes before anything that could run
    assert text.index("Content-Security-Policy") < text.index("<script")


def test_data_holds_the_whole_graph(mini_kg, mini_page):
    _, text = mini_page
    data = _data(text)
    G = mini_kg.to_networkx()
    assert {n["id"] for n in data["nodes"]} == set(G.nodes)
    assert len(data["edges"]) == G.number_of_edges() == 21
    assert sorted((e["from"], e["to"], e["predicate"]) for e in data["edges"]) == sorted(
        (u, v, d["predicate"]) for u, v, d in G.edges(data=True))
    toqaev = next(n for n in data["nodes"] if n["id"] == "toqaev")
    assert toqaev["group"] == "Person" and toqaev["aliases"] == ["Kassym-Jomart Tokayev", "Tokayev"]
    assert ["ru", "Касым-Жомарт Токаев"] in toqaev["labels"]
    assert data["sources"]["wire"]["url"] == "https://news.example/wire-report"
    claimed = [e for e in data["edges"] if e.get("claimed_by")]
    assert [(e["from"], e["claimed_by"]) for e in claimed] == [("police-killed", "interior-ministry")]
    held = next(e for e in data["edges"] if e["from"] == "nazarbayev" and e["predicate"] == "holdsPost")
    assert (held["lo"], held["hi"]) == ("2019-01-01", "2022-01-05")
    assert set(data["styles"]) == {"Person", "State", "Organization", "Group", "Post", "Place", "Event"}
    # the page opens on positions laid out here, with physics off
    assert data["physics"] is False
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])
    assert data["predicates"]["agent"] == {"label": "agent", "inverse": "agent of"}
    assert data["predicates"]["holdsPost"] == {"label": "holds post", "inverse": "held by"}
    # corroboration defaults to the number of distinct sources, conflict to absent (False)
    both = next(e for e in data["edges"] if e["from"] == "toqaev" and e["predicate"] == "holdsPost")
    assert (both["sources"], both["corroboration"], "conflict" in both) == (["paper", "wire"], 2, False)
    assert data["window"] == ["2022-01-01", "2022-01-31"]


def test_written_as_utf8_with_cyrillic_intact(mini_page):
    path, _ = mini_page
    raw = path.read_bytes()
    assert raw.startswith(b"<!DOCTYPE html>")
    assert b'<meta charset="utf-8">' in raw
    assert "Касым-Жомарт Токаев".encode("utf-8") in raw


def test_script_json_cannot_close_its_element():
    text = script_json({"a": "</script><!-- & \u2028\u2029 >"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029 >"}


def test_xss_payloads_stay_data(xss_kg, tmp_path):
    out = tmp_path / "xss.html"
    export(xss_kg, out, "html")
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    # only the page's own elements exist: no payload became a tag
    assert not [t for t, _ in page.tags if t in ("img", "svg", "iframe", "a", "b")]
    assert len(page.scripts) == 3
    data_start = text.index('id="kg-data">')
    data_block = text[data_start:text.index("</script>", data_start)]
    assert "<" not in data_block.removeprefix('id="kg-data">') and "\u2028" not in data_block
    assert page.title == 'XSS </title><script>window.__xss=1</script> "test" & co'
    data = _data(text)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels["script-person"] == "<script>window.__xss=1</script>"
    assert data["sources"]["evil"]["url"] == "https://news.example/a?x=1&y='onmouseover='window.__xss=1"


def test_hostile_ids_and_urls_survive_page_data():
    import networkx as nx

    G = nx.MultiDiGraph()
    evil = '<script>window.__xss=1</script>'
    G.add_node(evil, label=evil, top_type="Person", type="Person")
    G.add_node('"><img src=x>', label="x", top_type="NoSuchType", type="Thing")
    G.add_edge(evil, '"><img src=x>', key="s1", predicate="<b>knows</b>", sources=["s"],
               evidence=[{"source": "s", "quote": evil}])
    data = page_data(G, sources={"s": {"title": evil, "url": "javascript:window.__xss=1"}}, title=evil)
    assert data["nodes"][1]["group"] == "Entity"     # unknown types fall back to a styled group
    text = render_page(data)
    own = text.replace(Page(text).scripts[1][1], "")     # vis-network itself mentions "<b>" in its parser
    assert evil not in own and "<img" not in own and "<b>" not in own
    assert _data(text)["nodes"][0]["id"] == evil


def test_too_big_graph_is_refused_and_nothing_is_written(mini_kg, tmp_path, monkeypatch):
    out = tmp_path / "big.html"
    out.write_text("previous", encoding="utf-8")
    with pytest.raises(ExportError, match=r"19 nodes \(limit 5\).*--focus ENTITY --depth N.*"
                                          r"KGBUILDER_HTML_MAX_NODES=0"):
        export(mini_kg, out, "html", max_nodes=5)
    monkeypatch.setenv("KGBUILDER_HTML_MAX_EDGES", "20")
    with pytest.raises(ExportError, match=r"the graph has 21 edges \(limit 20\)"):
        export(mini_kg, out, "html")
    assert out.read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.html"]
    monkeypatch.setenv("KGBUILDER_HTML_MAX_EDGES", "many")
    with pytest.raises(ExportError, match="KGBUILDER_HTML_MAX_EDGES: 'many' is not a whole number"):
        export(mini_kg, out, "html")
    monkeypatch.setenv("KGBUILDER_HTML_MAX_EDGES", "0")
    export(mini_kg, out, "html", max_nodes=0)
    assert len(_data(out.read_text(encoding="utf-8"))["nodes"]) == 19


def test_the_size_check_counts_what_the_view_holds_where_sources_share_statements(mini_kg):
    # statements held by several source graphs are what made the engine's count slow (each
    # came back once per combination of graphs); the count must still be the view's
    from kgbuilder.namespaces import KG_NS
    from kgbuilder.questions.network import view_size

    kg = mini_kg
    shared = kg.store.raw_query(f"SELECT ?st WHERE {{ GRAPH ?g {{ ?st a <{KG_NS}Statement> }} }} "
                                "GROUP BY ?st HAVING (COUNT(?g) > 1) LIMIT 1")
    assert len(list(shared)) == 1
    G = kg.to_networkx()
    assert view_size(kg) == (G.number_of_nodes(), G.number_of_edges())


def test_focus_and_filters_come_from_the_export_pipeline(mini_kg, tmp_path):
    out = tmp_path / "focus.html"
    export(mini_kg, out, "html", focus="csto", depth=1)
    data = _data(out.read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == {"csto", "kazakhstan", "armenia", "appeal-to-csto",
                                               "csto-peacekeepers"}
    assert get_exporter("html").kind == "page"


def test_rings_layout_precomputes_positions(mini_kg, tmp_path):
    out = tmp_path / "layout.html"
    export(mini_kg, out, "html", layout="rings")
    data = _data(out.read_text(encoding="utf-8"))
    assert data["physics"] is False
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == len(data["nodes"])
    with pytest.raises(ExportError, match="layout: unknown value 'spring'"):
        export(mini_kg, out, "html", layout="spring")


def test_big_graphs_get_rings_small_ones_the_force_layout():
    import networkx as nx

    G = nx.MultiDiGraph()
    for i in range(FORCE_MAX_NODES):
        G.add_node(f"n{i}", label=f"n{i}", top_type="Person", type="Person")
        G.add_edge(f"n{i}", f"n{i // 2}", key=f"s{i}", predicate="knows")
    rings = page_data(G)
    assert rings["physics"] is False
    assert len({(n["x"], n["y"]) for n in rings["nodes"]}) == len(rings["nodes"])
    assert [(n["x"], n["y"]) for n in rings["nodes"]] == [(n["x"], n["y"]) for n in page_data(G, layout="rings")["nodes"]]
    G.remove_node("n0")
    force = page_data(G)
    assert force["physics"] is False
    assert [(n["x"], n["y"]) for n in force["nodes"]] == [(n["x"], n["y"]) for n in page_data(G, layout="force")["nodes"]]
    assert page_data(G, layout="physics")["physics"] is True


def _kazakhstan_data():
    import kgbuilder
    from kgbuilder.exports.html import _sources

    from conftest import KAZAKHSTAN

    kg = kgbuilder.open_graph(KAZAKHSTAN)
    return kg, page_data(kg.to_networkx(), sources=_sources(kg))


def test_first_picture_is_the_same_in_every_build(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import KAZAKHSTAN

    # separate processes with different hash seeds: set and store orders differ between them
    script = ("import json, sys, kgbuilder; from kgbuilder.exports.html import page_data; "
              "d = page_data(kgbuilder.build(sys.argv[1]).to_networkx()); "
              "print(json.dumps(sorted((n['id'], n['x'], n['y'], n['rank']) for n in d['nodes'])))")
    runs = [subprocess.run([sys.executable, "-c", script, str(KAZAKHSTAN)], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}, timeout=300)
            for seed in ("1", "2")]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr[-2000:]
    first, second = (json.loads(r.stdout) for r in runs)
    assert len(first) == 143 and first == second


def test_first_picture_is_seeded_compact_and_labels_the_main_actors():
    import math

    kg, data = _kazakhstan_data()
    # no two nodes on top of each other
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == len(data["nodes"])
    ranks = {n["id"]: n["rank"] for n in data["nodes"]}
    assert sorted(ranks.values()) == list(range(1, len(ranks) + 1))
    assert ranks["kazakhstan"] == 1
    assert {"toqaev", "nazarbayev", "csto", "protesters", "almaty"} <= {i for i, r in ranks.items() if r <= 12}
    # the isolated node sits beside the main part, not far out where it would stretch the first view
    by_id = {n["id"]: n for n in data["nodes"]}
    main = [n for n in data["nodes"] if n["id"] != "observers"]
    reach = max(math.hypot(n["x"], n["y"]) for n in main)
    assert math.hypot(by_id["observers"]["x"], by_id["observers"]["y"]) < 1.6 * reach
    width = max(n["x"] for n in data["nodes"]) - min(n["x"] for n in data["nodes"])
    height = max(n["y"] for n in data["nodes"]) - min(n["y"] for n in data["nodes"])
    assert height <= 2 * reach + 1 and width <= 2.4 * reach


def test_date_window_is_where_the_events_are():
    import networkx as nx

    _, data = _kazakhstan_data()
    events = [n["lo"] for n in data["nodes"] if n["group"] == "Event" and n.get("lo")]
    assert min(events) < "2012" and data["window"] == ["2022-01-01", "2022-01-31"]
    G = nx.MultiDiGraph()
    for i, day in enumerate(["2020-03-02", "2021-05-01", "2021-05-20", "2021-06-03", "2021-06-30", "2021-07-01"]):
        G.add_node(f"e{i}", label=f"e{i}", top_type="Event", type="Protest", date=day)
    # May 2021 has the most; the nearest events are taken in until 80% are inside, whole months
    assert page_data(G)["window"] == ["2021-05-01", "2021-07-31"]
    # a year and a month count from their first day; the stragglers stay outside
    G.add_node("y", label="y", top_type="Event", type="Protest", date="2019")
    G.add_node("m", label="m", top_type="Event", type="Protest", date="2021-06")
    for day in ("2021-06-10", "2021-06-11"):
        G.add_node(day, label=day, top_type="Event", type="Protest", date=day)
    assert page_data(G)["window"] == ["2021-05-01", "2021-07-31"]
    G.add_node("late", label="late", top_type="Event", type="Protest", date="2021-08-02")
    assert page_data(G)["window"] == ["2021-05-01", "2021-08-31"]
    undated = nx.MultiDiGraph()
    undated.add_node("p", label="p", top_type="Person", type="Person")
    assert page_data(undated)["window"] is None


def test_corroboration_and_conflict_are_read_defensively():
    import networkx as nx

    G = nx.MultiDiGraph()
    for n in ("a", "b", "c"):
        G.add_node(n, label=n.upper(), top_type="Person", type="Person")
    # the contract's attributes, as the sources helper fills them
    G.add_edge("a", "b", key="s1", predicate="relativeOf", sources=["x", "y", "z"],
               evidence=[{"source": "x", "quote": "qx"}, {"source": "y", "quote": "qy"}, {"source": "z", "quote": "qz"}],
               corroboration=2, conflict=True)
    # today's view: one source per quote, repeated
    G.add_edge("a", "c", key="s2", predicate="relativeOf", sources=["x", "x", "y"], quotes=["q1", "q2", "q3"])
    # nonsense where numbers and flags belong falls back to the defaults
    G.add_edge("b", "c", key="s3", predicate="relativeOf", sources=["x"], quotes=["q"], corroboration="many",
               conflict="yes")
    e1, e2, e3 = page_data(G)["edges"]
    assert (e1["evidence"], e1["sources"], e1["corroboration"], e1["conflict"]) == (
        [["x", "qx"], ["y", "qy"], ["z", "qz"]], ["x", "y", "z"], 2, True)
    assert (e2["evidence"], e2["sources"], e2["corroboration"], "conflict" in e2) == (
        [["x", "q1"], ["x", "q2"], ["y", "q3"]], ["x", "y"], 2, False)
    assert (e3["corroboration"], "conflict" in e3) == (1, False)


def test_cli_export_html(mini_path, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from kgbuilder.cli import main

    out = tmp_path / "explorer.html"
    result = CliRunner().invoke(main, ["export", str(mini_path), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out} (html, 19 nodes, 21 edges)\n"
    assert len(_data(out.read_text(encoding="utf-8"))["edges"]) == 21
    monkeypatch.setenv("KGBUILDER_HTML_MAX_NODES", "10")
    result = CliRunner().invoke(main, ["export", str(mini_path), "-o", str(tmp_path / "big.html")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: the graph has 19 nodes (limit 10): more than a browser draws")
    assert result.output.count("\n") == 1 and not (tmp_path / "big.html").exists()
