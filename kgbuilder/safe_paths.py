"""Where kgbuilder may write, and which dataset files it may read.

The one check every writer (build, export, query -o, neighbors -o) goes
through, via :func:`kgbuilder.atomic.check_output_path`:

* never over a file the loader reads (dataset.yaml, the YAML/CSV/JSONL files,
  the saved queries), nor over a folder that holds one, not even with --force;
* never inside a dataset folder (one with a dataset.yaml, found by walking up
  from the output) unless ``force`` says so, and even then not a file with an
  extension the loader would pick up as a new input on the next run.

And the symlink policy of the loader: a link inside a dataset that resolves
outside the dataset folder is refused (it would let a dataset read
/etc/shadow, or merge a file from elsewhere into the graph), while links that
stay inside the folder are fine.
"""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from .errors import ExportError

__all__ = ["check_output", "dataset_root_of", "loader_inputs", "link_outside", "kind_of", "open_file", "read_at_most",
           "INPUT_SUFFIXES"]

#: what the loader reads inside a dataset folder (bulk files, YAML) and the saved queries
INPUT_SUFFIXES = frozenset({".yaml", ".yml", ".csv", ".jsonl", ".rq"})


def kind_of(path: str | os.PathLike) -> str | None:
    """What is at ``path``, links followed: ``"dir"``, ``"file"`` (a regular file) or
    ``"other"``; None when nothing is, as pathlib says (a dangling link, a link loop, a NUL in
    the name). Raises OSError when the OS cannot look the path up at all (a name longer than
    it takes, a folder on the way that is not searchable): pathlib's ``is_dir`` and
    ``is_file`` raise there too, so every caller says in its own words what it cannot do."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EBADF):
            return None
        raise
    return "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def open_file(path: str | os.PathLike, *, files_only: bool = True):
    """``path`` opened for reading, in binary; None when ``files_only`` and it is no regular
    file (a FIFO, a device, a folder). Judged on the open file, so nothing can be swapped in
    between a check and the open, and opened non-blocking, so a FIFO with no writer does not
    hang the open itself (reads from a regular file do not block either way). OSError for what
    the OS refuses. ``files_only=False`` opens anything, as ``open`` does (``-f <(...)``)."""
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_NONBLOCK", 0) if files_only else 0))
    if files_only and not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return os.fdopen(fd, "rb")


def read_at_most(path: str | os.PathLike, limit: int, *, files_only: bool = True) -> bytes | None:
    """At most ``limit`` bytes of ``path``, opened by :func:`open_file` (None: no regular file,
    with ``files_only``); a caller reads ``cap + 1`` to tell a file over its cap. OSError for
    what the OS refuses."""
    fh = open_file(path, files_only=files_only)
    if fh is None:
        return None
    with fh:
        return fh.read(limit)


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):      # a symlink loop: judge the path as written
        return Path(os.path.abspath(path))


def dataset_root_of(path: str | os.PathLike) -> Path | None:
    """The dataset folder (it holds dataset.yaml) that ``path`` is in, if any."""
    p = _resolve(Path(path))
    for folder in (p, *p.parents):
        try:
            if kind_of(folder / "dataset.yaml") == "file" or kind_of(folder / "dataset.yml") == "file":
                return folder
        except OSError as exc:  # fail closed: a folder we cannot look into may be a dataset's
            raise ExportError(f"{folder}: cannot tell whether it is a dataset folder: {exc.strerror}") from None
    return None


def loader_inputs(root: Path) -> set[Path]:
    """Every file the loader (or ``query --name``) may read in the dataset ``root``, resolved.

    The loader's own rule (curation.load.dataset_files), widened rather than imported so this
    check stays at the bottom layer with the atomic writer: dataset.yaml, every YAML, CSV and
    JSON Lines file outside hidden folders, and the saved queries.
    """
    from .tree import walk

    root = Path(root)
    found = {root / "dataset.yaml", root / "dataset.yml"}
    for here, entry in walk(root):
        if os.path.splitext(entry.name)[1].lower() in INPUT_SUFFIXES:
            found.add(root.joinpath(*here))
    return {_resolve(p) for p in found if p.exists()}


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def check_output(out: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), *,
                 folder: bool = False, force: bool = False) -> Path:
    """Refuse an output that is (or holds) an input, or lies inside a dataset folder.

    ``inputs`` are the dataset folders and files this command reads; the
    dataset folder around ``out`` (if any) is protected too, whoever reads it.
    """
    out = Path(out)
    target = _resolve(out)
    roots: list[Path] = []
    files: list[Path] = []
    for inp in inputs:
        r = _resolve(Path(inp))
        try:
            (roots if kind_of(r) == "dir" else files).append(r)
        except OSError as exc:
            raise ExportError(f"{inp}: cannot read: {exc.strerror}") from None
    around = dataset_root_of(target.parent)
    if around is not None and around not in roots:
        roots.append(around)
    for f in files:
        if target == f or (folder and _inside(f, target)):
            raise ExportError(f"{out}: refusing to overwrite an input file ({f})")
    for root in roots:
        if target == root:
            raise ExportError(f"{out}: refusing to overwrite an input folder")
        if folder and _inside(root, target):
            raise ExportError(f"{out}: refusing to replace a folder that holds the dataset {root}")
        if not _inside(target, root):
            continue
        read = loader_inputs(root)
        hit = [p for p in read if p == target or (folder and _inside(p, target))]
        if hit:
            what = "an input file" if hit[0] == target else f"a folder that holds the input {hit[0]}"
            raise ExportError(f"{out}: refusing to overwrite {what} of the dataset {root}")
        if not force:
            raise ExportError(f"{out}: refusing to write inside the dataset folder {root} "
                              "(write elsewhere, or add --force)")
        if not folder and target.suffix.lower() in INPUT_SUFFIXES:
            raise ExportError(f"{out}: refusing to write a {target.suffix} file inside the dataset folder "
                              f"{root}: the next run would read it as input")
    return out


def link_outside(root: Path, path: Path) -> Path | None:
    """Where ``path`` really is when a symlink takes it outside ``root``, else None."""
    real = _resolve(path)
    if _inside(real, _resolve(root)):
        return None
    return real
