"""Graph questions over the networkx view: show, path, neighbors, central.

Each function takes a built :class:`~kgbuilder.kg.KnowledgeGraph`,
names entities the way people do (id, label or alias, any case, with or
without diacritics, Latin or Cyrillic) and returns plain dataclasses or
networkx graphs. ``as_of="YYYY-MM-DD"`` restricts the graph to what held on
that day (see :func:`kgbuilder.questions.network.as_of`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import EntityNotFoundError, KGBuilderError

__all__ = ["Evidence", "Fact", "EventRole", "EntityInfo", "Step", "Path", "Neighbor", "Neighborhood",
           "Centrality", "resolve_entity", "network", "show_entity", "paths", "neighbors", "central",
           "subgraph_kg", "transliterate"]


@dataclass(frozen=True)
class Evidence:
    source: str
    quote: str


@dataclass(frozen=True)
class Fact:
    """One curated fact: ``subject predicate object`` with its qualifiers and evidence.

    ``statement`` is the fact's id (its first statement), ``statements`` every
    statement behind it; ``corroboration`` and ``conflict`` as in the networkx
    view (:func:`kgbuilder.questions.network.support`).
    """

    statement: str
    subject: str
    predicate: str
    object: str                 # an entity id, or a literal's text when ``literal``
    subject_label: str = ""
    object_label: str = ""
    literal: bool = False
    date: str | None = None
    start: str | None = None
    end: str | None = None
    claimed_by: str | None = None
    verification: str | None = None
    evidence: tuple[Evidence, ...] = ()
    statements: tuple[str, ...] = ()
    corroboration: int = 0      # independent sources backing it (builder.agreement)
    conflict: bool = False      # one side of a conflict
    unit: str | None = None     # a figure's unit and bound (exact, at-least, ...), as curated
    bound: str | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        """The distinct sources of its evidence, in order."""
        return tuple(dict.fromkeys(e.source for e in self.evidence))

    @property
    def when(self) -> str:
        """The fact's time as text: ``2022-01-05``, ``2019 to 2022-01-05``, ``from 2022-01-05``."""
        if self.start and self.end:
            return f"{self.start} to {self.end}"
        if self.start:
            return f"from {self.start}"
        if self.end:
            return f"until {self.end}"
        return self.date or ""


@dataclass(frozen=True)
class EventRole:
    """An event an entity took part in, and in which role (agent, target, place, ...)."""

    event: str
    label: str
    type: str
    role: str
    date: str | None
    fact: Fact


@dataclass
class EntityInfo:
    id: str
    iri: str
    label: str
    type: str
    labels: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    description: str = ""
    claimed_by: str | None = None
    facts_out: list[Fact] = field(default_factory=list)
    facts_in: list[Fact] = field(default_factory=list)
    events: list[EventRole] = field(default_factory=list)
    as_of: str | None = None


@dataclass(frozen=True)
class Step:
    """One step of a path: from ``source`` to ``target`` through one or more facts."""

    source: str
    target: str
    facts: tuple[Fact, ...]


