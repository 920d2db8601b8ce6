"""Graph questions on the mini dataset: show, path, neighbors, central, --as-of, names."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from kgbuilder import api
from kgbuilder.cli import main
from kgbuilder.errors import EntityNotFoundError, KGBuilderError
from kgbuilder.questions import answers as Q


def run(args):
    return CliRunner().invoke(main, [str(a) for a in args])


# ---------------------------------------------------------------- names

@pytest.mark.parametrize("name,expected", [
    ("toqaev", "toqaev"),
    ("TOKAYEV", "toqaev"),
    ("Kassym-Jomart Tokayev", "toqaev"),
    ("kassym jomart tokayev", "toqaev"),
    ("Касым-Жомарт Токаев", "toqaev"),           # Russian label
    ("ҚАСЫМ-ЖОМАРТ ТОҚАЕВ", "toqaev"),           # Kazakh label, upper case
    ("Kasym-Zhomart Tokaev", "toqaev"),          # the Russian label transliterated
    ("Nazarbáyev", "nazarbayev"),                # diacritics ignored
    ("Нурсултан Назарбаев", "nazarbayev"),
    ("Alma-Ata", "almaty"),
    ("almaty", "almaty"),
    ("Qazaqstan", "kazakhstan"),                 # Kazakh label transliterated
    ("the csto", None),
])
def test_names(mini_kg, name, expected):
    if expected is None:
        with pytest.raises(EntityNotFoundError):
            Q.resolve_entity(mini_kg, name)
    else:
        assert Q.resolve_entity(mini_kg, name) == expected


@pytest.mark.parametrize("name,message", [
    ("Tokaev", "unknown entity 'Tokaev' (did you mean 'toqaev'?)"),
    ("Токаев", "unknown entity 'Токаев' (did you mean 'toqaev'?)"),
    ("Armenija", "unknown entity 'Armenija' (did you mean 'armenia'?)"),
    ("zzz", "unknown entity 'zzz'"),
])
def test_unknown_names_get_did_you_mean(mini_kg, name, message):
    with pytest.raises(EntityNotFoundError) as exc:
        Q.resolve_entity(mini_kg, name)
    assert str(exc.value) == message


def test_unknown_name_through_the_cli(mini_path):
    r = run(["show", mini_path, "Nazarbaeff"])
    assert r.exit_code == 1
    assert r.output == "Error: unknown entity 'Nazarbaeff' (did you mean 'nazarbayev' (alias 'Nazarbaev')?)\n"


# ---------------------------------------------------------------- show

SHOW_TOQAEV = """\
toqaev: Qasym-Zhomart Toqaev (Person)
  labels: en: Qasym-Zhomart Toqaev; kk: Қасым-Жомарт Тоқаев; ru: Касым-Жомарт Токаев
  aliases: Kassym-Jomart Tokayev, Tokayev
  iri: https://kgbuilder.example/mini/toqaev
facts:
  headOf security-council (Security Council of Kazakhstan)  [from 2022-01-05]
      [wire] "removed his predecessor, Nursultan Nazarbayev, from the post of head of the Security Council"
  holdsPost president-of-kazakhstan (President of Kazakhstan)  [2 sources]
      [paper] "Toqaev, the president"
      [wire] "President Qasym-Zhomart Toqaev"
  predecessorOf nazarbayev (Nursultan Nazarbayev)
      [wire] "removed his predecessor, Nursultan Nazarbayev"
events:
  2022-01-05  appeal-to-csto (AppealForPeacekeeping), as agent: Toqaev appeals to the CSTO for help  [2 sources]
      [paper] "asked the alliance for help on Wednesday"
      [wire] "after Toqaev appealed for help"
  2022-01-05  nazarbayev-removed (Dismiss), as agent: Toqaev removes Nazarbayev as head of the Security Council
      [wire] "Toqaev on January 5 removed his predecessor"
"""


def test_show(mini_path):
    r = run(["show", mini_path, "Tokayev"])
    assert r.exit_code == 0
    assert r.output == SHOW_TOQAEV


def test_show_claims_and_literals(mini_path):
    r = run(["show", mini_path, "police-killed"])
    assert r.exit_code == 0
    assert r.output == """\
police-killed: Police killed, according to the Interior Ministry (Casualties)
  labels: en: Police killed, according to the Interior Ministry
  claimed by: interior-ministry
  iri: https://kgbuilder.example/mini/police-killed
