"""How instant is `kgbuilder query`, end to end from the shell?

Runs each command a few times in a fresh process and prints the median wall
time and its ratio to the floor, `python -c "import rdflib"` (no query tool on
rdflib can start faster). Cases: the first query on a changed dataset (cache
cold: load, validate, build), then warm queries (the cached build), a saved
query, --infer, and the --help floor. Uses datasets/kazakhstan-2022, or the
mini test dataset if the former does not validate right now. Bounded: every
run has a 120 s limit and the whole benchmark makes ~40 runs.

    .venv/bin/python bench/query_bench.py [--runs N]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KGB = str(BIN / "kgbuilder")
PY = sys.executable


def timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()[-2000:]}")
    return elapsed


def pick_dataset(env: dict) -> Path:
    kz = ROOT / "datasets" / "kazakhstan-2022"
    proc = subprocess.run([KGB, "validate", str(kz)], env=env, capture_output=True, timeout=120)
    if proc.returncode == 0:
        return kz
    print(f"note: {kz} does not validate right now; measuring the mini test dataset instead")
    return ROOT / "tests" / "fixtures" / "mini"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    cache = Path(tempfile.mkdtemp(prefix="kgb-bench-cache-"))
    env = {**os.environ, "KGBUILDER_CACHE_DIR": str(cache)}
    try:
        ds = pick_dataset(env)
        prefix = "kz" if ds.name == "kazakhstan-2022" else "mi"
        ent = "csto"
        q = f"SELECT ?m ?l WHERE {{ ?m kg:memberOf {prefix}:{ent} ; rdfs:label ?l }} ORDER BY ?m"
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        saved = sorted((ds / "queries").glob("*.rq"))
        cases = [
            ("python -c 'import rdflib' (floor)", [PY, "-c", "import rdflib"], None),
            ("kgbuilder --help", [KGB, "--help"], None),
            ("query, cache cold (build + validate)", [KGB, "query", str(ds), q, "-F", "csv"], "cold"),
            ("query, cache warm", [KGB, "query", str(ds), q, "-F", "csv"], None),
            ("query COUNT(*) -F json, warm", [KGB, "query", str(ds), count, "-F", "json"], None),
            ("query --infer, warm", [KGB, "query", str(ds), q.replace("kg:memberOf", "org:memberOf"),
                                     "--infer", "-F", "csv"], None),
        ]
        if saved:
            cases.append((f"query --name {saved[0].stem}, warm",
                          [KGB, "query", str(ds), "--name", saved[0].stem, "-F", "csv"], None))
        cases.append(("show csto, warm", [KGB, "show", str(ds), ent], None))
        cases.append(("central, warm", [KGB, "central", str(ds)], None))
        print(f"dataset: {ds.relative_to(ROOT)}; {args.runs} runs each, median wall time")
        results = []
        for label, cmd, mode in cases:
            times = []
            for _ in range(args.runs):
                if mode == "cold":
                    shutil.rmtree(cache, ignore_errors=True)
                times.append(timed(cmd, env))
            results.append((label, statistics.median(times), min(times)))
        floor = results[0][1]
        width = max(len(r[0]) for r in results)
        print(f"{'case':<{width}}  {'median':>8}  {'min':>8}  {'x floor':>7}")
        for label, med, lo in results:
            print(f"{label:<{width}}  {med * 1000:>6.0f}ms  {lo * 1000:>6.0f}ms  {med / floor:>7.2f}")
        cold = next(r[1] for r in results if "cold" in r[0])
        warm = next(r[1] for r in results if r[0] == "query, cache warm")
        print(f"cache speed-up on this dataset: {cold / warm:.1f}x "
              f"(warm query costs {(warm - floor) * 1000:.0f} ms over importing rdflib)")
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
