"""JSON Schemas for the curated YAML files, generated from the ontology.

The loader validates against the schema generated at run time, so a predicate
added to ``ontology.ttl`` is usable at once. The copies in this folder
(``dataset.schema.json``, ``data.schema.json``) serve editors through the YAML
language server; ``make schema`` regenerates them and a test keeps them in sync.
"""
from __future__ import annotations

import json
from pathlib import Path

__all__ = ["dataset_schema", "data_schema", "write_schemas", "SLUG", "DATE", "BOUNDS", "VERIFICATION",
           "EVIDENCE_RULES"]

SLUG = r"^[a-z0-9][a-z0-9-]*$"
DATE = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
LANG = r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$"
BOUNDS = ["exact", "at-least", "more-than", "at-most", "less-than", "approximately"]
VERIFICATION = ["unverified", "disputed", "verified"]
SCHEMA_ID = "https://w3id.org/kgbuilder/schemas/"

_str = {"type": "string", "minLength": 1}
_date = {"oneOf": [{"type": "string", "pattern": DATE}, {"type": "integer", "minimum": 1, "maximum": 9999}],
         "description": "ISO 8601 date: YYYY-MM-DD, YYYY-MM or YYYY"}
_ref = {"type": "string", "minLength": 1, "description": "an entity id, label or alias"}
_number = {"oneOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}]}
# one quantity form for event roles and fact values: 8, or {value: 200, bound: more-than, unit: person}
_figure = {"type": "object", "additionalProperties": False, "required": ["value"],
           "properties": {"value": _number, "unit": _str, "bound": {"enum": BOUNDS}}}


# Every pattern must also compile as a JavaScript regex in Unicode mode (what editors and
# check-jsonschema use), where escaping a character that needs no escape (\" or \-) is an error.

#: what `validate` asks of every fact and event: `sources`, or a `quote` (with its `source`, or the
#: dataset's default_source), never both forms. The loader words these errors itself (curation.load).
EVIDENCE_RULES = {
    "anyOf": [{"required": ["sources"]}, {"required": ["source"]}, {"required": ["quote"]}],
    "dependentRequired": {"source": ["quote"]},
    "dependentSchemas": {"sources": {"not": {"anyOf": [{"required": ["source"]}, {"required": ["quote"]}]}}},
}


def _source_fields(event: bool = False) -> dict:
    props = {"source": {"type": "string", "pattern": SLUG}, "quote": _str, "note": _str}
    if event:
        props["supports"] = {
            "type": "array", "minItems": 1,
            "items": {"type": "string", "pattern": r"^[A-Za-z]+(=\S.*)?$"},
            "description": "the roles of the event this quote supports: a role (`target`) or one value "
                           "of it (`participant=russia`); without it the quote backs every role"}
    return {
        "sources": {
            "type": "array", "minItems": 1,
            "description": "where the fact comes from, each with a short verbatim quote",
            "items": {
                "type": "object", "additionalProperties": False,
                "required": ["source", "quote"],
                "properties": props,
            },
        },
        "source": {"type": "string", "pattern": SLUG, "description": "one source (with `quote`)"},
        "quote": {**_str, "description": "verbatim clause of the source supporting the fact"},
    }


def _qualifiers() -> dict:
    return {
        "date": _date, "start": _date, "end": _date,
        "date_note": {**_str, "description": "how the date was resolved"},
        "place": _ref,
        "quantity": {"type": "object", "additionalProperties": False,
                     "properties": {"value": _number, "unit": _str, "bound": {"enum": BOUNDS}},
                     "description": "unit and bound of the fact's value (`value` needed only for a text fact)"},
        "role": _str,
        "claimed_by": {**_ref, "description": "the actor whose claim this is"},
        "verification": {"enum": VERIFICATION},
        "disputed_by": _ref,
        "note": _str,
    }


def dataset_schema() -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID + "dataset.schema.json",
        "title": "kgbuilder dataset.yaml",
        "type": "object", "additionalProperties": False,
        "required": ["id", "title", "base", "sources"],
        "properties": {
            "id": {"type": "string", "pattern": SLUG},
            "title": _str,
            "base": {"type": "string", "pattern": r'^https?://[^\s<>"{}|\\^`]+[/#]$',
                     "description": "base IRI of the dataset's entities; ends with / or #"},
            "prefix": {"type": "string", "pattern": r"^[a-z][a-z0-9]*$"},
            "license": _str,
            "language": {"type": "string", "pattern": LANG},
            "description": _str,
            "default_source": {"type": "string", "pattern": SLUG},
            "sources": {
                "type": "array", "minItems": 1,
                "items": {
                    "type": "object", "additionalProperties": False, "required": ["id", "title"],
                    "properties": {
                        "id": {"type": "string", "pattern": SLUG}, "title": _str, "publisher": _str,
                        "date": _date, "url": {"type": "string", "pattern": r"^https?://\S+$"},
                        "language": {"type": "string", "pattern": LANG},
                        "relays": {**_str, "description": "the source id, or the name of an origin (an agency, "
                                   "a ministry), whose report this source passes on: facts relayed from one "
                                   "origin count once towards corroboration"},
                    },
                },
            },
        },
    }


