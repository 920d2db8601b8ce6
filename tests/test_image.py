"""kgbuilder/builder/image.py: a small graph keeps an image of itself (its N-Quads and their
digest) with its build, and a warm query's worker loads it into memory instead of opening the
on-disk store; an image that does not check out is never used."""
from __future__ import annotations

from pathlib import Path

import pytest

import kgbuilder
from kgbuilder import kg as kgmod
from kgbuilder.builder import cache, image
from kgbuilder.builder.digest import digest
from kgbuilder.dataset import preopen_recipe
from kgbuilder.sparql.query import collect, saved_queries
from kgbuilder.sparql.safety import check_query
from kgbuilder.store.oxigraph import OxigraphStore

KAZAKHSTAN = Path(__file__).resolve().parent.parent / "datasets" / "kazakhstan-2022"


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KGBUILDER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(kgmod, "_PREOPENED", [])
    return tmp_path / "cache"


def _images(root: Path) -> list[Path]:
    return sorted((cache.dataset_store_path(root).parent / "derived").glob(image.IMAGE + "-*"))


def _preopened(root: Path):
    kgmod.preopen(preopen_recipe(root)[1])
    return kgmod._PREOPENED.pop()[3]


def _answers(store, kg, text: str):
    checked = check_query(text, kg.prefixes)
    raw = store._st.query(checked.text, use_default_graph_as_union=True)
    return collect(raw, text, None, checked.ordered)


def _values(result) -> list[tuple[str, ...]]:
    return [tuple(str(t) for t in row) for row in result.rows]


def test_a_small_build_keeps_its_image_and_a_warm_worker_answers_every_saved_query_from_it(fresh_cache):
    kg = kgbuilder.open_graph(KAZAKHSTAN)
    state = cache.state_path(KAZAKHSTAN)
    built = cache.build_id_of(state)
    assert _images(KAZAKHSTAN) == [cache.derived_of(state, built).kept(image.IMAGE)]
    assert _images(KAZAKHSTAN)[0].name == f"image.nq-{built}"
    early = _preopened(KAZAKHSTAN)
    assert early.in_memory and early.read_only and early.is_open
    assert str(early.path) == str(cache.dataset_store_path(KAZAKHSTAN))
    assert repr(early) == f"<OxigraphStore in memory, a copy of the one on disk at {early.path}, read-only>"
    disk = OxigraphStore(cache.dataset_store_path(KAZAKHSTAN), read_only=True)
    assert not disk.in_memory and len(early) == len(disk) > 5000
    queries = saved_queries(KAZAKHSTAN)
    assert len(queries) >= 5
    for q in queries:
        text = q.path.read_text(encoding="utf-8")
        mine, theirs = _answers(early, kg, text), _answers(disk, kg, text)
        assert mine == theirs and len(mine) > 0, q.name
    early.release()
    disk.release()


def test_a_warm_query_answers_from_the_image(fresh_cache):
    from click.testing import CliRunner

    from kgbuilder.cli import main

    q = "SELECT ?l WHERE { kz:armenia rdfs:label ?l }"
    first = CliRunner().invoke(main, ["query", str(KAZAKHSTAN), q, "-F", "csv"])
    assert (first.exit_code, first.output) == (0, "l\nArmenia\n")
    # the image is the graph a warm worker answers from: it holds what the store holds (here,
    # a label the store does not have, written into an image that checks out)
    path = _images(KAZAKHSTAN)[0]
    body = path.read_bytes().rsplit(b"# kgbuilder image", 1)[0].replace(b'"Armenia"', b'"Armenia (image)"')
    path.write_bytes(body + b"# kgbuilder image blake2b=" + digest(body).hexdigest().encode() + b"\n")
    assert _values(_answers(_preopened(KAZAKHSTAN), kgbuilder.open_graph(KAZAKHSTAN), q)) == [("Armenia (image)",)]


def _flip(data: bytes) -> bytes:
    i = data.index(b"Armenia")
    return data[:i] + b"B" + data[i + 1:]


