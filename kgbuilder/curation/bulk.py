"""Bulk facts: CSV and JSON Lines files beside the YAML, read as a stream.

A row (CSV) or line (JSONL) is one fact with the keys of the YAML fact form
(see docs/curation-format.md, "Bulk input"). Rows become the same line-aware
mappings the YAML loader produces, so every check of :mod:`.load` applies with
the same ``FILE:LINE`` messages. The JSON Schema is slow at a million rows,
so a hand-written check accepts the well-formed rows; a row it does not accept
goes through the JSON Schema, which then writes the exact messages (the
check never accepts what the schema rejects: tests compare them).
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import Diagnostic
from ..schemas.input_schema import BOUNDS, DATE, LANG, SLUG, VERIFICATION
from ..control_chars import control_message, find_control
from .files import BULK_SUFFIXES
from ..resolve import did_you_mean
from .yamlload import MAX_INT_DIGITS, LDict, LList

__all__ = ["BULK_SUFFIXES", "CSV_COLUMNS", "FACT_KEYS", "iter_bulk_items", "fast_fact_ok"]

_QUALIFIERS = ("date", "start", "end", "date_note", "place", "quantity", "role", "claimed_by",
               "verification", "disputed_by", "note")
FACT_KEYS = frozenset(("subject", "predicate", "object", "value", "lang", *_QUALIFIERS,
                       "sources", "source", "quote"))
#: CSV has no nesting: one source + quote per row (repeat the row for more
#: sources) and the quantity split over three columns
CSV_COLUMNS = ("subject", "predicate", "object", "value", "lang", "date", "start", "end", "date_note",
               "place", "claimed_by", "verification", "disputed_by", "role", "note", "source", "quote",
               "quantity_value", "quantity_unit", "quantity_bound")
_DATE = re.compile(DATE)
_SLUG = re.compile(SLUG)
_LANG = re.compile(LANG)
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_STRINGS = ("subject", "object", "date_note", "place", "role", "claimed_by", "disputed_by", "note", "quote")
_VERIFICATION = frozenset(VERIFICATION)
_BOUNDS = frozenset(BOUNDS)

Item = tuple[str, str, Any, int]


def _nonempty(v) -> bool:
    return type(v) is str and v != ""


def _date_ok(v) -> bool:
    if type(v) is int:
        return 1 <= v <= 9999
    return type(v) is str and _DATE.match(v) is not None


def _figure_ok(q, value_required: bool) -> bool:
    """A quantity as the schema takes it: {value, unit, bound}, the value optional in `quantity`."""
    if not isinstance(q, dict) or not q.keys() <= {"value", "unit", "bound"}:
        return False
    if "value" in q:
        v = q["value"]
        if not (type(v) is int or (type(v) is str and _NUMBER.match(v))):
            return False
    elif value_required:
        return False
    if "unit" in q and not _nonempty(q["unit"]):
        return False
    return "bound" not in q or (type(q["bound"]) is str and q["bound"] in _BOUNDS)


def fast_fact_ok(item: dict, predicates) -> bool:
    """True only when the JSON Schema of a fact would accept ``item``."""
    if not item.keys() <= FACT_KEYS or "subject" not in item or "predicate" not in item:
        return False
    if item["predicate"] not in predicates or type(item["predicate"]) is not str:
        return False
    for key in _STRINGS:
        if key in item and not _nonempty(item[key]):
            return False
    if "value" in item and type(item["value"]) not in (str, int, bool) and not _figure_ok(item["value"], True):
        return False
    for key in ("date", "start", "end"):
        if key in item and not _date_ok(item[key]):
            return False
    if "lang" in item and not (type(item["lang"]) is str and _LANG.match(item["lang"])):
        return False
    if "verification" in item and item["verification"] not in _VERIFICATION:
        return False
    if "source" in item and not (type(item["source"]) is str and _SLUG.match(item["source"])):
        return False
    if "quantity" in item and not _figure_ok(item["quantity"], False):
        return False
    # the schema's EVIDENCE_RULES: `sources`, or a `quote` (with or without `source`), not both
    if "sources" in item:
        if "source" in item or "quote" in item:
            return False
    elif "quote" not in item:
        return False
    if "sources" in item:
        srcs = item["sources"]
        if not isinstance(srcs, list) or not srcs:
            return False
        for s in srcs:
            if not isinstance(s, dict) or not s.keys() <= {"source", "quote", "note"}:
                return False
            if not (type(s.get("source")) is str and _SLUG.match(s["source"])) or not _nonempty(s.get("quote")):
                return False
            if "note" in s and not _nonempty(s["note"]):
                return False
    return True


def _ldict(pairs, line: int) -> LDict:
    out = LDict(line)
    for k, v in pairs:
        out[k] = v
        out.key_lines[k] = line
    return out


def _from_json(value, line: int):
    """JSON values with the line of their row, so messages point at it."""
    if isinstance(value, dict):
        return _ldict(((k, _from_json(v, line)) for k, v in value.items()), line)
    if isinstance(value, list):
        out = LList(line)
        for v in value:
            out.append(_from_json(v, line))
            out.item_lines.append(line)
        return out
    return value


class _DuplicateKey(ValueError):
    pass


class _RowProblem(ValueError):
    """A row that cannot become a fact: its message (the row's line is known to the caller)."""


class _BadBytes(Exception):
    def __init__(self, line: int, exc: UnicodeDecodeError):
        self.line, self.exc = line, exc


def _lines(fh, tape: list | None = None) -> Iterator[str]:
    """The lines of a binary file decoded one by one, so a bad byte is reported at its own
    line (a text file decodes 8 KB ahead and blames an earlier row). ``tape`` collects
    the lines read since the caller last cleared it (the raw text of one CSV row)."""
    for n, raw in enumerate(fh, 1):
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _BadBytes(n, exc) from None
        if tape is not None:
            tape.append(text)
        yield text


def _unclosed_quote(raw: list[str], width: int) -> bool:
    """Whether a row read over several lines is an unclosed quote swallowing the rows after it.

    A quoted cell may hold a line break; but an odd number of quote characters means the
    quote ran to the end of the file, and a continuation line with a row's worth of commas
    is a swallowed row (what a real two-line quote almost never holds).
    """
    if sum(line.count('"') for line in raw) % 2:
        return True
    return any(line.count(",") >= width - 1 for line in raw[1:])


def _bad_bytes(name: str, exc: _BadBytes) -> Diagnostic:
    return Diagnostic(name, exc.line, f"not UTF-8 text (byte 0x{exc.exc.object[exc.exc.start]:02x} at column "
                                      f"{exc.exc.start + 1}): save the file as UTF-8")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _RowProblem(f"integer of {len(text.lstrip('-'))} digits is too long (at most {MAX_INT_DIGITS})")
    return int(text)


def _check_text(value) -> None:
    """Refuse control characters anywhere in a JSON value (keys too)."""
    if isinstance(value, str):
        bad = find_control(value)
        if bad:
            raise _RowProblem(control_message(bad))
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_text(k)
            _check_text(v)
    elif isinstance(value, list):
        for v in value:
            _check_text(v)


def _pairs(pairs) -> dict:
    out = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def _jsonl_rows(path: Path, name: str, err) -> Iterator[tuple[LDict, int]]:
    with open(path, "rb") as fh:
        lines = _lines(fh)
        lineno = 0
        while True:
            try:
                text = next(lines, None)
            except _BadBytes as exc:
                err(_bad_bytes(name, exc))
                return
            if text is None:
                return
            lineno += 1
            if not text.strip():
                continue
            try:
                raw = json.loads(text, object_pairs_hook=_pairs, parse_int=_parse_int)
                # a value holds a refused character only if the line does, or spells one as an
                # escape (a backslash): a clean line, nearly every one, is not walked value by value
                if "\\" in text or find_control(text):
                    _check_text(raw)
            except _DuplicateKey as exc:
                err(Diagnostic(name, lineno, f"duplicate key '{exc.args[0]}'"))
                continue
            except json.JSONDecodeError as exc:
                err(Diagnostic(name, lineno, f"invalid JSON at column {exc.colno}: {exc.msg}"))
                continue
            except _RowProblem as exc:
                err(Diagnostic(name, lineno, str(exc)))
                continue
            except RecursionError:
                err(Diagnostic(name, lineno, "JSON nested too deeply (a fact needs at most 3 levels)"))
                continue
            if not isinstance(raw, dict):
                err(Diagnostic(name, lineno, "each line must be a JSON object (one fact)"))
                continue
            yield _from_json(raw, lineno), lineno


def _csv_cell_value(key: str, cell: str, predicates, row: dict):
    if key == "value":
        pred = predicates.get(row.get("predicate"))
        rng = getattr(pred, "range", None) or ""
        if rng.endswith("#boolean") and cell in ("true", "false"):
            return cell == "true"
    return cell


def _csv_rows(path: Path, name: str, predicates, err) -> Iterator[tuple[LDict, int]]:
    tape: list[str] = []
    with open(path, "rb") as fh:
        reader = csv.reader(_lines(fh, tape))
        try:
            header = next(reader, None)
        except _BadBytes as exc:
            err(_bad_bytes(name, exc))
            return
        except csv.Error as exc:
            err(Diagnostic(name, 1, f"cannot read the CSV header: {exc}"))
            return
        if header is None:
            return
        header = [h.strip() for h in header]
        bad = False
        for h in header:
            if h not in CSV_COLUMNS:
                err(Diagnostic(name, 1, f"unknown column '{h}'" + did_you_mean(h, CSV_COLUMNS)))
                bad = True
        for h in sorted({h for h in header if header.count(h) > 1}):
            err(Diagnostic(name, 1, f"duplicate column '{h}'"))
            bad = True
        for need in ("subject", "predicate"):
            if need not in header:
                err(Diagnostic(name, 1, f"missing required column '{need}'"))
                bad = True
        if bad:
            return
        width = len(header)
        quantity_columns = [h for h in header if h.startswith("quantity_")]
        last = reader.line_num
        while True:
            tape.clear()
            try:
                cells = next(reader)
            except StopIteration:
                return
            except _BadBytes as exc:
                err(_bad_bytes(name, exc))
                return
            except csv.Error as exc:
                err(Diagnostic(name, last + 1, f"unreadable CSV row: {exc}"))
                return
            line, last = last + 1, reader.line_num
            if last > line and _unclosed_quote(tape, width):
                err(Diagnostic(name, line, f"unclosed quote: the cell runs on to line {last}, taking the rows "
                                           "after it: add the closing \""))
                continue
            if not cells or all(not c.strip() for c in cells):
                continue
            # the row's raw text first: a cell is a piece of it (unquoting adds no character),
            # so a clean row, nearly every one, is searched once rather than cell by cell
            bad = find_control("".join(tape)) and next((b for c in cells if (b := find_control(c))), None)
            if bad:
                err(Diagnostic(name, line, control_message(bad)))
                continue
            if len(cells) > width:
                err(Diagnostic(name, line, f"row has {len(cells)} cells but the header has {width} columns"))
                continue
            row = {h: v for h, c in zip(header, cells) if (v := c.strip())}
            # the row as it is, but for the quantity's columns (one nested mapping, last) and a
            # boolean value: one dict update, not a call and two stores per cell
            qty = [(k[9:], row.pop(k)) for k in quantity_columns if k in row] if quantity_columns else None
            if "value" in row:
                row["value"] = _csv_cell_value("value", row["value"], predicates, row)
            item = LDict(line)
            item.update(row)
            item.key_lines = dict.fromkeys(row, line)
            if qty:
                item["quantity"] = _ldict(qty, line)
                item.key_lines["quantity"] = line
            yield item, line


def iter_bulk_items(path: Path, name: str, predicates, err: Callable[[Diagnostic], None],
                    schema_check: Callable[[LDict, str], list[Diagnostic]]) -> Iterator[Item]:
    """(kind, file, item, line) per fact of a bulk file, streamed.

    ``kind`` is ``facts`` or ``facts-broken`` (the schema check reported a
    problem, which went to ``err`` with the others).
    """
    rows = (_csv_rows(path, name, predicates, err) if path.suffix == ".csv"
            else _jsonl_rows(path, name, err))
    for item, line in rows:
        if fast_fact_ok(item, predicates):
            yield "facts", name, item, line
            continue
        problems = schema_check(item, name)
        for p in problems:
            err(p)
        yield ("facts-broken" if problems else "facts"), name, item, line
