"""Issue 14, the build cache: a planted, flipped, truncated or half-written entry is never run
and never answered; it is dropped and rebuilt, always (items 4 and 9)."""
from __future__ import annotations

import gc
import os
import pickle
import random
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgbuilder
from kgbuilder import api
from kgbuilder.cli import main
from kgbuilder.builder import cache, cache_files
from kgbuilder.builder.digest import digest

NOBODY = 65534
ARMENIA = "SELECT ?s WHERE { ?s a kg:State } ORDER BY ?s"


class Planted:
    """What an attacker's pickle does when loaded: here, create a marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def cachedir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("KGBUILDER_CACHE_DIR", str(folder))
    return folder


def states(root: Path) -> list[str]:
    res = run("query", root, ARMENIA, "-F", "csv")
    assert res.exit_code == 0, res.output
    return res.stdout.split()


def entry_of(root: Path) -> Path:
    """The cache entry every command reads first: the state of the store ``auto`` keeps on disk."""
    return cache.state_path(root)


def framed(body: bytes) -> bytes:
    return cache_files.MAGIC + digest(body).hexdigest().encode() + b"\n" + body


# ---------------------------------------------------------------- 4: nobody else's pickles

def test_the_cache_is_used(mini_copy, cachedir):
    api.open_graph(mini_copy)
    assert cache._read_pickle(entry_of(mini_copy)) is not None
    assert stat.S_IMODE(os.stat(cachedir).st_mode) == 0o700
    entry = entry_of(mini_copy)
    assert stat.S_IMODE(os.stat(entry).st_mode) == 0o600


def test_planted_pickle_in_a_world_writable_cache_folder_never_runs(mini_copy, cachedir, tmp_path):
    expected = states(kgbuilder_mini())
    os.chmod(cachedir, 0o1777)                          # like /tmp
    marker = tmp_path / "pwned"
    entry = entry_of(mini_copy)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_bytes(framed(pickle.dumps(Planted(marker))))
    os.chown(entry, NOBODY, NOBODY)
    res = run("query", mini_copy, ARMENIA, "-F", "csv")
    assert res.exit_code == 0 and res.stdout.split() == expected
    assert res.stderr == f"warning: cache folder {cachedir} is writable by other users: not used (builds are not cached)\n"
    assert not marker.exists()


def test_cache_folder_of_another_user_is_not_used(mini_copy, cachedir):
    cachedir.mkdir(mode=0o700)
    os.chown(cachedir, NOBODY, NOBODY)
    res = run("query", mini_copy, ARMENIA, "-F", "csv")
    assert res.exit_code == 0
    assert res.stderr == f"warning: cache folder {cachedir} belongs to uid {NOBODY}, not to you: not used " \
                         "(builds are not cached)\n"
    assert list(cachedir.iterdir()) == []


@pytest.mark.parametrize("how", ["other owner", "group writable", "symlink"])
def test_an_entry_not_ours_alone_is_never_read(mini_copy, cachedir, tmp_path, how):
    api.open_graph(mini_copy)                          # a private folder with a good entry
    entry = entry_of(mini_copy)
    marker = tmp_path / "pwned"
    planted = framed(pickle.dumps(Planted(marker)))
    if how == "symlink":
        elsewhere = tmp_path / "planted"
        elsewhere.write_bytes(planted)
        os.chmod(elsewhere, 0o600)
        entry.unlink()
        entry.symlink_to(elsewhere)
    else:
        entry.write_bytes(planted)
        if how == "other owner":
            os.chown(entry, NOBODY, NOBODY)
        else:
            os.chmod(entry, 0o660 | stat.S_IWGRP)
    assert cache._read_pickle(entry) is None
    assert states(mini_copy) == states(kgbuilder_mini())
    assert not marker.exists()


def test_our_own_entry_naming_code_is_refused_and_dropped(mini_copy, cachedir, tmp_path):
    api.open_graph(mini_copy)
    entry = entry_of(mini_copy)
    marker = tmp_path / "pwned"
    entry.write_bytes(framed(pickle.dumps(Planted(marker))))   # right owner, mode and checksum
    os.chmod(entry, 0o600)
    assert cache._read_pickle(entry) is None
    assert not marker.exists() and not entry.exists()


def test_bytes_changed_in_place_are_not_answered(mini_copy, cachedir):
    expected = states(mini_copy)
    assert any(s.endswith("/armenia") for s in expected)
    entry = entry_of(mini_copy)
    data = entry.read_bytes()
    assert b"facts/facts.yaml" in data
    entry.write_bytes(data.replace(b"facts/facts.yaml", b"facts/facts.yamx"))
    assert states(mini_copy) == expected                   # rebuilt, not read as it was
    assert b"facts/facts.yaml" in entry.read_bytes()       # and the entry written afresh


# ---------------------------------------------------------------- 9: broken entries are rebuilt

@pytest.mark.parametrize("content", [
    b"\x80\x05K\x01K\x02K\x03s.",                          # a pickle that is not ours
    framed(b"\x80\x05K\x01K\x02K\x03s."),                  # the same, with a right checksum
    framed(pickle.dumps({"key": "x"})),                   # the right checksum, the wrong shape
    b"",                                                   # truncated to nothing
    cache_files.MAGIC + b"0" * 64 + b"\n",                 # a header and no body
])
def test_corrupt_entry_is_dropped_and_rebuilt(mini_copy, cachedir, content):
    expected = states(mini_copy)
    entry_of(mini_copy).write_bytes(content)
    os.chmod(entry_of(mini_copy), 0o600)
    assert states(mini_copy) == expected
    assert cache._read_pickle(entry_of(mini_copy)) is not None


def test_random_byte_flips_never_break_a_command(mini_copy, cachedir):
    expected = states(mini_copy)
    entry = entry_of(mini_copy)
    good = entry.read_bytes()
    rng = random.Random(14)
    for _ in range(20):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        entry.write_bytes(bytes(data))
        assert states(mini_copy) == expected


def kg_process(*args, env=None):
    """The CLI in its own process: an on-disk Oxigraph store is locked while a process holds it."""
    exe = Path(sys.executable).with_name("kgbuilder")
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def test_a_build_killed_half_way_is_rebuilt(mini_copy, cachedir, tmp_path):
    spec = f"oxigraph:{tmp_path / 'store'}"
    first = kg_process("query", mini_copy, ARMENIA, "-F", "csv", "--store", spec)
    assert first.returncode == 0, first.stderr
    # what `kill -9` during a build leaves: the state file says "incomplete" and nothing else
    (state,) = (cache._dataset_dir(mini_copy)).glob("state-*.pickle")
    cache_files.write_entry(cachedir, state, {"format": cache.FILES_FORMAT, "complete": False})
    again = kg_process("query", mini_copy, ARMENIA, "-F", "csv", "--store", spec)
    assert (again.returncode, again.stdout, again.stderr) == (0, first.stdout, "")


def test_a_build_really_killed_half_way_is_rebuilt(mini_copy, cachedir, tmp_path):
    spec = f"oxigraph:{tmp_path / 'store'}"
    expected = kg_process("query", kgbuilder_mini(), ARMENIA, "-F", "csv").stdout
    proc = subprocess.Popen([str(Path(sys.executable).with_name("kgbuilder")), "validate", str(mini_copy),
                             "--store", spec], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    proc.kill()
    proc.wait()
    again = kg_process("query", mini_copy, ARMENIA, "-F", "csv", "--store", spec)
    assert (again.returncode, again.stdout, again.stderr) == (0, expected, "")


def test_a_failed_build_does_not_poison_later_ones(mini_copy, cachedir, tmp_path):
    spec = f"oxigraph:{tmp_path / 'store'}"
    bad = mini_copy / "facts" / "b.csv"
    bad.write_text("subject,predicate,object,source,quote\narmenia,memberOf,cstoo,wire,q\n")
    res = run("query", mini_copy, ARMENIA, "-F", "csv", "--store", spec)
    assert (res.exit_code, res.stderr) == (
        1, f"Error: {mini_copy / 'facts/b.csv'}:2: unknown entity 'cstoo' in 'object' (did you mean 'csto'?)\n")
    bad.write_text("subject,predicate,object,source,quote\narmenia,memberOf,csto,wire,q\n")
    res = run("query", mini_copy, ARMENIA, "-F", "csv", "--store", spec)
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout.split() == states(kgbuilder_mini())


def test_state_entries_of_every_wrong_shape_are_rebuilt(mini_copy, cachedir, tmp_path):
    spec = f"oxigraph:{tmp_path / 'store'}"
    built = cache.incremental_build(mini_copy, spec)
    quads = set(built.store.quads())
    built.store.close()
    (state,) = cache._dataset_dir(mini_copy).glob("state-*.pickle")
    good = cache_files.read_entry(cachedir, state)
    del built
    gc.collect()
    for broken in ({**good, "files": None}, {k: v for k, v in good.items() if k != "build_id"}, [good], None):
        cache_files.write_entry(cachedir, state, broken)
        built = cache.incremental_build(mini_copy, spec)
        assert (built.mode, built.diagnostics) == ("full", [])
        assert set(built.store.quads()) == quads
        built.store.close()
        del built
        gc.collect()


def kgbuilder_mini() -> Path:
    return Path(kgbuilder.__file__).resolve().parent.parent / "tests" / "fixtures" / "mini"


# ---------------------------------------------------------------- the store the cache keeps

def _cached_store(root: Path) -> Path:
    return cache.dataset_store_path(root)


def test_a_warm_command_answering_from_the_kept_views_never_opens_the_store(mini_copy, cachedir):
    assert run("stats", mini_copy).exit_code == 0            # builds, and keeps the counts
    kg = api.open_graph(mini_copy)
    assert kg.store.read_only and not kg.store.is_open
    kg.stats()
    assert not kg.store.is_open
    assert len(kg.store) > 0 and kg.store.is_open             # opened on first use


def test_a_cached_store_with_a_broken_entry_point_is_rebuilt(mini_copy, cachedir):
    expected = states(mini_copy)
    (_cached_store(mini_copy) / "CURRENT").write_text("garbage\n")
    assert states(mini_copy) == expected
    assert cache.incremental_build(mini_copy, f"oxigraph:{_cached_store(mini_copy)}").mode == "unchanged"


def test_a_cached_store_rocksdb_cannot_open_fails_once_then_is_rebuilt(mini_copy, cachedir):
    expected = kg_process("query", mini_copy, ARMENIA, "-F", "csv")
    assert expected.returncode == 0, expected.stderr
    store = _cached_store(mini_copy)
    # the graph is small: a warm query answers from the image its build keeps (builder.image),
    # never opening the store; without it, the store is opened
    for image in (store.parent / "derived").glob("image.nq-*"):
        image.unlink()
    manifest = store / (store / "CURRENT").read_text().strip()
    manifest.write_bytes(random.Random(7).randbytes(300))
    broken = kg_process("query", mini_copy, ARMENIA, "-F", "csv")
    assert broken.returncode == 1 and broken.stdout == ""
    assert broken.stderr.startswith(f"Error: cannot open the Oxigraph store at {store}: "), broken.stderr
    assert broken.stderr.count("\n") == 1
    assert broken.stderr.endswith("(a cached build: the next command rebuilds it)\n")
    again = kg_process("query", mini_copy, ARMENIA, "-F", "csv")
    assert (again.returncode, again.stdout, again.stderr) == (0, expected.stdout, "")
    # rebuilt in place, in the cache: the next command finds it unchanged
    assert cache.incremental_build(mini_copy, f"oxigraph:{store}").mode == "unchanged"


def test_a_users_own_store_is_never_removed(mini_copy, cachedir, tmp_path):
    own = tmp_path / "mine"
    assert run("validate", mini_copy, "--store", f"oxigraph:{own}").exit_code == 0
    (own / "CURRENT").write_text("garbage\n")
    res = run("query", mini_copy, ARMENIA, "--store", f"oxigraph:{own}")
    assert res.exit_code == 1 and res.stderr.startswith(f"Error: cannot open the Oxigraph store at {own}: ")
    assert (own / "CURRENT").read_text() == "garbage\n" and any(own.glob("*.sst"))


def test_rocksdb_info_logs_do_not_pile_up_in_the_cache(mini_copy, cachedir, tmp_path):
    # every open for writing leaves RocksDB's last info log as LOG.old.<time> (~140 KB, up to a
    # thousand kept): the cache's own store keeps none; a user's own store is left as it is
    facts = next(mini_copy.rglob("facts*.yaml"))
    own = tmp_path / "mine"
    for i in range(3):
        facts.write_text(facts.read_text() + f"\n# edit {i}\n")      # each run patches the store
        assert run("validate", mini_copy).exit_code == 0
        assert run("validate", mini_copy, "--store", f"oxigraph:{own}").exit_code == 0
    store = _cached_store(mini_copy)
    assert any(store.glob("*.sst")) and not list(store.glob("LOG.old.*"))
    assert len(list(own.glob("LOG.old.*"))) >= 2
