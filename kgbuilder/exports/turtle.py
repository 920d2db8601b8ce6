"""Turtle, with the ontology's and the dataset's prefixes, grouped by subject."""
from __future__ import annotations

from .base import RDFExporter

__all__ = ["TurtleExporter"]


class TurtleExporter(RDFExporter):
    name = "turtle"
    file_extension = ".ttl"
    media_type = "text/turtle"
    rdflib_format = "turtle"
    ox_format = "TURTLE"
    grouped = True
    pretty_limit = 50_000   # the cosmetic pass costs ~1 s per 100k statements

