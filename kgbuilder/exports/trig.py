"""TriG: Turtle with named graphs (one per source), so provenance survives."""
from __future__ import annotations

from .base import RDFExporter

__all__ = ["TriGExporter"]


class TriGExporter(RDFExporter):
    name = "trig"
    file_extension = ".trig"
    media_type = "application/trig"
    rdflib_format = "trig"
    ox_format = "TRIG"
    grouped = True
    quads = True
    pretty_limit = 50_000   # as for Turtle

