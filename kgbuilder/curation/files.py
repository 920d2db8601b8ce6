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
    than leave their files out without a word."""
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or rel.parts[0] == "queries":
            continue
        if path.is_symlink() and path.is_dir():
            out.append(path)
        elif path.is_file() and path.suffix in (".yaml", ".yml", *BULK_SUFFIXES) and rel != Path("dataset.yaml"):
            out.append(path)
    return out