facts:
  date "2022-01-05"
      (claimed by interior-ministry)
      [wire] "The Interior Ministry claimed eight police were killed"
  killed "8"
      (claimed by interior-ministry)
      [wire] "The Interior Ministry claimed eight police were killed"
  target police (Police)
      (claimed by interior-ministry)
      [wire] "The Interior Ministry claimed eight police were killed"
"""


def test_show_api(mini_kg):
    info = api.show_entity(mini_kg, "Nazarbayev")
    assert info.id == "nazarbayev" and info.type == "Person"
    assert [(f.subject, f.predicate, f.object) for f in info.facts_in] == [("toqaev", "predecessorOf", "nazarbayev")]
    out = {f.predicate: f for f in info.facts_out}
    assert (out["holdsPost"].start, out["holdsPost"].end) == ("2019", "2022-01-05")
    assert out["holdsPost"].evidence == (Q.Evidence("wire", "Nazarbayev had held the post since 2019"),)
    assert [(e.event, e.role, e.date) for e in info.events] == [("nazarbayev-removed", "target", "2022-01-05")]


# ---------------------------------------------------------------- --as-of

def heads_of_security_council(kg, day):
    """Who headed the Security Council on ``day``: its head post's holders, or its direct heads."""
    post = api.show_entity(kg, "head-of-security-council", as_of=day)
    body = api.show_entity(kg, "security-council", as_of=day)
    return sorted({f.subject for f in post.facts_in if f.predicate == "holdsPost"}
                  | {f.subject for f in body.facts_in if f.predicate == "headOf"})


def test_as_of_gives_two_answers(mini_kg):
    assert heads_of_security_council(mini_kg, "2022-01-04") == ["nazarbayev"]
    assert heads_of_security_council(mini_kg, "2022-01-06") == ["toqaev"]
    # on the day of the change both hold (the day is the end of one and the start of the other)
    assert heads_of_security_council(mini_kg, "2022-01-05") == ["nazarbayev", "toqaev"]
    # year precision: the post was held "since 2019", so from the first day of 2019
    assert heads_of_security_council(mini_kg, "2019-01-01") == ["nazarbayev"]
    assert heads_of_security_council(mini_kg, "2018-12-31") == []


def test_as_of_drops_later_events(mini_kg):
    before = api.show_entity(mini_kg, "toqaev", as_of="2022-01-04")
    assert before.events == []
    assert [f.predicate for f in before.facts_out] == ["holdsPost", "predecessorOf"]
    assert [e.event for e in api.show_entity(mini_kg, "toqaev", as_of="2022-01-05").events] == [
        "appeal-to-csto", "nazarbayev-removed"]
    with pytest.raises(EntityNotFoundError) as exc:
        api.show_entity(mini_kg, "appeal-to-csto", as_of="2022-01-04")
    assert str(exc.value) == "'appeal-to-csto' (appeal-to-csto) is an event after 2022-01-04; it had not happened yet"


def test_as_of_through_the_cli(mini_path):
    r = run(["show", mini_path, "Nazarbaev", "--as-of", "2022-01-04"])
    assert r.exit_code == 0
    assert r.output == """\
nazarbayev: Nursultan Nazarbayev (Person)  as of 2022-01-04
  labels: en: Nursultan Nazarbayev; kk: Нұрсұлтан Назарбаев; ru: Нурсултан Назарбаев
  aliases: Nazarbaev
  iri: https://kgbuilder.example/mini/nazarbayev
facts:
  holdsPost head-of-security-council (Head of the Security Council)  [2019 to 2022-01-05]
      [wire] "Nazarbayev had held the post since 2019"
facts about it:
  toqaev (Qasym-Zhomart Toqaev) predecessorOf nazarbayev
      [wire] "removed his predecessor, Nursultan Nazarbayev"
"""
    r = run(["path", mini_path, "csto", "security-council", "--as-of", "2022-01-04"])
    assert r.exit_code == 0
    assert r.output == "no connection between csto and security-council as of 2022-01-04\n"


@pytest.mark.parametrize("bad", ["2022-13-01", "2022-01", "yesterday", "2022-02-30"])
def test_bad_as_of(mini_path, bad):
    r = run(["central", mini_path, "--as-of", bad])
    assert r.exit_code == 1
    assert r.output == f"Error: as-of date '{bad}' is not a day written YYYY-MM-DD (e.g. 2022-01-05)\n"


# ---------------------------------------------------------------- path

