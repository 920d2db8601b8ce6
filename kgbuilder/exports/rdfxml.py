"""RDF/XML, for older tools (written by pyoxigraph, one rdf:Description per subject)."""
from __future__ import annotations

from .base import RDFExporter

__all__ = ["RDFXMLExporter"]


class RDFXMLExporter(RDFExporter):
    name = "rdfxml"
    file_extension = ".rdf"
    media_type = "application/rdf+xml"
    rdflib_format = "pretty-xml"
    ox_format = "RDF_XML"
    grouped = True
    # rdflib's pretty-xml nests resources inside each other, which is harder
    # to read than a flat list of descriptions and slow: pyoxigraph always.
    pretty_limit = 0

