"""Which files make up a dataset folder (no parsing: the warm path lists and hashes them)."""
from __future__ import annotations

from pathlib import Path

__all__ = ["BULK_SUFFIXES", "MAX_FILE_BYTES", "dataset_files"]

#: the largest YAML file the loader reads (kept here, not in yamlload: the warm path checks
#: it without importing PyYAML)
MAX_FILE_BYTES = 8 * 1024 * 1024

#: files of fact rows (CSV, JSON Lines), read by kgbuilder.curation.bulk
BULK_SUFFIXES = (".csv", ".jsonl")


def dataset_files(root: Path) -> list[Path]:
    """The YAML and bulk (CSV, JSONL) files of a dataset other than dataset.yaml, in a stable
    order, and any symlink to a folder: those are not followed, and the loader says so rather
    than leave their files out without a word. Hidden names and the top-level ``queries``
    folder are skipped."""
    import os

    from ..tree import walk

    found: list[tuple[tuple[str, ...], Path]] = []
    for here, entry in walk(root, skip_top=("queries",)):
        try:
            link = entry.is_symlink()
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError:
            continue
        if is_dir and link:
            found.append((here, Path(root, *here)))
        elif is_file and os.path.splitext(entry.name)[1] in _SUFFIXES and here != ("dataset.yaml",):
            found.append((here, Path(root, *here)))
    return [path for _, path in sorted(found)]


_SUFFIXES = (".yaml", ".yml", *BULK_SUFFIXES)
