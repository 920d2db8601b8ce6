"""N-Quads: one named graph per source, so provenance survives."""
from .base import RDFExporter

__all__ = ["NQuadsExporter"]


class NQuadsExporter(RDFExporter):
    name = "nquads"
    file_extension = ".nq"
    media_type = "application/n-quads"
    rdflib_format = "nquads"
    quads = True
