"""The exporter registry: one format name -> one module, imported lazily.

Like rdflib's plugin registry, the table below is all the CLI needs for its
``--format`` choices and help text; an exporter's module is imported only
when that format is used.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExportError

__all__ = ["ExporterSpec", "REGISTRY", "names", "get_exporter", "format_for_path", "register", "export",
           "describe"]


@dataclass(frozen=True)
class ExporterSpec:
    name: str
    module: str            # module under kgbuilder.exports, or a full dotted path
    cls: str
    extensions: tuple[str, ...]
    summary: str
    folder: bool = False   # a folder path (or one without extension) asks for this format

    def load(self):
        module = self.module if "." in self.module else f"kgbuilder.exports.{self.module}"
        return getattr(importlib.import_module(module), self.cls)


REGISTRY: dict[str, ExporterSpec] = {}


def register(spec: ExporterSpec) -> None:
    REGISTRY[spec.name] = spec


for _spec in (
    ExporterSpec("turtle", "turtle", "TurtleExporter", (".ttl",), "Turtle with prefixes, grouped by subject"),
    ExporterSpec("ntriples", "ntriples", "NTriplesExporter", (".nt",), "N-Triples, one triple a line"),
    ExporterSpec("nquads", "nquads", "NQuadsExporter", (".nq",), "N-Quads, one named graph per source"),
    ExporterSpec("trig", "trig", "TriGExporter", (".trig",), "TriG, one named graph per source"),
    ExporterSpec("jsonld", "jsonld", "JSONLDExporter", (".jsonld", ".json"), "JSON-LD with a small context"),
    ExporterSpec("rdfxml", "rdfxml", "RDFXMLExporter", (".rdf", ".xml", ".owl"), "RDF/XML"),
    ExporterSpec("graphml", "graphml", "GraphMLExporter", (".graphml",), "GraphML network: entities and facts"),
    ExporterSpec("gexf", "gexf", "GEXFExporter", (".gexf",), "GEXF network for Gephi, with a timeline"),
    ExporterSpec("csv", "csvtables", "CSVExporter", (".zip",), "nodes.csv + edges.csv, in a folder or a .zip",
                 folder=True),
    ExporterSpec("html", "html", "HTMLExporter", (".html", ".htm"), "self-contained interactive explorer page"),
):
    register(_spec)


def names() -> list[str]:
    return list(REGISTRY)


def get_exporter(name: str):
    """An exporter instance by format name; unknown names get 'did you mean'."""
    spec = REGISTRY.get(name)
    if spec is None:
        from ..graph.resolve import did_you_mean

        raise ExportError(f"unknown format '{name}'" + did_you_mean(name, REGISTRY)
                          + f" (one of: {', '.join(REGISTRY)})")
    return spec.load()()


def format_for_path(path: str | Path) -> str:
    """The format a file name asks for, from its extension (a folder: the folder format)."""
    from .pipeline import is_folder_target

    suffix = Path(path).suffix.lower()
    for spec in REGISTRY.values():
        if suffix and suffix in spec.extensions:
            return spec.name
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
