"""Where a built graph lives: pyoxigraph, in memory or on disk, at every size.

Everything above this layer (queries, exports, the networkx view) talks to a
:class:`Store`. There is one engine: ``memory`` is an in-memory Oxigraph
store, ``oxigraph`` the same, ``oxigraph:PATH`` an on-disk one, and ``auto``
lets :mod:`kgbuilder.api` choose (in memory for a one-off build, on disk in
the cache folder for the commands that open a dataset again and again).
"""
from __future__ import annotations

__all__ = ["Store", "open_store", "resolve_store_spec", "check_store_spec", "AUTO_THRESHOLD", "STORE_KINDS"]

#: the store kinds a user may name (``auto`` too); ``memory`` and ``oxigraph``
#: are both in-memory Oxigraph, the first name kept for the command lines that use it
STORE_KINDS = ("memory", "oxigraph")
#: from this many facts up ``kgbuilder.build`` with ``auto`` still keeps the
#: graph in memory but the progress of a long build is shown (see api.py)
AUTO_THRESHOLD = 20_000


def _store_class():
    from .oxigraph_store import OxigraphStore

    return OxigraphStore


def __getattr__(name: str):
    # ``Store`` is the Oxigraph store: one engine, so one class (imported lazily: pyoxigraph)
    if name == "Store":
        return _store_class()
    raise AttributeError(name)


def resolve_store_spec(spec: str | None, facts: int | None = None) -> str:
    """``auto`` (or None) -> ``memory`` (an in-memory Oxigraph store); other specs unchanged."""
    if spec in (None, "", "auto"):
        return "memory"
    return spec


def check_store_spec(spec: str) -> str:
    """``spec`` if it names a store, else a KGBuilderError with the choices."""
    from ..errors import KGBuilderError

    kind, _, arg = spec.partition(":")
    if kind == "auto" and not arg:
        return spec
    if kind not in STORE_KINDS or (kind == "memory" and arg) or (kind == "oxigraph" and ":" in spec and not arg):
        from .resolve import did_you_mean

        raise KGBuilderError(f"unknown store '{spec}'" + did_you_mean(kind, [*STORE_KINDS, "auto"]) +
                             " (one of: auto, memory, oxigraph, oxigraph:PATH)")
    return spec


def open_store(spec: str = "memory", *, facts: int | None = None, read_only: bool = False):
    """An :class:`~.oxigraph_store.OxigraphStore` from a spec: ``memory`` or
    ``oxigraph`` (in memory), ``oxigraph:PATH`` (on disk) or ``auto`` (in memory)."""
    from .oxigraph_store import open_oxigraph

    spec = check_store_spec(resolve_store_spec(spec, facts))
    kind, _, arg = spec.partition(":")
    store = open_oxigraph(arg or None, read_only=read_only)
    store.name = kind
    return store
