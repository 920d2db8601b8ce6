"""A small read-mostly multigraph for the graph questions' warm path.

``show``, ``path``, ``neighbors`` and ``central`` need a handful of look-ups on
the networkx view (a node's attributes, its edges in and out, breadth-first
distances). Importing networkx alone costs more than the whole bare-engine
floor of a warm command, so the view kept with the build in the cache is this
plain-Python class with the same shape (the subset of
``networkx.MultiDiGraph``'s API that kgbuilder.questions.answers and
kgbuilder.questions.network use); :meth:`NetView.to_networkx` gives the real thing.
"""
from __future__ import annotations

from typing import Iterator

__all__ = ["NetView", "bfs_distances", "all_shortest_paths", "shortest_paths_both_ways"]


class _Nodes:
    """``G.nodes``: ``G.nodes[n]`` is the attribute dict; ``G.nodes(data=True)`` the pairs."""

    def __init__(self, data: dict):
        self._data = data

    def __getitem__(self, n):
        return self._data[n]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, n) -> bool:
        return n in self._data

    def __call__(self, data: bool = False):
        return iter(self._data.items()) if data else iter(self._data)


class NetView:
    """Nodes with attribute dicts; edges ``(u, v, key, attrs)`` kept per node, out and in."""

    def __init__(self, **graph_attrs):
        self.graph = dict(graph_attrs)
        self._node: dict = {}
        self._out: dict = {}            # u -> {v: {key: attrs}}
        self._in: dict = {}             # v -> {u: {key: attrs}}

    # -- building ---------------------------------------------------------------
    def add_node(self, n, **attrs) -> None:
        self._node.setdefault(n, {}).update(attrs)
        self._out.setdefault(n, {})
        self._in.setdefault(n, {})

    def add_edge(self, u, v, key=None, **attrs) -> None:
        for n in (u, v):
            if n not in self._node:
                self.add_node(n)
        self._out[u].setdefault(v, {})[key] = attrs
        self._in[v].setdefault(u, {})[key] = attrs

    @classmethod
    def from_networkx(cls, G) -> "NetView":
        view = cls(**G.graph)
        for n, d in G.nodes(data=True):
            view.add_node(n, **d)
        for u, v, k, d in G.edges(keys=True, data=True):
            view.add_edge(u, v, key=k, **d)
        return view

    def to_networkx(self):
        import networkx as nx

        G = nx.MultiDiGraph(**self.graph)
        G.add_nodes_from(self._node.items())
        G.add_edges_from((u, v, k, d) for u, v, k, d in self.edges(keys=True, data=True))
        return G

    # -- reading (networkx's names) ------------------------------------------------
    @property
    def nodes(self) -> _Nodes:
        return _Nodes(self._node)

    def __contains__(self, n) -> bool:
        return n in self._node

    def __iter__(self):
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def number_of_nodes(self) -> int:
        return len(self._node)

    def number_of_edges(self) -> int:
        return sum(len(keys) for nbrs in self._out.values() for keys in nbrs.values())

    def edges(self, keys: bool = False, data: bool = False) -> Iterator[tuple]:
        for u, nbrs in self._out.items():
            for v, by_key in nbrs.items():
                for k, d in by_key.items():
                    yield (u, v) + ((k,) if keys else ()) + ((d,) if data else ())

    def out_edges(self, n, data: bool = False) -> Iterator[tuple]:
        for v, by_key in self._out.get(n, {}).items():
            for d in by_key.values():
                yield (n, v, d) if data else (n, v)

    def in_edges(self, n, data: bool = False) -> Iterator[tuple]:
        for u, by_key in self._in.get(n, {}).items():
            for d in by_key.values():
                yield (u, n, d) if data else (u, n)

    def get_edge_data(self, u, v, default=None):
        return self._out.get(u, {}).get(v, default)

    def degree(self, n) -> int:
        """Edges touching ``n`` (a self-loop counts twice), as networkx counts them."""
        return sum(len(k) for k in self._out.get(n, {}).values()) + sum(len(k) for k in self._in.get(n, {}).values())

    def subgraph(self, nodes) -> "NetView":
        keep = set(nodes)
        view = NetView(**self.graph)
        for n in self._node:
            if n in keep:
                view.add_node(n, **self._node[n])
        for u, v, k, d in self.edges(keys=True, data=True):
            if u in keep and v in keep:
                view.add_edge(u, v, key=k, **d)
        return view

    def copy(self) -> "NetView":
        return self.subgraph(self._node)

    def neighbours(self) -> dict:
        """The undirected simple graph: node -> sorted neighbours (self-loops left out)."""
        adj: dict = {n: set() for n in self._node}
        for u, nbrs in self._out.items():
            for v in nbrs:
                if u != v:
                    adj[u].add(v)
                    adj[v].add(u)
        return {n: sorted(vs) for n, vs in sorted(adj.items())}


