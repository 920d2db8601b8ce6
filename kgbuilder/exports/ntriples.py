"""N-Triples: one triple a line, for streaming tools."""
from .base import RDFExporter

__all__ = ["NTriplesExporter"]


class NTriplesExporter(RDFExporter):
    name = "ntriples"
    file_extension = ".nt"
    media_type = "application/n-triples"
    rdflib_format = "nt"