@dataclass
class Path:
    nodes: list[str]
    steps: list[Step]

    def __len__(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class Neighbor:
    id: str
    label: str
    type: str
    distance: int


@dataclass
class Neighborhood:
    """The members within ``depth`` of ``center``; the subgraph they form (``view``, ``graph``)
    and the facts in it (``statements``) are made on first use, so a table of the members reads
    only them (around a hub the subgraph holds much of the graph)."""

    center: str
    depth: int
    members: list[Neighbor]
    subgraph: Callable[[], Any] = field(repr=False, compare=False)     # makes ``view``

    @property
    def view(self):
        """The subgraph as a :class:`kgbuilder.questions.netview.NetView` (made on first use)."""
        cached = self.__dict__.get("_view")
        if cached is None:
            cached = self.__dict__["_view"] = self.subgraph()
        return cached

    @property
    def statements(self) -> list[str]:
        """The statement ids of every fact in the subgraph, sorted."""
        from .network import facts

        cached = self.__dict__.get("_statements")
        if cached is None:
            cached = self.__dict__["_statements"] = sorted({st for _, _, d in facts(self.view)
                                                            for st in d["statements"]})
        return cached

    @property
    def graph(self):
        """The subgraph as a ``networkx.MultiDiGraph`` (made on first use)."""
        cached = self.__dict__.get("_graph")
        if cached is None:
            cached = self.__dict__["_graph"] = self.view.to_networkx()
        return cached


@dataclass(frozen=True)
class Centrality:
    id: str
    label: str
    type: str
    degree: int                 # facts that touch the entity
    betweenness: float
    pagerank: float


# ---------------------------------------------------------------- the graph and names

def network(kg, as_of: str | None = None):
    """The networkx view of ``kg`` (built once per graph), cut to ``as_of`` when given."""
    from .network import as_of as cut

    G = getattr(kg, "_kgb_network", None)
    if G is None:
        # kept with the build in the cache: a warm command unpickles it instead of rebuilding
        # it, as a NetView (networkx's API, without importing networkx: that alone costs more
        # than the bare engine's whole answer)
        G = kg._kgb_network = kg.derived("network", lambda: _netview(kg))
    if as_of is None:
        return G
    return cut(G, check_date(as_of))


def _netview(kg):
    from .netview import NetView

    return NetView.from_networkx(kg.to_networkx())


def _index(kg):
    """The per-entity index kept with ``kg``'s build (:mod:`.netindex`), made from the whole
    view on first use; None when the graph has no build cache."""
    ix = getattr(kg, "_kgb_index", False)
    if ix is not False:
        return ix
    from .netindex import IndexBroken, NetIndex, write_index

    ix = None
    for _ in range(2):          # a file that is no index (damaged, another format) is made again
        path = kg.derived_file("netindex", lambda tmp: write_index(tmp, network(kg), *_resolver(kg)))
        if path is None:
            break
        try:
            ix = NetIndex(path)
            break
        except IndexBroken:
            path.unlink(missing_ok=True)
    kg._kgb_index = ix
    return ix


def _drop_index(kg) -> None:
    kg._kgb_index.drop()
    kg._kgb_index = None


def _answer(kg, as_of: str | None, answer):
    """``answer(G, adj)`` over the index of ``kg``'s build when it has one (reading only what the
    answer touches), else over the whole view; both cut to ``as_of``. ``adj.get(n)``: n's
    neighbours in either direction, sorted, as :meth:`NetView.neighbours` gives them."""
    from .netindex import IndexBroken, IndexView

    ix = _index(kg)
    if ix is not None:
        view = IndexView(ix, as_of)
        try:
            return answer(view, view.adjacency())
        except IndexBroken:
            _drop_index(kg)     # not to be trusted: answer from the whole view; the next command remakes it
    G = network(kg, as_of)
    return answer(G, _adjacency(kg, G, as_of))


def _later(kg, as_of: str | None, part, G):
    """``part(G)`` on demand; from the whole view if the index ``G`` turns out broken by then."""
    from .netindex import IndexBroken

    def make():
        try:
            return part(G)
        except IndexBroken:
            if getattr(kg, "_kgb_index", None) is not None and kg._kgb_index is G.index:
                _drop_index(kg)
            return part(network(kg, as_of))

    return make


def _adjacency(kg, G, as_of: str | None) -> dict:
    """Who is linked to whom (sorted), for the whole view kept with the build in the cache."""
    if as_of is not None:
        return G.neighbours()
    return kg.derived("adjacency", G.neighbours)


def check_date(value: str) -> str:
    """An --as-of date must be a real day, YYYY-MM-DD."""
    import datetime

    try:
        return datetime.date.fromisoformat(str(value)).isoformat() if re.fullmatch(
            r"\d{4}-\d{2}-\d{2}", str(value)) else _bad_date(value)
    except ValueError:
        return _bad_date(value)


def _bad_date(value) -> str:
    raise KGBuilderError(f"as-of date '{value}' is not a day written YYYY-MM-DD (e.g. 2022-01-05)")


_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "a", "g", "q", "ng", "o",
     "u", "u", "h", "i"]))


def transliterate(text: str) -> str:
    """Cyrillic (Russian and Kazakh letters) to Latin, for matching names across scripts."""
    out = []
    for ch in text:
        low = ch.lower()
        if low in _CYRILLIC:
            t = _CYRILLIC[low]
            out.append(t.capitalize() if ch != low else t)
        else:
            out.append(ch)
    return "".join(out)


