"""Fact identity: when two curated facts are the same statement.

A fact is its subject, predicate, object (or value) and the qualifiers that
change what it says: ``date``, ``start``, ``end``, ``place``, ``quantity``,
``role`` and ``claimed_by``. Curator's annotations (``note``, ``date_note``,
``verification``, ``disputed_by``), quotes and file positions do not split
it, so every source that reports the same fact adds its evidence to one
statement (docs/rdf-model.md, "Fact identity").
"""
from __future__ import annotations

import hashlib
import json

from ..curation.model import DateValue, Fact

__all__ = ["IDENTITY_QUALIFIERS", "ANNOTATIONS", "identity_key", "statement_id", "canonical_quantity"]

IDENTITY_QUALIFIERS = ("date", "start", "end", "place", "quantity", "role", "claimed_by")
# what a source or the curator says *about* a fact; several sources' annotations add up on it
ANNOTATIONS = ("note", "date_note", "verification", "disputed_by")

# what json.dumps(sort_keys=True, ensure_ascii=False) builds on every call; one is enough
_KEY_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def canonical_quantity(qty: dict | None, value=None) -> dict | None:
    """A quantity as identity sees it: ``8``, ``{value: 8}`` and ``{value: 8, bound: exact}``
    are one figure (a number without a bound is exact); the value is left out when it
    is the fact's own value. ``None`` when nothing is left to say."""
    if not qty:
        return None
    out = {k: v for k, v in qty.items() if not (k == "bound" and v == "exact")}
    if "value" in out and value is not None and str(out["value"]) == str(value):
        del out["value"]
    if "bound" not in out and "unit" in out:
        # kept explicit when there is a unit, so the identity of facts written before
        # this rule (with bound: exact and a unit) and their statement IRIs do not change
        out["bound"] = "exact"
    return out or None


def identity_key(fact: Fact) -> list:
    """The parts of a fact that make it the fact it is (JSON-serialisable)."""
    obj = fact.object if fact.object is not None else f"{fact.value!s}^^{fact.datatype}@{fact.lang}"
    if isinstance(fact.value, DateValue):
        obj = f"{fact.value.text}^^{fact.datatype}"
    quals = {}
    for k in IDENTITY_QUALIFIERS:
        v = fact.qualifiers.get(k)
        if k == "quantity":
            v = canonical_quantity(v, None if isinstance(fact.value, DateValue) else fact.value)
        if v is not None:
            quals[k] = v.text if isinstance(v, DateValue) else v
    return [fact.subject, fact.predicate, obj, quals]


def statement_id(fact: Fact) -> str:
    """A stable id: the same fact, whoever reports it and however annotated, is one statement."""
    return hashlib.sha1(_KEY_JSON.encode(identity_key(fact)).encode("utf-8")).hexdigest()[:16]
