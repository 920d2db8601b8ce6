"""Corroboration and conflicts on a large graph, beside the bare engine running the same queries.

For each size a synthetic dataset (bench/generate.py: 50 sources, some facts repeated by a
second source, casualty figures and ages that disagree) is built into an in-memory Oxigraph
store. Then, three times each, median reported:

* ``floor``: pyoxigraph alone runs the SELECTs that builder.agreement sends (statement ->
  source; source -> origin; the single-valued statements with their scope and evidence) and
  reads every row: what any implementation has to pay;
* ``support``: ``builder.agreement.support`` (statements -> sources, corroboration);
* ``conflicts``: ``builder.agreement.find_conflicts`` (grouping, interval checks, FILE:LINE);
* ``both``: the two together, as ``stats`` and the network view call them.

Bounded: two sizes by default, each built once. Run:
``.venv/bin/python bench/bench_agreement.py [--sizes 10000,50000]``.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate  # noqa: E402


def _median(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(facts: int, root: Path) -> list[tuple[str, float]]:
    import kgbuilder
    from kgbuilder.builder import agreement
    from kgbuilder.schemas.ontology import load_ontology

    data = root / f"bench-{facts}"
    generate(facts, data)
    t0 = time.perf_counter()
    kg = kgbuilder.build(data, store="oxigraph")
    built = time.perf_counter() - t0
    onto = load_ontology()
    preds = sorted(onto.predicates[p].iri for p in onto.single_valued)
    texts = [agreement._SUPPORT, agreement._ORIGINS, agreement._conflict_query(kg, preds)]
    raw = kg.store._st        # the bare pyoxigraph store
    prefixes = {k: str(v) for k, v in kg.prefixes.items()}

    def floor():
        for text in texts:
            for row in raw.query(text, prefixes=prefixes):
                for v in row:
                    pass

    found = agreement.find_conflicts(kg)
    backing = agreement.support(kg)
    print(f"{facts} facts: {len(backing)} statements, {sum(s.corroboration > 1 for s in backing.values())} "
          f"corroborated, {len(found)} conflicts (built in {built:.1f} s)")
    return [("floor: pyoxigraph runs the same queries", _median(floor)),
            ("support", _median(lambda: agreement.support(kg))),
            ("conflicts", _median(lambda: agreement.find_conflicts(kg))),
            ("both (stats, network view)", _median(lambda: (agreement.support(kg), agreement.find_conflicts(kg))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,50000", help="comma-separated fact counts")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kgbuilder-agreement-") as tmp:
        for facts in (int(s) for s in args.sizes.split(",")):
            rows = measure(facts, Path(tmp))
            floor = rows[0][1]
            print(f"  {'case':<42} {'median':>9} {'x floor':>8}")
            for name, secs in rows:
                print(f"  {name:<42} {secs * 1000:>7.0f}ms {secs / floor:>8.2f}")


if __name__ == "__main__":
    main()
