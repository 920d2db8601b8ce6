"""CSV for spreadsheets: nodes.csv and edges.csv, in a folder or a .zip.

UTF-8 without a byte-order mark, a header row, RFC 4180 quoting (quotes may
hold commas, quote marks and newlines). Columns: see netrows; the same names
as the GraphML and GEXF attributes, numbers written plainly, booleans as
true/false, an absent value as an empty cell.
"""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import ExportError
from .base import Exporter, counted

__all__ = ["CSVExporter"]

FILES = ("nodes.csv", "edges.csv")


def _write(rows: list[dict], columns: list[str], fh) -> None:
    from .netrows import cell

    w = csv.writer(fh, lineterminator="\r\n")
    w.writerow(columns)
    w.writerows([cell(row[c]) for c in columns] for row in rows)


class CSVExporter(Exporter):
    name = "csv"
    file_extension = ".zip"
    media_type = "application/zip"
    kind = "table"
    multi_file = True
    folder_files = FILES

    def _rows(self, kg):
        from .netrows import network_rows

        rows = network_rows(kg)
        self._counts = (len(rows.nodes), len(rows.edges))
        self.written = counted(len(rows.nodes), "node") + ", " + counted(len(rows.edges), "edge")
        return rows

    def serialize(self, kg, out: BinaryIO, **options: Any) -> None:
        """A zip archive holding nodes.csv and edges.csv."""
        rows = self._rows(kg)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name, items, cols in (("nodes.csv", rows.nodes, rows.node_columns),
                                      ("edges.csv", rows.edges, rows.edge_columns)):
                with z.open(name, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh:
                    _write(items, cols, fh)

    def write_folder(self, kg, folder: Path, **options: Any) -> None:
        rows = self._rows(kg)
        for name, items, cols in (("nodes.csv", rows.nodes, rows.node_columns),
                                  ("edges.csv", rows.edges, rows.edge_columns)):
            with open(folder / name, "w", encoding="utf-8", newline="") as fh:
                _write(items, cols, fh)

    def verify(self, kg, path: Path, **options: Any) -> None:
        counts = []
        try:
            if path.is_dir():
                for name in FILES:
                    with open(path / name, encoding="utf-8", newline="") as fh:
                        counts.append(sum(1 for _ in csv.DictReader(fh)))
            else:
                with zipfile.ZipFile(path) as z:
                    for name in FILES:
                        with z.open(name) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh:
                            counts.append(sum(1 for _ in csv.DictReader(fh)))
        except (OSError, csv.Error, zipfile.BadZipFile, KeyError, UnicodeDecodeError) as exc:
            raise ExportError(f"the written CSV does not read back: {exc}") from None
        if tuple(counts) != self._counts:
            raise ExportError(f"csv export: wrote {self._counts[0]} nodes and {self._counts[1]} edges "
                              f"but read back {counts[0]} and {counts[1]}")