def _resolver(kg):
    """(Resolver over ids, labels and aliases; transliterated name -> ids), built once per build."""
    cached = getattr(kg, "_kgb_resolver", None)
    if cached is not None:
        return cached
    kg._kgb_resolver = kg.derived("resolver", lambda: _make_resolver(network(kg)))
    return kg._kgb_resolver


def _resolve_by_index(kg, name: str) -> str | None:
    """What :func:`resolve_entity` answers, when the index alone can tell: an id, or a name (or
    its transliteration) of one entity. None: the whole resolver must (ambiguous, unknown)."""
    from ..resolve import normalize
    from .netindex import IndexBroken

    ix = _index(kg)
    if ix is None:
        return None
    try:
        if ix.get("head", name) is not None:
            return name
        ids = ix.get("names", normalize(name))
        if ids is None:
            ids = ix.get("latin", normalize(transliterate(name)))
    except IndexBroken:
        _drop_index(kg)
        return None
    return ids[0] if ids and len(ids) == 1 else None


def _make_resolver(G):
    from ..resolve import Resolver, normalize

    r = Resolver()
    latin: dict[str, set[str]] = {}
    for n, d in sorted(G.nodes(data=True)):
        names = [d.get("label", ""), *d.get("aliases", ()), *d.get("labels", {}).values()]
        r.add(n, names)
        for x in (n, *names):
            key = normalize(transliterate(x))
            if key:
                latin.setdefault(key, set()).add(n)
    return r, latin


def resolve_entity(kg, name: str) -> str:
    """An entity id from an id, label or alias; EntityNotFoundError (with 'did you mean') if none.

    Names match ignoring case, diacritics and punctuation; a name in one
    script also finds a name in the other through transliteration
    (``Касым-Жомарт Токаев`` and ``Kasym-Zhomart Tokaev``).
    """
    from ..resolve import AmbiguousName, UnknownName, normalize

    found = _resolve_by_index(kg, name)
    if found is not None:
        return found
    r, latin = _resolver(kg)
    try:
        return r.resolve(name)
    except AmbiguousName as exc:
        raise EntityNotFoundError(str(exc)) from None
    except UnknownName as exc:
        key = normalize(transliterate(name))
        found = latin.get(key, set())
        if len(found) == 1:
            return next(iter(found))
        if len(found) > 1:
            raise EntityNotFoundError(str(AmbiguousName(name, sorted(found)))) from None
        hint = exc.hint
        if not hint:
            import difflib

            ids: list[str] = []
            for k in difflib.get_close_matches(key, list(latin), n=3, cutoff=0.75):
                ids += [i for i in sorted(latin[k]) if i not in ids]
            if ids:
                hint = " (did you mean " + " or ".join(f"'{i}'" for i in ids[:3]) + "?)"
        raise EntityNotFoundError(f"unknown entity '{name}'{hint}") from None


# ---------------------------------------------------------------- facts

def _fact(G, u, v, d, *, literal_value=None) -> Fact:
    lit = literal_value is not None
    return Fact(
        statement=(d.get("statements") or [""])[0], subject=u, predicate=d["predicate"],
        object=str(literal_value) if lit else v,
        subject_label=G.nodes[u].get("label", u), object_label="" if lit else G.nodes[v].get("label", v),
        literal=lit, date=d.get("date"), start=d.get("start"), end=d.get("end"),
        claimed_by=d.get("claimed_by"), verification=d.get("verification"),
        evidence=tuple(Evidence(e["source"], e["quote"]) for e in d.get("evidence", ())),
        statements=tuple(d.get("statements", ())), corroboration=d.get("corroboration", 0),
        conflict=bool(d.get("conflict")), unit=d.get("unit"), bound=d.get("bound"),
    )


def _fact_key(f: Fact):
    return (f.predicate, f.subject, f.object, f.statement)


def show_entity(kg, name: str, *, as_of: str | None = None) -> EntityInfo:
    """Everything about one entity: names, type, facts in and out, events it took part in."""
    ent = resolve_entity(kg, name)
    return _answer(kg, _day(as_of), lambda G, adj: _show(G, ent, name, as_of))


def _day(as_of: str | None) -> str | None:
    return None if as_of is None else check_date(as_of)


def _there(G, name: str, ent: str, as_of: str | None) -> None:
    if ent not in G:
        raise EntityNotFoundError(f"'{name}' ({ent}) is an event after {as_of}; it had not happened yet")


