"""Write files atomically: a temp file beside the target, renamed when complete."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from .errors import ExportError

__all__ = ["atomic_write", "check_output_path"]


def check_output_path(path: str | os.PathLike, inputs: list[str | os.PathLike] = ()) -> Path:
    """Refuse an output path that is an input or whose folder does not exist."""
    out = Path(path)
    for inp in inputs:
        inp = Path(inp)
        if inp.exists() and out.exists() and out.resolve() == inp.resolve():
            raise ExportError(f"{out}: refusing to overwrite an input file")
        if inp.is_dir() and out.resolve().is_relative_to(inp.resolve()) and out.suffix in {".yaml", ".yml"}:
            raise ExportError(f"{out}: refusing to write a YAML file inside the dataset folder")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(f"{out}: folder {parent} does not exist")
    if out.is_dir():
        raise ExportError(f"{out}: is a folder, not a file")
    return out


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, inputs: list[str | os.PathLike] = ()) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it replaces ``path``, on failure it vanishes.

    The previous file at ``path`` stays byte-identical unless the whole write
    succeeds, and no temporary file is left behind either way.
    """
    out = check_output_path(path, inputs)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise ExportError(f"{out}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if out.exists():
            # keep the permissions a user gave the previous file
            os.chmod(tmp, out.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
