"""The build pipeline and its caches: one pipeline at every size.

:func:`incremental_build` loads, validates (the loader's checks, then the SHACL
shapes compiled to SPARQL) and builds a dataset into an Oxigraph store. An
unchanged dataset is not reloaded, rebuilt or revalidated, and a change to
one file costs in proportion to the change. Everything lives in
``$KGBUILDER_CACHE_DIR`` (default ``$XDG_CACHE_HOME/kgbuilder`` or
``~/.cache/kgbuilder``), written atomically through :mod:`.cache_files` (private
folders only, a checksum per entry, data classes only: a planted, flipped or
half-written entry is dropped and rebuilt, never run or answered):

* per file, the parsed items (keyed by the file's hash) and the validated
  facts with their problems (keyed by the file's hash and a fingerprint of
  every entity, so renaming an entity re-resolves every file);
* a persistent store (``oxigraph:PATH``, or the one ``auto`` keeps in the
  cache folder) is patched: every quad of a fact hangs off its subject, so the
  quads of the subjects whose facts changed are rebuilt from all files' facts
  and swapped in, and the SHACL checks rerun on the nodes those quads touch.
  A change to ``dataset.yaml``, the ontology, the shapes or any entity
  rebuilds the store;
* with the store, its state: when no input changed, :func:`incremental_build`
  only hashes the files and opens the store read-only (nothing is parsed),
  and views computed from the build (the networkx view, the counts of
  ``stats``) are kept beside it (:class:`Derived`) until the next change.
"""
from __future__ import annotations

import contextlib
import functools
import os
from collections import namedtuple
from pathlib import Path

from .digest import HEX_LENGTH, digest

__all__ = ["cache_dir", "incremental_build", "Built", "Derived", "derived_of", "estimate_facts", "dataset_store_path", "state_path", "build_id_of",
           "cache_usable"]


