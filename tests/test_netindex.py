"""The per-entity index kept with a build (questions.netindex) answers exactly as the whole view.

show, path and neighbors read the index of a cached build; each answer here is compared
with the answer the whole networkx view gives for the same graph (the index switched off),
on the mini and the Kazakhstan datasets, with --as-of days, path --all and --max-length;
then a changed dataset, a damaged index and the bidirectional walk.
"""
from __future__ import annotations

import itertools
import random
import shutil
import sqlite3

import pytest

import kgbuilder
from kgbuilder.errors import KGBuilderError
from kgbuilder.questions import answers as Q
from kgbuilder.questions.netindex import IndexView
from kgbuilder.questions.netview import all_shortest_paths, shortest_paths_both_ways

from conftest import KAZAKHSTAN, MINI

MINI_DAYS = [None, "2018-12-31", "2019-01-01", "2022-01-04", "2022-01-05", "2022-01-06"]
KZ_DAYS = [None, "2022-01-02", "2022-01-05", "2022-01-11"]
#: path variants: (--all, --max-length)
VARIANTS = [(False, None), (True, None), (True, 1), (False, 2), (True, 3)]


def indexed(path):
    """A graph opened through the build cache, with its index made (and used)."""
    kg = kgbuilder.open_graph(path)
    assert Q._index(kg) is not None
    return kg


def outcome(call):
    """What a question answers: its value, or its error's type and message."""
    try:
        value = call()
    except KGBuilderError as exc:
        return (type(exc).__name__, str(exc))
    if isinstance(value, Q.Neighborhood):
        # the subgraph as data, in its order (node attributes, edges with keys and attributes)
        return (value.center, value.depth, value.members, value.statements, value.view.graph,
                list(value.view.nodes(data=True)), list(value.view.edges(keys=True, data=True)))
    return value


def from_both(kg, call):
    """``call()`` answered from the index, then from the whole view of the same graph."""
    ix = Q._index(kg)
    with_index = outcome(call)
    kg._kgb_index = None
    try:
        whole = outcome(call)
    finally:
        kg._kgb_index = ix
    return with_index, whole


def entities(kg) -> list[str]:
    return sorted(Q.network(kg).nodes)


def check_all(kg, days, pairs):
    names = entities(kg)
    for day in days:
        for n in names:
            a, b = from_both(kg, lambda: Q.show_entity(kg, n, as_of=day))
            assert a == b, (n, day)
            for depth in (1, 2):
                a, b = from_both(kg, lambda: Q.neighbors(kg, n, depth=depth, as_of=day))
                assert a == b, (n, depth, day)
        for s, t in pairs:
            for every, most in VARIANTS:
                a, b = from_both(kg, lambda: Q.paths(kg, s, t, all=every, max_length=most, as_of=day))
                assert a == b, (s, t, every, most, day)


def test_mini_answers_match_the_whole_view():
    kg = indexed(MINI)
    names = entities(kg)
    check_all(kg, MINI_DAYS, list(itertools.combinations(names, 2)))


def test_kazakhstan_answers_match_the_whole_view():
    kg = indexed(KAZAKHSTAN)
    names = entities(kg)
    rng = random.Random(11)
    pairs = [tuple(rng.sample(names, 2)) for _ in range(25)] + [("toqaev", "nazarbayev"), ("pashinian", "nazarbayev")]
    check_all(kg, KZ_DAYS, pairs)


@pytest.mark.parametrize("name", ["toqaev", "TOKAYEV", "Касым-Жомарт Токаев", "Kasym-Zhomart Tokaev",
                                  "Alma-Ata", "Qazaqstan", "Tokaev", "Nazarbaeff", "zzz", "", "security council"])
def test_names_match_the_whole_resolver(name):
    kg = indexed(MINI)
    a, b = from_both(kg, lambda: Q.resolve_entity(kg, name))
    assert a == b


