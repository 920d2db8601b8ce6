"""Load a dataset folder of YAML files into a :class:`CuratedDataset`.

Every problem is collected as a :class:`Diagnostic` (``FILE:LINE: message``)
rather than stopping at the first, so ``kgbuilder validate`` can list them all.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

from ..errors import DatasetError, Diagnostic
from ..namespaces import STANDARD_PREFIXES
from ..schemas.input_schema import DATE, EVIDENCE_RULES, LANG, SLUG, data_schema, dataset_schema
from .bulk import fast_fact_ok
from .files import BULK_SUFFIXES, dataset_files, not_a_dataset_folder
from .model import CuratedDataset, DateValue, Entity, Evidence, Fact, Source
from ..schemas.ontology import Ontology, load_ontology
from ..resolve import AmbiguousName, Resolver, UnknownName, article, did_you_mean
from ..safe_paths import kind_of, link_outside
from .yamlload import MAX_INT_DIGITS, LDict, LList, line_of, load_yaml

__all__ = ["load_dataset", "load_dataset_collect", "dataset_files", "parse_date"]

XSD = STANDARD_PREFIXES["xsd"]
_DATE_RE = re.compile(DATE)
_SLUG_RE = re.compile(SLUG)
_SHORT = re.compile(r"^\s*(\S+)\s+(\S+)\s+(\S+)\s*\|\s*(?:@(\S+)\s+)?(.+?)\s*$", re.S)
_EVENT_META = {"claimed_by", "verification", "disputed_by", "date_note", "note"}
_ENTITY_KEYS = {"id", "type", "label", "aliases", "labels", "description", "wikidata"}
# a restatement names an entity or event declared elsewhere (often in another source's file)
_RESTATE_KEYS = {"restates", "aliases", "labels"}
_TOP_KEYS = ("entities", "events", "facts", "source")
_SOURCE_KEYS = {"sources", "source", "quote"}


def parse_date(value: Any) -> DateValue | None:
    """ISO 8601 date of day, month or year precision, or None when invalid."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _DATE_RE.match(text):
        return None
    if len(text) == 10:
        try:
            _dt.date.fromisoformat(text)
        except ValueError:
            return None
        return DateValue(text, "day")
    return DateValue(text, "month" if len(text) == 7 else "year")


_VALIDATORS: dict[int, tuple] = {}


def _validators(onto: Ontology):
    """JSON Schema validators generated from ``onto`` (cached per ontology object)."""
    cached = _VALIDATORS.get(id(onto))
    if cached is not None and cached[0] is onto:
        return cached[1]
    from jsonschema import Draft202012Validator

    data = data_schema(onto)
    items = data["properties"]
    validators = (
        Draft202012Validator(dataset_schema()),
        Draft202012Validator(data),
        {
            "entities": Draft202012Validator(items["entities"]["items"]["oneOf"][0]),
            "events": Draft202012Validator(items["events"]["items"]["oneOf"][0]),
            "facts": Draft202012Validator(items["facts"]["items"]["oneOf"][1]),
            "restate-entities": Draft202012Validator(items["entities"]["items"]["oneOf"][1]),
            "restate-events": Draft202012Validator(items["events"]["items"]["oneOf"][1]),
        },
    )
    _VALIDATORS[id(onto)] = (onto, validators)
    return validators


def _walk(doc: Any, path) -> tuple[Any, Any]:
    """(container, key) of the deepest element of ``path`` inside ``doc``."""
    container, key = doc, None
    for step in path:
        if key is not None:
            try:
                container = container[key]
            except (KeyError, IndexError, TypeError):
                return container, None
        key = step
    return container, key


