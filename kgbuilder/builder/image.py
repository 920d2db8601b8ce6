"""A small graph's image: its quads as N-Quads, kept with its build, loaded into memory by a
warm query instead of opening the on-disk store.

Opening an Oxigraph store read-only costs RocksDB ~18 ms whatever the graph's size (it starts
and joins ~180 threads, 15 for each of its column families), and two to three times that beside
a busy CPU, which is where a warm ``kgbuilder query`` opens it (its command loads click on the
other CPU meanwhile). Loading N-Quads into an in-memory store costs ~2-3 µs a quad, one
thread: ~10-15 ms for the Kazakhstan graph's 5,645 quads. So a build of at most
:data:`IMAGE_MAX_QUADS` quads keeps an image of itself (``Derived.file``: beside the views kept
with the build, under its build id, written atomically, gone with the next build), and
:func:`open_image` answers from it. Same engine, same quads (the image is the store's own
N-Quads dump), so the same answers; bench/README.md has the figures.

The image ends with a comment line holding the BLAKE2b digest of what comes before it, as the
cache's pickles carry theirs: an image that is cut short, or has a byte changed, is not used
(the store is opened instead), and one that checks out is parsed without validating its IRIs
again (``lenient``: ~35% of the parse).
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from .digest import digest

__all__ = ["IMAGE_MAX_QUADS", "IMAGE", "keep_image", "write_image", "open_image"]

#: the largest graph (in quads) that keeps an image. In a fresh process, reading, checking and
#: loading an image took 17-18 ms for 5,000 generated quads, 33-36 ms for 10,000 and 62-63 ms
#: for 20,000, alone as beside a busy CPU; RocksDB's read-only open took 19 ms alone and 49 ms
#: beside a busy CPU, which is where a warm query opens it (medians of 9, bench/README.md)
IMAGE_MAX_QUADS = 10_000
#: its name among the views kept with a build (``Derived.file``)
IMAGE = "image.nq"

_TRAILER = re.compile(rb"# kgbuilder image blake2b=([0-9a-f]{64})\n\Z")


def keep_image(derived, store, facts: int) -> Path | None:
    """Keep the image of the build in ``store`` (a read-only on-disk store) with its views
    ``derived``, when it holds at most :data:`IMAGE_MAX_QUADS` quads; its path, or None (too
    big, blank nodes, or the cache cannot hold it). ``facts``, the build's fact count, spares
    counting the quads of a graph that has more facts than that (each fact makes at least one
    quad). A build makes no blank nodes; a graph that had some keeps no image all the same,
    since a load gives them new labels and its answers would not be the store's."""
    if facts > IMAGE_MAX_QUADS or len(store) > IMAGE_MAX_QUADS or _has_blank_nodes(store):
        return None
    return derived.file(IMAGE, lambda path: write_image(store, path))


def _has_blank_nodes(store) -> bool:
    import pyoxigraph as ox

    return any(isinstance(t, ox.BlankNode) for q in store.ox_quads() for t in (q.subject, q.object, q.graph_name))


def write_image(store, path: Path) -> None:
    """Write the image of ``store`` to ``path``: its N-Quads, then the digest line."""
    buf = io.BytesIO()
    store.dump("nquads", buf)
    body = buf.getvalue()
    if body and not body.endswith(b"\n"):
        body += b"\n"
    with open(path, "wb") as out:
        out.write(body)
        out.write(b"# kgbuilder image blake2b=" + digest(body).hexdigest().encode() + b"\n")


def open_image(path: Path | None, store_path: str | Path):
    """The graph in the image at ``path`` as a read-only in-memory
    :class:`~kgbuilder.store.oxigraph.OxigraphStore` standing for the on-disk store at
    ``store_path``; None when there is no image, or it does not check out (then open the store)."""
    if path is None:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    cut = data.rfind(b"\n", 0, len(data) - 1) + 1
    found = _TRAILER.match(data, cut)
    if found is None or digest(memoryview(data)[:cut]).hexdigest().encode() != found.group(1):
        return None
    from ..store.oxigraph import OxigraphStore

    try:
        return OxigraphStore.from_nquads(data, stands_for=store_path)
    except (SyntaxError, ValueError, OSError):
        return None
