"""The networkx view kept with a build as a per-entity index, read in proportion to the answer.

``show``, ``path`` and ``neighbors`` look at one entity and what is near it; unpickling the
whole view for that costs in proportion to the graph (about a second at 100k facts). This
index (an sqlite3 file, from the standard library) holds per entity one row of attributes,
one of edges (out and in, with their attributes: each edge is in the rows of both its ends),
one of neighbours (with the days each link held, so ``--as-of`` walks it too), and the
resolver's names: an answer reads the rows it touches. :class:`IndexView` answers with the
subset of ``NetView``'s API that :mod:`.answers` uses, cut to a day the way
:func:`.network.as_of` cuts the whole view.

It is made once per build from the whole view and kept beside the other views
(``builder.cache.Derived``: named by the build's id, so a changed dataset never reads an
older index; written to a temporary file renamed into place). Rows are JSON (data, never
code), each with a CRC-32 of its key and text: a flipped byte, a row that should be there
and is not, or a file sqlite finds malformed raises :class:`IndexBroken`; the caller drops
the file and answers from the whole view.
"""
from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

from .network import edge_holds, event_happened, happened_from, holds_between, is_event, node_as_of

__all__ = ["FORMAT", "IndexBroken", "NetIndex", "IndexView", "write_index"]

#: the layout below; an index of another format is not read
FORMAT = "kgbuilder-netindex 1"
_BATCH = 500            # keys per ``IN (...)`` look-up (sqlite allows 999 parameters)
_TABLES = ("attrs", "edges", "links", "names", "latin")


class IndexBroken(Exception):
    """The index file cannot be trusted; answer from the whole view instead."""


def _crc(key: str, text: str) -> int:
    return zlib.crc32(text.encode(), zlib.crc32(key.encode() + b"\0"))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- writing

def _links(G) -> dict:
    """node -> {neighbour: set of (first, last) days a fact links them on, None: every day}.

    A link holds on a day when both ends are there (an event once it happened) and one of the
    facts between them held: the conditions :func:`.network.as_of` applies, as one interval.
    """
    out: dict = {n: {} for n in G}
    since = {n: happened_from(G, n) for n in G}
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        first, last = holds_between(d, event_date=G.nodes[u].get("date") if is_event(G, u) else None)
        first = max((x for x in (first, since[u], since[v]) if x is not None), default=None)
        span = None if first is None and last is None else (first, last)
        for a, b in ((u, v), (v, u)):
            spans = out[a].setdefault(b, set())
            if span is None or first is None or last is None or first <= last:
                spans.add(span)
    return out


def _span_key(span: tuple) -> tuple:
    return (span[0] or "", span[1] or "")


def write_index(path: Path, G, resolver, latin: dict) -> None:
    """Write the index of the view ``G`` (a NetView) and its names (``resolver``, ``latin``:
    see :func:`.answers.resolve_entity`) to the new file ``path``."""
    db = sqlite3.connect(str(path))
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("CREATE TABLE attrs (id TEXT PRIMARY KEY, ord INTEGER NOT NULL, data TEXT NOT NULL, "
                   "crc INTEGER NOT NULL) WITHOUT ROWID")
        for table in _TABLES[1:]:
            db.execute(f"CREATE TABLE {table} (id TEXT PRIMARY KEY, data TEXT NOT NULL, crc INTEGER NOT NULL) "
                       "WITHOUT ROWID")
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("graph", _dumps(G.graph))])

        def rows(table, items):
            for key, value in items:
                text = _dumps(value)
                yield (key, text, _crc(key, text))

        db.executemany("INSERT INTO attrs VALUES (?, ?, ?, ?)",
                       ((n, i, text, _crc(n, text)) for i, (n, d) in enumerate(G.nodes(data=True))
                        for text in (_dumps(d),)))
        # edges in the view's order (out: by neighbour, then key; in: the same), as NetView keeps them
        db.executemany("INSERT INTO edges VALUES (?, ?, ?)", rows("edges", (
            (n, [[[v, k, d] for v, by_key in G._out[n].items() for k, d in by_key.items()],
                 [[u, k, d] for u, by_key in G._in[n].items() for k, d in by_key.items()]]) for n in G)))
        links = _links(G)
        db.executemany("INSERT INTO links VALUES (?, ?, ?)", rows("links", (
            (n, [v if None in spans else [v, sorted(spans, key=_span_key)] for v, spans in sorted(links[n].items())])
            for n in G)))
        db.executemany("INSERT INTO names VALUES (?, ?, ?)",
                       rows("names", ((k, sorted(ids)) for k, ids in resolver.items())))
        db.executemany("INSERT INTO latin VALUES (?, ?, ?)",
                       rows("latin", ((k, sorted(ids)) for k, ids in latin.items())))
        db.commit()
    except sqlite3.Error as exc:
        raise OSError(f"cannot write the index {path}: {exc}") from None     # the cache only costs time
    finally:
        db.close()