def test_path(mini_path):
    r = run(["path", mini_path, "armenia", "Назарбаев"])
    assert r.exit_code == 0
    assert r.output == """\
armenia -> nazarbayev: 1 shortest path of 4 steps
  1. armenia --memberOf--> csto
       [wire] "The CSTO, which includes Kazakhstan and Armenia"
  2. appeal-to-csto --target--> csto
       [paper] "asked the alliance for help on Wednesday"
       [wire] "after Toqaev appealed for help"
  3. appeal-to-csto --agent--> toqaev
       [paper] "asked the alliance for help on Wednesday"
       [wire] "after Toqaev appealed for help"
  4. toqaev --predecessorOf--> nazarbayev
       [wire] "removed his predecessor, Nursultan Nazarbayev"
"""


def test_all_shortest_paths(mini_path, mini_kg):
    found = api.paths(mini_kg, "toqaev", "security-council", all=True)
    assert [p.nodes for p in found] == [["toqaev", "security-council"]]
    found = api.paths(mini_kg, "nazarbayev", "security-council", all=True)
    assert [p.nodes for p in found] == [
        ["nazarbayev", "head-of-security-council", "security-council"],
        ["nazarbayev", "toqaev", "security-council"],
    ]
    r = run(["path", mini_path, "nazarbayev", "security-council", "--all"])
    assert r.exit_code == 0
    assert r.output == """\
nazarbayev -> security-council: 2 shortest paths of 2 steps
path 1: nazarbayev - head-of-security-council - security-council
  1. nazarbayev --holdsPost--> head-of-security-council  [2019 to 2022-01-05]
       [wire] "Nazarbayev had held the post since 2019"
  2. head-of-security-council --postIn--> security-council
       [wire] "the post of head of the Security Council"
path 2: nazarbayev - toqaev - security-council
  1. toqaev --predecessorOf--> nazarbayev
       [wire] "removed his predecessor, Nursultan Nazarbayev"
  2. toqaev --headOf--> security-council  [from 2022-01-05]
       [wire] "removed his predecessor, Nursultan Nazarbayev, from the post of head of the Security Council"
"""


def test_max_length(mini_path, mini_kg):
    assert api.paths(mini_kg, "armenia", "nazarbayev", max_length=3) == []
    assert len(api.paths(mini_kg, "armenia", "nazarbayev", max_length=4)[0]) == 4
    r = run(["path", mini_path, "armenia", "nazarbayev", "--max-length", "3"])
    assert r.exit_code == 0
    assert r.output == "no connection between armenia and nazarbayev within 3 steps\n"


def test_path_to_itself(mini_path):
    r = run(["path", mini_path, "toqaev", "Tokayev"])
    assert r.exit_code == 1
    assert r.output == "Error: 'toqaev' and 'Tokayev' are the same entity (toqaev)\n"


# ---------------------------------------------------------------- neighbors

def test_neighbors_table(mini_path):
    r = run(["neighbors", mini_path, "CSTO", "--depth", "2", "-F", "table"])
    assert r.exit_code == 0
    assert r.output == """\
distance  id                 type                       label
--------  -----------------  -------------------------  ---------------------------------------
0         csto               InternationalOrganization  Collective Security Treaty Organization
1         appeal-to-csto     AppealForPeacekeeping      Toqaev appeals to the CSTO for help
1         armenia            State                      Armenia
1         csto-peacekeepers  ProvidePeacekeeping        The CSTO agrees to send peacekeepers
1         kazakhstan         State                      Kazakhstan
2         toqaev             Person                     Qasym-Zhomart Toqaev
"""


def test_neighbors_graph_is_a_subgraph(mini_kg):
    hood = api.neighbors(mini_kg, "csto", depth=1)
    G = hood.graph
    assert sorted(G.nodes) == ["appeal-to-csto", "armenia", "csto", "csto-peacekeepers", "kazakhstan"]
    full = mini_kg.to_networkx()
    for u, v, k in G.edges(keys=True):
        assert full.has_edge(u, v, k)
    # every fact between two members is in the subgraph
    assert G.number_of_edges() == full.subgraph(G.nodes).number_of_edges()


