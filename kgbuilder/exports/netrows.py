"""The networkx view flattened to typed rows: what GraphML, GEXF and CSV write.

GraphML and GEXF hold only scalar attributes and a spreadsheet only cells, so
lists are joined with `` | `` and per-language labels become ``label_kk``,
``label_ru``, ... Every column has one type for the whole file (``string``,
``int``, ``double`` or ``boolean``), so Gephi and igraph can size and filter
by numbers; the CSV writes the same columns as text.

Nodes: id, label, type, top_type, iri, description, aliases, label_<lang>...,
claimed_by, then one column per literal fact named after its predicate, typed
from the predicate's range in the ontology (``killed``, ``age``: int;
``amount``: double). A quantity's bound and unit get their own columns
(``detained`` 200, ``detained_bound`` more-than, ``detained_unit`` person).
A numeric column holds one number: the first value in curation order; when a
node has several values for the predicate (a price in two currencies, two
sources' casualty figures), ``<predicate>_values`` lists them all as text.

Edges (one per fact between two entities): id (the fact: its first
statement), source, target, label (the predicate's English label), predicate,
date, start, end, place, role, quantity (double), quantity_unit, quantity_bound,
claimed_by, verification, sources (distinct),
evidence (``source: quote`` per quote), corroboration (int), conflict
(boolean), statements. An edge's ``date`` is the fact's own date, else the
date of the event it belongs to, so that event roles (agent, target, place)
land on the timeline too. No attribute is named ``id`` in GraphML or GEXF:
there the id is the element's own.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["NetworkRows", "network_rows", "JOIN", "NODE_COLUMNS", "EDGE_COLUMNS", "cell"]

JOIN = " | "
NODE_COLUMNS = ["id", "label", "type", "top_type", "iri", "description", "aliases"]
EDGE_COLUMNS = ["id", "source", "target", "label", "predicate", "date", "start", "end", "place", "role",
                "quantity", "quantity_unit", "quantity_bound", "claimed_by", "verification", "sources", "evidence",
                "corroboration", "conflict", "statements"]
EDGE_TYPES = {"quantity": "double", "corroboration": "int", "conflict": "boolean"}

# xsd range of a literal predicate -> column type
_NUMERIC = {"integer": "int", "int": "int", "long": "int", "nonNegativeInteger": "int",
            "positiveInteger": "int", "decimal": "double", "double": "double", "float": "double",
            "boolean": "boolean"}


@dataclass
class NetworkRows:
    """Rows of typed cells (str, int, float, bool, or None when absent) and each column's type."""

    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    node_columns: list[str] = field(default_factory=list)
    edge_columns: list[str] = field(default_factory=lambda: list(EDGE_COLUMNS))
    types: dict[str, dict[str, str]] = field(default_factory=lambda: {"node": {}, "edge": dict(EDGE_TYPES)})
    graph: dict[str, str] = field(default_factory=dict)

    def type_of(self, kind: str, column: str) -> str:
        """``string``, ``int``, ``double`` or ``boolean`` (``kind``: node or edge)."""
        return self.types[kind].get(column, "string")


