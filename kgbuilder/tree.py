"""Walk a folder tree the way every dataset listing needs: iteratively, hidden names skipped,
folder links listed but never entered.

One walker for the loader's file list (:func:`kgbuilder.curation.files.dataset_files`), the
output check's list of inputs (:func:`kgbuilder.safe_paths.loader_inputs`) and the shell
completion's entity ids. A stack, not recursion: ``Path.rglob`` and (before Python 3.12)
``os.walk`` recurse, and raise a RecursionError on a folder nested past Python's recursion
limit; ``os.scandir`` gives each entry's kind with the listing, without a stat per path.
"""
from __future__ import annotations

import os
from collections.abc import Container, Iterator
from pathlib import Path

__all__ = ["walk"]


def walk(root: str | os.PathLike, *, skip_top: Container[str] = ()) -> Iterator[tuple[tuple[str, ...], os.DirEntry]]:
    """``(parts relative to root, entry)`` for everything under ``root``, in no set order:
    names that start with a dot are skipped (and not entered), as are the top-level names in
    ``skip_top``; a link to a folder is yielded and not entered; unreadable folders are passed over."""
    todo: list[tuple[Path, tuple[str, ...]]] = [(Path(root), ())]
    while todo:
        folder, rel = todo.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or (not rel and entry.name in skip_top):
                continue
            here = (*rel, entry.name)
            yield here, entry
            try:
                inside = entry.is_dir(follow_symlinks=False)
            except OSError:
                inside = False
            if inside:
                todo.append((folder / entry.name, here))
