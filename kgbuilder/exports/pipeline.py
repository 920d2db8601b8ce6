"""One export from start to finish: select, transform, write to a temp, read back, rename.

The graph is first narrowed (kgbuilder.questions.subgraph) and reshaped
(views.direct_only / with_ontology), then written by the exporter into a
temporary file or folder beside the target, checked by ``exporter.verify``
and only then renamed into place (kgbuilder.atomic).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..errors import ExportError

__all__ = ["ExportReport", "run_export"]


@dataclass
class ExportReport:
    path: Path
    format: str
    written: str      # e.g. "465 triples" or "19 nodes, 21 edges"


def run_export(kg, path: str | Path, format: str | None = None, *, inputs: Iterable = (),
               focus: str | None = None, depth: int = 1, types: Iterable[str] = (),
               since: str | None = None, until: str | None = None, direct_only: bool = False,
               with_ontology: bool = False, verify: bool = True, force: bool = False,
               **options: Any) -> ExportReport:
    from ..atomic import atomic_folder, atomic_write
    from .formats import by_extension, format_for_path, get_exporter, is_folder_target

    fmt = (format or format_for_path(path)).lower()
    fmt = by_extension(fmt)
    exporter = get_exporter(fmt)
    types = tuple(types)
    for flag, on in (("--direct-only", direct_only), ("--with-ontology", with_ontology)):
        if on and exporter.kind != "rdf":
            raise ExportError(f"{flag} applies to the RDF formats only, not to {fmt}")
    view = kg
    if focus is not None or types or since is not None or until is not None:
        from ..questions.subgraph import subgraph

        view = subgraph(kg, focus=focus, depth=depth, types=types, since=since, until=until)
    if direct_only:
        from .views import direct_only as only_direct

        view = only_direct(view)
    if with_ontology:
        from .views import with_ontology as add_ontology

        view = add_ontology(view)

    def check(tmp: Path) -> None:
        if verify:
            exporter.verify(view, tmp, **options)
        if tmp.is_file() and tmp.stat().st_size == 0:
            raise ExportError(f"{fmt} export: nothing was written")

    inputs = list(inputs)
    if exporter.multi_file and is_folder_target(path):
        with atomic_folder(path, inputs, owned=exporter.folder_files, verify=check, force=force) as tmp:
            exporter.write_folder(view, tmp, **options)
    else:
        if exporter.multi_file and Path(path).suffix.lower() != exporter.file_extension:
            raise ExportError(f"{path}: {fmt} writes {', '.join(exporter.folder_files)}: give a folder "
                              f"or a {exporter.file_extension} file")
        with atomic_write(path, inputs, verify=check, force=force) as out:
            exporter.serialize(view, out, **options)
    written = exporter.written
    if not written and Path(path).is_file():
        written = f"{Path(path).stat().st_size:,} bytes"
    return ExportReport(Path(path), fmt, written)
