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

__all__ = ["ExportReport", "run_export", "check_target"]


@dataclass
class ExportReport:
    path: Path
    format: str
    written: str      # e.g. "465 triples" or "19 nodes, 21 edges"


def check_target(path: str | Path, format: str | None = None, *, inputs: Iterable = (), force: bool = False,
                 direct_only: bool = False, with_ontology: bool = False):
    """``(format name, exporter, whether the target is a folder)``, after every refusal that needs
    only the command line (an unknown format, a flag the format ignores, a missing folder, an
    input in the way): :func:`run_export` starts with it, and ``kgbuilder export`` calls it before
    it opens the graph, so a bad target is refused before a build. The write checks the target
    again (kgbuilder.atomic): the file system may change in between."""
    from ..atomic import check_output_path
    from .formats import by_extension, format_for_path, get_exporter, is_folder_target

    fmt = by_extension((format or format_for_path(path)).lower())
    exporter = get_exporter(fmt)
    for flag, on in (("--direct-only", direct_only), ("--with-ontology", with_ontology)):
        if on and exporter.kind != "rdf":
            raise ExportError(f"{flag} applies to the RDF formats only, not to {fmt}")
    folder = exporter.multi_file and is_folder_target(path)
    if exporter.multi_file and not folder and Path(path).suffix.lower() != exporter.file_extension:
        raise ExportError(f"{path}: {fmt} writes {', '.join(exporter.folder_files)}: give a folder "
                          f"or a {exporter.file_extension} file")
    check_output_path(path, list(inputs), folder=folder, force=force)
    return fmt, exporter, folder


def run_export(kg, path: str | Path, format: str | None = None, *, inputs: Iterable = (),
               focus: str | None = None, depth: int = 1, types: Iterable[str] = (),
               since: str | None = None, until: str | None = None, direct_only: bool = False,
               with_ontology: bool = False, verify: bool = True, force: bool = False,
               **options: Any) -> ExportReport:
    from ..atomic import atomic_folder, atomic_write

    inputs = list(inputs)
    fmt, exporter, folder = check_target(path, format, inputs=inputs, force=force, direct_only=direct_only,
                                         with_ontology=with_ontology)
    types = tuple(types)
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

    if folder:
        with atomic_folder(path, inputs, owned=exporter.folder_files, verify=check, force=force) as tmp:
            exporter.write_folder(view, tmp, **options)
    else:
        with atomic_write(path, inputs, verify=check, force=force) as out:
            exporter.serialize(view, out, **options)
    written = exporter.written
    if not written and Path(path).is_file():
        written = f"{Path(path).stat().st_size:,} bytes"
    return ExportReport(Path(path), fmt, written)