def cell(value) -> str:
    """A typed cell as CSV text: '' when absent, true/false, numbers as Python writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return JOIN.join(t for t in (_text(v) for v in value) if t) or None
    return str(value) or None


def _typed(value, kind: str):
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind == "double":
        return float(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    return str(value)


def _bounded(f: dict) -> str:
    """One value with its bound and unit, as a reader says it: 'more than 200 person'."""
    bound = f.get("bound")
    words = [bound.replace("-", " ")] if bound and bound != "exact" else []
    return " ".join([*words, str(f["value"]), *([f["unit"]] if f.get("unit") else [])])


def network_rows(kg) -> NetworkRows:
    """Nodes and edges of ``kg.to_networkx()`` as typed rows (None when absent)."""
    from ..schemas.ontology import load_ontology

    onto = load_ontology()
    G = kg.to_networkx()
    rows = NetworkRows(graph={k: str(v) for k, v in G.graph.items() if v is not None})
    langs: set[str] = set()
    preds: dict[str, dict[str, bool]] = {}      # literal predicate -> which extra columns it needs
    for _, d in G.nodes(data=True):
        langs.update(lang for lang in d.get("labels", {}) if lang)
        for pred, values in d.get("facts", {}).items():
            need = preds.setdefault(pred, {"bound": False, "unit": False, "values": False})
            need["bound"] |= any(f.get("bound") for f in values)
            need["unit"] |= any(f.get("unit") for f in values)
            need["values"] |= len(values) > 1
    fixed = NODE_COLUMNS + [f"label_{lang}" for lang in sorted(langs)] + ["claimed_by"]
    columns = {}        # literal predicate -> (value column, type, {extra: column})
    taken = set(fixed)
    for pred in sorted(preds):
        p = onto.predicates.get(pred)
        kind = _NUMERIC.get((p.range or "").rsplit("#", 1)[-1], "string") if p and not p.is_object else "string"
        col = pred if pred not in taken else f"fact_{pred}"
        extras = {x: f"{col}_{x}" for x in ("bound", "unit") if preds[pred][x]}
        if kind != "string" and preds[pred]["values"]:
            extras["values"] = f"{col}_values"
        taken.update([col, *extras.values()])
        columns[pred] = (col, kind, extras)
        rows.types["node"][col] = kind
    rows.node_columns = fixed + [c for col, _, extras in columns.values() for c in (col, *extras.values())]

    event_date: dict[str, str] = {}
    for n, d in G.nodes(data=True):
        row = dict.fromkeys(rows.node_columns)
        row.update(id=str(n), label=_text(d.get("label")), type=_text(d.get("type")),
                   top_type=_text(d.get("top_type")), iri=_text(d.get("iri")),
                   description=_text(d.get("description")), aliases=_text(d.get("aliases")),
                   claimed_by=_text(d.get("claimed_by")))
        for lang, label in d.get("labels", {}).items():
            if lang:
                row[f"label_{lang}"] = label
        for pred, values in d.get("facts", {}).items():
            col, kind, extras = columns[pred]
            if kind == "string":
                row[col] = _text([v["value"] for v in values])
            else:
                row[col] = _typed(values[0]["value"], kind)
            for x in ("bound", "unit"):
                if x in extras:
                    row[extras[x]] = values[0].get(x) if kind != "string" else _text([v.get(x) for v in values])
            if "values" in extras and len(values) > 1:
                row[extras["values"]] = JOIN.join(_bounded(v) for v in values)
        if d.get("date"):
            event_date[str(n)] = str(d["date"])
        elif "date" in d.get("facts", {}):
            event_date[str(n)] = str(d["facts"]["date"][0]["value"])
        rows.nodes.append(row)

    for u, v, key, d in G.edges(keys=True, data=True):
        date = d.get("date")
        if not (date or d.get("start") or d.get("end")):
            date = event_date.get(str(u))
        p = onto.predicates.get(d.get("predicate"))
        rows.edges.append({
            "id": str(key), "source": str(u), "target": str(v),
            "label": (p.label if p and p.label else None) or _text(d.get("predicate")),
            "predicate": _text(d.get("predicate")), "date": _text(date), "start": _text(d.get("start")),
            "end": _text(d.get("end")), "place": _text(d.get("place")), "role": _text(d.get("role")),
            "quantity": _typed(d.get("quantity"), "double"), "quantity_unit": _text(d.get("unit")),
            "quantity_bound": _text(d.get("bound")),
            "claimed_by": _text(d.get("claimed_by")), "verification": _text(d.get("verification")),
            "sources": _text(d.get("sources")),
            "evidence": _text([f"{e['source']}: {e['quote']}" for e in d.get("evidence", ())]),
            "corroboration": int(d.get("corroboration") or 0), "conflict": bool(d.get("conflict")),
            "statements": _text(d.get("statements")),
        })
    return rows
