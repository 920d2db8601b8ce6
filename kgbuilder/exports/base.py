"""The small base class every exporter shares."""
from __future__ import annotations

from typing import Any, BinaryIO, ClassVar

__all__ = ["Exporter", "RDFExporter"]


class Exporter:
    """One output format: a name, a file extension, a media type and ``serialize``."""

    name: ClassVar[str] = ""
    file_extension: ClassVar[str] = ""
    media_type: ClassVar[str] = ""
    #: rdf, network, table or page: what kind of output this is
    kind: ClassVar[str] = "rdf"
    #: True when the output is a folder or archive rather than one file
    multi_file: ClassVar[bool] = False

    def serialize(self, kg, out: BinaryIO, **options: Any) -> None:
        raise NotImplementedError


class RDFExporter(Exporter):
    """An RDF syntax written by rdflib's serializer."""

    rdflib_format: ClassVar[str] = ""
    #: whether the format keeps named graphs
    quads: ClassVar[bool] = False

    def rdflib_graph(self, kg, **options: Any):
        if self.quads:
            ds = kg.dataset
            for name, ns in kg.prefixes.items():
                ds.bind(name, ns, override=True, replace=True)
            return ds
        return kg.graph

    def serialize(self, kg, out: BinaryIO, **options: Any) -> None:
        graph = self.rdflib_graph(kg, **options)
        graph.serialize(destination=out, format=self.rdflib_format, encoding="utf-8")
