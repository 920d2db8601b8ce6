"""A built graph opened again in another process: what a spawned query worker starts from.

:func:`recipe` describes ``kg`` in a few picklable values and :func:`open_recipe` (run in
the worker, see :mod:`kgbuilder.graph.worker`) turns them back into a KnowledgeGraph. An
on-disk Oxigraph store is opened read-only from its folder, which takes no lock, so any
number of workers share it and nothing is copied; any other store travels as N-Quads.
"""
from __future__ import annotations

from typing import Any, Iterable

__all__ = ["recipe", "open_recipe"]

OPENER = "kgbuilder.graph.reopen:open_recipe"


def recipe(kg, *, store: str | None = None, extra_quads: Iterable[tuple] = ()) -> tuple[str, dict]:
    """``(opener, args)`` for :class:`~kgbuilder.graph.worker.Worker`.

    ``store`` forces the worker's store kind (``oxigraph``); by default it is ``kg``'s own.
    ``extra_quads`` (rdflib terms) are added in the worker, never to ``kg``.
    """
    import io

    from .oxigraph_store import OxigraphStore

    extra = list(extra_quads)     # rdflib terms pickle as they are
    meta = {"base": kg.base, "prefix": kg.prefix, "dataset_id": kg.id, "title": kg.title}
    own = kg.store
    if isinstance(own, OxigraphStore) and own.path is not None and not extra:
        return OPENER, {"path": str(own.path), "meta": meta}
    buf = io.BytesIO()
    own.dump("nquads", buf)
    return OPENER, {"nquads": buf.getvalue(), "extra": extra, "store": store or own.name, "meta": meta}


def open_recipe(args: dict[str, Any]):
    """The worker's side of :func:`recipe`: a KnowledgeGraph over a store of its own."""
    from .kg import KnowledgeGraph

    if "path" in args:
        from .oxigraph_store import OxigraphStore

        store = OxigraphStore(args["path"], read_only=True)
    else:
        from .store import open_store

        store = open_store(args["store"])
        store.bulk_load(args["nquads"], "nquads")
        if args["extra"]:
            store.add_quads(args["extra"])
    return KnowledgeGraph(store, **args["meta"])