def _schema_messages(validator, doc, display: str, prefix=(), what: str = "") -> list[Diagnostic]:
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        path = list(err.absolute_path)
        container, key = _walk(doc, path)
        line = line_of(container, key) if key is not None else line_of(doc if not path else container)
        name = str(path[-1]) if path and isinstance(path[-1], str) else (what or "value")
        schema = err.schema if isinstance(err.schema, dict) else {}
        inst = err.instance
        if err.validator == "additionalProperties":
            allowed = set(schema.get("properties", {}))
            for extra in sorted(set(inst) - allowed):
                kline = line_of(inst, extra)
                out.append(Diagnostic(display, kline, f"unknown key '{extra}'"
                                      + (f" in {what}" if what and not path else "")
                                      + did_you_mean(extra, allowed)))
            continue
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else err.message
            out.append(Diagnostic(display, line_of(inst) or line, f"missing required key '{missing}'"
                                  + (f" in {what}" if what and not path else "")))
            continue
        if err.validator == "enum":
            choices = [str(c) for c in schema.get("enum", [])]
            kind = {"predicate": "predicate", "type": "type"}.get(name, f"value for '{name}'")
            hint = did_you_mean(str(inst), choices)
            if not hint and len(choices) <= 8:
                hint = " (one of " + ", ".join(choices) + ")"
            out.append(Diagnostic(display, line, f"unknown {kind} '{inst}'{hint}"))
            continue
        if err.validator == "oneOf" and name == "aliases":
            out.append(Diagnostic(display, line, "'aliases' must be a list of names, e.g. [Tokayev, Tokaev], "
                                                 "or language tags with lists, e.g. {kk: [Тоқаев], ru: [Токаев]}"))
            continue
        if err.validator == "pattern" or (err.validator == "oneOf" and "date" in str(schema.get("description", ""))):
            pattern = schema.get("pattern", "")
            if pattern == LANG:
                where = f" in '{name}'" if name != "value" else ""
                msg = (f"bad language tag '{inst}'{where}: write a BCP 47 tag such as en, kk, ru or en-US "
                       "(letters, digits and hyphens)")
            elif pattern == SLUG or name in ("id", "source", "default_source"):
                msg = f"bad id '{inst}' in '{name}': use lower-case letters, digits and hyphens"
            elif pattern == DATE or "date" in str(schema.get("description", "")):
                msg = f"bad date '{inst}' in '{name}': expected ISO 8601 YYYY-MM-DD, YYYY-MM or YYYY"
            elif name == "base":
                msg = f"bad base IRI '{inst}': it must be an http(s) IRI without spaces ending with / or #"
            else:
                msg = f"bad value '{inst}' for '{name}'"
            out.append(Diagnostic(display, line, msg))
            continue
        if err.validator == "type":
            want = schema.get("type")
            want = " or ".join(want) if isinstance(want, list) else want
            got = {dict: "mapping", list: "list", str: "string", int: "integer", bool: "boolean",
                   type(None): "empty"}.get(type(inst), type(inst).__name__)
            if isinstance(inst, bool):
                got = "boolean"
            quote_hint = " (quote it)" if want == "string" and isinstance(inst, (int, bool)) else ""
            out.append(Diagnostic(display, line, f"'{name}' must be {article(want)}, not {got}{quote_hint}"))
            continue
        evidence = _evidence_message(err, inst, line)
        if evidence is not None:
            if evidence:
                out.append(Diagnostic(display, *evidence))
            continue
        if err.validator in ("minItems", "minLength"):
            out.append(Diagnostic(display, line, f"'{name}' must not be empty"))
            continue
        if err.validator == "oneOf" and "'integer'" in str(schema) and not isinstance(inst, (dict, list)):
            out.append(Diagnostic(display, line, f"'{name}' needs a number (like 8, or {{value: 200, "
                                                 f"bound: more-than}}), not '{inst}'"))
            continue
        out.append(Diagnostic(display, line, f"invalid '{name}': {err.message}"))
    return out


_NO_SOURCE = "no source: add 'sources' (each with 'source' and 'quote') or 'source' + 'quote'"
_NO_QUOTE = "source without a quote: add 'quote' with the supporting text"
_BOTH = "use either 'sources' or 'source' + 'quote', not both"


def _evidence_message(err, inst, line) -> tuple | None:
    """(line, message) for a failure of the schema's EVIDENCE_RULES, in the loader's words;
    () when another message already says it; None for other errors."""
    if err.validator == "anyOf" and err.validator_value == EVIDENCE_RULES["anyOf"]:
        import difflib

        # a misspelt 'quote' or 'sources' is already an unknown key: one message is enough
        unknown = [k for k in inst if k not in err.schema.get("properties", {})]
        if any(difflib.get_close_matches(str(k), ("sources", "source", "quote"), cutoff=0.6) for k in unknown):
            return ()
        return line_of(inst) or line, _NO_SOURCE
    if err.validator == "dependentRequired" and err.validator_value == EVIDENCE_RULES["dependentRequired"]:
        return line_of(inst, "source"), _NO_QUOTE
    if err.validator == "not" and err.schema == EVIDENCE_RULES["dependentSchemas"]["sources"]:
        return line_of(inst, "source" if "source" in inst else "quote"), _BOTH
    return None


