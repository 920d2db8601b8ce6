"""check-quotes: every quote must appear verbatim in the archived source text."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..errors import Diagnostic, KGBuilderError

__all__ = ["normalize_text", "check_quotes"]

_TYPO = str.maketrans({
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "ʼ": "'",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})
_WS = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """NFC, typographic quotes to straight ones, runs of whitespace to one space."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text).translate(_TYPO)).strip()


def check_quotes(curated, texts: dict[str, str | Path]) -> tuple[int, list[Diagnostic]]:
    """Check every quote of the given sources; return (quotes checked, problems)."""
    archived = {}
    for sid, path in texts.items():
        if sid not in curated.sources:
            from .resolve import did_you_mean

            raise KGBuilderError(f"unknown source '{sid}'" + did_you_mean(sid, curated.sources))
        try:
            archived[sid] = normalize_text(Path(path).read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise KGBuilderError(f"{path}: cannot read: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise KGBuilderError(f"{path}: not valid UTF-8") from None
    checked, problems, seen = 0, [], set()
    for fact in curated.facts:
        for ev in fact.evidence:
            if ev.source not in archived or (ev.file, ev.line, ev.quote) in seen:
                continue
            seen.add((ev.file, ev.line, ev.quote))
            checked += 1
            if normalize_text(ev.quote) not in archived[ev.source]:
                short = ev.quote if len(ev.quote) <= 80 else ev.quote[:77] + "..."
                problems.append(Diagnostic(ev.file, ev.line, f"quote not found in {ev.source}: \"{short}\""))
    return checked, sorted(problems)
