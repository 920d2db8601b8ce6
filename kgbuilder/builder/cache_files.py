"""Cache entries that cannot run code, cannot be planted and cannot be half-read.

The build cache holds pickles (the loader's dataclasses, fast to restore). A
pickle can run any code when loaded, so an entry is only read when

* every folder from the cache root down to it, and the entry itself, belongs to
  this user and is writable by nobody else (as ssh and pip require: another
  user's file in a world-writable ``$XDG_CACHE_HOME`` is never opened), no
  symlinks on the way;
* its SHA-256 (in its header) matches its bytes: a flipped byte, a truncated or
  half-written entry is dropped (and rebuilt by the caller), never answered;
* and, as a second wall, unpickling may only name the plain data classes on
  :data:`ALLOWED` - no ``os.system``, no ``builtins.eval``, whatever the bytes say.

Anything wrong means "no entry": the caller rebuilds, the cache only costs time.
A cache root that is not private is not used at all, with one warning line.
"""
from __future__ import annotations

import io
import os
try:
    import _pickle as pickle    # the C pickler itself: pickle.py costs every start ~2 ms (see sparql.worker)
except ImportError:
    import pickle
import stat
import sys
from pathlib import Path

TYPE_CHECKING = False   # annotations only: a warm query's path never imports typing (see __main__)
if TYPE_CHECKING:
    from typing import Any

from .digest import HEX_LENGTH, digest

__all__ = ["read_entry", "write_entry", "trusted_file", "write_file", "private_dir", "ALLOWED", "MAGIC"]

MAGIC = b"kgbuilder-cache 2\n"   # 2: BLAKE2b digests (1: SHA-256)
_DIGEST = HEX_LENGTH  # hex digest, then a newline

#: (module, name) pairs an entry may reconstruct: data, never behaviour
ALLOWED = frozenset({
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "dict"), ("builtins", "list"),
    ("builtins", "tuple"), ("builtins", "slice"), ("builtins", "complex"), ("builtins", "bytearray"),
    ("collections", "OrderedDict"), ("collections", "defaultdict"),
    ("pathlib", "PosixPath"), ("pathlib", "PurePosixPath"), ("pathlib", "Path"),
    ("datetime", "date"), ("datetime", "datetime"),
    ("decimal", "Decimal"),
    ("kgbuilder.errors", "Diagnostic"),
    ("kgbuilder.curation.yamlload", "LDict"), ("kgbuilder.curation.yamlload", "LList"),
    ("kgbuilder.curation.model", "CuratedDataset"), ("kgbuilder.curation.model", "Entity"),
    ("kgbuilder.curation.model", "Fact"), ("kgbuilder.curation.model", "Evidence"),
    ("kgbuilder.curation.model", "Source"), ("kgbuilder.curation.model", "DateValue"),
    # views kept with a build (builder.cache.Derived): plain data with networkx's or a resolver's shape
    ("kgbuilder.questions.netview", "NetView"), ("kgbuilder.resolve", "Resolver"),
    ("kgbuilder.kg_stats", "Stats"),
    ("rdflib.term", "URIRef"), ("rdflib.term", "Literal"), ("rdflib.term", "BNode"),
    ("pyoxigraph", "NamedNode"), ("pyoxigraph", "BlankNode"), ("pyoxigraph", "Literal"),
    ("pyoxigraph", "Quad"), ("pyoxigraph", "Triple"), ("pyoxigraph", "DefaultGraph"),
})

_warned: set[str] = set()


def _warn(root: Path, why: str) -> None:
    if str(root) not in _warned:
        _warned.add(str(root))
        from ..control_chars import escape_control    # the folder's name comes from the environment

        print(escape_control(f"warning: cache folder {root} {why}: not used (builds are not cached)"),
              file=sys.stderr)


def _private(st: os.stat_result) -> bool:
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _why_not(path: Path) -> str | None:
    try:
        st = os.lstat(path)
    except OSError:
        return "cannot be read"
    if stat.S_ISLNK(st.st_mode):
        return "is a symlink"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a folder"
    if st.st_uid != os.geteuid():
        return f"belongs to uid {st.st_uid}, not to you"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "is writable by other users"
    return None


