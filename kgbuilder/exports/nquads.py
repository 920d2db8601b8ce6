"""N-Quads: one named graph per source, so provenance survives (checked by pyoxigraph)."""
from typing import BinaryIO

from .base import RDFExporter

__all__ = ["NQuadsExporter"]


class NQuadsExporter(RDFExporter):
    name = "nquads"
    file_extension = ".nq"
    media_type = "application/n-quads"
    rdflib_format = "nquads"
    ox_format = "N_QUADS"
    quads = True
    pretty_limit = 0

    def write_oxigraph(self, kg, hub, out: BinaryIO) -> None:
        # the hub's text is already one canonical line per statement, or the store writes
        # them (parsed back by pyoxigraph before the rename like every export)
        hub.write_lines(out)