def data_schema(onto=None) -> dict:
    if onto is None:
        from .ontology import load_ontology

        onto = load_ontology()
    events = onto.event_classes()
    plain = [c for c in onto.entity_classes() if c not in events]
    entity_props = {
        "id": {"type": "string", "pattern": SLUG},
        "label": _str,
        "aliases": {"oneOf": [
            {"type": "array", "items": _str},
            {"type": "object", "propertyNames": {"pattern": LANG},
             "additionalProperties": {"type": "array", "items": _str}},
        ]},
        "labels": {"type": "object", "propertyNames": {"pattern": LANG}, "additionalProperties": _str},
        "description": _str,
        "wikidata": {"type": "string", "pattern": r"^Q[1-9][0-9]*$"},
    }
    roles: dict = {}
    for name in onto.event_roles():
        p = onto.predicates[name]
        if name == "date":
            roles[name] = _date
        elif p.is_object:
            roles[name] = {"oneOf": [_ref, {"type": "array", "items": _ref, "minItems": 1}],
                           "description": p.comment}
        elif p.range and p.range.endswith(("integer", "decimal")):
            roles[name] = {"oneOf": [_number, _figure], "description": p.comment}
        else:
            roles[name] = {**_str, "description": p.comment}
    quals = _qualifiers()
    meta = {k: quals[k] for k in ("claimed_by", "verification", "disputed_by", "date_note", "note")}
    event_props = {**entity_props, "type": {"enum": events}, **roles, **meta, **_source_fields(event=True)}
    restates = {"restates": {**_ref, "description": "an entity or event declared elsewhere (often in another "
                                                     "source's file) that this item adds to"},
                "aliases": entity_props["aliases"], "labels": entity_props["labels"]}
    fact_props = {
        "subject": _ref,
        "predicate": {"enum": sorted(onto.predicates)},
        "object": _ref,
        "value": {"oneOf": [{"type": ["string", "integer", "boolean"]}, _figure]},
        "lang": {"type": "string", "pattern": LANG},
        **quals, **_source_fields(),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID + "data.schema.json",
        "title": "kgbuilder entities, events and facts",
        "type": "object", "additionalProperties": False,
        "properties": {
            "source": {"type": "string", "pattern": SLUG,
                       "description": "the source of this file's facts and events where they give only a quote"},
            "entities": {"type": "array", "items": {"oneOf": [
                {"type": "object", "additionalProperties": False, "required": ["id", "type", "label"],
                 "properties": {**entity_props, "type": {"enum": plain}}},
                {"type": "object", "additionalProperties": False, "required": ["restates"],
                 "description": "more aliases or labels for an entity declared elsewhere",
                 "properties": restates},
            ]}},
            "events": {"type": "array", "items": {"oneOf": [
                {"type": "object", "additionalProperties": False, "required": ["id", "type", "label"],
                 "properties": event_props, **EVIDENCE_RULES},
                # evidence is needed only with roles (a restatement may add just aliases): the
                # loader says so; the schema keeps the two forms apart
                {"type": "object", "additionalProperties": False, "required": ["restates"],
                 "description": "another source's account of an event declared elsewhere: roles and evidence",
                 "properties": {**restates, **roles, **meta, **_source_fields(event=True)},
                 **{k: v for k, v in EVIDENCE_RULES.items() if k != "anyOf"}},
            ]}},
            "facts": {"type": "array", "items": {"oneOf": [
                {"type": "string", "pattern": r"^\S+\s+\S+\s+\S+\s*\|\s*\S.*$",
                 "description": "SUBJECT PREDICATE OBJECT | [@SOURCE] QUOTE"},
                {"type": "object", "additionalProperties": False, "required": ["subject", "predicate"],
                 "properties": fact_props, **EVIDENCE_RULES},
            ]}},
        },
    }


def write_schemas(folder: str | Path | None = None) -> list[Path]:
    """Regenerate the editor copies of the schemas."""
    folder = Path(folder or Path(__file__).parent)
    written = []
    for name, schema in (("dataset.schema.json", dataset_schema()), ("data.schema.json", data_schema())):
        path = folder / name
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_schemas():
        print(p)
