"""N-Triples: one triple a line, for streaming tools (the lines kgbuilder encodes, checked by pyoxigraph)."""
from typing import BinaryIO

from .base import RDFExporter

__all__ = ["NTriplesExporter"]


class NTriplesExporter(RDFExporter):
    name = "ntriples"
    file_extension = ".nt"
    media_type = "application/n-triples"
    rdflib_format = "nt"
    ox_format = "N_TRIPLES"
    pretty_limit = 0      # a line format: nothing to gain from rdflib's slower writer

    def write_oxigraph(self, kg, hub, out: BinaryIO) -> None:
        # the hub's text is already one canonical line per statement, or the store writes
        # them (parsed back by pyoxigraph before the rename like every export)
        hub.write_lines(out)
