"""check-quotes: every quote must appear verbatim in the archived source text."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, KGBuilderError

__all__ = ["normalize_text", "check_quotes", "find_texts", "QuoteCheck", "MAX_TEXT_BYTES"]

#: the largest archived source text read: an article is well under a megabyte, and a link to
#: /dev/zero in the folder of texts would otherwise be read until the kernel kills the command
MAX_TEXT_BYTES = 64 << 20

_TYPO = str.maketrans({
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "ʼ": "'",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})
_WS = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """NFC, typographic quotes to straight ones, runs of whitespace to one space."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text).translate(_TYPO)).strip()


@dataclass
class QuoteCheck:
    checked: int = 0
    problems: list[Diagnostic] = field(default_factory=list)
    unchecked: dict[str, int] = field(default_factory=dict)    # source id -> quotes with no text to check


def find_texts(curated, folder: str | Path) -> dict[str, Path]:
    """Each source's archived text in ``folder``: ``<id>.txt`` or ``<id>-anything.txt``.

    A file belongs to the longest source id its name starts with (so ``wire-2``'s
    text is not taken for ``wire``'s); two files for one source are an error.
    """
    from ..safe_paths import kind_of

    root = Path(folder)
    try:
        there = kind_of(root)
    except OSError as exc:
        raise KGBuilderError(f"{folder}: cannot read: {exc.strerror}") from None
    if there != "dir":
        raise KGBuilderError(f"{folder}: no such folder of source texts")
    found: dict[str, list[Path]] = {}
    ids = sorted(curated.sources, key=len, reverse=True)
    for path in sorted(root.glob("*.txt")):
        stem = path.name[:-4]
        for sid in ids:
            if stem == sid or (stem.startswith(sid) and stem[len(sid)] in "-_."):
                found.setdefault(sid, []).append(path)
                break
    for sid, paths in found.items():
        if len(paths) > 1:
            raise KGBuilderError(f"{folder}: {len(paths)} texts for source '{sid}' ("
                                 + ", ".join(p.name for p in paths) + "): keep one")
    return {sid: paths[0] for sid, paths in found.items()}


def _read_text(path) -> str:
    """An archived source text: a file (a FIFO among the texts would hang the command), UTF-8, at
    most :data:`MAX_TEXT_BYTES`."""
    from ..safe_paths import read_at_most

    try:
        data = read_at_most(path, MAX_TEXT_BYTES + 1)
    except OSError as exc:
        raise KGBuilderError(f"{path}: cannot read: {exc.strerror}") from None
    if data is None:
        raise KGBuilderError(f"{path}: not a file")
    if len(data) > MAX_TEXT_BYTES:
        raise KGBuilderError(f"{path}: larger than {MAX_TEXT_BYTES >> 20} MiB: not an article's text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KGBuilderError(f"{path}: not valid UTF-8") from None


def check_quotes(curated, texts: dict[str, str | Path]) -> QuoteCheck:
    """Check every quote against its source's archived text; count those of sources without one."""
    archived = {}
    for sid, path in texts.items():
        if sid not in curated.sources:
            from ..resolve import did_you_mean

            raise KGBuilderError(f"unknown source '{sid}'" + did_you_mean(sid, curated.sources))
        archived[sid] = normalize_text(_read_text(path))
    out, seen = QuoteCheck(), set()
    for fact in curated.facts:
        for ev in fact.evidence:
            if (ev.file, ev.line, ev.quote) in seen:
                continue
            seen.add((ev.file, ev.line, ev.quote))
            if ev.source not in archived:
                out.unchecked[ev.source] = out.unchecked.get(ev.source, 0) + 1
                continue
            out.checked += 1
            if normalize_text(ev.quote) not in archived[ev.source]:
                short = ev.quote if len(ev.quote) <= 80 else ev.quote[:77] + "..."
                out.problems.append(Diagnostic(ev.file, ev.line, f"quote not found in {ev.source}: \"{short}\""))
    out.problems.sort()
    out.unchecked = dict(sorted(out.unchecked.items()))
    return out
