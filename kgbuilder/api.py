"""The public Python API; the CLI is a thin layer over these functions."""
from __future__ import annotations

from pathlib import Path

from .errors import Diagnostic, KGBuilderError, ValidationError

__all__ = ["load", "validate", "build", "open_graph", "check_quotes", "conflicts",
           "query", "show_entity", "paths", "neighbors", "central"]


def load(path: str | Path):
    """Load a dataset folder into a :class:`~kgbuilder.graph.model.CuratedDataset`.

    Raises :class:`~kgbuilder.errors.DatasetError` listing every problem.
    """
    from .graph.load import load_dataset

    return load_dataset(path)


def _store_spec(path, store: str | None, *, persistent: bool) -> str:
    """The concrete store for ``store``.

    ``auto`` is an Oxigraph store at every size: on disk in the cache folder
    when ``persistent`` (the commands that open a dataset again and again:
    later runs open it read-only, or patch it in proportion to a change), else
    in memory (``memory``).
    """
    from .graph.store import check_store_spec

    if store not in (None, "", "auto"):
        return check_store_spec(store)
    root = Path(path)
    if not persistent or not (root / "dataset.yaml").is_file():
        return "memory"
    from .graph.cache import cache_usable, dataset_store_path

    if not cache_usable():
        return "memory"         # a cache folder that is not ours alone holds nothing of ours

    return f"oxigraph:{dataset_store_path(root)}"


def _not_a_dataset(path) -> list[Diagnostic]:
    root = Path(path)
    if root.is_dir():
        return []
    what = "is a file, not a dataset folder" if root.exists() else "no such dataset folder"
    return [Diagnostic(str(path), None, what)]


def _graph_of(path, spec: str, *, shacl: bool, cache: bool):
    """Validate and build through the one pipeline (graph.cache.incremental_build)."""
    from .graph.cache import incremental_build
    from .graph.kg import KnowledgeGraph

    diags = _not_a_dataset(path)
    if diags:
        raise ValidationError(diags)
    try:
        built = incremental_build(path, spec, shacl=shacl, use_cache=cache)
    except KGBuilderError as exc:
        from .graph.cache import cache_dir

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
    from .graph.cache import incremental_build

    built = incremental_build(path, _store_spec(path, store, persistent=True), shacl=shacl)
    if built.store is not None:
        built.store.close()
    return built.diagnostics


def build(path: str | Path, *, store: str = "auto", shacl: bool = True):
    """Load, validate and build a dataset into a :class:`~kgbuilder.graph.kg.KnowledgeGraph`.

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


def check_quotes(path: str | Path, texts: dict[str, str | Path] | None = None, *,
                 texts_dir: str | Path | None = None):
    """Check every quote against its source's archived text (a :class:`~kgbuilder.graph.quotes.QuoteCheck`).

    ``texts`` maps source ids to files; ``texts_dir`` adds each source's ``<id>*.txt``
    from a folder (an explicit ``texts`` entry wins).
    """
    from .graph.quotes import check_quotes as _check, find_texts

    curated = load(path)
    found = dict(find_texts(curated, texts_dir)) if texts_dir is not None else {}
    found.update(texts or {})
    return _check(curated, found)


def conflicts(dataset) -> list:
    """Every conflict of a dataset folder or built graph (:class:`~kgbuilder.graph.agreement.Conflict`)."""
    from .graph.agreement import find_conflicts

    return find_conflicts(_graph(dataset))


# ---------------------------------------------------------------- questions (kgbuilder query, show, ...)
# Each takes a dataset folder (opened through the build cache) or a KnowledgeGraph.

def _graph(dataset):
    from .graph.kg import KnowledgeGraph

    return dataset if isinstance(dataset, KnowledgeGraph) else open_graph(dataset)


def query(dataset, sparql: str, *, infer: bool = False, timeout: float | None = 10.0,
          limit: int | None = 10000, file: str | None = None, safe: bool = True, lint: bool = True):
    """Run a read-only SPARQL query safely: a :class:`~kgbuilder.graph.query.QueryResult`
    (the same type :meth:`KnowledgeGraph.query <kgbuilder.graph.kg.KnowledgeGraph.query>` returns).

    Refuses updates, SERVICE and FROM (UnsafeQueryError) unless ``safe=False``;
    stops at ``timeout`` seconds (QueryTimeoutError) and ``limit`` rows. With
    ``lint`` (the default) an IRI in neither the dataset nor the ontology, or a
    literal of another datatype than its property's values, is reported with
    ``warnings.warn`` as a :class:`~kgbuilder.errors.QueryWarning` (the query runs all the same).
    """
    from .graph.query import execute

    return execute(_graph(dataset), sparql, file=file, timeout=timeout, limit=limit, infer=infer, safe=safe,
                   lint=lint)


def show_entity(dataset, name: str, *, as_of: str | None = None):
    """Everything about one entity (:class:`~kgbuilder.graph.questions.EntityInfo`)."""
    from .graph.questions import show_entity as _show

    return _show(_graph(dataset), name, as_of=as_of)


def paths(dataset, source: str, target: str, *, all: bool = False, max_length: int | None = None,
          as_of: str | None = None):
    """The shortest paths between two entities (a list of :class:`~kgbuilder.graph.questions.Path`)."""
    from .graph.questions import paths as _paths

    return _paths(_graph(dataset), source, target, all=all, max_length=max_length, as_of=as_of)


def neighbors(dataset, name: str, *, depth: int = 1, as_of: str | None = None):
    """The neighbourhood of an entity (:class:`~kgbuilder.graph.questions.Neighborhood`)."""
    from .graph.questions import neighbors as _neighbors

    return _neighbors(_graph(dataset), name, depth=depth, as_of=as_of)


def central(dataset, *, top: int | None = 10, by: str = "pagerank", as_of: str | None = None,
            actors_only: bool = True):
    """The most central actors (a list of :class:`~kgbuilder.graph.questions.Centrality`)."""
    from .graph.questions import central as _central

    return _central(_graph(dataset), top=top, by=by, as_of=as_of, actors_only=actors_only)
