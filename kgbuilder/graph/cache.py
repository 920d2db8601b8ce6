"""A build cache: an unchanged dataset is not reloaded, rebuilt or revalidated.

The key is a hash of every input that can change the graph: each dataset
file's path and bytes, the ontology, the shapes and kgbuilder's version. Any
change gives a new key, so the cache is never stale. Entries live in
``$KGBUILDER_CACHE_DIR`` (default ``$XDG_CACHE_HOME/kgbuilder`` or
``~/.cache/kgbuilder``), one pickle per dataset folder, written atomically.
The cache folder is the user's own; nothing from elsewhere is unpickled.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

__all__ = ["cache_dir", "dataset_key", "load_cached", "store_cached"]

FORMAT = 1


def cache_dir() -> Path:
    env = os.environ.get("KGBUILDER_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "kgbuilder"


def dataset_key(root: Path) -> str:
    from .. import __version__
    from .load import dataset_files
    from .ontology import ontology_path, shapes_path

    h = hashlib.sha256(f"kgbuilder {__version__} cache {FORMAT}\0".encode())
    files = [root / "dataset.yaml", *dataset_files(root)]
    for path in files:
        h.update(str(path.relative_to(root)).encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<missing>")
        h.update(b"\0")
    for path in (ontology_path(), shapes_path()):
        h.update(path.read_bytes())
    return h.hexdigest()


def _entry(root: Path) -> Path:
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]
    return cache_dir() / f"{name}.pickle"


def load_cached(root: Path, key: str):
    """The cached (curated, quads, origins) for ``root`` if its key matches, else None."""
    path = _entry(root)
    try:
        with open(path, "rb") as fh:
            entry = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    return entry["curated"], entry["quads"], entry["origins"]


def store_cached(root: Path, key: str, curated, quads, origins) -> None:
    """Save a build; failures to write the cache are ignored (it is only a cache)."""
    import tempfile

    path = _entry(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({"key": key, "curated": curated, "quads": quads, "origins": origins}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except (OSError, NameError):
            pass
