"""What the safety check and the query linter add to a query, against the bare engine.

On the Kazakhstan dataset held by Oxigraph, for every saved query: the floor is
pyoxigraph running the query text as typed and reading every row; beside it the
safety check (tokenize, check, rebuild: :func:`kgbuilder.sparql.safety.check_query`)
and the linter (:func:`kgbuilder.sparql.lint.lint_query`, warm: its per-graph
cache filled). Also the linter's miss path (a typo: "did you mean" over the
dataset's entities), first call and warm, and the cost of importing both modules
in a fresh interpreter. Median of --runs; bounded (~40 queries x runs).

    .venv/bin/python bench/safety_bench.py [--runs N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args(argv)

    import kgbuilder
    from kgbuilder.sparql.lint import lint_query
    from kgbuilder.sparql.safety import check_query

    kg = kgbuilder.build(ROOT / "datasets" / "kazakhstan-2022", store="oxigraph")
    st = kg.store._st
    prefixes = {k: str(v) for k, v in kg.prefixes.items()}
    saved = sorted((ROOT / "datasets" / "kazakhstan-2022" / "queries").glob("*.rq"))
    floor = check = lint = 0.0
    for path in saved:
        text = path.read_text(encoding="utf-8")

        def bare():
            res = st.query(text, prefixes=prefixes)
            if not isinstance(res, bool) and hasattr(res, "__iter__"):
                for _ in res:
                    pass

        checked = check_query(text, kg.prefixes, path.name)
        lint_query(kg, checked)          # fills the per-graph cache, as the first query of a session does
        floor += median_ms(bare, args.runs)
        check += median_ms(lambda: check_query(text, kg.prefixes, path.name), args.runs)
        lint += median_ms(lambda: lint_query(kg, checked), args.runs)
    n = len(saved)
    print(f"{n} saved queries on datasets/kazakhstan-2022 (Oxigraph), median of {args.runs} runs, per query:")
    print(f"  bare engine, text as typed, all rows (floor)  {floor / n:7.2f} ms")
    print(f"  safety check (tokenize, check, rebuild)       {check / n:7.2f} ms  {check / floor:5.2f}x floor")
    print(f"  linter, warm                                   {lint / n:7.2f} ms  {lint / floor:5.2f}x floor")
    print(f"  both                                           {(check + lint) / n:7.2f} ms  "
          f"{(check + lint) / floor:5.2f}x floor")

    typo = "SELECT ?e WHERE { ?e kg:place kz:almatyy ; kg:date \"2022-01-05\" }"
    typo_checked = check_query(typo, kg.prefixes)
    kg._kgb_lint = None
    t0 = time.perf_counter()
    found = lint_query(kg, typo_checked)
    first = (time.perf_counter() - t0) * 1000
    warm = median_ms(lambda: lint_query(kg, typo_checked), args.runs)
    print(f"typo query ({len(found)} warnings): linter first call {first:.1f} ms (ontology read, entities listed), "
          f"warm {warm:.2f} ms")

    # what a CLI call pays on top of the package it has already imported; bytecode cached as an
    # installed package has it (the first run writes it, whatever PYTHONDONTWRITEBYTECODE says)
    code = ("import time, kgbuilder.errors, kgbuilder.sparql; t = time.perf_counter(); "
            "import kgbuilder.sparql.safety, kgbuilder.sparql.lint, sys; "
            "print((time.perf_counter() - t) * 1000, 'rdflib' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True,
                           env=env).stdout.split() for _ in range(args.runs + 1)][1:]
    imports = statistics.median(float(r[0]) for r in runs)
    print(f"importing both modules in a fresh interpreter: {imports:.1f} ms "
          f"({'rdflib imported' if runs[0][1] == 'True' else 'no rdflib'})")


if __name__ == "__main__":
    main()