def _show(G, ent: str, name: str, as_of: str | None) -> EntityInfo:
    _there(G, name, ent, as_of)
    d = G.nodes[ent]
    info = EntityInfo(id=ent, iri=d["iri"], label=d.get("label", ent), type=d.get("type", ""),
                      labels=dict(sorted(d.get("labels", {}).items())), aliases=list(d.get("aliases", [])),
                      description=d.get("description", ""), claimed_by=d.get("claimed_by"), as_of=as_of)
    for pred, facts in d.get("facts", {}).items():
        for f in facts:
            info.facts_out.append(_fact(G, ent, None, {**f, "predicate": pred}, literal_value=f["value"]))
    for _, v, attrs in G.out_edges(ent, data=True):
        info.facts_out.append(_fact(G, ent, v, attrs))
    for u, _, attrs in G.in_edges(ent, data=True):
        f = _fact(G, u, ent, attrs)
        if G.nodes[u].get("top_type") == "Event":
            nd = G.nodes[u]
            info.events.append(EventRole(u, nd.get("label", u), nd.get("type", ""), attrs["predicate"],
                                         nd.get("date"), f))
        else:
            info.facts_in.append(f)
    info.facts_out.sort(key=_fact_key)
    info.facts_in.sort(key=_fact_key)
    info.events.sort(key=lambda e: (e.date or "9999", e.event, e.role))
    return info


# ---------------------------------------------------------------- paths

def _facts_between(G, a: str, b: str) -> tuple[Fact, ...]:
    facts = [_fact(G, a, b, d) for d in G.get_edge_data(a, b, default={}).values()]
    facts += [_fact(G, b, a, d) for d in G.get_edge_data(b, a, default={}).values()]
    return tuple(sorted(facts, key=_fact_key))


def paths(kg, source: str, target: str, *, all: bool = False, max_length: int | None = None,
          as_of: str | None = None, max_paths: int = 100) -> list[Path]:
    """The shortest connections between two entities (one path, or every shortest one).

    A connection follows facts in either direction, through events and posts
    too. Each step lists every fact that links its two ends. An empty list
    means no connection (within ``max_length`` steps).
    """
    from .netview import shortest_paths_both_ways

    a, b = resolve_entity(kg, source), resolve_entity(kg, target)

    def answer(G, adj) -> list[Path]:
        for name, ent in ((source, a), (target, b)):
            _there(G, name, ent, as_of)
        if a == b:
            raise KGBuilderError(f"'{source}' and '{target}' are the same entity ({a})")
        found = shortest_paths_both_ways(adj, a, b, limit=10000, max_length=max_length)
        if not found:
            return []
        if max_length is not None and len(found[0]) - 1 > max_length:
            return []
        found.sort()
        if not all:
            found = found[:1]
        out = []
        for nodes in found[:max_paths]:
            steps = [Step(x, y, _facts_between(G, x, y)) for x, y in zip(nodes, nodes[1:])]
            out.append(Path(nodes=list(nodes), steps=steps))
        return out

    return _answer(kg, _day(as_of), answer)


# ---------------------------------------------------------------- neighbours

def neighbors(kg, name: str, *, depth: int = 1, as_of: str | None = None) -> Neighborhood:
    """The entities within ``depth`` facts of one entity, and the subgraph they form."""
    from .netview import bfs_distances

    if depth < 1:
        raise KGBuilderError(f"depth must be 1 or more, not {depth}")
    ent = resolve_entity(kg, name)

    def answer(G, adj) -> Neighborhood:
        _there(G, name, ent, as_of)
        dist = bfs_distances(adj, ent, cutoff=depth)
        members = sorted((Neighbor(n, G.nodes[n].get("label", n), G.nodes[n].get("type", ""), k)
                          for n, k in dist.items()), key=lambda m: (m.distance, m.id))
        return Neighborhood(center=ent, depth=depth, members=members,
                            subgraph=_later(kg, day, lambda H: H.subgraph(dist), G))

    day = _day(as_of)
    return _answer(kg, day, answer)