# ---------------------------------------------------------------- reading

class NetIndex:
    """An open index file: rows by entity id, checked and decoded once each."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            # immutable: the file never changes once renamed into place (a new build gets a new
            # file), so sqlite takes no locks and keeps no journal
            self._db = sqlite3.connect(self.path.as_uri() + "?mode=ro&immutable=1", uri=True)
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
        except sqlite3.Error as exc:
            raise IndexBroken(str(exc)) from None
        if meta.get("format") != FORMAT or "graph" not in meta:
            raise IndexBroken("another format")
        self.graph = json.loads(meta["graph"])
        self._memo: dict = {t: {} for t in _TABLES}
        self._order: dict = {}

    def close(self) -> None:
        self._db.close()

    def drop(self) -> None:
        """Close and delete the file (the next call makes it again)."""
        self.close()
        self.path.unlink(missing_ok=True)

    def _fetch(self, table: str, keys) -> None:
        memo = self._memo[table]
        want = [k for k in dict.fromkeys(keys) if k not in memo]
        cols = "id, data, crc, ord" if table == "attrs" else "id, data, crc"
        try:
            for i in range(0, len(want), _BATCH):
                chunk = want[i:i + _BATCH]
                sql = f"SELECT {cols} FROM {table} WHERE id IN ({','.join('?' * len(chunk))})"
                for row in self._db.execute(sql, chunk):
                    key, text, crc = row[0], row[1], row[2]
                    if _crc(key, text) != crc:
                        raise IndexBroken(f"{table} row {key!r} does not match its checksum")
                    memo[key] = json.loads(text)
                    if table == "attrs":
                        self._order[key] = row[3]
        except sqlite3.Error as exc:
            raise IndexBroken(str(exc)) from None
        except ValueError as exc:       # text that is not JSON
            raise IndexBroken(str(exc)) from None
        for k in want:
            memo.setdefault(k, None)

    def get(self, table: str, key):
        """The decoded row of ``key`` in ``table``, or None."""
        memo = self._memo[table]
        if key not in memo:
            self._fetch(table, (key,))
        return memo[key]

    def need(self, table: str, key):
        """The row of an entity the index itself named: missing means a broken index."""
        row = self.get(table, key)
        if row is None:
            raise IndexBroken(f"{table} has no row for {key!r}")
        return row

    def prefetch(self, table: str, keys) -> None:
        self._fetch(table, keys)

    def order(self, node) -> int:
        self.need("attrs", node)
        return self._order[node]


class _Nodes:
    def __init__(self, view: "IndexView"):
        self._view = view

    def __getitem__(self, n):
        d = self._view._attrs(n)
        if d is None:
            raise KeyError(n)
        return d

    def __contains__(self, n) -> bool:
        return self._view._attrs(n) is not None


class _Adjacency:
    """``adj.get(node, ())``: a node's neighbours in sorted order (on the view's day), as
    ``NetView.neighbours()`` of the (cut) view gives them."""

    def __init__(self, index: NetIndex, date: str | None):
        self._ix, self._date = index, date
        self._memo: dict = {}

    def get(self, node, default=()):
        got = self._memo.get(node)
        if got is None:
            row = self._ix.get("links", node)
            if row is None:
                return default
            date = self._date
            # the row is in sorted order; a bare id links on every day, [id, spans] on those days
            got = [x if isinstance(x, str) else x[0] for x in row
                   if date is None or isinstance(x, str)
                   or any((a is None or a <= date) and (b is None or date <= b) for a, b in x[1])]
            self._memo[node] = got
        return got


class IndexView:
    """The view (on ``as_of``'s day when given) over an index: ``nodes[n]``, ``n in view``,
    ``out_edges``, ``in_edges``, ``get_edge_data``, ``degree``, ``subgraph`` as on a NetView,
    and ``adjacency()`` for the walks of :mod:`.netview`."""

    def __init__(self, index: NetIndex, as_of: str | None = None):
        self._ix = self.index = index
        self._date = as_of
        self.graph = dict(index.graph, **({"as_of": as_of} if as_of else {}))
        self._whole = self if as_of is None else IndexView(index)     # what the day is cut from
        self._cut: dict = {}
        self._edges_memo: dict = {}

    @property
    def nodes(self) -> _Nodes:
        return _Nodes(self)

    def __contains__(self, n) -> bool:
        return self._attrs(n) is not None

    def _attrs(self, n):
        if self._date is None:
            return self._ix.get("attrs", n)
        if n not in self._cut:
            d = self._ix.get("attrs", n)
            self._cut[n] = None if d is None else node_as_of(self._whole, n, d, self._date)
        return self._cut[n]

    def _edges(self, n) -> tuple[dict, dict]:
        """n's edges out ``{v: {key: attrs}}`` and in ``{u: {key: attrs}}``, on the view's day."""
        got = self._edges_memo.get(n)
        if got is not None:
            return got
        out_rows, in_rows = self._ix.need("edges", n)
        self._ix.prefetch("attrs", [r[0] for r in out_rows] + [r[0] for r in in_rows])
        here = n in self
        out: dict = {}
        inn: dict = {}
        for v, k, d in out_rows:
            if self._keep(n, v, d, here):
                out.setdefault(v, {})[k] = d
        for u, k, d in in_rows:
            if self._keep(u, n, d, here):
                inn.setdefault(u, {})[k] = d
        got = self._edges_memo[n] = (out, inn)
        return got

    def _keep(self, u, v, d, here: bool) -> bool:
        if self._ix.get("attrs", u) is None or self._ix.get("attrs", v) is None:
            raise IndexBroken(f"an edge {u!r} -> {v!r} names a node without a row")
        if self._date is None:
            return True
        date = self._date
        return (here and event_happened(self._whole, u, date) and event_happened(self._whole, v, date)
                and edge_holds(self._whole, u, d, date))

    def out_edges(self, n, data: bool = False):
        for v, by_key in self._edges(n)[0].items():
            for d in by_key.values():
                yield (n, v, d) if data else (n, v)

    def in_edges(self, n, data: bool = False):
        for u, by_key in self._edges(n)[1].items():
            for d in by_key.values():
                yield (u, n, d) if data else (u, n)

    def get_edge_data(self, u, v, default=None):
        return self._edges(u)[0].get(v, default)

    def degree(self, n) -> int:
        out, inn = self._edges(n)
        return sum(len(k) for k in out.values()) + sum(len(k) for k in inn.values())

    def adjacency(self) -> _Adjacency:
        return _Adjacency(self._ix, self._date)

    def subgraph(self, nodes):
        """A NetView of ``nodes`` and the edges between them, in the whole view's order."""
        from .netview import NetView

        keep = [n for n in dict.fromkeys(nodes) if n in self]
        keep.sort(key=self._ix.order)
        inside = set(keep)
        view = NetView(**self.graph)
        for n in keep:
            view.add_node(n, **self._attrs(n))
        for u in keep:
            for v, by_key in self._edges(u)[0].items():
                if v in inside:
                    for k, d in by_key.items():
                        view.add_edge(u, v, key=k, **d)
        return view
