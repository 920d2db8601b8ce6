"""The exporters: one module per format, found through :mod:`kgbuilder.registry`.

The registry's table is all the CLI needs for its ``--format`` choices and help
text; an exporter's module is imported only when that format is used.
"""
from __future__ import annotations

from pathlib import Path

from .. import registry
from ..errors import ExportError

__all__ = ["REGISTRY", "names", "get_exporter", "format_for_path", "export", "describe", "write_graph"]

#: format name -> :class:`kgbuilder.registry.Plugin` (the registry's exporter group, live)
REGISTRY = registry.plugins("exporter")


def names() -> list[str]:
    return list(REGISTRY)


def get_exporter(name: str):
    """An exporter instance by format name; unknown names get 'did you mean'."""
    return registry.get("exporter", name, error=ExportError).load()()


def format_for_path(path: str | Path) -> str:
    """The format a file name asks for, from its extension (a folder: the folder format)."""
    from .pipeline import is_folder_target

    spec = registry.for_extension("exporter", path)
    if spec is not None:
        return spec.name
    suffix = Path(path).suffix.lower()
    if is_folder_target(path):
        for spec in REGISTRY.values():
            if spec.folder:
                return spec.name
    if suffix == ".csv":
        raise ExportError(f"{path}: CSV exports write nodes.csv and edges.csv: give a folder or a .zip")
    known = ", ".join(ext for spec in REGISTRY.values() for ext in spec.extensions)
    raise ExportError(f"{path}: cannot tell the format from the extension '{suffix or '(none)'}'; "
                      f"use --format (extensions: {known})")


def export(kg, path: str | Path, format: str | None = None, *, inputs=(), **options) -> Path:
    """Write ``kg`` to ``path`` atomically in ``format`` (or the one its extension names).

    Options (focus, depth, types, since, until, direct_only, with_ontology,
    verify, engine) are those of :func:`kgbuilder.exports.pipeline.run_export`.
    """
    from .pipeline import run_export

    return run_export(kg, path, format, inputs=inputs, **options).path


def describe() -> list[str]:
    """One line per registered format: name, extensions and summary (for --help)."""
    lines = []
    for s in REGISTRY.values():
        where = ", ".join(s.extensions) + (" or a folder" if s.folder else "")
        lines.append(f"{s.name} ({where}): {s.summary}")
    return lines


def write_graph(triples, kg, out, fmt: str, *, what: str = "a CONSTRUCT answer") -> None:
    """Write ``triples`` (a CONSTRUCT or DESCRIBE answer over ``kg``) in the RDF format ``fmt``."""
    spec = registry.get("exporter", fmt, error=ExportError)
    if not spec.rdf:
        rdf = [n for n, s in REGISTRY.items() if s.rdf]
        raise ExportError(f"format '{fmt}' is not an RDF syntax; {what} can be written as " + ", ".join(rdf))
    spec.load()().serialize(kg.with_triples(triples), out)
