"""Which files make up a dataset folder (no parsing: the warm path lists and hashes them)."""
from __future__ import annotations

from pathlib import Path

__all__ = ["BULK_SUFFIXES", "MAX_FILE_BYTES", "dataset_files", "has_dataset_yaml", "not_a_dataset_folder"]

#: the largest YAML file the loader reads (kept here, not in yamlload: the warm path checks
#: it without importing PyYAML)
MAX_FILE_BYTES = 8 * 1024 * 1024

#: files of fact rows (CSV, JSON Lines), read by kgbuilder.curation.bulk
BULK_SUFFIXES = (".csv", ".jsonl")


def not_a_dataset_folder(path) -> str | None:
    """Why ``path`` cannot be opened as a dataset folder, in a few words; None when it is a
    folder (what is in it is the loader's to judge)."""
    from ..safe_paths import kind_of

    try:
        kind = kind_of(path)
    except OSError as exc:      # a name too long, a folder on the way that is not searchable
        return f"cannot read: {exc.strerror}"
    if kind == "dir":
        return None
    return "no such dataset folder" if kind is None else "is a file, not a dataset folder"


def has_dataset_yaml(path) -> bool:
    """Whether the folder ``path`` holds a dataset.yaml file (False too when the OS cannot look
    it up: the command then says what is wrong with the folder)."""
    from ..safe_paths import kind_of

    try:
        return kind_of(Path(path, "dataset.yaml")) == "file"
    except OSError:
        return False


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