class _Loader:
    def __init__(self, root: Path, onto: Ontology):
        self.root = root
        self.onto = onto
        self.diags: list[Diagnostic] = []
        self.resolver = Resolver()
        self.file_source: dict[str, str] = {}                       # file -> the source of its items
        self.restated: dict[int, str] = {}                          # id(restatement) -> entity id

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def err(self, file: str, line: int | None, message: str) -> None:
        self.diags.append(Diagnostic(file, line, message))

    # -- dataset.yaml ---------------------------------------------------
    def load_meta(self) -> CuratedDataset | None:
        path = self.root / "dataset.yaml"
        name = self.display(path)
        try:
            kind = kind_of(path)
        except OSError as exc:      # a folder path so long that this name is over the limit
            self.err(name, None, f"cannot read: {exc.strerror}")
            return None
        if kind is not None and kind != "file":     # a folder, a FIFO (never opened), a device
            self.err(name, None, "not a file (dataset.yaml must be a file of YAML)")
            return None
        if kind != "file":
            alt = self.root / "dataset.yml"
            hint = " (found dataset.yml: rename it)" if alt.exists() else ""
            self.err(name, None, f"missing dataset.yaml{hint}")
            return None
        if self.refuse_link(path, name):
            return None
        try:
            doc = load_yaml(path, name)
        except DatasetError as exc:
            self.diags.extend(exc.diagnostics)
            return None
        if not isinstance(doc, LDict):
            self.err(name, line_of(doc) or 1, "dataset.yaml must be a mapping")
            return None
        ds_validator, _, _ = _validators(self.onto)
        problems = _schema_messages(ds_validator, doc, name, what="dataset.yaml")
        self.diags.extend(problems)
        if any(k not in doc for k in ("id", "title", "base")):
            return None
        base = str(doc["base"])
        if any(d.line == line_of(doc, "base") for d in problems) or not self.base_ok(name, doc):
            return None          # every IRI hangs off the base: one error here, not one per entity
        ds = CuratedDataset(
            root=self.root, id=str(doc["id"]), title=str(doc["title"]), base=base,
            prefix=str(doc.get("prefix") or "ds"), language=str(doc.get("language") or "en"),
            license=doc.get("license"), description=doc.get("description"),
            default_source=doc.get("default_source"),
        )
        if ds.prefix in STANDARD_PREFIXES:
            self.err(name, line_of(doc, "prefix"), f"prefix '{ds.prefix}' is reserved for {STANDARD_PREFIXES[ds.prefix]}")
        sources = doc.get("sources")
        if isinstance(sources, LList):
            for i, src in enumerate(sources):
                if not isinstance(src, LDict) or "id" not in src or not isinstance(src.get("id"), str):
                    continue
                sid = src["id"]
                line = line_of(sources, i)
                if sid in ds.sources:
                    self.err(name, line, f"duplicate source id '{sid}' (first on line {ds.sources[sid].line})")
                    continue
                date = parse_date(src["date"]) if "date" in src else None
                if "date" in src and date is None and _DATE_RE.match(str(src["date"])):
                    self.err(name, line_of(src, "date"), f"bad date '{src['date']}' in 'date': not a calendar date")
                ds.sources[sid] = Source(
                    id=sid, title=str(src.get("title", "")), publisher=src.get("publisher"),
                    date=date, url=src.get("url"),
                    language=src.get("language"), relays=src.get("relays"), file=name, line=line,
                )
        if ds.default_source and ds.default_source not in ds.sources:
            self.err(name, line_of(doc, "default_source"),
                     f"unknown source '{ds.default_source}'" + did_you_mean(ds.default_source, ds.sources))
        self.check_relays(ds)
        return ds

    def check_relays(self, ds: CuratedDataset) -> None:
        """A source relays a source id or a named origin; a chain of relays must end somewhere."""
        from .model import origin_of

        for src in ds.sources.values():
            if not isinstance(src.relays, str):
                continue
            if src.relays == src.id:
                self.err(src.file, src.line, f"source '{src.id}' relays itself: name the source or origin it passes on")
            elif origin_of(ds, src.id) is None:
                self.err(src.file, src.line, f"source '{src.id}': its 'relays' go round in a circle")

    def base_ok(self, name: str, doc: LDict) -> bool:
        """The base IRI must also parse as an IRI (a bracketed host like http://[::1/ does not)."""
        from urllib.parse import urlsplit

        try:
            urlsplit(str(doc["base"])).port
        except ValueError as exc:
            self.err(name, line_of(doc, "base"), f"bad base IRI '{doc['base']}': {exc}")
            return False
        return True

    def refuse_link(self, path: Path, name: str) -> bool:
        """A symlink out of the dataset folder is an error, and its target is never read."""
        real = link_outside(self.root, path)
        if real is None:
            return False
        what = "folder" if path.is_dir() else "file"
        self.err(name, None, f"symlink to {real}, outside the dataset folder: refused "
                             f"(copy the {what} into the dataset instead)")
        return True

    # -- the other files --------------------------------------------------
    def load_docs(self, ds: CuratedDataset) -> list[tuple[str, str, LDict, int]]:
        """Read every file; return (kind, file, item, line) for entities/events/facts."""
        items = []
        for path in dataset_files(self.root):
            ds.files.append(path)
            items.extend(self.load_doc(path))
        return items

    def load_doc(self, path: Path) -> list[tuple[str, str, LDict, int]]:
        """One file's (kind, file, item, line); a bulk file is one ("bulk", file, path, None)."""
        _, data_validator, item_validators = _validators(self.onto)
        items: list = []
        name = self.display(path)
        if self.refuse_link(path, name):
            return items
        if path.is_dir():
            self.err(name, None, "a symlink to a folder: its files are not read (kgbuilder follows no "
                                 "folder links; move the folder into the dataset, or link each file)")
            return items
        if path.suffix in BULK_SUFFIXES:
            # streamed row by row in load_items, once every entity is known
            return [("bulk", name, path, None)]
        try:
            doc = load_yaml(path, name, problems=self.diags)
        except DatasetError as exc:
            self.diags.extend(exc.diagnostics)
            return items
        if doc is None:
            return items
        if not isinstance(doc, LDict):
            self.err(name, line_of(doc) or 1, "expected a mapping with 'entities', 'events' or 'facts'")
            return items
        for key in doc:
            if key not in _TOP_KEYS:
                self.err(name, line_of(doc, key), f"unknown key '{key}'"
                         + (did_you_mean(key, _TOP_KEYS) or " (expected 'entities', 'events' or 'facts')"))
        if "source" in doc:
            # the file's own source: a dataset may keep one file (or folder) per source. An item
            # of its own, so that it travels with the file's items through the build cache
            if isinstance(doc["source"], str):
                items.append(("source", name, doc["source"], line_of(doc, "source")))
            else:
                self.err(name, line_of(doc, "source"), "'source' must be a source id (a string)")
        for kind in ("entities", "events", "facts"):
            seq = doc.get(kind)
            if seq is None:
                continue
            if not isinstance(seq, LList):
                self.err(name, line_of(doc, kind), f"'{kind}' must be a list")
                continue
            singular = kind[:-1] if kind != "entities" else "entity"
            for i, item in enumerate(seq):
                line = line_of(seq, i)
                if kind == "facts" and isinstance(item, str):
                    items.append((kind, name, item, line))
                    continue
                if not isinstance(item, LDict):
                    self.err(name, line, f"each of '{kind}' must be a mapping"
                             + (" or a one-line fact" if kind == "facts" else ""))
                    continue
                tag, what = kind, singular
                if kind != "facts" and "restates" in item:
                    tag, what = "restate-" + kind, f"{singular} restatement"
                # the bulk loader's hand-written check accepts exactly what the schema accepts,
                # ~20x faster: a large YAML file of facts is not a minute of jsonschema
                problems = [] if kind == "facts" and fast_fact_ok(item, self.onto.predicates) else \
                    _schema_messages(item_validators[tag], item, name, what=what)
                self.diags.extend(problems)
                # a broken item is still registered (entities) and its references
                # checked (facts), so one run reports every problem
                items.append((tag + ("-broken" if problems else ""), name, item, line))
        return items

    def register_entities(self, ds: CuratedDataset, items) -> None:
        for kind, name, item, line in items:
            if kind.startswith(("facts", "restate")) or kind in ("bulk", "source") or not isinstance(item.get("id"), str):
                continue
            eid = item["id"]
            if eid in ds.entities:
                first = ds.entities[eid]
                self.err(name, line_of(item, "id"), f"duplicate id '{eid}' (first defined at {first.file}:{first.line})"
                         + ("; to add what another source says, write 'restates: " + eid + "'"
                            if first.file != name else ""))
                continue
            if eid in ds.sources:
                self.err(name, line_of(item, "id"), f"id '{eid}' is also a source id")
            aliases: list[tuple[str, str]] = []
            raw = item.get("aliases")
            if isinstance(raw, list):
                aliases = [(a, ds.language) for a in raw if isinstance(a, str)]
            elif isinstance(raw, dict):
                aliases = [(a, lang) for lang, vals in raw.items() for a in (vals or []) if isinstance(a, str)]
            labels = {k: v for k, v in (item.get("labels") or {}).items() if isinstance(v, str)}
            ent = Entity(id=eid, type=str(item.get("type")), label=str(item.get("label")), aliases=aliases,
                         labels=labels, description=item.get("description"), wikidata=item.get("wikidata"),
                         is_event=kind.startswith("events"), file=name, line=line)
            if ent.is_event:
                ent.whole_event_quotes = _whole_event_quotes(item)
            ds.entities[eid] = ent
            self.resolver.add(eid, [ent.label, *(a for a, _ in aliases), *labels.values()])
        self._entities = ds.entities
        for kind, name, item, line in items:
            if kind in ("restate-entities", "restate-events"):
                self.register_restatement(ds, kind, name, item)
        for kind, name, item, line in items:
            # an event's claimant is known before any file restates the event
            if kind == "events" and isinstance(item.get("claimed_by"), str) and item["id"] in ds.entities:
                try:
                    ds.entities[item["id"]].claimed_by = self.resolver.resolve(item["claimed_by"])
                except LookupError:
                    pass    # reported where the event is loaded

    def register_restatement(self, ds: CuratedDataset, kind: str, name: str, item: LDict) -> None:
        """Resolve what a restatement names and add its aliases and labels to that entity."""
        eid = self.ref(name, line_of(item, "restates"), item["restates"], "restates")
        if eid is None:
            return
        ent = ds.entities[eid]
        if kind == "restate-events" and not ent.is_event:
            self.err(name, line_of(item, "restates"), f"'{eid}' is a {ent.type}, not an event: "
                     "restate it under 'entities' (aliases, labels) and write its facts under 'facts'")
            return
        self.restated[id(item)] = eid
        raw = item.get("aliases")
        new = ([(a, ds.language) for a in raw] if isinstance(raw, list) else
               [(a, lang) for lang, vals in (raw or {}).items() for a in vals])
        ent.aliases.extend(a for a in new if a not in ent.aliases)
        for lang, label in (item.get("labels") or {}).items():
            known = ent.labels.get(lang) or (ent.label if lang == ds.language else None)
            if known not in (None, label):
                self.err(name, line_of(item["labels"], lang), f"'{eid}' already has the {lang} label "
                         f"'{known}' ({ent.file}:{ent.line}): add '{label}' as an alias")
                continue
            ent.labels[lang] = label
        self.resolver.add(eid, [a for a, _ in new] + list((item.get("labels") or {}).values()))

    def ref(self, name: str, line: int | None, value: Any, key: str) -> str | None:
        if not isinstance(value, str):
            self.err(name, line, f"'{key}' must be an entity reference (a string)")
            return None
        try:
            return self.resolver.resolve(value)
        except UnknownName as exc:
            self.err(name, line, f"unknown entity '{value}' in '{key}'{exc.hint}")
        except AmbiguousName as exc:
            self.err(name, line, str(exc))
        return None

    def evidence(self, ds: CuratedDataset, name: str, item: LDict, default_line: int | None) -> list[Evidence]:
        # the schema's EVIDENCE_RULES have made sure of `sources` or a `quote`, never both
        out = []
        if "sources" in item:
            for i, src in enumerate(item["sources"]):
                line = line_of(item["sources"], i)
                supports = tuple(src["supports"]) if "supports" in src else None
                out.append(Evidence(source=src["source"], quote=src["quote"], file=name, line=line,
                                    supports=supports))
        else:
            sid = item.get("source") or self.file_source.get(name, ds.default_source)
            if sid is None:
                self.err(name, line_of(item, "quote"), "quote without a source: add 'source' (or 'source:' at the "
                                                       "top of the file, or default_source in dataset.yaml)")
                return []
            out.append(Evidence(source=sid, quote=item["quote"], file=name, line=line_of(item, "quote")))
        for ev in out:
            if ev.source not in ds.sources:
                self.err(name, ev.line, f"unknown source '{ev.source}'" + did_you_mean(ev.source, ds.sources))
            if not ev.quote.strip():
                self.err(name, ev.line, "empty quote")
        return out

    def qualifiers(self, name: str, item: LDict) -> dict[str, Any]:
        q: dict[str, Any] = {}
        for key in ("date", "start", "end"):
            if key in item:
                d = parse_date(item[key])
                if d is None:
                    self.err(name, line_of(item, key), f"bad date '{item[key]}' in '{key}': not a calendar date")
                else:
                    q[key] = d
        if "start" in q and "end" in q and q["start"].bounds()[0] > q["end"].bounds()[1]:
            self.err(name, line_of(item, "end"), f"end {q['end'].text} is before start {q['start'].text}")
        for key in ("place", "claimed_by", "disputed_by"):
            if key in item:
                rid = self.ref(name, line_of(item, key), item[key], key)
                if rid is not None:
                    q[key] = rid
                    want = "Place" if key == "place" else "Agent"
                    self.check_type(name, line_of(item, key), rid, want, key)
        for key in ("date_note", "role", "note", "verification"):
            if key in item:
                q[key] = item[key]
        if "quantity" in item:
            q["quantity"] = dict(item["quantity"])
        return q

    def check_type(self, name: str, line, eid: str, want: str | None, what: str) -> None:
        if want is None or want == "Entity":
            return
        ent = self._entities.get(eid)
        if ent is None:
            return
        if not self.onto.is_a(ent.type, want):
            self.err(name, line, f"'{eid}' is {article(ent.type)}, but {what} needs {article(want)}")

    def literal(self, name: str, line, pred, value: Any) -> tuple[Any, str] | None:
        rng = pred.range or XSD + "string"
        if rng in (XSD + "integer",):
            if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"-?\d+", value))):
                self.err(name, line, f"'{pred.name}' needs an integer, not '{value}'")
                return None
            if isinstance(value, str) and len(value) > MAX_INT_DIGITS:
                self.err(name, line, f"'{pred.name}': integer of {len(value)} digits is too long "
                                     f"(at most {MAX_INT_DIGITS})")
                return None
            return int(value), rng
        if rng == XSD + "decimal":
            if isinstance(value, bool) or not re.fullmatch(r"-?\d+(\.\d+)?", str(value)):
                self.err(name, line, f"'{pred.name}' needs a number, not '{value}'")
                return None
            return str(value), rng
        if rng == XSD + "date" or pred.name == "date":
            d = parse_date(value)
            if d is None:
                why = ("not a calendar date" if isinstance(value, str) and _DATE_RE.match(value)
                       else "expected ISO 8601 YYYY-MM-DD, YYYY-MM or YYYY")
                self.err(name, line, f"bad date '{value}' for '{pred.name}': {why}")
                return None
            return d, XSD + d.xsd
        if rng == XSD + "boolean":
            if not isinstance(value, bool):
                self.err(name, line, f"'{pred.name}' needs true or false, not '{value}'")
                return None
            return value, rng
        if isinstance(value, bool):
            self.err(name, line, f"'{pred.name}' needs text, not {str(value).lower()} (quote it)")
            return None
        return str(value), rng

    def fact(self, ds: CuratedDataset, name: str, line, subject: str | None, pred_name: str,
             obj: Any, is_literal: bool, item: LDict, key_line, quals, evidence, lang=None,
             keep: bool = True) -> None:
        pred = self.onto.predicates.get(pred_name)
        if pred is None:
            self.err(name, key_line, f"unknown predicate '{pred_name}'" + did_you_mean(pred_name, self.onto.predicates))
            return
        subj_ent = self._entities.get(subject) if subject is not None else None
        if subj_ent is not None and pred.domain and not self.onto.is_a(subj_ent.type, pred.domain):
            self.err(name, key_line, f"'{pred_name}' needs a subject of type {pred.domain}, but '{subject}' is {article(subj_ent.type)}")
        fact = Fact(subject=subject, predicate=pred_name, qualifiers=quals, evidence=evidence, file=name, line=line)
        if pred.is_object:
            if is_literal:
                self.err(name, key_line, f"'{pred_name}' links to an entity: use 'object', not 'value'")
                return
            oid = self.ref(name, key_line, obj, pred_name if _is_event_item(item) else "object")
            if oid is None:
                return
            self.check_type(name, key_line, oid, pred.range, f"the object of '{pred_name}'")
            fact.object = oid
            if subject is None:   # reported; the object was still checked
                return
        else:
            if not is_literal and "value" not in item and not _is_event_item(item):
                self.err(name, key_line, f"'{pred_name}' takes a literal: use 'value', not 'object'")
                return
            numeric = pred.range in (XSD + "integer", XSD + "decimal")
            qty = None
            if isinstance(obj, dict):
                if not numeric:
                    self.err(name, key_line, f"'{pred_name}' takes text, not a quantity: write the value itself")
                    return
                qty = {k: v for k, v in obj.items() if k != "value"}
                obj = obj.get("value")
            lit = self.literal(name, key_line, pred, obj)
            if lit is None or subject is None:
                return
            fact.value, fact.datatype = lit
            given = quals.get("quantity")
            if given is not None:
                # `value: 8` + `quantity: {unit, bound}` says what `value: {value: 8, unit, bound}`
                # (an event's form) says: the same figure, so the same statement
                if "value" not in given and not numeric:
                    self.err(name, line_of(item, "quantity"), f"'quantity' needs a 'value': '{pred_name}' takes text")
                    return
                if numeric and "value" in given:
                    if str(given["value"]) != str(fact.value):
                        self.err(name, line_of(item, "quantity"), f"the quantity's value {given['value']} is not "
                                 f"the fact's value {fact.value}: give the figure once, in 'value'")
                        return
                    given = {k: v for k, v in given.items() if k != "value"}
                clash = [k for k in (qty or {}) if k in given and given[k] != qty[k]]
                if clash:
                    self.err(name, line_of(item, "quantity"), f"'{clash[0]}' given twice with different values")
                    return
                qty = {**given, **(qty or {})}
                fact.qualifiers = {k: v for k, v in quals.items() if k != "quantity"}
            if qty:
                fact.qualifiers = {**fact.qualifiers, "quantity": qty}
            if fact.datatype == XSD + "string" and lang:
                # free text follows the ontology's xsd:string range unless a language is asked for
                fact.lang = lang
        if keep:
            ds.facts.append(fact)

    def load_items(self, ds: CuratedDataset, items) -> None:
        self._entities = ds.entities
        for kind, name, item, line in items:
            if kind == "bulk":
                self.load_items(ds, self.bulk_items(item, name))
                continue
            if kind == "source":
                if item in ds.sources:
                    self.file_source[name] = item
                else:
                    self.err(name, line, f"unknown source '{item}'" + did_you_mean(item, ds.sources))
                continue
            if kind.endswith("-broken"):
                if kind != "entities-broken":
                    self.check_broken(ds, name, item, line, kind)
                continue
            if kind in ("entities", "restate-entities"):
                continue
            if kind == "restate-events":
                if id(item) in self.restated:
                    self.load_restatement(ds, name, item, line, self.restated[id(item)])
                continue
            if kind == "events":
                self.load_event(ds, name, item, line)
            elif kind == "facts":
                if isinstance(item, str):
                    self.load_short(ds, name, item, line)
                else:
                    self.load_fact(ds, name, item, line)

    def bulk_items(self, path: Path, name: str):
        """The facts of a CSV or JSONL file as (kind, file, item, line), streamed."""
        from .bulk import iter_bulk_items

        validator = _validators(self.onto)[2]["facts"]
        return iter_bulk_items(path, name, self.onto.predicates, self.diags.append,
                               lambda item, n: _schema_messages(validator, item, n, what="fact"))

    def check_broken(self, ds: CuratedDataset, name: str, item: LDict, line, kind: str = "") -> None:
        """Check the references of an item that failed the schema, without keeping it."""
        if kind == "events-broken":
            # an event: every role the schema accepted is still checked (references, types,
            # literals), so a bad date does not hide a typo in 'participant' until the next run
            bad = _bad_keys(_validators(self.onto)[2]["events"], item)
            eid = item.get("id")
            ent = ds.entities.get(eid) if isinstance(eid, str) and "id" not in bad else None
            if ent is not None and ent.is_event and ent.file == name and ent.line == line:
                self.load_event(ds, name, _sub(item, [k for k in item if k not in bad]), line,
                                evidence=not (bad & _SOURCE_KEYS), keep=False)
            return
        for key in ("subject", "object", "claimed_by", "disputed_by", "place"):
            if isinstance(item.get(key), str):
                self.ref(name, line_of(item, key), item[key], key)
        sources = item.get("sources")
        if isinstance(sources, list):
            for i, src in enumerate(sources):
                if isinstance(src, dict) and isinstance(src.get("source"), str) and src["source"] not in ds.sources:
                    self.err(name, line_of(sources, i), f"unknown source '{src['source']}'" + did_you_mean(src["source"], ds.sources))
        elif isinstance(item.get("source"), str) and item["source"] not in ds.sources:
            self.err(name, line_of(item, "source"), f"unknown source '{item['source']}'" + did_you_mean(item["source"], ds.sources))

    def load_event(self, ds: CuratedDataset, name: str, item: LDict, line, *, evidence: bool = True,
                   keep: bool = True) -> None:
        """An event's roles as facts; ``keep=False`` only checks them (an event the schema
        rejected), ``evidence=False`` skips its sources (the schema already said what is wrong)."""
        evidence = self.evidence(ds, name, item, line) if evidence else []
        quals = self.qualifiers(name, _sub(item, _EVENT_META))
        eid = item["id"]
        if "claimed_by" in quals and keep:
            ds.entities[eid].claimed_by = quals["claimed_by"]
        roles = [k for k in item if k not in _ENTITY_KEYS | _SOURCE_KEYS | _EVENT_META]
        if not roles and keep:
            self.err(name, line, f"event '{eid}' has no roles: add at least one of agent, target, place, date, ...")
        self.event_roles(ds, name, item, eid, roles, quals, evidence, keep=keep)

    def load_restatement(self, ds: CuratedDataset, name: str, item: LDict, line, eid: str) -> None:
        """Another source's account of an event declared elsewhere: its roles, with this
        source's evidence, become facts about that event. The event's claimant carries
        over (unless the restatement names another), so the same figure is the same fact."""
        roles = [k for k in item if k not in _RESTATE_KEYS | _SOURCE_KEYS | _EVENT_META]
        if not roles and not any(k in item for k in _SOURCE_KEYS | _EVENT_META):
            return      # only aliases or labels
        if not roles:
            self.err(name, line, f"the restatement of '{eid}' has no roles: add the roles this source "
                     "reports (agent, target, place, date, killed, ...)")
            return
        if not any(k in item for k in _SOURCE_KEYS):
            self.err(name, line, _NO_SOURCE)
            return
        evidence = self.evidence(ds, name, item, line)
        quals = self.qualifiers(name, _sub(item, _EVENT_META))
        claimant = ds.entities[eid].claimed_by
        if "claimed_by" not in item and claimant:
            quals["claimed_by"] = claimant
        self.event_roles(ds, name, item, eid, roles, quals, evidence)

    def event_roles(self, ds: CuratedDataset, name: str, item: LDict, eid: str, roles, quals, evidence, *,
                    keep: bool = True) -> None:
        """The roles of an event (or of a restatement of it) as facts, each with the quotes that support it."""
        supports = self.supports(name, eid, item, roles, evidence)
        for key in roles:
            pred = self.onto.predicates.get(key)
            values = item[key]
            many = values if isinstance(values, list) and pred is not None and pred.is_object else [values]
            for j, v in enumerate(many):
                kline = line_of(values, j) if many is values else line_of(item, key)
                # each role carries only the quotes that support it (docs/curation-format.md)
                backing = [ev for ev in evidence if supports(ev, key, v)]
                if evidence and not backing:
                    self.err(name, kline, f"no quote of event '{eid}' supports '{key}'"
                                          + (f" '{v}'" if many is values else "")
                             + ": name it in a quote's 'supports', or add a quote without 'supports'")
                    continue
                self.fact(ds, name, kline, eid, key, v, pred is not None and not pred.is_object,
                          item, kline, dict(quals), backing, keep=keep)

    def supports(self, name: str, eid: str, item: LDict, roles: list[str], evidence: list[Evidence]):
        """Check the 'supports' of an event's quotes; return ``(evidence, role, value) -> bool``."""
        def key(value) -> str:
            if isinstance(value, str):
                try:
                    return "@" + self.resolver.resolve(value)
                except LookupError:
                    return value
            return str(value)

        values = {r: {key(v) for v in (item[r] if isinstance(item[r], list) else [item[r]])} for r in roles}
        for ev in evidence:
            for entry in ev.supports or ():
                role, _, value = entry.partition("=")
                if role not in values:
                    self.err(name, ev.line, f"'supports' names '{role}', which event '{eid}' does not have"
                             + (did_you_mean(role, roles) or f" (its roles: {', '.join(roles)})"))
                elif value and key(value.strip()) not in values[role]:
                    self.err(name, ev.line, f"'supports' names {role} '{value.strip()}', but event '{eid}' "
                             f"has no such {role}" + did_you_mean(value.strip(), [str(v) for v in
                                                     (item[role] if isinstance(item[role], list) else [item[role]])]))

        def supported(ev: Evidence, role: str, value) -> bool:
            if ev.supports is None:
                return True
            for entry in ev.supports:
                r, _, v = entry.partition("=")
                if r == role and (not v or key(v.strip()) == key(value)):
                    return True
            return False

        return supported

    def load_fact(self, ds: CuratedDataset, name: str, item: LDict, line) -> None:
        evidence = self.evidence(ds, name, item, line)
        quals = self.qualifiers(name, item)
        subject = self.ref(name, line_of(item, "subject"), item["subject"], "subject")
        has_obj, has_val = "object" in item, "value" in item
        if has_obj == has_val:
            self.err(name, line, "a fact needs exactly one of 'object' (an entity) or 'value' (a literal)")
            return
        self.fact(ds, name, line, subject, item["predicate"], item["object"] if has_obj else item["value"],
                  has_val, item, line_of(item, "predicate"), quals, evidence, lang=item.get("lang"))

    def load_short(self, ds: CuratedDataset, name: str, text: str, line) -> None:
        m = _SHORT.match(text)
        if not m:
            self.err(name, line, "one-line fact must read 'SUBJECT PREDICATE OBJECT | QUOTE' "
                                 "(or '... | @SOURCE QUOTE')")
            return
        s, p, o, sid, quote = m.groups()
        sid = sid or self.file_source.get(name, ds.default_source)
        if sid is None:
            self.err(name, line, "one-line fact without a source: write '| @SOURCE QUOTE', or set 'source:' "
                                 "at the top of the file or default_source")
            return
        if sid not in ds.sources:
            self.err(name, line, f"unknown source '{sid}'" + did_you_mean(sid, ds.sources))
            return
        item = LDict(line)
        subject = self.ref(name, line, s, "subject")
        pred = self.onto.predicates.get(p)
        is_literal = pred is not None and not pred.is_object
        self.fact(ds, name, line, subject, p, o, is_literal, item, line, {},
                  [Evidence(source=sid, quote=quote, file=name, line=line)])


