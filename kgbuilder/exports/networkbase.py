"""What GraphML and GEXF share: a networkx graph of typed scalar attributes, read back to check."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ExportError
from .base import Exporter, counted

__all__ = ["NetworkExporter"]


class NetworkExporter(Exporter):
    """Entities as nodes, facts between entities as edges (see netrows)."""

    kind = "network"

    def graph(self, kg):
        """A MultiDiGraph of the rows' typed scalars (absent cells left out).

        Ids are the elements' own (node id, edge key), never an attribute named
        ``id``: igraph keeps its own ``id`` and warns about a clash.
        """
        import networkx as nx

        from .netrows import network_rows

        rows = network_rows(kg)
        G = nx.MultiDiGraph(**{k: v for k, v in rows.graph.items() if v})
        for row in rows.nodes:
            G.add_node(row["id"], **{k: v for k, v in row.items() if v is not None and v != "" and k != "id"})
        for row in rows.edges:
            attrs = {k: v for k, v in row.items()
                     if v is not None and v != "" and k not in ("id", "source", "target")}
            G.add_edge(row["source"], row["target"], key=row["id"], **attrs)
        self.rows = rows
        self._counts = (G.number_of_nodes(), G.number_of_edges())
        self.written = counted(G.number_of_nodes(), "node") + ", " + counted(G.number_of_edges(), "edge")
        return G

    def read(self, path: Path):
        raise NotImplementedError

    def verify(self, kg, path: Path, **options: Any) -> None:
        try:
            H = self.read(path)
        except Exception as exc:  # noqa: BLE001 - any reader failure means a broken file
            raise ExportError(f"the written {self.name} does not read back: {exc}") from None
        got = (H.number_of_nodes(), H.number_of_edges())
        if got != self._counts:
            raise ExportError(f"{self.name} export: wrote {self._counts[0]} nodes and {self._counts[1]} "
                              f"edges but read back {got[0]} and {got[1]}")
