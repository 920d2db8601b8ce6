"""Where a built graph lives: pyoxigraph, in memory or on disk, at every size.

Everything above this layer (queries, exports, the networkx view) talks to a
store. There is one engine: ``memory`` is an in-memory Oxigraph store,
``oxigraph`` the same, ``oxigraph:PATH`` an on-disk one, and ``auto`` lets
:mod:`kgbuilder.api` choose (in memory for a one-off build, on disk in the
cache folder for the commands that open a dataset again and again). The
store kinds are in the plugin registry (kgbuilder.registry, group ``store``).
"""
from __future__ import annotations

from .. import registry

__all__ = ["Store", "open_store", "resolve_store_spec", "check_store_spec", "AUTO_THRESHOLD"]

#: kept for callers that read it: ``auto`` no longer depends on a dataset's size
AUTO_THRESHOLD = 20_000


def __getattr__(name: str):
    # ``Store`` is the Oxigraph store: one engine, so one class (imported lazily: pyoxigraph)
    if name == "Store":
        from .oxigraph import OxigraphStore

        return OxigraphStore
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
    backends = registry.names("store")
    if kind not in backends or (kind == "memory" and arg) or (kind == "oxigraph" and ":" in spec and not arg):
        from ..resolve import did_you_mean

        raise KGBuilderError(f"unknown store '{spec}'" + did_you_mean(kind, [*backends, "auto"]) +
                             " (one of: auto, memory, oxigraph, oxigraph:PATH)")
    return spec


def open_store(spec: str = "memory", *, facts: int | None = None, read_only: bool = False, **options):
    """A store from a spec: ``memory`` or ``oxigraph`` (Oxigraph in memory),
    ``oxigraph:PATH`` (on disk; ``read_only`` opens it without its lock) or
    ``auto`` (in memory). An on-disk store this process already has open for
    writing is shared, not opened twice. ``options`` go to the store's opener
    (``lazy``, ``on_failure``: see :class:`~kgbuilder.store.oxigraph.OxigraphStore`)."""
    spec = check_store_spec(resolve_store_spec(spec, facts))
    kind, _, arg = spec.partition(":")
    opener = registry.get("store", kind, what="store").load()
    store = opener(arg or None, read_only=read_only, **options)
    store.name = kind
    return store
