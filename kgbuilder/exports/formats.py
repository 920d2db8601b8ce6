"""Formats by name, extension and kind, from :mod:`kgbuilder.registry`'s exporter group."""
from __future__ import annotations

import os
from pathlib import Path

from .. import registry
from ..errors import ExportError

__all__ = ["REGISTRY", "names", "get_exporter", "format_for_path", "by_extension", "is_folder_target", "describe",
           "write_graph"]

#: format name -> :class:`kgbuilder.registry.Plugin` (the registry's exporter group, live)
REGISTRY = registry.plugins("exporter")


def by_extension(fmt: str) -> str:
    """Accept an extension as a format name: ``ttl`` is ``turtle``."""
    if fmt in REGISTRY:
        return fmt
    for spec in REGISTRY.values():
        if "." + fmt.lstrip(".") in spec.extensions:
            return spec.name
    return fmt


def is_folder_target(path: str | Path) -> bool:
    """A folder is asked for: an existing folder, a trailing slash, or no extension."""
    from ..safe_paths import kind_of

    text = os.fspath(path)
    try:
        there = kind_of(text) == "dir"
    except OSError:     # the output check says why it cannot write there
        there = False
    return there or text.endswith(("/", os.sep)) or not Path(text).suffix


def names() -> list[str]:
    return list(REGISTRY)


def get_exporter(name: str):
    """An exporter instance by format name; unknown names get 'did you mean'."""
    return registry.get("exporter", name, error=ExportError).load()()


def format_for_path(path: str | Path) -> str:
    """The format a file name asks for, from its extension (a folder: the folder format)."""
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
