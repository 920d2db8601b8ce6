"""The networkx view kept with a build as a per-entity index, read in proportion to the answer.

``show``, ``path`` and ``neighbors`` look at one entity and what is near it; unpickling the
whole view for that costs in proportion to the graph (about a second at 100k facts). This
index (an sqlite3 file, from the standard library) holds per entity its attributes (and,
apart, the few that lists and day cuts read: label, type, top type, date), the order of its
neighbours out and in, and its links with the days each held (so ``--as-of`` walks them
too); per pair of linked entities the edges from one to the other with their attributes;
and the resolver's names. An answer reads the rows it touches. :class:`IndexView` answers
with the subset of ``NetView``'s API that :mod:`.answers` uses, cut to a day the way
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
from collections.abc import Mapping
from pathlib import Path

__all__ = ["FORMAT", "IndexBroken", "NetIndex", "IndexView", "write_index"]

#: the layout below; an index of another format is not read
FORMAT = "kgbuilder-netindex 2"
_BATCH = 500            # keys per ``IN (...)`` look-up (sqlite allows 999 parameters)
#: the attributes kept apart from the rest (a member list, a day cut read only these)
HEAD = ("label", "type", "top_type", "date")


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
    from .network import happened_from, holds_between, is_event

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
        db.execute("CREATE TABLE attrs (id TEXT PRIMARY KEY, ord INTEGER NOT NULL, head TEXT NOT NULL, "
                   "hcrc INTEGER NOT NULL, data TEXT NOT NULL, crc INTEGER NOT NULL) WITHOUT ROWID")
        for table in ("edges", "links", "names", "latin"):
            db.execute(f"CREATE TABLE {table} (id TEXT PRIMARY KEY, data TEXT NOT NULL, crc INTEGER NOT NULL) "
                       "WITHOUT ROWID")
        db.execute("CREATE TABLE pairs (u TEXT NOT NULL, v TEXT NOT NULL, data TEXT NOT NULL, "
                   "crc INTEGER NOT NULL, PRIMARY KEY (u, v)) WITHOUT ROWID")
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("graph", _dumps(G.graph))])

        def rows(items):
            for key, value in items:
                text = _dumps(value)
                yield (key, text, _crc(key, text))

        def attrs():
            for i, (n, d) in enumerate(G.nodes(data=True)):
                head, data = _dumps({k: d[k] for k in HEAD if k in d}), _dumps(d)
                yield (n, i, head, _crc(n, head), data, _crc(n, data))

        def pairs():
            for u in G:
                for v, by_key in G._out[u].items():
                    text = _dumps([[k, d] for k, d in by_key.items()])
                    yield (u, v, text, _crc(u + "\0" + v, text))

        db.executemany("INSERT INTO attrs VALUES (?, ?, ?, ?, ?, ?)", attrs())
        # each node's neighbours out and in, in the order NetView keeps them (the edges' order)
        db.executemany("INSERT INTO edges VALUES (?, ?, ?)",
                       rows((n, [list(G._out[n]), list(G._in[n])]) for n in G))
        db.executemany("INSERT INTO pairs VALUES (?, ?, ?, ?)", pairs())
        db.execute("CREATE INDEX pairs_in ON pairs (v)")
        links = _links(G)
        db.executemany("INSERT INTO links VALUES (?, ?, ?)", rows(
            (n, [v if None in spans else [v, sorted(spans, key=_span_key)] for v, spans in sorted(links[n].items())])
            for n in G))
        db.executemany("INSERT INTO names VALUES (?, ?, ?)", rows((k, sorted(ids)) for k, ids in resolver.items()))
        db.executemany("INSERT INTO latin VALUES (?, ?, ?)", rows((k, sorted(ids)) for k, ids in latin.items()))
        db.commit()
    except sqlite3.Error as exc:
        raise OSError(f"cannot write the index {path}: {exc}") from None     # the cache only costs time
    finally:
        db.close()


# ---------------------------------------------------------------- reading

class NetIndex:
    """An open index file: rows by entity id (or pair of ids), checked and decoded once each."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            # immutable: the file never changes once renamed into place (a new build gets a new
            # file), so sqlite takes no locks and keeps no journal
            # (any thread may ask: the file is read-only, and sqlite serialises its connections)
            self._db = sqlite3.connect(self.path.absolute().as_uri() + "?mode=ro&immutable=1", uri=True,
                                       check_same_thread=False)
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
        except sqlite3.Error as exc:
            raise IndexBroken(str(exc)) from None
        if meta.get("format") != FORMAT or "graph" not in meta:
            raise IndexBroken("another format")
        self.graph = json.loads(meta["graph"])
        self._memo: dict = {t: {} for t in ("head", "data", "edges", "links", "names", "latin")}
        self._order: dict = {}
        self._pairs: dict = {}          # (u, v) -> [[key, attrs], ...] or None
        self._paired: set = set()       # ("out" | "in", node) whose pairs are all in _pairs

    def close(self) -> None:
        self._db.close()

    def drop(self) -> None:
        """Close and delete the file (the next call makes it again)."""
        self.close()
        self.path.unlink(missing_ok=True)

    def _rows(self, sql: str, args):
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise IndexBroken(str(exc)) from None

    @staticmethod
    def _load(key: str, text, crc, what: str):
        if not isinstance(text, str) or _crc(key, text) != crc:
            raise IndexBroken(f"{what} of {key!r} does not match its checksum")
        try:
            return json.loads(text)
        except ValueError as exc:
            raise IndexBroken(str(exc)) from None

    def _fetch(self, kind: str, keys) -> None:
        memo = self._memo[kind]
        want = [k for k in dict.fromkeys(keys) if k not in memo]
        table, cols = {"head": ("attrs", "head, hcrc, ord"), "data": ("attrs", "data, crc")}.get(kind, (kind, "data, crc"))
        for i in range(0, len(want), _BATCH):
            chunk = want[i:i + _BATCH]
            for row in self._rows(f"SELECT id, {cols} FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                memo[row[0]] = self._load(row[0], row[1], row[2], f"{kind} row")
                if kind == "head":
                    self._order[row[0]] = row[3]
        for k in want:
            memo.setdefault(k, None)

    def get(self, kind: str, key):
        """The decoded row of ``key``: ``head``, ``data`` (a node's attributes), ``edges``,
        ``links``, ``names`` or ``latin``; None if there is none."""
        memo = self._memo[kind]
        if key not in memo:
            self._fetch(kind, (key,))
        return memo[key]

    def need(self, kind: str, key):
        """The row of an entity the index itself named: missing means a broken index."""
        row = self.get(kind, key)
        if row is None:
            raise IndexBroken(f"no {kind} row for {key!r}")
        return row

    def prefetch(self, kind: str, keys) -> None:
        self._fetch(kind, keys)

    def order(self, node) -> int:
        self.need("head", node)
        return self._order[node]

    def pairs(self, node, side: str) -> None:
        """Read every pair out of (``side`` "out") or into ("in") ``node`` at once."""
        if (side, node) in self._paired:
            return
        mine, other = ("u", "v") if side == "out" else ("v", "u")
        for far, text, crc in self._rows(f"SELECT {other}, data, crc FROM pairs WHERE {mine} = ?", (node,)):
            u, v = (node, far) if side == "out" else (far, node)
            self._pairs[(u, v)] = self._load(u + "\0" + v, text, crc, "pair")
        self._paired.add((side, node))

    def pair(self, u, v):
        """The edges from ``u`` to ``v`` as ``[[key, attrs], ...]``, or None."""
        if (u, v) not in self._pairs:
            if ("out", u) in self._paired or ("in", v) in self._paired:
                return None
            got = self._rows("SELECT data, crc FROM pairs WHERE u = ? AND v = ?", (u, v))
            self._pairs[(u, v)] = self._load(u + "\0" + v, got[0][0], got[0][1], "pair") if got else None
        return self._pairs[(u, v)]


class _Attrs(Mapping):
    """A node's attributes: those of :data:`HEAD` at hand, the rest read on first use."""

    __slots__ = ("_view", "_node", "_head", "_all")

    def __init__(self, view: "IndexView", node, head: dict):
        self._view, self._node, self._head, self._all = view, node, head, None

    def _data(self) -> dict:
        if self._all is None:
            self._all = self._view._full(self._node)
        return self._all

    def __getitem__(self, key):
        return self._head[key] if key in HEAD else self._data()[key]

    def get(self, key, default=None):
        return self._head.get(key, default) if key in HEAD else self._data().get(key, default)

    def __iter__(self):
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


class _Nodes:
    def __init__(self, view: "IndexView"):
        self._view = view

    def __getitem__(self, n):
        head = self._view._head(n)
        if head is None:
            raise KeyError(n)
        return _Attrs(self._view, n, head)

    def __contains__(self, n) -> bool:
        return self._view._head(n) is not None


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
        self._edges_memo: dict = {}

    @property
    def nodes(self) -> _Nodes:
        return _Nodes(self)

    def __contains__(self, n) -> bool:
        return self._head(n) is not None

    def _head(self, n):
        """The HEAD attributes of ``n`` if it is in the view (on its day), else None."""
        head = self._ix.get("head", n)
        if head is None or self._date is None:
            return head
        from .network import event_happened

        return head if event_happened(self._whole, n, self._date) else None

    def _full(self, n) -> dict:
        data = self._ix.need("data", n)
        if self._date is None:
            return data
        from .network import node_as_of

        return node_as_of(self._whole, n, data, self._date)

    def _pair(self, u, v):
        """``{key: attrs}`` of the edges from ``u`` to ``v`` in the view, or None."""
        rows = self._ix.pair(u, v)
        if not rows:
            return None
        if self._date is None:
            return {k: d for k, d in rows}
        from .network import edge_holds

        if u not in self or v not in self:
            return None
        kept = {k: d for k, d in rows if edge_holds(self._whole, u, d, self._date)}
        return kept or None

    def _edges(self, n) -> tuple[dict, dict]:
        """n's edges out ``{v: {key: attrs}}`` and in ``{u: {key: attrs}}``, on the view's day."""
        got = self._edges_memo.get(n)
        if got is not None:
            return got
        outs, ins = self._ix.need("edges", n)
        self._ix.pairs(n, "out")
        self._ix.pairs(n, "in")
        if self._date is not None:
            self._ix.prefetch("head", outs + ins)
        out: dict = {}
        inn: dict = {}
        if n in self:
            for v in outs:
                if self._ix.pair(n, v) is None:
                    raise IndexBroken(f"no pair row for {n!r} -> {v!r}")
                if (kept := self._pair(n, v)) is not None:
                    out[v] = kept
            for u in ins:
                if self._ix.pair(u, n) is None:
                    raise IndexBroken(f"no pair row for {u!r} -> {n!r}")
                if (kept := self._pair(u, n)) is not None:
                    inn[u] = kept
        got = self._edges_memo[n] = (out, inn)
        return got

    def out_edges(self, n, data: bool = False):
        for v, by_key in self._edges(n)[0].items():
            for d in by_key.values():
                yield (n, v, d) if data else (n, v)

    def in_edges(self, n, data: bool = False):
        for u, by_key in self._edges(n)[1].items():
            for d in by_key.values():
                yield (u, n, d) if data else (u, n)

    def get_edge_data(self, u, v, default=None):
        got = self._pair(u, v) if u in self else None
        return default if got is None else got

    def degree(self, n) -> int:
        out, inn = self._edges(n)
        return sum(len(k) for k in out.values()) + sum(len(k) for k in inn.values())

    def adjacency(self) -> _Adjacency:
        return _Adjacency(self._ix, self._date)

    def subgraph(self, nodes):
        """A NetView of ``nodes`` and the edges between them, in the whole view's order."""
        from .netview import NetView

        self._ix.prefetch("head", nodes)
        keep = [n for n in dict.fromkeys(nodes) if n in self]
        keep.sort(key=self._ix.order)
        self._ix.prefetch("data", keep)
        inside = set(keep)
        view = NetView(**self.graph)
        for n in keep:
            view.add_node(n, **self._full(n))
        for u in keep:
            for v, by_key in self._edges(u)[0].items():
                if v in inside:
                    for k, d in by_key.items():
                        view.add_edge(u, v, key=k, **d)
        return view
