"""The SPARQL the project shows people: every saved query and every ```sparql block in the docs."""
from __future__ import annotations

import glob
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def doc_queries() -> list[tuple[str, str]]:
    """(name, text) for each saved query (datasets/*/queries/*.rq) and each ```sparql block of
    README.md and docs/*.md (named FILE#N)."""
    out = [(Path(f).name, Path(f).read_text(encoding="utf-8"))
           for f in sorted(glob.glob(str(ROOT / "datasets" / "*" / "queries" / "*.rq")))]
    for md in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for i, m in enumerate(re.finditer(r"```sparql\n(.*?)```", md.read_text(encoding="utf-8"), re.S)):
            out.append((f"{md.name}#{i}", m.group(1)))
    return out
