"""TriG: Turtle with named graphs (one per source)."""
from .base import RDFExporter

__all__ = ["TriGExporter"]


class TriGExporter(RDFExporter):
    name = "trig"
    file_extension = ".trig"
    media_type = "application/trig"
    rdflib_format = "trig"
    quads = True
