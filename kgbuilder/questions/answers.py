"""Graph questions over the networkx view: show, path, neighbors, central.

Each function takes a built :class:`~kgbuilder.kg.KnowledgeGraph`,
names entities the way people do (id, label or alias, any case, with or
without diacritics, Latin or Cyrillic) and returns plain dataclasses or
networkx graphs. ``as_of="YYYY-MM-DD"`` restricts the graph to what held on
that day (see :func:`kgbuilder.questions.network.as_of`).

This module holds what the questions share (the view, the per-entity index, names); each
question and its answer's dataclasses live in a module of its own (:mod:`.entity`,
:mod:`.paths`, :mod:`.neighbors`, :mod:`.centrality`, and :mod:`.fact` for the facts), all
importable from here too. Split so a command makes only its own classes: a dataclass costs
1-2 ms to make, and the nine of them were ~8 ms of a warm ``central``'s ~130.
"""
from __future__ import annotations

import re

from ..errors import EntityNotFoundError, KGBuilderError

__all__ = ["Evidence", "Fact", "EventRole", "EntityInfo", "Step", "Path", "Neighbor", "Neighborhood",
           "Centrality", "resolve_entity", "network", "show_entity", "paths", "neighbors", "central",
           "subgraph_kg", "transliterate", "check_date"]

#: the names defined by the questions' own modules, by module
_ELSEWHERE = {name: module for module, names in (
    ("fact", ("Evidence", "Fact")),
    ("entity", ("EventRole", "EntityInfo", "show_entity")),
    ("paths", ("Step", "Path", "paths")),
    ("neighbors", ("Neighbor", "Neighborhood", "neighbors", "subgraph_kg")),
    ("centrality", ("Centrality", "central", "ACTOR_TYPES")),
) for name in names}


def __getattr__(name: str):
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_ELSEWHERE})


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


def _day(as_of: str | None) -> str | None:
    return None if as_of is None else check_date(as_of)


def _there(G, name: str, ent: str, as_of: str | None) -> None:
    if ent not in G:
        raise EntityNotFoundError(f"'{name}' ({ent}) is an event after {as_of}; it had not happened yet")
