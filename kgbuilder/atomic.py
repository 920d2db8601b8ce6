"""Write files and folders atomically: a temp beside the target, renamed when complete.

A failed or interrupted write leaves the previous output byte-identical and no
temporary file behind. ``verify`` callbacks run on the finished temp file,
before the rename, so a check that fails also leaves the old output in place.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from .errors import ExportError

__all__ = ["atomic_write", "atomic_folder", "check_output_path"]

Verify = Callable[[Path], None]


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output_path(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), *,
                      folder: bool = False) -> Path:
    """Refuse an output path that is an input, or whose parent folder does not exist.

    ``folder`` says the output is a folder (a CSV export): then an existing
    file in its place is refused instead of an existing folder.
    """
    out = Path(path)
    for inp in inputs:
        inp = Path(inp)
        if _same(out, inp) or out.resolve() == inp.resolve():
            raise ExportError(f"{out}: refusing to overwrite an input {'folder' if inp.is_dir() else 'file'}")
        if inp.is_dir() and out.resolve().is_relative_to(inp.resolve()) and out.suffix in {".yaml", ".yml"}:
            raise ExportError(f"{out}: refusing to write a YAML file inside the dataset folder")
        if folder and inp.resolve().is_relative_to(out.resolve()):
            raise ExportError(f"{out}: refusing to replace a folder that holds the input {inp}")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(f"{out}: folder {parent} does not exist")
    if not folder and out.is_dir():
        raise ExportError(f"{out}: is a folder, not a file")
    if folder and out.exists() and not out.is_dir():
        raise ExportError(f"{out}: is a file, not a folder")
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), *,
                 verify: Verify | None = None) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it replaces ``path``, on failure it vanishes.

    The previous file at ``path`` stays byte-identical unless the whole write
    (and ``verify(temp_path)``, if given) succeeds, and no temporary file is
    left behind either way.
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
        if verify is not None:
            verify(Path(tmp))
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


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), *,
                  owned: Iterable[str] = (), verify: Verify | None = None) -> Iterator[Path]:
    """Yield an empty temp folder; on success it replaces the folder ``path``.

    An existing folder is replaced only when it is empty or holds nothing but
    files named in ``owned`` (what an earlier export wrote), so pointing an
    export at a folder of other files is an error, not a deletion. POSIX
    cannot atomically swap a non-empty folder, so the old one is first renamed
    aside and restored if the second rename fails; either way the target holds
    a complete export.
    """
    out = check_output_path(path, inputs, folder=True)
    owned = set(owned)
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in owned)
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise ExportError(f"{out}: refusing to replace a folder that holds other files ({shown})")
    parent = out.parent if str(out.parent) else Path(".")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise ExportError(f"{out}: cannot write: {exc.strerror}") from None
    old: Path | None = None
    try:
        yield tmp
        if verify is not None:
            verify(tmp)
        mode = out.stat().st_mode & 0o7777 if out.is_dir() else 0o777 & ~_umask()
        os.chmod(tmp, mode)
        if out.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            os.replace(out, old)   # onto an empty folder: allowed
            try:
                os.replace(tmp, out)
            except BaseException:
                os.replace(old, out)
                raise
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
