"""One curated fact as the graph questions give it: :class:`Fact` with its :class:`Evidence`."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Evidence", "Fact", "fact_of", "fact_key"]


@dataclass(frozen=True)
class Evidence:
    """A source and the short verbatim quote from it that supports a fact."""

    source: str
    quote: str


@dataclass(frozen=True)
class Fact:
    """One curated fact: ``subject predicate object`` with its qualifiers and evidence.

    ``statement`` is the fact's id (its first statement), ``statements`` every
    statement behind it; ``corroboration`` and ``conflict`` as in the networkx
    view (:func:`kgbuilder.questions.network.support`).
    """

    statement: str
    subject: str
    predicate: str
    object: str                 # an entity id, or a literal's text when ``literal``
    subject_label: str = ""
    object_label: str = ""
    literal: bool = False
    date: str | None = None
    start: str | None = None
    end: str | None = None
    claimed_by: str | None = None
    verification: str | None = None
    evidence: tuple[Evidence, ...] = ()
    statements: tuple[str, ...] = ()
    corroboration: int = 0      # independent sources backing it (builder.agreement)
    conflict: bool = False      # one side of a conflict
    unit: str | None = None     # a figure's unit and bound (exact, at-least, ...), as curated
    bound: str | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        """The distinct sources of its evidence, in order."""
        return tuple(dict.fromkeys(e.source for e in self.evidence))

    @property
    def when(self) -> str:
        """The fact's time as text: ``2022-01-05``, ``2019 to 2022-01-05``, ``from 2022-01-05``."""
        if self.start and self.end:
            return f"{self.start} to {self.end}"
        if self.start:
            return f"from {self.start}"
        if self.end:
            return f"until {self.end}"
        return self.date or ""


def fact_of(G, u, v, d, *, literal_value=None) -> Fact:
    lit = literal_value is not None
    return Fact(
        statement=(d.get("statements") or [""])[0], subject=u, predicate=d["predicate"],
        object=str(literal_value) if lit else v,
        subject_label=G.nodes[u].get("label", u), object_label="" if lit else G.nodes[v].get("label", v),
        literal=lit, date=d.get("date"), start=d.get("start"), end=d.get("end"),
        claimed_by=d.get("claimed_by"), verification=d.get("verification"),
        evidence=tuple(Evidence(e["source"], e["quote"]) for e in d.get("evidence", ())),
        statements=tuple(d.get("statements", ())), corroboration=d.get("corroboration", 0),
        conflict=bool(d.get("conflict")), unit=d.get("unit"), bound=d.get("bound"),
    )


def fact_key(f: Fact):
    return (f.predicate, f.subject, f.object, f.statement)