def test_a_warm_answer_reads_the_index_not_the_view():
    indexed(MINI)                                   # the first command makes the index
    kg = kgbuilder.open_graph(MINI)
    Q.show_entity(kg, "toqaev", as_of="2022-01-05")
    Q.paths(kg, "armenia", "nazarbayev", all=True)
    Q.neighbors(kg, "csto", depth=2)
    assert getattr(kg, "_kgb_network", None) is None and getattr(kg, "_kgb_resolver", None) is None


def test_a_changed_dataset_never_answers_from_an_older_index(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    kg = indexed(root)
    old = Q._index(kg).path
    assert Q.show_entity(kg, "toqaev").label == "Qasym-Zhomart Toqaev"
    assert [p.nodes for p in Q.paths(kg, "toqaev", "nazarbayev")] == [["toqaev", "nazarbayev"]]
    entities_file = root / "facts" / "entities.yaml"
    entities_file.write_text(entities_file.read_text().replace("label: Qasym-Zhomart Toqaev",
                                                               "label: Kassym-Jomart Tokayev"))
    facts_file = root / "facts" / "facts.yaml"
    text = facts_file.read_text()
    assert text.count("  - toqaev predecessorOf nazarbayev |") == 1
    facts_file.write_text(text.replace("  - toqaev predecessorOf nazarbayev |", "  - toqaev memberOf csto |"))
    kg = indexed(root)
    assert Q._index(kg).path != old and not old.exists()
    assert Q.show_entity(kg, "toqaev").label == "Kassym-Jomart Tokayev"
    assert Q.resolve_entity(kg, "Kassym-Jomart Tokayev") == "toqaev"
    assert Q.paths(kg, "toqaev", "nazarbayev")[0].nodes != ["toqaev", "nazarbayev"]
    a, b = from_both(kg, lambda: Q.show_entity(kg, "toqaev"))
    assert a == b


def test_a_damaged_index_is_dropped_and_the_whole_view_answers(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    kg = indexed(root)
    expected = outcome(lambda: Q.neighbors(kg, "csto", depth=2))
    path = Q._index(kg).path
    Q._index(kg).close()
    # one byte of one row's text changed (a label), the checksum left as it was
    db = sqlite3.connect(path)
    head, = db.execute("SELECT head FROM attrs WHERE id = 'armenia'").fetchone()
    db.execute("UPDATE attrs SET head = ? WHERE id = 'armenia'", (head.replace('"Armenia"', '"Armenio"'),))
    db.commit()
    db.close()
    kg = kgbuilder.open_graph(root)
    assert outcome(lambda: Q.neighbors(kg, "csto", depth=2)) == expected
    assert Q._index(kg) is None and not path.exists()
    # the next command makes it again, and answers from it
    kg = indexed(root)
    assert outcome(lambda: Q.neighbors(kg, "csto", depth=2)) == expected
    assert path.exists()


def test_a_subgraph_made_after_the_index_broke_comes_from_the_whole_view(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    kg = indexed(root)
    expected = outcome(lambda: Q.neighbors(kg, "csto", depth=2))
    kg = kgbuilder.open_graph(root)
    hood = Q.neighbors(kg, "csto", depth=2)         # members from the index; the subgraph not made yet
    ix = Q._index(kg)
    assert "armenia" in {m.id for m in hood.members} and "armenia" not in ix._memo["data"]
    ix._memo["data"]["armenia"] = None              # as if its row were missing from the file
    assert outcome(lambda: hood) == expected
    assert Q._index(kg) is None and not ix.path.exists()


def plant_label(path, node: str, label: str) -> None:
    """Rewrite ``node``'s label in the index with a matching checksum (a well-made forgery)."""
    import json

    from kgbuilder.questions.netindex import _crc

    db = sqlite3.connect(path)
    head = json.loads(db.execute("SELECT head FROM attrs WHERE id = ?", (node,)).fetchone()[0])
    text = json.dumps({**head, "label": label})
    db.execute("UPDATE attrs SET head = ?, hcrc = ? WHERE id = ?", (text, _crc(node, text), node))
    db.commit()
    db.close()


def test_an_index_not_ours_alone_is_never_read(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    path = Q._index(indexed(root)).path
    plant_label(path, "toqaev", "Planted")
    assert Q.show_entity(kgbuilder.open_graph(root), "toqaev").label == "Planted"     # ours: read
    path.chmod(0o664)
    kg = kgbuilder.open_graph(root)
    assert Q.show_entity(kg, "toqaev").label == "Qasym-Zhomart Toqaev"
    # made again in its place, ours alone
    assert Q._index(kg).path == path and path.stat().st_mode & 0o777 == 0o600


def test_a_file_that_is_not_an_index_is_made_again(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    path = Q._index(indexed(root)).path
    path.write_bytes(b"not an index at all" * 100)
    kg = kgbuilder.open_graph(root)
    assert Q.show_entity(kg, "toqaev").id == "toqaev"
    assert Q._index(kg).path == path and path.read_bytes().startswith(b"SQLite format 3")


def test_the_index_view_cuts_a_day_as_the_whole_view_does():
    kg = indexed(MINI)
    for day in MINI_DAYS[1:]:
        cut = Q.network(kg, day)
        view = IndexView(Q._index(kg), day)
        for n in Q.network(kg).nodes:
            assert (n in view) == (n in cut)
            if n in cut:
                assert view.nodes[n] == cut.nodes[n]
                assert list(view.out_edges(n, data=True)) == list(cut.out_edges(n, data=True))
                assert list(view.in_edges(n, data=True)) == list(cut.in_edges(n, data=True))
                assert view.degree(n) == cut.degree(n)
                assert view.adjacency().get(n) == cut.neighbours()[n]


# ---------------------------------------------------------------- the walk from both ends

def random_graph(rng: random.Random) -> dict:
    n = rng.randint(2, 40)
    p = rng.choice([0.03, 0.08, 0.15, 0.4])
    adj: dict = {i: set() for i in range(n)}
    for a, b in itertools.combinations(range(n), 2):
        if rng.random() < p:
            adj[a].add(b)
            adj[b].add(a)
    return {k: sorted(v) for k, v in adj.items()}


def test_both_ways_finds_every_shortest_path_one_way_finds():
    rng = random.Random(5)
    connected = 0
    for _ in range(1500):
        adj = random_graph(rng)
        s, t = rng.sample(sorted(adj), 2)
        limit = rng.choice([3, 10, 10000])
        one_way = all_shortest_paths(adj, s, t, limit=limit)
        assert sorted(shortest_paths_both_ways(adj, s, t, limit=limit)) == sorted(one_way)
        for most in (1, 2, 3):
            within = one_way if one_way and len(one_way[0]) - 1 <= most else []
            assert sorted(shortest_paths_both_ways(adj, s, t, limit=limit, max_length=most)) == sorted(within)
        connected += bool(one_way)
    assert connected > 500


def test_both_ways_leaves_a_cut_to_the_one_way_walk():
    # 4 x 4 routes between the ends: over a limit of 10 the one-way walk's choice is kept
    adj: dict = {"s": ["a1", "a2", "a3", "a4"], "t": ["b1", "b2", "b3", "b4"]}
    for i in range(1, 5):
        adj[f"a{i}"] = ["s"] + [f"b{j}" for j in range(1, 5)]
        adj[f"b{i}"] = [f"a{j}" for j in range(1, 5)] + ["t"]
    assert len(shortest_paths_both_ways(adj, "s", "t")) == 16
    assert shortest_paths_both_ways(adj, "s", "t", limit=10) == all_shortest_paths(adj, "s", "t", limit=10)
    assert len(all_shortest_paths(adj, "s", "t", limit=10)) == 10
