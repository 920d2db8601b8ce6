"""The public Python API; the CLI is a thin layer over these functions."""
from __future__ import annotations

from pathlib import Path

from .errors import DatasetError, Diagnostic, ValidationError

__all__ = ["load", "validate", "build", "open_graph", "check_quotes"]


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


def validate(path: str | Path, *, shacl: bool = True) -> list[Diagnostic]:
    """Every problem in a dataset (loader checks, then SHACL); empty when clean."""
    return _collect(path, shacl=shacl)[2]


def build(path: str | Path, *, store: str = "memory", shacl: bool = True):
    """Load, validate and build a dataset into a :class:`~kgbuilder.graph.kg.KnowledgeGraph`.

    Raises :class:`~kgbuilder.errors.ValidationError` (a DatasetError) when the
    dataset has problems.
    """
    from .graph.kg import KnowledgeGraph
    from .graph.store import open_store

    curated, result, diags = _collect(path, shacl=shacl)
    if diags or result is None:
        raise ValidationError(diags)
    st = open_store(store)
    st.add_quads(result.quads)
    return KnowledgeGraph(st, base=curated.base, prefix=curated.prefix, dataset_id=curated.id,
                          title=curated.title, origins=result.origins, root=Path(path), curated=curated)


def open_graph(path: str | Path, *, store: str = "memory", cache: bool = True):
    """Like :func:`build`, but reuse the cached build of an unchanged dataset.

    This is what the query, show, path and export commands use: the first call
    validates and builds, later calls on the same files load the cached quads.
    """
    from .graph.cache import dataset_key, load_cached, store_cached
    from .graph.kg import KnowledgeGraph
    from .graph.store import open_store

    root = Path(path)
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


def check_quotes(path: str | Path, texts: dict[str, str | Path]) -> tuple[int, list[Diagnostic]]:
    """Check the quotes of the given sources against archived texts: (checked, problems)."""
    from .graph.quotes import check_quotes as _check

    return _check(load(path), texts)
