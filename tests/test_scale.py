"""The synthetic benchmark dataset: valid, deterministic, the same graph on both stores."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kgbuilder
from kgbuilder.sparql.query import execute

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import QUERIES, generate  # noqa: E402


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "data"
    generate(1200, out)
    return out


def test_generated_dataset_is_valid_and_shaped_like_the_real_one(small):
    assert kgbuilder.validate(small, store="memory") == []
    assert sorted(p.suffix for p in (small / "facts").iterdir()) == [".csv"]
    kg = kgbuilder.build(small, store="memory")
    st = kg.stats()
    for kind in ("Person", "State", "Post"):
        assert st.entities.get(kind, 0) > 0
    assert st.events > 0 and st.claims > 0 and st.statements > 1000
    assert any(v > 0 for k, v in st.predicates.items() if k in ("agent", "place", "date"))


def test_generation_is_deterministic(tmp_path):
    generate(300, tmp_path / "a")
    generate(300, tmp_path / "b")
    for f in sorted((tmp_path / "a").rglob("*")):
        if f.is_file():
            assert f.read_bytes() == (tmp_path / "b" / f.relative_to(tmp_path / "a")).read_bytes()


def test_jsonl_files_appear_from_the_third_file(tmp_path):
    generate(12000, tmp_path / "d")
    names = sorted(p.name for p in (tmp_path / "d" / "facts").iterdir())
    assert names == ["facts-0000.csv", "facts-0001.csv", "facts-0002.jsonl"]
    assert sum(1 for _ in open(tmp_path / "d" / "facts" / "facts-0002.jsonl")) == 2000


def test_saved_queries_agree_on_both_stores(small):
    mem = kgbuilder.build(small, store="memory")
    ox = kgbuilder.build(small, store="oxigraph")
    assert set(mem.store.quads()) == set(ox.store.quads())
    nonempty = 0
    for name, text in QUERIES.items():
        a = execute(mem, text, file=name, timeout=None, limit=None)
        b = execute(ox, text, file=name, timeout=None, limit=None)
        assert sorted(map(repr, a.rows)) == sorted(map(repr, b.rows)), name
        nonempty += bool(a.rows)
    assert nonempty >= 8


@pytest.mark.parametrize("store", ["oxigraph", "disk"])
def test_bench_run_prints_one_json_line(tmp_path, store):
    data = tmp_path / "data"
    generate(500, data)
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--facts", "500", "--store",
                           store, "--data", str(data), "--max-seconds", "300"],
                          capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in ("facts", "triples", "store", "build_s", "floor_load_s", "query_s", "floor_query_s",
                "export_s", "floor_export_s", "peak_rss_mb", "exporter_s", "floor_export_check_s",
                "exporter_ratio"):
        assert key in result
    # the exporter's file holds every distinct triple (its own parse-back check counted them)
    assert result["exporter_mb"] > 0
    assert result["answers_match"] is True and result["store"] == store
    if store == "oxigraph":
        assert result["edit_mode"] == "delta"
