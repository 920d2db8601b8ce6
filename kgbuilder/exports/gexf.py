"""GEXF for Gephi, with time intervals so that its timeline works.

An edge's interval is its fact's date, or start..end, as whole days: a
year-precision ``2019`` starts on 2019-01-01, a month ``2022-01`` ends on
2022-01-31 (the curated text stays in the ``date`` attribute). An event node
lives on its date. Anything undated has no interval, which Gephi shows at
every point of the timeline.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from .networkbase import NetworkExporter

__all__ = ["GEXFExporter", "interval"]


def interval(date: str | None, start: str | None, end: str | None) -> dict[str, str]:
    """``{"start": ..., "end": ...}`` in ISO days for GEXF (either may be missing)."""
    from ..questions.subgraph import date_span

    out: dict[str, str] = {}
    if date and (span := date_span(date)):
        return {"start": span[0].isoformat(), "end": span[1].isoformat()}
    if start and (span := date_span(start)):
        out["start"] = span[0].isoformat()
    if end and (span := date_span(end)):
        out["end"] = span[1].isoformat()
    return out


class GEXFExporter(NetworkExporter):
    name = "gexf"
    file_extension = ".gexf"
    media_type = "application/gexf+xml"

    def serialize(self, kg, out: BinaryIO, **options: Any) -> None:
        import networkx as nx

        G = self.graph(kg)
        for _, d in G.nodes(data=True):
            d.update(interval(d.get("date"), None, None))
        for _, _, key, d in G.edges(keys=True, data=True):
            # the start/end columns become the interval Gephi's timeline reads
            span = interval(d.get("date"), d.pop("start", None), d.pop("end", None))
            d.update(span)
            d["id"] = key       # networkx writes it as the edge's id, not as an attribute
        if any("start" in d or "end" in d for _, _, d in G.edges(data=True)):
            G.graph["mode"] = "dynamic"
        nx.write_gexf(G, out, encoding="utf-8", prettyprint=True)

    def read(self, path: Path):
        import networkx as nx

        return nx.read_gexf(path)