def subgraph_kg(kg, hood: Neighborhood):
    """A :class:`KnowledgeGraph` holding only a neighbourhood, for the exporters.

    It keeps the members' descriptions, the statements between them (with
    their direct triples and evidence) and the sources' descriptions.
    """
    from rdflib import RDF, URIRef

    members = {URIRef(kg.iri(m.id)) for m in hood.members}
    kept = {URIRef(kg.iri(s)) for s in hood.statements}
    quads = list(kg.store.quads())
    spo: dict = {}
    for s, p, o, g in quads:
        if p in (RDF.subject, RDF.predicate, RDF.object):
            spo.setdefault(s, {})[p] = o
    stated = {(d[RDF.subject], d[RDF.predicate], d[RDF.object]) for d in spo.values() if len(d) == 3}
    kept_triples = {(spo[s][RDF.subject], spo[s][RDF.predicate], spo[s][RDF.object]) for s in kept if s in spo}
    sources = kg.base + "source/"
    out = []
    for s, p, o, g in quads:
        ss = str(s)
        if s in members:
            if (s, p, o) in stated and (s, p, o) not in kept_triples:
                continue
            out.append((s, p, o, g))
        elif s in kept or ("/evidence/" in ss and URIRef(ss.rsplit("/evidence/", 1)[0]) in kept):
            out.append((s, p, o, g))
        elif ss.startswith(sources) or ss == kg.base:
            out.append((s, p, o, g))
    return kg.with_quads(out, title=f"{kg.title}: within {hood.depth} of {hood.center}")


# ---------------------------------------------------------------- centrality

ACTOR_TYPES = ("Person", "State", "Organization", "Group")


def central(kg, *, top: int | None = 10, as_of: str | None = None, by: str = "pagerank",
            actors_only: bool = True) -> list[Centrality]:
    """The most central entities (actors by default), ranked by ``by``.

    Degree counts the facts that touch an entity; betweenness and PageRank are
    computed on the undirected graph of all entities, events included (events
    are what tie actors together), then the actors are ranked.
    """
    if by not in ("pagerank", "betweenness", "degree"):
        from ..resolve import did_you_mean

        raise KGBuilderError(f"cannot rank by '{by}'" + did_you_mean(by, ["pagerank", "betweenness", "degree"])
                             + " (one of: pagerank, betweenness, degree)")
    as_of = _day(as_of)

    def scores():
        import networkx as nx

        from .network import undirected

        G = network(kg, as_of)
        U = undirected(G)
        n = U.number_of_nodes()
        if n > 2000:  # exact betweenness is O(nodes * edges): sample pivots, with a fixed seed
            between = nx.betweenness_centrality(U, k=500, seed=0)
        else:
            between = nx.betweenness_centrality(U)
        nodes = [(node, d.get("label", node), d.get("type", ""), d.get("top_type"), G.degree(node))
                 for node, d in G.nodes(data=True)]
        return nodes, between, _pagerank(U)

    # the scores of a build do not change: kept with it in the cache, per --as-of day, with what
    # the rows need of each node (so a warm call does not load the view)
    nodes, between, rank = kg.derived(f"centrality-{as_of or 'all'}", scores)
    rows = []
    for node, label, typ, top_type, degree in nodes:
        if actors_only and top_type not in ACTOR_TYPES:
            continue
        rows.append(Centrality(node, label, typ, degree, round(between.get(node, 0.0), 6),
                               round(rank.get(node, 0.0), 6)))
    keys = {"pagerank": lambda c: (-c.pagerank, -c.degree, c.id),
            "betweenness": lambda c: (-c.betweenness, -c.pagerank, c.id),
            "degree": lambda c: (-c.degree, -c.pagerank, c.id)}
    rows.sort(key=keys[by])
    return rows[:top] if top else rows


def _pagerank(U, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 200) -> dict[str, float]:
    """PageRank by power iteration (networkx's own needs numpy/scipy, which we do not ship)."""
    nodes = list(U.nodes)
    n = len(nodes)
    if not n:
        return {}
    rank = dict.fromkeys(nodes, 1.0 / n)
    deg = {v: U.degree(v) for v in nodes}
    for _ in range(max_iter):
        dangling = alpha * sum(rank[v] for v in nodes if deg[v] == 0) / n
        new = {}
        for v in nodes:
            new[v] = (1 - alpha) / n + dangling + alpha * sum(rank[u] / deg[u] for u in U.neighbors(v))
        err = sum(abs(new[v] - rank[v]) for v in nodes)
        rank = new
        if err < n * tol:
            break
    return rank
