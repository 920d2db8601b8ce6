"""The networkx view flattened to rows of text: what GraphML, GEXF and CSV write.

GraphML and GEXF hold only scalar attributes and a spreadsheet only cells, so
lists are joined with `` | `` and per-language labels become ``label_kk``,
``label_ru``, ... Literal-valued facts (an event's ``date``, a casualty
count) become node columns named after their predicate.

Nodes: id, label, type, top_type, iri, description, aliases, label_<lang>...,
claimed_by, then one column per literal fact. Edges (one per fact between two
entities): id (the statement), source, target, predicate, date, start, end,
sources, quote, claimed_by, verification, corroboration (independent sources),
conflict (true/false). An edge's ``date`` is the fact's own
date, else the date of the event it belongs to, so that event roles (agent,
target, place) land on the timeline too.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["NetworkRows", "network_rows", "JOIN", "NODE_COLUMNS", "EDGE_COLUMNS"]

JOIN = " | "
NODE_COLUMNS = ["id", "label", "type", "top_type", "iri", "description", "aliases"]
EDGE_COLUMNS = ["id", "source", "target", "predicate", "date", "start", "end", "sources", "quote",
                "claimed_by", "verification", "corroboration", "conflict"]


@dataclass
class NetworkRows:
    nodes: list[dict[str, str]] = field(default_factory=list)
    edges: list[dict[str, str]] = field(default_factory=list)
    node_columns: list[str] = field(default_factory=list)
    edge_columns: list[str] = field(default_factory=lambda: list(EDGE_COLUMNS))
    graph: dict[str, str] = field(default_factory=dict)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return JOIN.join(_text(v) for v in value)
    return str(value)


def network_rows(kg) -> NetworkRows:
    """Nodes and edges of ``kg.to_networkx()`` as dicts of strings ('' when absent)."""
    G = kg.to_networkx()
    rows = NetworkRows(graph={k: _text(v) for k, v in G.graph.items()})
    langs: set[str] = set()
    facts: set[str] = set()
    for _, d in G.nodes(data=True):
        langs.update(lang for lang in d.get("labels", {}) if lang)
        facts.update(d.get("facts", {}))
    fixed = NODE_COLUMNS + [f"label_{lang}" for lang in sorted(langs)] + ["claimed_by"]
    fact_cols = {p: (p if p not in fixed else f"fact_{p}") for p in sorted(facts)}
    rows.node_columns = fixed + list(fact_cols.values())
    event_date: dict[str, str] = {}
    for n, d in G.nodes(data=True):
        row = {c: "" for c in rows.node_columns}
        row.update(id=str(n), label=_text(d.get("label")), type=_text(d.get("type")),
                   top_type=_text(d.get("top_type")), iri=_text(d.get("iri")),
                   description=_text(d.get("description")), aliases=_text(d.get("aliases")),
                   claimed_by=_text(d.get("claimed_by")))
        for lang, label in d.get("labels", {}).items():
            if lang:
                row[f"label_{lang}"] = label
        for pred, values in d.get("facts", {}).items():
            row[fact_cols[pred]] = JOIN.join(_text(v["value"]) for v in values)
        if d.get("date"):
            event_date[str(n)] = str(d["date"])
        elif "date" in d.get("facts", {}):
            event_date[str(n)] = _text(d["facts"]["date"][0]["value"])
        rows.nodes.append(row)
    for u, v, key, d in G.edges(keys=True, data=True):
        date = d.get("date")
        if not (date or d.get("start") or d.get("end")):
            date = event_date.get(str(u))
        rows.edges.append({
            "id": str(key), "source": str(u), "target": str(v), "predicate": _text(d.get("predicate")),
            "date": _text(date), "start": _text(d.get("start")), "end": _text(d.get("end")),
            "sources": _text(d.get("sources")), "quote": _text(d.get("quotes")),
            "claimed_by": _text(d.get("claimed_by")), "verification": _text(d.get("verification")),
            "corroboration": _text(d.get("corroboration")),
            "conflict": "true" if d.get("conflict") else "false",
        })
    return rows
