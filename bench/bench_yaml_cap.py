"""What one YAML file at the size cap costs the loader (issue 14 item 6), against the floor.

For 1, 2, 4 and 8 MiB (the cap) of one-fact-per-item YAML, each in a fresh process:
kgbuilder's loader (strict YAML with lines, schema and reference checks: load_dataset_collect)
and the floor, libyaml parsing the same text (``yaml.load(text, CSafeLoader)``), with wall
time and peak memory, and the ratios. Linear means the per-MiB figures stay flat.

    .venv/bin/python bench/bench_yaml_cap.py
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
SIZES_MIB = (1, 2, 4, 8)

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
which, root = sys.argv[1], Path(sys.argv[2])
if which == "floor":
    import yaml
    text = (root / "facts" / "big.yaml").read_text(encoding="utf-8")
    t = time.perf_counter()
    yaml.load(text, Loader=yaml.CSafeLoader)
else:
    from kgbuilder.curation.load import load_dataset_collect
    t = time.perf_counter()
    ds, diags = load_dataset_collect(root)
    assert not diags, diags[:3]
print(json.dumps({"s": time.perf_counter() - t,
                  "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make(root: Path, mib: int) -> int:
    shutil.copytree(MINI, root)
    limit = mib * 1024 * 1024 - 4096
    parts, size, i = ["facts:\n"], 7, 0
    while True:
        item = (f"  - subject: toqaev\n    predicate: memberOf\n    object: csto\n    source: wire\n"
                f"    quote: fact number {i} is here\n")
        if size + len(item) > limit:
            break
        parts.append(item)
        size += len(item)
        i += 1
    (root / "facts" / "big.yaml").write_text("".join(parts), encoding="utf-8")
    return i


def measure(which: str, root: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, which, str(root)], capture_output=True, text=True,
                         timeout=900, check=True)
    return json.loads(out.stdout)


def main() -> None:
    print(f"{'size':>6} {'facts':>7} {'loader s':>9} {'floor s':>8} {'x':>6} {'s/MiB':>6} "
          f"{'loader MB':>10} {'floor MB':>9} {'x':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        for mib in SIZES_MIB:
            root = Path(tmp) / f"d{mib}"
            n = make(root, mib)
            floor, ours = measure("floor", root), measure("loader", root)
            print(f"{mib:>4}Mi {n:>7} {ours['s']:>9.2f} {floor['s']:>8.2f} {ours['s'] / floor['s']:>6.1f} "
                  f"{ours['s'] / mib:>6.2f} {ours['mb']:>10.0f} {floor['mb']:>9.0f} "
                  f"{ours['mb'] / floor['mb']:>5.1f}")


if __name__ == "__main__":
    main()
