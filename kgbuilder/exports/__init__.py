"""The exporters: one module per format, found through :mod:`kgbuilder.registry`.

The registry's table is all the CLI needs for its ``--format`` choices and help
text; an exporter's module is imported only when that format is used.
"""
from __future__ import annotations

from pathlib import Path

from .formats import (REGISTRY, by_extension, describe, format_for_path, get_exporter, is_folder_target, names,
                      write_graph)

__all__ = ["REGISTRY", "names", "get_exporter", "format_for_path", "by_extension", "is_folder_target", "export",
           "describe", "write_graph"]


def export(kg, path: str | Path, format: str | None = None, *, inputs=(), **options) -> Path:
    """Write ``kg`` to ``path`` atomically in ``format`` (or the one its extension names).

    Options (focus, depth, types, since, until, direct_only, with_ontology,
    verify, engine) are those of :func:`kgbuilder.exports.pipeline.run_export`.
    """
    from .pipeline import run_export

    return run_export(kg, path, format, inputs=inputs, **options).path
