"""The public Python API; the CLI is a thin layer over these functions."""
from __future__ import annotations

from pathlib import Path

from .dataset import as_graph as _graph, build, open_graph, validate

__all__ = ["load", "validate", "build", "open_graph", "check_quotes", "conflicts", "export", "stats",
           "query", "show", "show_entity", "path", "paths", "neighbors", "central", "serve", "push"]


def load(path: str | Path):
    """Load a dataset folder into a :class:`~kgbuilder.curation.model.CuratedDataset`.

    Raises :class:`~kgbuilder.errors.DatasetError` listing every problem.
    """
    from .curation.load import load_dataset

    return load_dataset(path)


def check_quotes(path: str | Path, texts: dict[str, str | Path] | None = None, *,
                 texts_dir: str | Path | None = None):
    """Check every quote against its source's archived text (a :class:`~kgbuilder.curation.quotes.QuoteCheck`).

    ``texts`` maps source ids to files; ``texts_dir`` adds each source's ``<id>*.txt``
    from a folder (an explicit ``texts`` entry wins).
    """
    from .curation.quotes import check_quotes as _check, find_texts

    curated = load(path)
    found = dict(find_texts(curated, texts_dir)) if texts_dir is not None else {}
    found.update(texts or {})
    return _check(curated, found)


def conflicts(dataset) -> list:
    """Every conflict of a dataset folder or built graph (:class:`~kgbuilder.builder.agreement.Conflict`)."""
    from .builder.agreement import find_conflicts

    return find_conflicts(_graph(dataset))


# ---------------------------------------------------------------- questions (kgbuilder query, show, ...)
# Each takes a dataset folder (opened through the build cache) or a KnowledgeGraph.

def query(dataset, sparql: str, *, infer: bool = False, timeout: float | None = 10.0,
          limit: int | None = 10000, file: str | None = None, safe: bool = True, lint: bool = True):
    """Run a read-only SPARQL query safely: a :class:`~kgbuilder.sparql.query.QueryResult`
    (the same type :meth:`KnowledgeGraph.query <kgbuilder.kg.KnowledgeGraph.query>` returns).

    Refuses updates, SERVICE and FROM (UnsafeQueryError) unless ``safe=False``;
    stops at ``timeout`` seconds (QueryTimeoutError) and ``limit`` rows. With
    ``lint`` (the default) an IRI in neither the dataset nor the ontology, or a
    literal of another datatype than its property's values, is reported with
    ``warnings.warn`` as a :class:`~kgbuilder.errors.QueryWarning` (the query runs all the same).
    """
    from .sparql.query import execute

    if timeout and isinstance(dataset, (str, Path)):
        from .sparql.worker import prefork

        prefork()               # before the store is opened: its threads make forking unsafe
    return execute(_graph(dataset), sparql, file=file, timeout=timeout, limit=limit, infer=infer, safe=safe,
                   lint=lint)


def show_entity(dataset, name: str, *, as_of: str | None = None):
    """Everything about one entity (:class:`~kgbuilder.questions.entity.EntityInfo`)."""
    from .questions.entity import show_entity as _show

    return _show(_graph(dataset), name, as_of=as_of)


def paths(dataset, source: str, target: str, *, all: bool = False, max_length: int | None = None,
          as_of: str | None = None):
    """The shortest paths between two entities (a list of :class:`~kgbuilder.questions.paths.Path`)."""
    from .questions.paths import paths as _paths

    return _paths(_graph(dataset), source, target, all=all, max_length=max_length, as_of=as_of)


def neighbors(dataset, name: str, *, depth: int = 1, as_of: str | None = None):
    """The neighbourhood of an entity (:class:`~kgbuilder.questions.neighbors.Neighborhood`)."""
    from .questions.neighbors import neighbors as _neighbors

    return _neighbors(_graph(dataset), name, depth=depth, as_of=as_of)


def central(dataset, *, top: int | None = 10, by: str = "pagerank", as_of: str | None = None,
            actors_only: bool = True):
    """The most central actors (a list of :class:`~kgbuilder.questions.centrality.Centrality`)."""
    from .questions.centrality import central as _central

    return _central(_graph(dataset), top=top, by=by, as_of=as_of, actors_only=actors_only)


# ---------------------------------------------------------------- the other commands' functions
# `kgbuilder COMMAND` is a thin call into the function of the same name here.

def export(dataset, path: str | Path, format: str | None = None, *, inputs=(), store: str = "auto", **options):
    """Write a dataset folder's graph (or a built graph), or a part of it, atomically in any
    registered format: an :class:`~kgbuilder.exports.pipeline.ExportReport`. Options (focus,
    depth, types, since, until, direct_only, with_ontology, force) are the CLI's; ``store``
    is :func:`open_graph`'s, for a dataset folder. A target the command line alone rules out
    is refused before the folder's graph is opened (a build, on a first run)."""
    from .exports.pipeline import check_target, run_export

    if not isinstance(dataset, (str, Path)):
        return run_export(dataset, path, format, inputs=inputs, **options)
    inputs = [dataset, *inputs]
    check_target(path, format, inputs=inputs, force=options.get("force", False),
                 direct_only=options.get("direct_only", False), with_ontology=options.get("with_ontology", False))
    return run_export(open_graph(dataset, store=store), path, format, inputs=inputs, **options)


def stats(dataset):
    """Counts by type, predicate, source and claimant, and agreement (:class:`~kgbuilder.kg.Stats`)."""
    return _graph(dataset).stats()


#: ``kgbuilder show`` and ``kgbuilder path`` by their command names
show = show_entity
path = paths


def serve(config, *, ready=None) -> None:
    """Run the read-only SPARQL endpoint until interrupted (a :class:`~kgbuilder.serve.app.ServeConfig`)."""
    from .serve.app import serve as _serve

    _serve(config, ready=ready)


def push(dataset, endpoint, graph: str | None = None, *, protocol: str = "gsp"):
    """Replace one named graph on a SPARQL 1.1 server with the dataset's graph
    (``endpoint``: a URL or a :class:`~kgbuilder.remote.Endpoint`)."""
    from .remote import Endpoint, push as _push

    ep = endpoint if isinstance(endpoint, Endpoint) else Endpoint.from_url(endpoint)
    return _push(_graph(dataset), ep, graph, protocol=protocol)