def _is_event_item(item) -> bool:
    """An event or a restatement (whose role keys are predicates), not a fact."""
    return "id" in item or "restates" in item


def _whole_event_quotes(item: LDict) -> int:
    """How many quotes of an event back all its roles for want of 'supports' (0 with one role)."""
    n_values = sum(len(v) if isinstance(v, list) else 1 for k, v in item.items()
                   if k not in _ENTITY_KEYS | _SOURCE_KEYS | _EVENT_META)
    if n_values < 2:
        return 0
    if isinstance(item.get("sources"), list):
        return sum(1 for s in item["sources"] if isinstance(s, dict) and "supports" not in s)
    return 1 if "quote" in item else 0


def _bad_keys(validator, item: LDict) -> set:
    """The top-level keys of ``item`` that the JSON Schema rejects (unknown ones included)."""
    bad: set = set()
    for err in validator.iter_errors(item):
        path = list(err.absolute_path)
        if path:
            bad.add(path[0])
        elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set((err.schema or {}).get("properties", {})) if isinstance(err.schema, dict) else set()
            bad |= set(err.instance) - allowed
        elif err.validator == "required":
            bad.add("id" if "'id'" in err.message else "")
        else:
            # the evidence rules (sources or a quote, not both): its evidence is not read
            bad.add("sources")
    return bad


