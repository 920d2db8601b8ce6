"""``central``: the most central entities, by PageRank, betweenness or degree (:class:`Centrality`)."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import KGBuilderError
from .answers import _day, network

__all__ = ["ACTOR_TYPES", "Centrality", "central"]


@dataclass(frozen=True)
class Centrality:
    """An entity's scores: ``degree`` (facts that touch it), betweenness and PageRank."""

    id: str
    label: str
    type: str
    degree: int                 # facts that touch the entity
    betweenness: float
    pagerank: float


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
