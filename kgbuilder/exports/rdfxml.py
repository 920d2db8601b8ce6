"""RDF/XML, for older tools."""
from .base import RDFExporter

__all__ = ["RDFXMLExporter"]


class RDFXMLExporter(RDFExporter):
    name = "rdfxml"
    file_extension = ".rdf"
    media_type = "application/rdf+xml"
    rdflib_format = "pretty-xml"
