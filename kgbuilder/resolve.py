"""Resolve entity references through ids, labels and aliases.

Matching ignores case, diacritics, and the difference between spaces,
hyphens and underscores, so ``Tokayev``, ``tokayev`` and ``TOQAEV`` find the
same entity when those spellings are its id or aliases.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

__all__ = ["normalize", "Resolver", "AmbiguousName", "UnknownName", "did_you_mean", "closest", "edit_distance",
           "article"]

_SEP = re.compile(r"[\s\-_‐‑‒–—]+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"'})


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEP.sub(" ", stripped.casefold()).strip()


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and
    swaps of two neighbours each count one (``qoute`` is one edit from ``quote``)."""
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def closest(word: str, choices, n: int = 3) -> list[str]:
    """The choices nearest ``word``, best first.

    difflib's ratio finds the candidates; when the best of them is at most two edits
    away, only those as near as it are kept, so ``russa`` gives ``russia`` and not
    also ``usa`` (an alias of the United States) that merely shares letters.
    """
    import difflib      # only for a name that is not found: not on the path of every command

    choices = list(choices)
    matches = difflib.get_close_matches(word, choices, n=max(n, 8), cutoff=0.6)
    if not matches:
        # a name cut short (``rferl`` for ``rferl-2022-01-05``) is too unlike for difflib
        folded = word.casefold()
        starts = sorted(c for c in choices if len(folded) >= 3 and c.casefold().startswith(folded))
        return starts[:n]
    folded = word.casefold()
    dist = {m: edit_distance(folded, m.casefold()) for m in matches}
    best = min(dist.values())
    if best <= 2:
        matches = [m for m in matches if dist[m] == best]
    return matches[:n]


def did_you_mean(word: str, choices, n: int = 3) -> str:
    """`` (did you mean 'x'?)`` or ``''``: the hint that follows an error."""
    matches = closest(word, choices, n)
    if not matches:
        return ""
    if len(matches) == 1:
        return f" (did you mean '{matches[0]}'?)"
    return " (did you mean " + ", ".join(f"'{m}'" for m in matches[:-1]) + f" or '{matches[-1]}'?)"


def article(word: str) -> str:
    """``a Person``, ``an InternationalOrganization``: for messages that name a class."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


class UnknownName(LookupError):
    """An unknown name. ``hint`` (the did-you-mean) may be given as a callable: it is computed
    when first read, since callers that only test whether a string names an entity (a role's
    literal value, say) would otherwise pay a fuzzy search over every name each time."""

    def __init__(self, name: str, hint):
        self.name, self._hint = name, hint
        super().__init__(name)

    @property
    def hint(self) -> str:
        if callable(self._hint):
            self._hint = self._hint()
        return self._hint

    def __str__(self) -> str:
        return f"unknown entity '{self.name}'{self.hint}"

    def __reduce__(self):
        return type(self), (self.name, self.hint)


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

    def items(self):
        """``(normalised name, ids)`` pairs: what :meth:`resolve` looks a name up in."""
        return self._names.items()

    def resolve(self, name: str) -> str:
        if name in self._ids:
            return name
        found = self._names.get(normalize(name))
        if not found:
            raise UnknownName(name, lambda: self.hint(name))
        if len(found) > 1:
            raise AmbiguousName(name, sorted(found))
        return next(iter(found))

    def hint(self, name: str) -> str:
        """The did-you-mean for an unknown name: the ids behind the nearest names, which
        are what users should write; a near name that is an alias or label rather than
        the id itself is named too, since that is the spelling that looked alike."""
        keys = closest(normalize(name), self._names.keys())
        near: dict[str, list[str]] = {}       # id -> its near names, nearest first
        for k in keys:
            for i in sorted(self._names[k]):
                near.setdefault(i, []).append(k)
        parts = [f"'{i}'" if normalize(i) in ks else f"'{i}' (alias '{self._display.get(ks[0], ks[0])}')"
                 for i, ks in near.items()]
        if not parts:
            return ""
        return " (did you mean " + " or ".join(parts[:3]) + "?)"
