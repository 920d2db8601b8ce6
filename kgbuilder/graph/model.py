"""Plain data classes for a curated dataset, as loaded from YAML (or bulk files)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DateValue", "Source", "Evidence", "Entity", "Fact", "CuratedDataset"]


@dataclass(frozen=True)
class DateValue:
    text: str          # ISO 8601: YYYY-MM-DD, YYYY-MM or YYYY
    precision: str     # day, month or year

    @property
    def xsd(self) -> str:
        return {"day": "date", "month": "gYearMonth", "year": "gYear"}[self.precision]

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
