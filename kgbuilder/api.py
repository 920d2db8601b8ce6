"""The public Python API; the CLI is a thin layer over these functions."""
from __future__ import annotations

from pathlib import Path

from .errors import DatasetError, Diagnostic, ValidationError

__all__ = ["load", "validate", "build", "open_graph", "check_quotes", "conflicts",
           "query", "show_entity", "paths", "neighbors", "central"]


def load(path: str | Path):
    """Load a dataset folder into a :class:`~kgbuilder.graph.model.CuratedDataset`.

    Raises :class:`~kgbuilder.errors.DatasetError` listing every problem.
    """
    from .graph.load import load_dataset

    return load_dataset(path)


def _collect(path, *, shacl: bool = True):
    from .graph.build import build_quads
    from .graph.load import load_dataset_collect

    curated, diags = load_dataset_collect(path)
    if curated is None or diags:
        return curated, None, diags
    try:
        result = build_quads(curated)
    except DatasetError as exc:
        return curated, None, exc.diagnostics
    if shacl:
        from .graph.validate import shacl_diagnostics

        diags = shacl_diagnostics(result.quads, result.origins)
    return curated, result, diags


def _store_spec(path, store: str | None, *, persistent: bool) -> str:
    """The concrete store for ``store`` (``auto`` looks at the dataset's size).

    For a large dataset ``auto`` means Oxigraph: on disk in the cache folder
    when ``persistent`` (so later runs patch it), else in memory.
    """
    from .graph.store import check_store_spec, resolve_store_spec

    if store not in (None, "", "auto"):
        return check_store_spec(store)
    root = Path(path)
    if not (root / "dataset.yaml").is_file():
        return "memory"
    from .graph.cache import dataset_store_path, estimate_facts

    spec = resolve_store_spec("auto", estimate_facts(root))
    if spec == "oxigraph" and persistent:
        spec = f"oxigraph:{dataset_store_path(root)}"
    return spec


def _oxigraph_graph(path, spec: str, *, shacl: bool, cache: bool):
    """Validate and build into Oxigraph through the per-file pipeline (graph.cache)."""
    from .graph.cache import incremental_build
    from .graph.kg import KnowledgeGraph

    built = incremental_build(path, spec, shacl=shacl, use_cache=cache)
    if built.diagnostics or built.store is None:
        raise ValidationError(built.diagnostics)
    ds = built.curated
    return KnowledgeGraph(built.store, base=ds.base, prefix=ds.prefix, dataset_id=ds.id, title=ds.title,
                          origins=built.origins, root=Path(path), curated=ds)


def validate(path: str | Path, *, shacl: bool = True, store: str = "auto") -> list[Diagnostic]:
    """Every problem in a dataset (loader checks, then SHACL); empty when clean.

    With an Oxigraph store (``auto`` on a large dataset) the SHACL shapes run
    as SPARQL on Oxigraph and unchanged files are not re-validated.
    """
    spec = _store_spec(path, store, persistent=True)
    if spec.startswith("oxigraph"):
        from .graph.cache import incremental_build

        built = incremental_build(path, spec, shacl=shacl)
        if built.store is not None:
            built.store.close()
        return built.diagnostics
    return _collect(path, shacl=shacl)[2]


def build(path: str | Path, *, store: str = "auto", shacl: bool = True):
    """Load, validate and build a dataset into a :class:`~kgbuilder.graph.kg.KnowledgeGraph`.

    ``store``: ``auto`` (rdflib in memory below 20,000 facts, else Oxigraph in
    memory), ``memory``, ``oxigraph`` or ``oxigraph:PATH`` (on disk, rebuilt).
    Raises :class:`~kgbuilder.errors.ValidationError` (a DatasetError) when the
    dataset has problems.
    """
    from .graph.kg import KnowledgeGraph
    from .graph.store import open_store

    store = _store_spec(path, store, persistent=False)
    if store.startswith("oxigraph"):
        return _oxigraph_graph(path, store, shacl=shacl, cache=False)
    curated, result, diags = _collect(path, shacl=shacl)
    if diags or result is None:
        raise ValidationError(diags)
    st = open_store(store)
    st.add_quads(result.quads)
    return KnowledgeGraph(st, base=curated.base, prefix=curated.prefix, dataset_id=curated.id,
                          title=curated.title, origins=result.origins, root=Path(path), curated=curated)


def open_graph(path: str | Path, *, store: str = "auto", cache: bool = True):
    """Like :func:`build`, but reuse the cached build of an unchanged dataset.

    This is what the query, show, path and export commands use: the first call
    validates and builds, later calls on the same files load the cached quads.
    With ``auto`` a large dataset lives in an Oxigraph store in the cache
    folder, patched in proportion to each change (see kgbuilder.graph.cache).
    """
    from .graph.cache import dataset_key, load_cached, store_cached
    from .graph.kg import KnowledgeGraph
    from .graph.store import open_store

    root = Path(path)
    store = _store_spec(root, store, persistent=cache)
    if store.startswith("oxigraph") and root.is_dir():
        return _oxigraph_graph(root, store, shacl=True, cache=cache)
    if not cache or not root.is_dir() or not (root / "dataset.yaml").is_file():
        return build(root, store=store)
    key = dataset_key(root)
    hit = load_cached(root, key)
    if hit is None:
        curated, result, diags = _collect(root)
        if diags or result is None:
            raise ValidationError(diags)
        quads, origins = result.quads, result.origins
        store_cached(root, key, curated, quads, origins)
    else:
        curated, quads, origins = hit
    st = open_store(store)
    st.add_quads(quads)
    return KnowledgeGraph(st, base=curated.base, prefix=curated.prefix, dataset_id=curated.id,
                          title=curated.title, origins=origins, root=root, curated=curated)


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
    """Run a read-only SPARQL query safely: a :class:`~kgbuilder.graph.query.QueryResult`.

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