def private_dir(root: Path, folder: Path, *, create: bool = False) -> bool:
    """True when ``folder`` (``root`` or below it) and every folder between are ours alone."""
    root = Path(root)
    if create:
        try:
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            _warn(root, f"cannot be made ({exc.strerror})")
            return False
    why = _why_not(root)
    if why is not None:
        try:
            there = root.exists() or root.is_symlink()
        except OSError:         # a name too long, a folder on the way not searchable: say so
            there = True
        if there:
            _warn(root, why)
        return False
    try:
        rel = Path(folder).relative_to(root)
    except ValueError:
        return False
    here = root
    for part in rel.parts:
        here = here / part
        if create:
            try:
                here.mkdir(mode=0o700)
            except FileExistsError:
                pass
            except OSError:
                return False
        if _why_not(here) is not None:
            return False
    return True


class _DataOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")
        return super().find_class(module, name)


def read_entry(root: Path, path: Path) -> Any:
    """The object stored at ``path`` (under the cache ``root``), or None if absent or not trusted."""
    path = Path(path)
    try:
        if not path.exists() or not private_dir(root, path.parent):
            return None
    except OSError:     # a cache folder the OS cannot look up (a name too long): nothing cached
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or not _private(st):
            return None
        data = fh.read()
    head = len(MAGIC) + _DIGEST + 1
    body = memoryview(data)[head:]          # not a copy: an entry can be hundreds of MB
    if (len(data) < head or not data.startswith(MAGIC)
            or data[len(MAGIC):head - 1] != digest(body).hexdigest().encode()):
        _drop(path)
        return None
    try:
        reader = io.BytesIO(data)           # shares ``data`` until written to
        reader.seek(head)
        return _DataOnly(reader).load()
    except Exception:           # an entry of older code, or one we refuse: rebuild
        _drop(path)
        return None


def _drop(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def write_entry(root: Path, path: Path, obj: Any) -> bool:
    """Store ``obj`` at ``path`` atomically (:func:`write_file`); a cache that cannot be
    written is only slower. True when it was written."""

    def make(tmp: Path) -> None:
        with open(tmp, "r+b") as fh:
            # the pickle is streamed to the file and hashed on the way, its digest written into
            # the header last: the body is never held whole in memory (twice, with the header)
            fh.write(MAGIC + b"0" * _DIGEST + b"\n")
            out = _Hashing(fh)
            pickle.dump(obj, out, protocol=-1)   # -1: the highest
            fh.seek(len(MAGIC))
            fh.write(out.hash.hexdigest().encode())

    try:
        return write_file(root, path, make)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return False     # not data the cache can hold; write_file removed the partial file


class _Hashing:
    """A binary file's ``write`` that also feeds the cache's digest."""

    def __init__(self, fh):
        self.fh, self.hash = fh, digest()

    def write(self, data) -> int:
        self.hash.update(data)
        return self.fh.write(data)


def trusted_file(root: Path, path: Path) -> bool:
    """Whether a kept file that is not a pickle (the graph questions' sqlite index) may be opened:
    a regular file, ours alone, in folders ours alone, no symlink on the way. Its reader checks
    its contents (it holds data only, never code)."""
    path = Path(path)
    if not private_dir(root, path.parent):
        return False
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and _private(st)


def write_file(root: Path, path: Path, make) -> bool:
    """Make ``path`` atomically: ``make(tmp)`` fills a private temporary file beside it, which is
    renamed into place only when ``make`` returns. False when the cache cannot hold it; what
    ``make`` raises otherwise is raised, the temporary file removed."""
    import tempfile             # only a write needs it (~6 ms to import on a warm command)

    path = Path(path)
    if not private_dir(root, path.parent, create=True):
        return False
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".file")   # mode 0600
        os.close(fd)
        make(Path(tmp))
        os.replace(tmp, path)
        return True
    except OSError:
        return False
    finally:
        if tmp and os.path.exists(tmp):
            _drop(Path(tmp))
