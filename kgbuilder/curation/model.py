"""Plain data classes for a curated dataset, as loaded from YAML (or bulk files)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DateValue", "Source", "Evidence", "Entity", "Fact", "CuratedDataset"]


_WIDTH = {"day": 10, "month": 7, "year": 4}


@dataclass(frozen=True)
class DateValue:
    text: str          # ISO 8601: YYYY-MM-DD, YYYY-MM or YYYY
    precision: str     # day, month or year

    @property
    def xsd(self) -> str:
        return {"day": "date", "month": "gYearMonth", "year": "gYear"}[self.precision]

    @property
    def first(self) -> str:
        """The first day of the period, as an ISO date: what the graph holds in
        ``kg:date`` and ``kg:start`` (Wikidata's way: a comparable day plus a precision)."""
        return self.bounds()[0]

    @property
    def last(self) -> str:
        """The last day of the period: what the graph holds in ``kg:end``, so that an
        interval written ``2022-01`` .. ``2022-12`` covers the whole of December."""
        return self.bounds()[1]

    @classmethod
    def from_graph(cls, day: str, precision: str | None) -> "DateValue":
        """The curated value back from the graph's ``xsd:date`` and its precision
        (``2019-01-01`` or ``2019-12-31`` with ``year`` -> ``2019``)."""
        day = str(day)
        precision = precision if precision in _WIDTH else "day"
        return cls(day[:_WIDTH[precision]], precision)

    def bounds(self) -> tuple[str, str]:
        """First and last day covered, as ISO dates (for as-of comparisons)."""
        import calendar

        if self.precision == "day":
            return self.text, self.text
        if self.precision == "month":
            y, m = int(self.text[:4]), int(self.text[5:7])
            return f"{self.text}-01", f"{self.text}-{calendar.monthrange(y, m)[1]:02d}"
        return f"{self.text}-01-01", f"{self.text}-12-31"


@dataclass
class Source:
    id: str
    title: str
    publisher: str | None = None
    date: DateValue | None = None
    url: str | None = None
    language: str | None = None
    relays: str | None = None          # the source id or origin name this source passes on
    file: str = ""
    line: int | None = None


@dataclass
class Evidence:
    source: str
    quote: str
    file: str = ""
    line: int | None = None
    # an event's quote: the roles it supports ("target", "participant=russia"); None = all
    supports: tuple[str, ...] | None = None


@dataclass
class Entity:
    id: str
    type: str
    label: str
    aliases: list[tuple[str, str]] = field(default_factory=list)   # (text, lang)
    labels: dict[str, str] = field(default_factory=dict)           # lang -> label
    description: str | None = None
    wikidata: str | None = None
    is_event: bool = False
    claimed_by: str | None = None      # resolved entity id, events only
    whole_event_quotes: int = 0        # events only: quotes without 'supports' over several roles
    file: str = ""
    line: int | None = None


@dataclass
class Fact:
    subject: str                       # resolved entity id
    predicate: str                     # local name in the ontology
    object: str | None = None          # resolved entity id, or None for a literal
    value: Any = None                  # literal lexical value (str/int/DateValue)
    datatype: str | None = None        # xsd datatype IRI of the literal
    lang: str | None = None
    qualifiers: dict[str, Any] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    file: str = ""
    line: int | None = None


@dataclass
class CuratedDataset:
    root: Path
    id: str
    title: str
    base: str
    prefix: str
    language: str = "en"
    license: str | None = None
    description: str | None = None
    default_source: str | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def iri(self, entity_id: str) -> str:
        return self.base + entity_id


def date_bounds(value: str | None) -> tuple[str, str] | None:
    """An ISO date of day, month or year precision as its first and last day (ISO strings).

    ``2019`` -> (2019-01-01, 2019-12-31); ``2022-01`` -> (2022-01-01, 2022-01-31).
    ISO day strings compare correctly as text, so no datetime is needed.
    """
    if not value:
        return None
    v = str(value)[:10]
    parts = v.split("-")
    if len(parts) == 3:
        return v, v
    if len(parts) == 2:
        import calendar

        last = calendar.monthrange(int(parts[0]), int(parts[1]))[1]
        return f"{v}-01", f"{v}-{last:02d}"
    return f"{v}-01-01", f"{v}-12-31"


def origin_of(ds, source_id: str) -> str | None:
    """The origin of a source, relative to the dataset's base IRI (``source/<id>`` or
    ``origin/<name>``); ``None`` when its ``relays`` go round in a circle."""
    from ..resolve import normalize

    seen: set[str] = set()
    sid = source_id
    while sid in ds.sources:
        if sid in seen:
            return None
        seen.add(sid)
        relays = ds.sources[sid].relays
        if not isinstance(relays, str) or not relays.strip():
            return "source/" + sid
        if relays not in ds.sources:
            # a named origin: "Interior Ministry" and "interior ministry" are one
            return "origin/" + (re.sub(r"[^\w]+", "-", normalize(relays)).strip("-") or "unnamed")
        sid = relays
    return "source/" + sid