def cache_dir() -> Path:
    env = os.environ.get("KGBUILDER_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "kgbuilder"


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the code that turns files into quads.

    The version number alone is not enough: a development checkout changes the
    loader or builder without bumping it, and a cache built by older code must
    not be served as if it were current. Every module counts, by its path in the
    package (a moved or renamed module changes the key too) and its bytes. Reading
    them all costs a warm command ~10 ms, so the hash of the bytes is remembered in
    the cache under the modules' paths, sizes and modification times: any edit,
    checkout or reinstall changes those and the bytes are hashed again.
    """
    from .. import __version__

    pkg = Path(__file__).resolve().parent.parent
    paths = _modules(pkg)
    stat_key = digest(__version__.encode())
    for rel, path in paths:
        st = os.stat(path)
        stat_key.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    memo = cache_dir() / "code" / (stat_key.hexdigest()[:32] + ".pickle")
    known = _read_pickle(memo)
    if isinstance(known, str) and len(known) == HEX_LENGTH:
        return known
    h = digest(__version__.encode())
    for rel, path in paths:
        with open(path, "rb") as fh:
            h.update(rel.encode() + b"\0" + fh.read() + b"\0")
    fingerprint = h.hexdigest()
    _write_pickle(memo, fingerprint)
    return fingerprint


def _modules(pkg: Path) -> list[tuple[str, str]]:
    """(path in the package, path) of every module under ``pkg``, sorted. os.walk rather than
    ``Path.rglob``: a third of the time (~1 ms for ~90 modules), and __pycache__ is skipped."""
    out = []
    for folder, dirs, files in os.walk(pkg):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        rel = os.path.relpath(folder, pkg).replace(os.sep, "/")
        out += [((f if rel == "." else f"{rel}/{f}"), os.path.join(folder, f)) for f in files if f.endswith(".py")]
    return sorted(out)


# ---------------------------------------------------------------- incremental build

# 2: one copy of each quad (no union default graph); the state split in two files
# 3: the heavy state's origins packed in two strings
FILES_FORMAT = 3


def _hash_file(h, path: Path) -> None:
    """Stream ``path`` into ``h``: the size is known before a byte is read, and a file over
    the loader's limits is hashed as its size and time (the loader refuses it anyway)."""
    from ..safe_paths import open_file

    try:
        fh = open_file(path)        # a FIFO named dataset.yaml is not waited on: the loader says what it is
        if fh is None:
            h.update(b"<not a file>")
            return
        with fh:
            st = os.fstat(fh.fileno())
            h.update(f"{st.st_size}\0".encode())
            if _over_cap(path, st.st_size):
                h.update(f"{st.st_mtime_ns}".encode())
                return
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError:
        h.update(b"<missing>")


def _over_cap(path: Path, size: int) -> bool:
    """A YAML file the loader refuses unread (over its size limit): not worth reading to hash."""
    from ..curation.files import MAX_FILE_BYTES

    return path.suffix in (".yaml", ".yml") and size > MAX_FILE_BYTES


def _hash_bytes(data: bytes) -> str:
    return digest(data).hexdigest()


def _dataset_dir(root: Path) -> Path:
    return cache_dir() / (digest(str(root.resolve()).encode()).hexdigest()[:24] + ".d")


def cache_usable() -> bool:
    """Whether the cache folder is ours alone (else nothing is kept there, with one warning)."""
    from .cache_files import private_dir

    root = cache_dir()
    return private_dir(root, root, create=True)


def dataset_store_path(root: Path) -> Path:
    """Where ``auto`` keeps the Oxigraph store of a large dataset."""
    return _dataset_dir(Path(root)) / "oxigraph"


def _read_pickle(path: Path):
    """The entry at ``path`` if it is there and trusted (see :mod:`.cache_files`), else None."""
    from .cache_files import read_entry

    return read_entry(cache_dir(), path)


def _read_hit(path: Path, display: str):
    """A per-file entry ``(display, value, diagnostics)`` for the file shown as ``display``."""
    hit = _read_pickle(path)
    if isinstance(hit, tuple) and len(hit) == 3 and hit[0] == display and isinstance(hit[1], list) \
            and isinstance(hit[2], list):
        return hit
    return None


def _write_pickle(path: Path, obj) -> bool:
    """Atomically; a cache that cannot be written is only slower, never wrong. True when written."""
    from .cache_files import write_entry

    return write_entry(cache_dir(), path, obj)


def _store_looks_whole(path: Path) -> bool:
    """RocksDB's entry point is there: CURRENT names a MANIFEST file that exists."""
    try:
        # bytes: a text read imports the ascii codec (~0.3 ms of every warm command)
        name = (path / "CURRENT").read_bytes().strip()
    except OSError:
        return False
    return (name.isascii() and name.startswith(b"MANIFEST-") and b"/" not in name
            and (path / name.decode()).is_file())


def _drop_broken_store(path: Path, *, whole_or_not: bool = False) -> bool:
    """Remove the store ``auto`` keeps in the cache folder when RocksDB's entry point is broken
    (or, ``whole_or_not``, when it could not be opened for writing) and nobody holds its lock.
    A user's own ``oxigraph:PATH`` is never removed: opening it fails with RocksDB's reason.
    True when it was removed."""
    if not path.is_dir() or not any(path.iterdir()) or (not whole_or_not and _store_looks_whole(path)):
        return False
    if not _in_cache(path):
        return False
    import fcntl
    import shutil

    try:
        with open(path / "LOCK", "a") as fh:
            fcntl.lockf(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)     # RocksDB's own lock: a writer is at work
            fcntl.lockf(fh, fcntl.LOCK_UN)
    except OSError:
        return False
    shutil.rmtree(path, ignore_errors=True)
    return True


def _in_cache(path: Path) -> bool:
    """Whether ``path`` is in the cache folder (a user's own ``oxigraph:PATH`` is left as it is)."""
    try:
        path.resolve().relative_to(cache_dir().resolve())
    except ValueError:
        return False
    return True


def _prune_info_logs(store_path: str) -> None:
    """Remove RocksDB's old info logs from the cache's own store: each open for writing keeps
    the last one as LOG.old.<time> (~140 KB), up to a thousand of them, and nothing reads them."""
    path = Path(store_path)
    if store_path and _in_cache(path):
        for old in path.glob("LOG.old.*"):
            old.unlink(missing_ok=True)


def _open_for_writing(spec: str, store_path: str):
    """The store to build into; the cache's own copy is started afresh when RocksDB cannot open it."""
    from ..errors import KGBuilderError
    from ..store.base import open_store

    try:
        store = open_store(spec)
    except KGBuilderError:
        if not (store_path and _drop_broken_store(Path(store_path), whole_or_not=True)):
            raise
        store = open_store(spec)
    _prune_info_logs(store_path)
    return store


def _forget_state(state_file: Path) -> None:
    """Make the next build of this store a full one (its files could not be opened)."""
    try:
        state_file.unlink()
    except OSError:
        pass


def _meta_key(root: Path) -> str:
    from ..schemas import ontology_path, shapes_path

    h = digest(f"kgbuilder {code_fingerprint()} files {FILES_FORMAT}\0".encode())
    for path in (root / "dataset.yaml", ontology_path(), shapes_path()):
        _hash_file(h, path)
        h.update(b"\0")
    return h.hexdigest()


#: a dataset file: ``rel`` (str), ``path`` (Path), ``sha`` (its digest), ``bulk`` (a CSV/TSV file),
#: ``rows`` (its newline count: the size estimate for ``auto``)
_File = namedtuple("_File", "rel path sha bulk rows")


def _scan(root: Path) -> list[_File]:
    from ..curation.files import BULK_SUFFIXES, dataset_files

    out = []
    for path in dataset_files(root):
        h, rows = digest(), 0
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if _over_cap(path, size):
                    h.update(f"{size} {os.fstat(fh.fileno()).st_mtime_ns}".encode())
                while not _over_cap(path, size) and (chunk := fh.read(1 << 20)):   # streamed
                    h.update(chunk)
                    rows += chunk.count(b"\n")
        except OSError:
            h.update(b"<unreadable>")
        out.append(_File(path.relative_to(root).as_posix(), path, h.hexdigest(),
                         path.suffix in BULK_SUFFIXES, rows))
    return out


def estimate_facts(root: str | Path) -> int:
    """About how many facts a dataset holds: bulk rows plus YAML lines / 4.

    Only the order of magnitude matters: it picks the store for ``auto``.
    """
    from ..curation.files import BULK_SUFFIXES, dataset_files

    n = 0
    for path in dataset_files(Path(root)):
        try:
            size = path.stat().st_size
        except OSError:
            continue
        # a CSV row is ~100-200 bytes; a YAML fact ~4 lines of ~40 bytes
        n += size // 120 if path.suffix in BULK_SUFFIXES else size // 160
    return n


def _entity_fingerprint(meta_key: str, ds, yaml_items) -> str:
    """Everything about entities that another file's facts can depend on."""
    h = digest(meta_key.encode())
    for e in ds.entities.values():
        h.update(repr((e.id, e.type, e.label, e.aliases, sorted(e.labels.items()), e.is_event)).encode())
    for items in yaml_items:
        for kind, _, item, _ in items:
            if kind.startswith("events") and isinstance(item, dict) and "claimed_by" in item:
                h.update(repr((item.get("id"), item.get("claimed_by"))).encode())
    return h.hexdigest()


def _fact_key(f) -> tuple:
    """Everything the quads and origins of a fact depend on (its line is in kg:file)."""
    return (f.subject, f.predicate, f.object, f.value, f.datatype, f.lang, repr(sorted(f.qualifiers.items())),
            tuple((e.source, e.quote, e.file, e.line) for e in f.evidence), f.file, f.line)


class Built:
    """What :func:`incremental_build` made: the store, the curated dataset, the
    origins (IRI -> ``file:line``), the problems, and how much work it took
    (``mode``: full, delta or unchanged). ``curated`` and ``origins`` of an
    unchanged build are read from the cache only when first asked for."""

    def __init__(self, curated, store, origins, diagnostics, *, mode: str = "full", facts: int = 0,
                 timings: dict | None = None, derived=None, info: dict | None = None):
        self._curated, self._origins = curated, origins
        self.store = store
        self.diagnostics = diagnostics
        self.mode = mode
        self.facts = facts
        self.timings = timings or {}
        self.derived = derived          # Derived, for a persistent store
        self.info = info or {}          # the dataset's base, prefix, id and title

    @property
    def curated(self):
        if callable(self._curated):
            self._curated = self._curated()
        return self._curated

    @property
    def origins(self) -> dict:
        if callable(self._origins):
            self._origins = self._origins()
        return self._origins


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Python's cyclic garbage collector off for the block (back on after, unless it was off).

    A build makes millions of objects that live until it ends (the curated dataset, the
    statement index, the origins) and no reference cycles: each collection of the oldest
    generation walked all of them again, for nothing (a build at 100k facts with it off
    collected 0 objects at the end, and its peak RSS was the same). With it paused, the
    Python side of a 100k-fact build (reading, validating, making quads) took 7.1 s of CPU
    instead of 10.0 s."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@_cyclic_gc_paused()
def incremental_build(root: str | Path, spec: str = "oxigraph", *, shacl: bool = True,
                      use_cache: bool = True) -> Built:
    """Load, validate and build ``root`` into an Oxigraph store, reusing every
    per-file result whose inputs did not change (see the module docstring).

    ``spec`` is ``memory`` or ``oxigraph`` (in memory: always filled, but
    unchanged files are not re-validated) or ``oxigraph:PATH`` (persistent:
    patched in place, opened read-only when nothing changed).
    """
    import time

    from ..store.base import open_store
    from ..store.oxigraph import trim_heap

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    root = Path(root)
    ddir = _dataset_dir(root)
    kind, _, store_path = spec.partition(":")
    if kind not in ("memory", "oxigraph"):
        raise ValueError(f"incremental_build needs an Oxigraph store spec, not {spec!r}")
    persistent = bool(store_path)
    state_file = state_path(root, store_path) if persistent else None
    state = _read_pickle(state_file) if (use_cache and state_file) else None
    if not _state_ok(state):
        state = None          # none, older, broken, or a build that died half-way: rebuild
    if persistent and _drop_broken_store(Path(store_path)):
        state = None
    meta_key = _meta_key(root)
    files = _scan(root)
    resolved = str(Path(store_path).resolve()) if persistent else None
    display = _display(root / "dataset.yaml")
    timings["scan_s"] = time.perf_counter() - t0
    if (state is not None and state.get("complete") and state.get("meta_key") == meta_key
            and state.get("path") == resolved and state.get("display") == display
            and state.get("files") == {f.rel: f.sha for f in files}
            and (state.get("shacl_checked") or not shacl) and Path(store_path).is_dir()):
        # nothing changed: open the store as it is (on first use: a command that answers from
        # the views kept with the build never opens it), parse nothing. A store whose CURRENT
        # file does not name a manifest that is there is rebuilt now; one RocksDB cannot open
        # later drops the state, so that the next run rebuilds it.
        store = None
        if _store_looks_whole(Path(store_path)):
            store = open_store(spec, read_only=True, lazy=True,
                               on_failure=functools.partial(_forget_state, state_file))
        if store is not None:
            heavy = _Heavy(state_file, root)
            timings["total_s"] = time.perf_counter() - t0
            return Built(heavy.curated, store, heavy.origins, list(state["diagnostics"]) if shacl else [],
                         mode="unchanged", facts=state["facts"], timings=timings,
                         derived=Derived(ddir / "derived", state["build_id"]), info=state["info"])

    from .quads import build_quads
    from ..curation.load import _Loader
    from ..schemas.ontology import load_ontology
    from ..progress import progress

    onto = load_ontology()
    loader = _Loader(root, onto)
    ds = loader.load_meta()
    if ds is None:
        return Built(None, None, {}, sorted(set(loader.diags), key=_diag_key))
    ds.files = [f.path for f in files]
    if state is not None:
        heavy = _read_heavy(state_file)
        state.update(heavy if heavy is not None else {"complete": False})

    # pass 1: YAML files into items (cached by content); bulk files are read in pass 2
    items_of: dict[str, list] = {}
    p1_diags: list = []
    for f in files:
        if f.bulk:
            # read row by row in pass 2; load_doc refuses a symlink out of the dataset here
            items_of[f.rel] = loader.load_doc(f.path)
            continue
        cpath = ddir / "items" / f"{_hash_bytes((loader.display(f.path) + chr(0) + f.sha).encode())}.pickle"
        hit = _read_hit(cpath, loader.display(f.path)) if use_cache else None
        if hit is not None:
            items_of[f.rel], diags = hit[1], hit[2]
        else:
            start = len(loader.diags)
            items_of[f.rel] = loader.load_doc(f.path)
            diags = loader.diags[start:]
            del loader.diags[start:]
            if use_cache:
                _write_pickle(cpath, (loader.display(f.path), items_of[f.rel], diags))
        p1_diags.extend(diags)
    loader.diags.extend(p1_diags)
    loader.register_entities(ds, [it for f in files for it in items_of[f.rel]])
    fp = _entity_fingerprint(meta_key, ds, [items_of[f.rel] for f in files if not f.bulk])
    timings["entities_s"] = time.perf_counter() - t0

    # (register_entities has copied each event's claimed_by to the event: every file's facts need it)

    # pass 2: facts and problems per file (cached by content + entity fingerprint)
    loader._entities = ds.entities
    facts_of: dict[str, list] = {}

    def pass2(f: _File, keep: bool = True) -> list:
        if f.rel in facts_of:
            return facts_of[f.rel]
        cpath = _facts_path(ddir, loader.display(f.path), f.sha, fp)
        hit = _read_hit(cpath, loader.display(f.path)) if use_cache else None
        if hit is not None:
            facts, diags = hit[1], hit[2]
        else:
            start_f, start_d = len(ds.facts), len(loader.diags)
            loader.load_items(ds, items_of[f.rel])
            facts, diags = ds.facts[start_f:], loader.diags[start_d:]
            del ds.facts[start_f:]
            del loader.diags[start_d:]
            if use_cache:
                _write_pickle(cpath, (loader.display(f.path), facts, diags))
        if keep:
            facts_of[f.rel] = facts
        loader.diags.extend(diags)
        return facts

    old_files = state["files"] if state else {}
    new_files = {f.rel: f for f in files}
    changed = sorted(r for r in set(old_files) | set(new_files)
                     if r not in old_files or r not in new_files or old_files[r] != new_files[r].sha)
    can_patch = (persistent and state is not None and state.get("complete") and state.get("fp") == fp
                 and state.get("meta_key") == meta_key and state.get("path") == resolved
                 and state.get("display") == display and Path(store_path).is_dir())
    store = None
    origins: dict = {}
    results: list = []
    subjects: dict[str, set] = {}
    n_facts = 0
    mode = "full"
    if can_patch:
        from ..errors import KGBuilderError

        try:
            store = open_store(spec)
            _prune_info_logs(store_path)
        except KGBuilderError:
            # the cache's own copy that RocksDB cannot open is removed and built afresh
            if not _drop_broken_store(Path(store_path), whole_or_not=True):
                raise
            can_patch = False
    if can_patch:
        for f in files:
            if f.rel in changed:
                pass2(f)
        timings["validate_s"] = time.perf_counter() - t0
        diags = sorted(set(loader.diags), key=_diag_key)
        if diags:
            return Built(ds, None, {}, diags, facts=state.get("facts", 0), timings=timings)
        if shacl and not state.get("shacl_checked"):
            changed_shacl = True
        else:
            changed_shacl = False
        if not changed:
            origins, results, n_facts, mode = state["origins"], list(state["shacl"]), state["facts"], \
                "unchanged"
        else:
            try:
                origins, results, n_facts = _patch(ds, store, state, changed, new_files, fp, pass2, ddir, shacl)
                subjects = state["subjects"]
                mode = "delta"
            except _NoPatch:
                can_patch = False
        if can_patch and changed_shacl:
            results = _shacl_results(store, None)
            mode = "delta" if mode == "unchanged" else mode
    if not can_patch:
        # one pass: validate each file and, while nothing is wrong, build it into the store
        building = not loader.diags
        if persistent and state_file is not None:
            _write_pickle(state_file, {"format": FILES_FORMAT, "complete": False})
        if building:
            store = store or _open_for_writing(spec, store_path)
            store.clear()
        seen: dict = {}
        # the quads go to the engine as they are made, through one bulk load that runs beside
        # this loop (Store.loading); once a file has a problem nothing more is written
        with (store.loading() if building else contextlib.nullcontext()) as sink:
            if building:
                meta = build_quads(ds, onto, part="meta", terms="nq")
                origins = dict(meta.origins)
                sink.write("".join(meta.quads).encode())
                del meta
            with progress(files, label="validating and building") as bar:
                for f in bar:
                    before = len(loader.diags)
                    facts = pass2(f, keep=False)
                    subjects[f.rel] = {x.subject for x in facts}
                    n_facts += len(facts)
                    building = building and len(loader.diags) == before
                    if not building:
                        continue
                    res = build_quads(ds, onto, part="facts", facts=facts, seen=seen, terms="nq")
                    origins.update(res.origins)
                    sink.write("".join(res.quads).encode())
                    del res, facts
            timings["validate_s"] = time.perf_counter() - t0
        del seen
        trim_heap()
        diags = sorted(set(loader.diags), key=_diag_key)
        if diags:
            return Built(ds, None, {}, diags, facts=n_facts, timings=timings)
        timings["load_s"] = time.perf_counter() - t0
        results = _shacl_results(store, None) if shacl else []
    timings["shacl_s"] = time.perf_counter() - t0
    trim_heap()
    sh_diags = []
    if shacl and results:
        from .shacl_sparql import diagnostics_for

        sh_diags = diagnostics_for(store, results, origins)
    derived = None
    info = {"base": ds.base, "prefix": ds.prefix, "id": ds.id, "title": ds.title}
    if persistent and state_file is not None:
        build_id = state.get("build_id") if (state and mode == "unchanged") else None
        if build_id is None:
            import uuid

            build_id = uuid.uuid4().hex
            _clear_derived(ddir / "derived")
        derived = Derived(ddir / "derived", build_id)
        fresh = mode != "unchanged" or not (state and state.get("build_id"))
        if fresh:
            store.close()
            for r in list(subjects):
                if r not in new_files:
                    del subjects[r]
            # the heavy part first: a light state never points at a missing or older heavy one
            kept = _write_pickle(_heavy_path(state_file), {
                "subjects": subjects, "origins": _pack_origins(origins), "shacl": results, "curated": ds})
            _write_pickle(state_file, {
                "format": FILES_FORMAT, "complete": True, "meta_key": meta_key, "fp": fp, "path": resolved,
                "display": display, "files": {f.rel: f.sha for f in files},
                "displays": {f.rel: loader.display(f.path) for f in files},
                "facts": n_facts, "shacl_checked": shacl, "diagnostics": sh_diags if shacl else [],
                "build_id": build_id, "info": info,
            })
            if kept:
                # the origins (two entries per fact, ~0.4 GB at 1M facts) are read back from the
                # heavy state when asked for, as after an unchanged open, not kept by every graph
                origins = _Heavy(state_file, root).origins
    if persistent and store is not None:
        # hand out the store read-only: closing the writable handle ends RocksDB's background
        # work, so a query worker forked later cannot inherit a lock held by one of its threads
        store.close()
        del store
        import gc

        gc.collect()
        store = open_store(spec, read_only=True)
        if derived is not None and fresh and _in_cache(Path(store_path)):
            # a small graph's copy for warm queries; not of a user's own oxigraph:PATH, which
            # other tools may write to under the same build
            from .image import keep_image

            keep_image(derived, store, n_facts)
    timings["total_s"] = time.perf_counter() - t0
    return Built(ds, store, origins, sh_diags, mode=mode, facts=n_facts, timings=timings, derived=derived,
                 info=info)


def _display(path: Path) -> str:
    """How the loader names a file in messages (relative to the working folder when inside it)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _heavy_path(state_file: Path) -> Path:
    return state_file.with_name("heavy-" + state_file.name.removeprefix("state-"))


def state_path(root: str | Path, store_path: str | Path | None = None) -> Path:
    """The (light) state entry kept beside an on-disk store of ``root`` (by default the
    one ``auto`` keeps in the cache folder)."""
    store_path = Path(store_path) if store_path is not None else dataset_store_path(Path(root))
    return _dataset_dir(Path(root)) / ("state-" + digest(str(store_path.resolve()).encode()).hexdigest()[:16]
                                       + ".pickle")


class _Heavy:
    """The big part of a store's state (curated entities, origins), read only when asked for."""

    def __init__(self, state_file: Path, root: Path):
        self.path = _heavy_path(state_file)
        self.root = root
        self._data = None

    def _load(self) -> dict:
        if self._data is None:
            data = _read_heavy(self.path)
            if data is None:
                # dropped as untrusted or broken: rebuild it rather than answer without it
                built = incremental_build(self.root, "memory", shacl=False)
                data = {"curated": built.curated, "origins": built.origins}
            self._data = data
        return self._data

    def curated(self):
        return self._load().get("curated")

    def origins(self) -> dict:
        return self._load().get("origins") or {}


class Derived:
    """Views computed from one build (the networkx view, stats), pickled beside
    the store under the build's id; a new build gets a new id and clears them."""

    def __init__(self, folder: Path, build_id: str):
        self.folder = folder
        self.build_id = build_id
        self._memo: dict = {}

    def get(self, name: str, compute):
        if name in self._memo:
            return self._memo[name]
        path = self.folder / f"{name}-{self.build_id}.pickle"
        value = _read_pickle(path)
        if value is None:
            value = compute()
            _write_pickle(path, value)
        self._memo[name] = value
        return value

    def file(self, name: str, make) -> Path | None:
        """A view kept as a file of its own, read in pieces rather than unpickled whole (the
        graph questions' index): ``make(path)`` writes it when it is missing. None when the
        cache cannot hold it."""
        from .cache_files import write_file

        kept = self.kept(name)
        if kept is not None:
            return kept
        path = self._file_path(name)
        return path if write_file(cache_dir(), path, make) else None

    def kept(self, name: str) -> Path | None:
        """The file :meth:`file` keeps as ``name``, when it is there and may be opened."""
        from .cache_files import trusted_file

        path = self._file_path(name)
        return path if trusted_file(cache_dir(), path) else None

    def _file_path(self, name: str) -> Path:
        return self.folder / f"{name}-{self.build_id}"


def derived_of(state_file: str | Path, build_id: str) -> Derived:
    """The views kept with the build ``build_id`` of the store whose state entry is ``state_file``."""
    return Derived(Path(state_file).parent / "derived", build_id)


def _clear_derived(folder: Path) -> None:
    try:
        for path in folder.iterdir():       # the pickled views and the files (Derived.file)
            if not path.is_dir():
                path.unlink(missing_ok=True)
    except OSError:
        pass


#: what the light state (read by every command) and the heavy one (read to patch, or for
#: the origins and the curated dataset) must hold
_STATE_KEYS = {"format": int, "complete": bool, "meta_key": str, "fp": str, "display": str, "files": dict,
               "displays": dict, "facts": int, "shacl_checked": bool, "diagnostics": list, "build_id": str,
               "info": dict}
_HEAVY_KEYS = {"subjects": dict, "origins": tuple, "shacl": list}


def _state_ok(state) -> bool:
    """A complete state of this format with every key the build reads (a build killed
    half-way leaves ``complete: False`` and nothing else)."""
    return (isinstance(state, dict) and state.get("format") == FILES_FORMAT and state.get("complete") is True
            and all(isinstance(state.get(k), t) for k, t in _STATE_KEYS.items()))


def build_id_of(state_file: str | Path) -> str | None:
    """The id of the complete build the state entry at ``state_file`` records; None when there
    is none, or it is incomplete (a build at work) or untrusted. Two opens of an on-disk store
    that see the same id see the same graph."""
    state = _read_pickle(Path(state_file))
    return state["build_id"] if _state_ok(state) else None


def _read_heavy(state_file: Path) -> dict | None:
    """The heavy state kept beside ``state_file`` (or at that heavy path), its origins
    unpacked; None when it is missing, untrusted or not whole."""
    path = state_file if state_file.name.startswith("heavy-") else _heavy_path(state_file)
    heavy = _read_pickle(path)
    if not (isinstance(heavy, dict) and all(isinstance(heavy.get(k), t) for k, t in _HEAVY_KEYS.items())):
        return None
    origins = _unpack_origins(heavy["origins"])
    if origins is None:
        return None
    return {**heavy, "origins": origins}


def _pack_origins(origins: dict[str, str]) -> tuple[str, str]:
    """The origins as two NUL-separated strings (neither an IRI nor a path holds a NUL). The
    pickler memoizes every object of a dict it writes, a transient entry for each of two
    million strings at 1M facts; two strings are written as they are."""
    return "\0".join(origins), "\0".join(origins.values())


def _unpack_origins(packed) -> dict[str, str] | None:
    if len(packed) != 2 or not all(isinstance(x, str) for x in packed):
        return None
    if not packed[0]:
        return {}
    keys, values = packed[0].split("\0"), packed[1].split("\0")
    return dict(zip(keys, values)) if len(keys) == len(values) else None


def _facts_path(ddir: Path, display: str, sha: str, fp: str) -> Path:
    """Per file and content: a renamed file has other facts (their file names differ)."""
    return ddir / "facts" / f"{_hash_bytes(chr(0).join((display, sha, fp)).encode())}.pickle"


def _diag_key(d):
    return (d.file, d.line or 0, d.column or 0, d.message)


def _shacl_results(store, focus):
    from .shacl_sparql import run_checks

    return run_checks(store, _compiled_checks(), focus)


def _compiled_checks():
    """The shapes compiled to SPARQL, kept in the cache under the shapes', the ontology's and
    the code's hash: compiling parses both files with rdflib (~0.3 s with its import), which a
    build would otherwise pay every time. Kept as plain tuples (the cache reads no classes of
    its own)."""
    import dataclasses

    from ..schemas import ontology_path, shapes_path
    from .shacl_sparql import Check, compile_shapes

    h = digest(f"checks {code_fingerprint()}\0".encode())
    for path in (shapes_path(), ontology_path()):
        _hash_file(h, path)
        h.update(b"\0")
    entry = cache_dir() / "checks" / (h.hexdigest()[:32] + ".pickle")
    kept = _read_pickle(entry)
    n = len(dataclasses.fields(Check))
    if isinstance(kept, list) and kept and all(
            isinstance(t, tuple) and len(t) == n and all(isinstance(x, (str, bool)) for x in t) for t in kept):
        return tuple(Check(*t) for t in kept)
    checks = compile_shapes()
    _write_pickle(entry, [dataclasses.astuple(c) for c in checks])
    return checks


def _patch(ds, store, state, changed, new_files, fp, pass2, ddir, shacl):
    """Swap in the quads of the subjects whose facts changed; rerun SHACL on what they touch."""
    from .quads import build_quads

    subjects_of: dict[str, set] = state["subjects"]
    old_files: dict[str, str] = state["files"]
    old_display: dict[str, str] = state["displays"]
    old_facts: dict[str, list] = {}
    affected: set[str] = set()
    for rel in changed:
        old = []
        if rel in old_files:
            hit = _read_hit(_facts_path(ddir, old_display[rel], old_files[rel], fp), old_display[rel])
            if hit is None:
                raise _NoPatch()
            old = hit[1]
        old_facts[rel] = old
        new = pass2(new_files[rel]) if rel in new_files else []
        subjects_of[rel] = {f.subject for f in new}
        by_old: dict[str, list] = {}
        by_new: dict[str, list] = {}
        for f in old:
            by_old.setdefault(f.subject, []).append(f)
        for f in new:
            by_new.setdefault(f.subject, []).append(f)
        for s in set(by_old) | set(by_new):
            a, b = by_old.get(s, []), by_new.get(s, [])
            if [_fact_key(x) for x in a] != [_fact_key(x) for x in b]:
                affected.add(s)

    def gather(version: str) -> list:
        """Every fact about an affected subject, in the old or new file order."""
        out = []
        for rel in (old_files if version == "old" else new_files):
            if version == "old" and rel in old_facts:
                facts = old_facts[rel]
            elif (version == "new" and rel in changed) or (subjects_of.get(rel, set()) & affected):
                facts = pass2(new_files[rel])
            else:
                continue
            out.extend(f for f in facts if f.subject in affected)
        return out

    origins = state["origins"]
    old_res = build_quads(ds, part="facts", facts=gather("old"), terms="nq")
    new_res = build_quads(ds, part="facts", facts=gather("new"), terms="nq")
    old_lines, new_lines = set(old_res.quads), set(new_res.quads)
    gone, added = old_lines - new_lines, new_lines - old_lines
    if gone:
        store.remove_nquads("".join(gone))
    if added:
        store.bulk_load("".join(added).encode())
    for k in old_res.origins:
        origins.pop(k, None)
    origins.update(new_res.origins)
    touched = {line[1:line.index(">")] for line in gone | added}
    results = list(state["shacl"])
    if shacl:
        results = [r for r in results if r[0].value not in touched]
        results += _shacl_results(store, touched) if touched else []
    n_facts = state.get("facts", 0) + sum(len(pass2(new_files[r])) for r in changed if r in new_files) \
        - sum(len(v) for v in old_facts.values())
    return origins, results, n_facts


class _NoPatch(Exception):
    pass