DAMAGES = {
    "a byte changed": _flip,
    "cut short at a line's end": lambda d: d[:d.rindex(b"\n", 0, len(d) // 2) + 1],
    "cut short anywhere": lambda d: d[:len(d) - 100],
    "without its digest line": lambda d: d[:d.rindex(b"# kgbuilder image")],
    "a quad after the digest line": lambda d: d + b"<x:a> <x:b> <x:c> <x:g> .\n",
    "another digest": lambda d: d[:-10] + b"0123456789"[:9] + b"\n",
    "empty": lambda d: b"",
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_an_image_that_does_not_check_out_is_not_used_and_the_store_answers(damage, mini_copy, fresh_cache):
    assert kgbuilder.validate(mini_copy) == []
    [path] = _images(mini_copy)
    path.write_bytes(DAMAGES[damage](path.read_bytes()))
    assert image.open_image(path, cache.dataset_store_path(mini_copy)) is None
    early = _preopened(mini_copy)
    assert not early.in_memory and early.is_open          # RocksDB's read-only open instead
    kg = kgbuilder.open_graph(mini_copy)
    assert _values(_answers(early, kg, "SELECT ?l WHERE { mi:armenia rdfs:label ?l }")) == [("Armenia",)]
    early.release()


def test_an_image_others_may_write_is_not_opened(mini_copy, fresh_cache):
    assert kgbuilder.validate(mini_copy) == []
    [path] = _images(mini_copy)
    path.chmod(0o666)
    state = cache.state_path(mini_copy)
    assert cache.derived_of(state, cache.build_id_of(state)).kept(image.IMAGE) is None


def test_an_image_that_is_a_symlink_is_not_opened(mini_copy, fresh_cache, tmp_path):
    assert kgbuilder.validate(mini_copy) == []
    [path] = _images(mini_copy)
    elsewhere = tmp_path / "planted.nq"
    elsewhere.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(elsewhere)
    state = cache.state_path(mini_copy)
    assert cache.derived_of(state, cache.build_id_of(state)).kept(image.IMAGE) is None
    assert not _preopened(mini_copy).in_memory


def test_a_rebuild_keeps_the_new_builds_image_only(mini_copy, fresh_cache):
    assert kgbuilder.validate(mini_copy) == []
    [old] = _images(mini_copy)
    entities = mini_copy / "facts" / "entities.yaml"
    entities.write_text(entities.read_text().replace("label: Armenia,", "label: Republic of Armenia,"))
    kg = kgbuilder.open_graph(mini_copy)
    [new] = _images(mini_copy)
    assert new != old and not old.exists()
    assert b'"Republic of Armenia"' in new.read_bytes() and b'"Armenia"' not in new.read_bytes()
    early = _preopened(mini_copy)
    assert early.in_memory
    assert _values(_answers(early, kg, "SELECT ?l WHERE { mi:armenia rdfs:label ?l }")) == [("Republic of Armenia",)]


def test_a_graph_over_the_limit_keeps_no_image_and_is_not_counted_when_its_facts_are(mini_copy, fresh_cache,
                                                                                     monkeypatch):
    monkeypatch.setattr(image, "IMAGE_MAX_QUADS", 50)
    assert kgbuilder.validate(mini_copy) == []
    assert _images(mini_copy) == []
    assert not _preopened(mini_copy).in_memory

    class Uncountable:
        def __len__(self):
            raise AssertionError("counted")

    assert image.keep_image(None, Uncountable(), facts=51) is None


def test_a_users_own_store_keeps_no_image(mini_copy, fresh_cache, tmp_path):
    # other tools may write to a store of the user's own between two builds: its queries read it
    own = tmp_path / "own"
    kgbuilder.open_graph(mini_copy, store=f"oxigraph:{own}")
    assert list((cache.state_path(mini_copy, own).parent / "derived").glob("image.nq-*")) == []


def test_the_readme_names_the_limit():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert readme.count(f"at most {image.IMAGE_MAX_QUADS:,} quads") == 2


def test_a_graph_with_blank_nodes_keeps_no_image(tmp_path):
    import pyoxigraph as ox

    store = OxigraphStore()
    store._st.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode("http://x/p"), ox.Literal("v"), ox.NamedNode("http://x/g")))

    class Folder:
        def file(self, name, make):
            raise AssertionError("an image was made")

    assert image.keep_image(Folder(), store, facts=1) is None


def test_a_label_that_looks_like_the_digest_line_is_kept_whole(mini_copy, fresh_cache):
    entities = mini_copy / "facts" / "entities.yaml"
    fake = "\n# kgbuilder image blake2b=" + "0" * 64 + "\n"
    entities.write_text(entities.read_text().replace("label: Armenia,", f"label: {fake!r},".replace("'", '"')))
    kg = kgbuilder.open_graph(mini_copy)
    early = _preopened(mini_copy)
    assert early.in_memory
    assert _values(_answers(early, kg, "SELECT ?l WHERE { mi:armenia rdfs:label ?l }")) == [(fake,)]
