"""GraphML for network tools (Gephi, Cytoscape, yEd, networkx)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from .networkbase import NetworkExporter

__all__ = ["GraphMLExporter"]


class GraphMLExporter(NetworkExporter):
    name = "graphml"
    file_extension = ".graphml"
    media_type = "application/graphml+xml"

    def serialize(self, kg, out: BinaryIO, **options: Any) -> None:
        import networkx as nx

        nx.write_graphml(self.graph(kg), out, encoding="utf-8", prettyprint=True)

    def read(self, path: Path):
        import networkx as nx

        return nx.read_graphml(path, force_multigraph=True)
