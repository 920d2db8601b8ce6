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


def _key_object(fact: Fact) -> str:
    """The object as a fact's identity key writes it: an entity's id, or its value with the
    datatype (and language)."""
    if isinstance(fact.value, DateValue):
        return f"{fact.value.text}^^{fact.datatype}"
    return fact.object if fact.object is not None else f"{fact.value!s}^^{fact.datatype}@{fact.lang}"


def identity_key(fact: Fact) -> list:
    """The parts of a fact that make it the fact it is (JSON-serialisable)."""
    obj = _key_object(fact)
    quals = {}
    for k in IDENTITY_QUALIFIERS:
        v = fact.qualifiers.get(k)
        if k == "quantity":
            v = canonical_quantity(v, None if isinstance(fact.value, DateValue) else fact.value)
        if v is not None:
            quals[k] = v.text if isinstance(v, DateValue) else v
    return [fact.subject, fact.predicate, obj, quals]


#: the JSON encoder's own string writer (C): what _KEY_JSON writes for a str, quotes included
_STR = json.encoder.encode_basestring
#: the identity qualifiers in the order sort_keys writes them
_SORTED_QUALIFIERS = tuple(sorted(IDENTITY_QUALIFIERS))


def _key_text(fact: Fact) -> str:
    """``_KEY_JSON.encode(identity_key(fact))``, the same text. Nearly every fact's key is
    strings only: those are written here with the encoder's own string writer, where the
    general encoder costs ~3 µs a fact (a million facts: seconds); any other value (a
    quantity, a number) goes through the encoder itself."""
    subject, q, obj = fact.subject, fact.qualifiers, _key_object(fact)
    if type(subject) is not str or type(obj) is not str or type(fact.predicate) is not str or "quantity" in q:
        return _KEY_JSON.encode(identity_key(fact))
    parts = []
    for k in _SORTED_QUALIFIERS:
        v = q.get(k)
        if v is None:
            continue
        if isinstance(v, DateValue):
            v = v.text
        if type(v) is not str:
            return _KEY_JSON.encode(identity_key(fact))
        parts.append(f'"{k}": {_STR(v)}')
    return f"[{_STR(subject)}, {_STR(fact.predicate)}, {_STR(obj)}, {{{', '.join(parts)}}}]"


def statement_id(fact: Fact) -> str:
    """A stable id: the same fact, whoever reports it and however annotated, is one statement."""
    return hashlib.sha1(_key_text(fact).encode("utf-8")).hexdigest()[:16]
