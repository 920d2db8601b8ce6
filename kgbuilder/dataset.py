"""A dataset folder opened as a graph: validate, build, open through the build cache.

These sit below the server and the remote client (which open graphs too) and
above the layers they drive; :mod:`kgbuilder.api` re-exports them.
"""
from __future__ import annotations

from pathlib import Path

from .errors import Diagnostic, KGBuilderError, ValidationError

__all__ = ["validate", "build", "open_graph", "as_graph", "preopen_recipe"]


def _store_spec(path, store: str | None, *, persistent: bool) -> str:
    """The concrete store for ``store``.

    ``auto`` is an Oxigraph store at every size: on disk in the cache folder
    when ``persistent`` (the commands that open a dataset again and again:
    later runs open it read-only, or patch it in proportion to a change), else
    in memory (``memory``).
    """
    from .store.base import check_store_spec

    if store not in (None, "", "auto"):
        return check_store_spec(store)
    from .curation.files import has_dataset_yaml

    root = Path(path)
    if not persistent or not has_dataset_yaml(root):
        return "memory"
    from .builder.cache import cache_usable, dataset_store_path

    if not cache_usable():
        return "memory"         # a cache folder that is not ours alone holds nothing of ours

    return f"oxigraph:{dataset_store_path(root)}"


def _not_a_dataset(path) -> list[Diagnostic]:
    from .curation.files import not_a_dataset_folder

    what = not_a_dataset_folder(path)
    return [] if what is None else [Diagnostic(str(path), None, what)]


def _graph_of(path, spec: str, *, shacl: bool, cache: bool):
    """Validate and build through the one pipeline (graph.cache.incremental_build)."""
    from .builder.cache import incremental_build
    from .kg import KnowledgeGraph

    diags = _not_a_dataset(path)
    if diags:
        raise ValidationError(diags)
    try:
        built = incremental_build(path, spec, shacl=shacl, use_cache=cache)
    except KGBuilderError as exc:
        from .builder.cache import cache_dir

        # the store ``auto`` keeps in the cache folder could not be made (a full disk, a file
        # size limit): the cache only saves time, so build in memory instead
        if not (str(exc).startswith("cannot open the Oxigraph store at ")
                and spec.startswith(f"oxigraph:{cache_dir()}")):
            raise
        built = incremental_build(path, "memory", shacl=shacl, use_cache=False)
    if built.diagnostics or built.store is None:
        raise ValidationError(built.diagnostics)
    info = built.info
    return KnowledgeGraph(built.store, base=info["base"], prefix=info["prefix"], dataset_id=info["id"],
                          title=info["title"], origins=built._origins, root=Path(path), curated=built._curated,
                          derived=built.derived)


def validate(path: str | Path, *, shacl: bool = True, store: str = "auto") -> list[Diagnostic]:
    """Every problem in a dataset (loader checks, then SHACL); empty when clean.

    The SHACL shapes run as SPARQL on the Oxigraph store; with ``auto`` the
    store is kept in the cache, so unchanged files are not re-validated and
    the next command opens the graph at once.
    """
    diags = _not_a_dataset(path)
    if diags:
        return diags
    from .builder.cache import incremental_build

    built = incremental_build(path, _store_spec(path, store, persistent=True), shacl=shacl)
    if built.store is not None:
        built.store.close()
    return built.diagnostics


def build(path: str | Path, *, store: str = "auto", shacl: bool = True):
    """Load, validate and build a dataset into a :class:`~kgbuilder.kg.KnowledgeGraph`.

    ``store``: ``auto`` or ``memory`` (an in-memory Oxigraph store), ``oxigraph``
    (the same) or ``oxigraph:PATH`` (on disk, rebuilt). Raises
    :class:`~kgbuilder.errors.ValidationError` (a DatasetError) when the
    dataset has problems.
    """
    return _graph_of(path, _store_spec(path, store, persistent=False), shacl=shacl, cache=False)


def open_graph(path: str | Path, *, store: str = "auto", cache: bool = True):
    """Like :func:`build`, but reuse the cached build of an unchanged dataset.

    This is what the query, show, path and export commands use: the first call
    validates and builds into an Oxigraph store in the cache folder, later
    calls on the same files open that store read-only (and the views kept
    with it), and a changed file patches it in proportion to the change.
    """
    return _graph_of(path, _store_spec(path, store, persistent=cache), shacl=True, cache=cache)


def preopen_recipe(path: str | Path, *, store: str = "auto") -> tuple[str, dict] | None:
    """For a worker forked before :func:`open_graph` runs (``sparql.worker.prefork``): the
    recipe that opens ahead of time the on-disk store ``open_graph(path, store=store)`` answers
    from when the cache holds the build (see :func:`kgbuilder.kg.preopen`); None for a store in
    memory. Cheap: it reads nothing but the cache folder's permissions."""
    try:
        spec = _store_spec(path, store, persistent=True)
    except KGBuilderError:
        return None         # a bad --store: open_graph says so in its own words
    kind, _, store_path = spec.partition(":")
    if kind != "oxigraph" or not store_path:
        return None
    from .builder.cache import state_path
    from .kg import preopen
    from .sparql.worker import ref

    return ref(preopen), {"path": store_path, "state": str(state_path(Path(path), store_path))}


def as_graph(dataset):
    """``dataset`` itself when it is a built graph, else the dataset folder opened with :func:`open_graph`."""
    from .kg import KnowledgeGraph

    return dataset if isinstance(dataset, KnowledgeGraph) else open_graph(dataset)