def _sub(item: LDict, keys) -> LDict:
    out = LDict(item.line)
    for k in keys:
        if k in item:
            out[k] = item[k]
            out.key_lines[k] = item.key_lines.get(k, item.line)
    return out


def load_dataset_collect(path: str | Path, ontology: Ontology | None = None) -> tuple[CuratedDataset | None, list[Diagnostic]]:
    """Load a dataset folder; return it (or None) with every problem found."""
    root = Path(path)
    onto = ontology or load_ontology()
    what = not_a_dataset_folder(root)
    if what is not None:
        return None, [Diagnostic(str(path), None, what)]
    loader = _Loader(root, onto)
    ds = loader.load_meta()
    if ds is None:
        return None, sorted(set(loader.diags), key=lambda d: (d.file, d.line or 0, d.column or 0, d.message))
    items = loader.load_docs(ds)
    loader.register_entities(ds, items)
    loader.load_items(ds, items)
    return ds, sorted(set(loader.diags), key=lambda d: (d.file, d.line or 0, d.column or 0, d.message))


def load_dataset(path: str | Path, ontology: Ontology | None = None) -> CuratedDataset:
    """Load a dataset folder; raise :class:`DatasetError` listing every problem."""
    ds, diags = load_dataset_collect(path, ontology)
    if diags or ds is None:
        raise DatasetError(diags)
    return ds
