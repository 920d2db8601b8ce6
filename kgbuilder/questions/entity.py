"""``show``: everything about one entity (:class:`EntityInfo`)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .answers import _answer, _day, _there, resolve_entity
from .fact import Fact, fact_key, fact_of

__all__ = ["EventRole", "EntityInfo", "show_entity"]


@dataclass(frozen=True)
class EventRole:
    """An event an entity took part in, and in which role (agent, target, place, ...)."""

    event: str
    label: str
    type: str
    role: str
    date: str | None
    fact: Fact


@dataclass
class EntityInfo:
    """Everything about one entity: names, type, facts out and in, the events it took part in."""

    id: str
    iri: str
    label: str
    type: str
    labels: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    description: str = ""
    claimed_by: str | None = None
    facts_out: list[Fact] = field(default_factory=list)
    facts_in: list[Fact] = field(default_factory=list)
    events: list[EventRole] = field(default_factory=list)
    as_of: str | None = None


def show_entity(kg, name: str, *, as_of: str | None = None) -> EntityInfo:
    """Everything about one entity: names, type, facts in and out, events it took part in."""
    ent = resolve_entity(kg, name)
    return _answer(kg, _day(as_of), lambda G, adj: _show(G, ent, name, as_of))


def _show(G, ent: str, name: str, as_of: str | None) -> EntityInfo:
    _there(G, name, ent, as_of)
    d = G.nodes[ent]
    info = EntityInfo(id=ent, iri=d["iri"], label=d.get("label", ent), type=d.get("type", ""),
                      labels=dict(sorted(d.get("labels", {}).items())), aliases=list(d.get("aliases", [])),
                      description=d.get("description", ""), claimed_by=d.get("claimed_by"), as_of=as_of)
    for pred, facts in d.get("facts", {}).items():
        for f in facts:
            info.facts_out.append(fact_of(G, ent, None, {**f, "predicate": pred}, literal_value=f["value"]))
    for _, v, attrs in G.out_edges(ent, data=True):
        info.facts_out.append(fact_of(G, ent, v, attrs))
    for u, _, attrs in G.in_edges(ent, data=True):
        f = fact_of(G, u, ent, attrs)
        if G.nodes[u].get("top_type") == "Event":
            nd = G.nodes[u]
            info.events.append(EventRole(u, nd.get("label", u), nd.get("type", ""), attrs["predicate"],
                                         nd.get("date"), f))
        else:
            info.facts_in.append(f)
    info.facts_out.sort(key=fact_key)
    info.facts_in.sort(key=fact_key)
    info.events.sort(key=lambda e: (e.date or "9999", e.event, e.role))
    return info
