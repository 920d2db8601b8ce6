"""JSON-LD, compacted with a context of only the prefixes used."""
from .base import RDFExporter

__all__ = ["JSONLDExporter"]


class JSONLDExporter(RDFExporter):
    name = "jsonld"
    file_extension = ".jsonld"
    media_type = "application/ld+json"
    rdflib_format = "json-ld"
