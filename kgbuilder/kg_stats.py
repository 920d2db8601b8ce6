"""The counts of :meth:`kgbuilder.kg.KnowledgeGraph.stats` (also ``kgbuilder.kg.Stats``)."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Stats"]


@dataclass
class Stats:
    """Counts by type, predicate, source and claimant, and the sources' agreement."""

    triples: int
    quads: int
    entities: dict[str, int] = field(default_factory=dict)      # by type
    predicates: dict[str, int] = field(default_factory=dict)    # by predicate (direct facts)
    statements: int = 0
    claims: int = 0
    claims_by: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)       # statements per source
    events: int = 0
    evidence: int = 0
    corroborated: int = 0           # statements backed by two or more independent sources
    single_source: int = 0
    conflicts: int = 0              # see builder.agreement
    corroborated_by_source: dict[str, int] = field(default_factory=dict)
    conflicting_by_source: dict[str, int] = field(default_factory=dict)   # statements on one side of a conflict
    # quotes of events with several roles that say no 'supports': each backs every role
    whole_event_quotes: int = 0