def bfs_distances(adj: dict, source, cutoff: int | None = None) -> dict:
    """Shortest distance (in steps) from ``source`` to every node within ``cutoff``."""
    dist = {source: 0}
    frontier = [source]
    depth = 0
    while frontier and (cutoff is None or depth < cutoff):
        depth += 1
        nxt = []
        for u in frontier:
            for v in adj.get(u, ()):
                if v not in dist:
                    dist[v] = depth
                    nxt.append(v)
        frontier = nxt
    return dist


def all_shortest_paths(adj: dict, source, target, limit: int = 10000) -> list[list]:
    """Every shortest path from ``source`` to ``target`` (at most ``limit``); [] if none."""
    preds: dict = {source: []}
    frontier = [source]
    while frontier and target not in preds:
        level: dict = {}
        for u in frontier:
            for v in adj.get(u, ()):
                if v not in preds:
                    level.setdefault(v, []).append(u)
        preds.update(level)
        frontier = list(level)
    if target not in preds:
        return []
    out: list[list] = []
    stack = [[target]]
    while stack and len(out) < limit:
        path = stack.pop()
        head = path[-1]
        if head == source:
            out.append(path[::-1])
            continue
        for p in preds[head]:
            stack.append(path + [p])
    return out


def shortest_paths_both_ways(adj, source, target, limit: int = 10000, max_length: int | None = None) -> list[list]:
    """:func:`all_shortest_paths`, searching from both ends at once (always the smaller frontier).

    It reads the neighbours of far fewer nodes (``adj.get`` may be an index look-up), and gives
    the same paths: when there are more than ``limit``, which of them :func:`all_shortest_paths`
    keeps depends on the order it walks them in, so it is asked instead. [] when there is no
    path, or (given ``max_length``) none of at most that many steps.
    """
    # preds[side][n]: the neighbours of n one step nearer that side's end, found level by level
    preds: list[dict] = [{source: []}, {target: []}]
    frontier: list[list] = [[source], [target]]
    depth = [0, 0]
    meet: list = []
    while frontier[0] and frontier[1] and not meet:
        if max_length is not None and depth[0] + depth[1] >= max_length:
            return []           # the visited sets do not meet, so the shortest path is longer
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        mine, other = preds[side], preds[1 - side]
        level: dict = {}
        for u in frontier[side]:
            for v in adj.get(u, ()):
                if v not in mine:
                    level.setdefault(v, []).append(u)
        mine.update(level)
        frontier[side] = list(level)
        depth[side] += 1
        # the sides were apart, so every node met lies at the far edge of both: each is on a
        # shortest path, and every shortest path crosses this level at one of them
        meet = [v for v in level if v in other]
    if not meet:
        return []

    def counts(pred: dict) -> dict:
        n: dict = {}
        for v, ps in pred.items():          # level order: a node's predecessors come first
            n[v] = sum(n[p] for p in ps) if ps else 1
        return n

    n_from, n_to = counts(preds[0]), counts(preds[1])
    if sum(n_from[m] * n_to[m] for m in meet) > limit:
        return all_shortest_paths(adj, source, target, limit=limit)

    def walks(pred: dict, node) -> list[list]:
        """Every shortest walk from ``node`` to that side's end."""
        out, stack = [], [[node]]
        while stack:
            path = stack.pop()
            ps = pred[path[-1]]
            if not ps:
                out.append(path)
            stack.extend(path + [p] for p in ps)
        return out

    found = []
    for m in meet:
        heads = [w[::-1] for w in walks(preds[0], m)]        # source .. m
        tails = walks(preds[1], m)                           # m .. target
        found += [h + t[1:] for h in heads for t in tails]
    return found