def test_neighbors_export(mini_path, mini_kg, tmp_path):
    from rdflib import Graph, URIRef

    out = tmp_path / "csto.ttl"
    r = run(["neighbors", mini_path, "csto", "-o", out])
    assert r.exit_code == 0
    assert r.output == f"wrote {out} (5 entities, 8 facts)\n"
    g = Graph().parse(out)
    base = "https://kgbuilder.example/mini/"
    kg_ns = "https://w3id.org/kgbuilder/ns#"
    direct = {(s, p, o) for s, p, o in g if str(p).startswith(kg_ns) and isinstance(o, URIRef)
              and str(o).startswith(base) and not str(s).startswith(base + "statement/")}
    assert (URIRef(base + "armenia"), URIRef(kg_ns + "memberOf"), URIRef(base + "csto")) in direct
    subjects = {str(s)[len(base):] for s, _, _ in direct}
    assert subjects <= {"appeal-to-csto", "armenia", "csto", "csto-peacekeepers", "kazakhstan"}
    # toqaev is two steps away: neither described nor linked
    assert (URIRef(base + "toqaev"), None, None) not in g
    assert not any(str(o) == base + "toqaev" for o in g.objects())
    # each kept fact keeps its statement and evidence
    quotes = {str(q) for q in g.objects(None, URIRef(kg_ns + "quote"))}
    assert "The CSTO, which includes Kazakhstan and Armenia" in quotes
    assert "Toqaev on January 5 removed his predecessor" not in quotes


# ---------------------------------------------------------------- central

def test_central(mini_path):
    r = run(["central", mini_path, "--top", "3", "-F", "table"])
    assert r.exit_code == 0
    assert r.output == """\
id          type                       degree  betweenness  pagerank
----------  -------------------------  ------  -----------  --------
toqaev      Person                          5       0.1961    0.0959
csto        InternationalOrganization       4       0.0817    0.0826
nazarbayev  Person                          3       0.0153    0.0573
"""


def test_central_measures_match_networkx(mini_kg):
    import networkx as nx
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    from kgbuilder.questions.network import undirected

    rows = {c.id: c for c in api.central(mini_kg, top=0, actors_only=False)}
    U = undirected(mini_kg.to_networkx())
    between = nx.betweenness_centrality(U)
    rank = _pagerank_python(U, tol=1e-12)
    assert set(rows) == set(U.nodes)
    for n, c in rows.items():
        assert c.betweenness == pytest.approx(between[n], abs=1e-6)
        assert c.pagerank == pytest.approx(rank[n], abs=1e-5)
    assert rows["toqaev"].degree == 5
    by_degree = [c.id for c in api.central(mini_kg, top=2, by="degree")]
    assert by_degree == ["toqaev", "csto"]


def test_central_as_of(mini_kg):
    ids = [c.id for c in api.central(mini_kg, top=0, as_of="2022-01-04")]
    late = {c.id: c.degree for c in api.central(mini_kg, top=0)}
    early = {c.id: c.degree for c in api.central(mini_kg, top=0, as_of="2022-01-04")}
    assert set(ids) == set(late)
    assert early["toqaev"] == 2 and late["toqaev"] == 5   # no events yet, no headOf yet
    with pytest.raises(KGBuilderError) as exc:
        api.central(mini_kg, by="rank")
    assert str(exc.value) == "cannot rank by 'rank' (did you mean 'pagerank'?) (one of: pagerank, betweenness, degree)"


class _RdflibLookups:
    """What to_networkx read before: an rdflib Graph of every distinct triple."""

    def __init__(self, kg):
        self.g = kg.graph

    def subjects(self, p, o=None):
        return self.g.subjects(p, o)

    def objects(self, s, p):
        return self.g.objects(s, p)

    def value(self, s, p):
        return self.g.value(s, p)


@pytest.mark.parametrize("name", ["mini", "kazakhstan-2022", "twosources"])
def test_the_view_read_from_the_store_is_the_one_an_rdflib_graph_gave(name, monkeypatch):
    # same nodes and edges, with the same attributes, in the same order (layouts and exports
    # follow the order)
    from pathlib import Path

    import kgbuilder
    from kgbuilder.questions import network

    root = Path(__file__).parent.parent
    path = root / "datasets" / name if name.startswith("kazakhstan") else root / "tests" / "fixtures" / name
    kg = kgbuilder.build(path)
    mine = network.to_networkx(kg)
    monkeypatch.setattr(network, "_Triples", lambda store, by_object: _RdflibLookups(kg))
    before = network.to_networkx(kg)
    assert list(mine.nodes(data=True)) == list(before.nodes(data=True))
    assert list(mine.edges(keys=True, data=True)) == list(before.edges(keys=True, data=True))
    assert mine.number_of_edges() > 0
