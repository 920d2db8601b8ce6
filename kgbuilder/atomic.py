"""Write files and folders atomically: a temp beside the target, renamed when complete.

A failed or interrupted write leaves the previous output byte-identical and no
temporary file behind. ``verify`` callbacks run on the finished temp file,
before the rename, so a check that fails also leaves the old output in place.
``/dev/stdout``, a pipe or a device is written into instead, once the output is complete
(:func:`writes_into`).
"""
from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from .errors import ExportError

__all__ = ["atomic_write", "atomic_folder", "check_output_path", "sweep_stale", "writes_into", "WriteError"]

Verify = Callable[[Path], None]


def check_output_path(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), *,
                      folder: bool = False, force: bool = False) -> Path:
    """Refuse an output path that is (or holds) an input or lies inside a dataset folder
    (:func:`kgbuilder.safe_paths.check_output`), or whose parent folder does not exist.

    ``folder`` says the output is a folder (a CSV export): then an existing
    file in its place is refused instead of an existing folder.
    """
    from .safe_paths import check_output, kind_of

    out = Path(path)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent_kind, out_kind = kind_of(parent), kind_of(out)
    except OSError as exc:      # a name too long, a folder on the way that is not searchable
        raise ExportError(f"{out}: cannot write there: {exc.strerror}") from None
    out = check_output(path, inputs, folder=folder, force=force)
    if parent_kind != "dir":
        raise ExportError(f"{out}: folder {parent} does not exist")
    if not folder and out_kind == "dir":
        raise ExportError(f"{out}: is a folder, not a file")
    if folder and out_kind is not None and out_kind != "dir":
        raise ExportError(f"{out}: is a file, not a folder")
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temp_prefix(out: Path) -> str:
    # the writer's pid in the name lets a later run tell a dead writer's leftovers from a live one's
    return f".{out.name}.{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True          # someone else's process: leave its files alone
    return True


def sweep_stale(out: Path) -> list[Path]:
    """Remove the temp files and folders a killed writer of ``out`` left beside it."""
    parent = out.parent if str(out.parent) else Path(".")
    removed = []
    try:
        candidates = list(parent.glob(f".{glob.escape(out.name)}.*-*"))
    except OSError:
        return removed
    for p in candidates:
        pid, sep, rest = p.name[len(out.name) + 2:].partition("-")
        if not sep or not pid.isdigit() or not rest.endswith((".tmp", ".old")) or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed.append(p)
    return removed


class WriteError(ExportError, OSError):
    """Writing the output failed (a full disk, a quota, a file-size limit): an ExportError, so
    the CLI prints one line naming the target, and still the OSError it was for callers."""

    def __init__(self, message: str, errno: int | None = None):
        ExportError.__init__(self, message)
        self.errno = errno


def _write_failed(out: Path, exc: OSError) -> ExportError:
    return WriteError(f"{out}: cannot write: {exc.strerror or exc}", exc.errno)


_FD_LINK = re.compile(r"/(?:proc/(?:self|thread-self|[0-9]+)|dev)/fd/[0-9]+")


def writes_into(path: str | os.PathLike) -> bool:
    """Whether an output at ``path`` is written into rather than replaced: a character device
    or a FIFO (``/dev/null``, a shell's ``>(gzip > x)``), or an open file named through
    ``/dev/stdout``, ``/dev/fd/N`` or ``/proc/self/fd/N`` (whatever stdout is: renaming a file
    onto that name would replace the link, as root even ``/dev/stdout`` itself, and the data
    would never reach the file the shell opened). A block device or a socket is refused: no
    output is meant to land on a disk's raw blocks."""
    hop, seen = os.path.abspath(path), 0
    while seen < 40:                    # the kernel's own limit on links in a row
        if _FD_LINK.fullmatch(hop):
            return True
        try:
            target = os.readlink(hop)
        except (OSError, ValueError):
            break
        hop, seen = os.path.normpath(os.path.join(os.path.dirname(hop), target)), seen + 1
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False                    # nothing there (or a link loop): a file is made as usual
    if stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        what = "a block device" if stat.S_ISBLK(mode) else "a socket"
        raise ExportError(f"{path}: is {what}: refusing to write into it")
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), *,
                 verify: Verify | None = None, force: bool = False) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it replaces ``path``, on failure it vanishes.

    The previous file at ``path`` stays byte-identical unless the whole write
    (and ``verify(temp_path)``, if given) succeeds, and no temporary file is
    left behind either way (one a killed run left is swept on the next).

    An output that is written into (:func:`writes_into`: ``/dev/stdout``, a pipe, a device)
    is never replaced: the output goes to a temp file in the system's temp folder, is checked,
    and only then is appended to it (appended: ``{ echo x; kgbuilder ... -o /dev/stdout; } > f``
    keeps the ``x``), so a failed export sends nothing down the pipe.
    """
    out = check_output_path(path, inputs, force=force)
    parent = out.parent if str(out.parent) else Path(".")
    stream = writes_into(out)
    if not stream:
        sweep_stale(out)
    try:
        fd, tmp = tempfile.mkstemp(prefix="kgbuilder-" if stream else _temp_prefix(out), suffix=".tmp",
                                   dir=None if stream else parent)
    except OSError as exc:
        raise _write_failed(out, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if not stream:
                os.fsync(fh.fileno())
        if verify is not None:
            verify(Path(tmp))
        if stream:
            with open(tmp, "rb") as src, open(out, "ab") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            os.unlink(tmp)
            return
        if out.exists():
            # keep the permissions a user gave the previous file
            os.chmod(tmp, out.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, out)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, (BrokenPipeError, FileNotFoundError)):
            raise _write_failed(out, exc) from None
        raise


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), *,
                  owned: Iterable[str] = (), verify: Verify | None = None,
                  force: bool = False) -> Iterator[Path]:
    """Yield an empty temp folder; on success it replaces the folder ``path``.

    An existing folder is replaced only when it is empty or holds nothing but
    files named in ``owned`` (what an earlier export wrote), so pointing an
    export at a folder of other files is an error, not a deletion. POSIX
    cannot atomically swap a non-empty folder, so the old one is first renamed
    aside and restored if the second rename fails; either way the target holds
    a complete export.
    """
    out = check_output_path(path, inputs, folder=True, force=force)
    owned = set(owned)
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in owned)
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise ExportError(f"{out}: refusing to replace a folder that holds other files ({shown})")
    parent = out.parent if str(out.parent) else Path(".")
    sweep_stale(out)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(out), suffix=".tmp", dir=parent))
    except OSError as exc:
        raise _write_failed(out, exc) from None
    old: Path | None = None
    try:
        yield tmp
        if verify is not None:
            verify(tmp)
        mode = out.stat().st_mode & 0o7777 if out.is_dir() else 0o777 & ~_umask()
        os.chmod(tmp, mode)
        if out.is_dir():
            old = Path(tempfile.mkdtemp(prefix=_temp_prefix(out), suffix=".old", dir=parent))
            os.replace(out, old)   # onto an empty folder: allowed
            try:
                os.replace(tmp, out)
            except BaseException:
                os.replace(old, out)
                raise
        else:
            os.replace(tmp, out)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, (BrokenPipeError, FileNotFoundError)):
            raise _write_failed(out, exc) from None
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
