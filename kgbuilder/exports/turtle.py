"""Turtle, with the ontology's and the dataset's prefixes."""
from .base import RDFExporter

__all__ = ["TurtleExporter"]


class TurtleExporter(RDFExporter):
    name = "turtle"
    file_extension = ".ttl"
    media_type = "text/turtle"
    rdflib_format = "turtle"
