"""Resolve entity references through ids, labels and aliases.

Matching ignores case, diacritics, and the difference between spaces,
hyphens and underscores, so ``Tokayev``, ``tokayev`` and ``TOQAEV`` find the
same entity when those spellings are its id or aliases.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict

__all__ = ["normalize", "Resolver", "AmbiguousName", "UnknownName", "did_you_mean"]

_SEP = re.compile(r"[\s\-_‐‑‒–—]+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"'})


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEP.sub(" ", stripped.casefold()).strip()


def did_you_mean(word: str, choices, n: int = 3) -> str:
    """`` (did you mean 'x'?)`` or ``''``: the hint that follows an error."""
    matches = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)
    if not matches:
        return ""
    if len(matches) == 1:
        return f" (did you mean '{matches[0]}'?)"
    return " (did you mean " + ", ".join(f"'{m}'" for m in matches[:-1]) + f" or '{matches[-1]}'?)"


class UnknownName(LookupError):
    def __init__(self, name: str, hint: str):
        self.name, self.hint = name, hint
        super().__init__(f"unknown entity '{name}'{hint}")


class AmbiguousName(LookupError):
    def __init__(self, name: str, candidates: list[str]):
        self.name, self.candidates = name, candidates
        super().__init__(f"ambiguous name '{name}': it could be " + ", ".join(f"'{c}'" for c in candidates)
                         + "; use the id")


class Resolver:
    """Name -> entity id, built from (id, [names]) pairs."""

    def __init__(self):
        self._ids: set[str] = set()
        self._names: dict[str, set[str]] = defaultdict(set)
        self._display: dict[str, str] = {}

    def add(self, entity_id: str, names) -> None:
        self._ids.add(entity_id)
        for name in (entity_id, *names):
            key = normalize(name)
            if key:
                self._names[key].add(entity_id)
                self._display.setdefault(key, name)

    def __contains__(self, entity_id: str) -> bool:
        return entity_id in self._ids

    def resolve(self, name: str) -> str:
        if name in self._ids:
            return name
        found = self._names.get(normalize(name))
        if not found:
            hint = did_you_mean(normalize(name), self._names.keys())
            if hint:
                # show the ids behind the near matches, which are what users should write
                keys = difflib.get_close_matches(normalize(name), list(self._names.keys()), n=3, cutoff=0.6)
                ids = []
                for k in keys:
                    for i in sorted(self._names[k]):
                        if i not in ids:
                            ids.append(i)
                hint = " (did you mean " + " or ".join(f"'{i}'" for i in ids[:3]) + "?)"
            raise UnknownName(name, hint)
        if len(found) > 1:
            raise AmbiguousName(name, sorted(found))
        return next(iter(found))
