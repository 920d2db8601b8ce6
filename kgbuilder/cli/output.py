"""How the data commands print: one ``-F/--format`` grammar for show, path, neighbors, central, stats.

Tables (neighbors, central, and query's SELECT results) print an aligned table
on a terminal and CSV in a pipe, where a program reads them; reports (show,
path, stats) print text either way, since a report flattened into CSV is not
what ``| less`` or ``| grep`` wants. ``-F json``, ``-F csv`` and ``-F tsv``
give the same data to programs on every command: JSON objects with numbers as
numbers, CSV as RFC 4180 (CRLF line ends, like query's), TSV with tabs and
newlines inside a cell written as spaces.
"""
from __future__ import annotations

import io
import sys

TYPE_CHECKING = False   # annotations only: a plain query's path never imports typing (see cli.plain)
if TYPE_CHECKING:
    from typing import Any, Iterable, Sequence

from ..errors import KGBuilderError

__all__ = ["TABLE_FORMATS", "REPORT_FORMATS", "pick_format", "check_format", "on_terminal", "format_option",
           "table", "delimited", "to_json", "rows_out", "echo", "wrote"]

TABLE_FORMATS = ("table", "json", "csv", "tsv")
REPORT_FORMATS = ("text", "json", "csv", "tsv")


def echo(text: object = "", err: bool = False) -> None:
    """The CLI's printer for people: curated text (labels, quotes, file names) may hold ESC and
    other control characters, which would recolour the terminal or retitle its window; they are
    printed escaped (``\\x1b``), newlines and tabs kept. Data formats (CSV, JSON, RDF) are not
    text for people and are written exact, without this."""
    import click

    from ..control_chars import escape_control

    click.echo(escape_control(str(text)), err=err)


def wrote(output, detail: str) -> None:
    """``wrote OUTPUT (DETAIL)``, the line a command prints once its -o file is written: on
    stderr when the output was stdout itself, a pipe or a device (``-o /dev/stdout``), so that
    it does not land in the data."""
    from ..atomic import writes_into

    echo(f"wrote {output} ({detail})", err=writes_into(output))


def check_format(fmt: str, choices: Sequence[str]) -> str:
    """``fmt`` in lower case, or a KGBuilderError naming the choices (with 'did you mean')."""
    low = fmt.lower()
    if low not in choices:
        from ..resolve import did_you_mean

        raise KGBuilderError(f"unknown format '{fmt}'" + did_you_mean(low, list(choices))
                             + f" (one of: {', '.join(choices)})")
    return low


def on_terminal() -> bool:
    """Whether stdout is a terminal (a person reading) rather than a pipe or file (a program)."""
    return sys.stdout.isatty()


def pick_format(fmt: str | None, *, report: bool) -> str:
    """The format asked for, else the default: text for reports; a table on a terminal, CSV in a pipe."""
    if fmt is not None:
        return check_format(fmt, REPORT_FORMATS if report else TABLE_FORMATS)
    if report:
        return "text"
    return "table" if on_terminal() else "csv"


def format_option(*, report: bool, help: str | None = None):
    """The -F/--format option of a command that prints a report or a table (checked by pick_format,
    so a typo gets 'did you mean' and exit code 1 like every other bad input)."""
    import click

    choices = REPORT_FORMATS if report else TABLE_FORMATS

    def complete(ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        return [CompletionItem(f) for f in choices if f.startswith(incomplete.lower())]

    default = ("text (default), json, or csv/tsv" if report
               else "table (default on a terminal), csv (default in a pipe), json or tsv")
    return click.option("-F", "--format", "fmt", metavar="FORMAT", shell_complete=complete,
                        help=help or default + ".")


def table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Iterable[int] = ()) -> str:
    """An aligned text table with a rule under the header (``right``: right-aligned columns)."""
    from ..control_chars import escape_control

    right = set(right)
    # a table is for a terminal: curated text's control characters are shown, not obeyed
    rows = [[escape_control(c, newlines=False) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " | ".join(_cell(v) for v in value)
    return str(value)


def delimited(header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> str:
    """CSV (RFC 4180) or TSV text of ``rows``; lists in a cell joined with `` | ``."""
    buf = io.StringIO()
    if fmt == "csv":
        import csv      # here, like json below: a table or text answer needs neither

        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(header)
        w.writerows([_cell(v) for v in row] for row in rows)
    else:
        for row in [header, *rows]:
            cells = (_cell(v).replace("\t", " ").replace("\r\n", " ").replace("\n", " ") for v in row)
            buf.write("\t".join(cells) + "\n")
    return buf.getvalue()


def to_json(data: Any, *, sort_keys: bool = False) -> str:
    """Indented JSON, non-ASCII text kept as is, dataclasses as objects."""
    import json
    from dataclasses import asdict, is_dataclass

    def default(obj):
        if is_dataclass(obj):
            return asdict(obj)
        if isinstance(obj, (set, frozenset, tuple)):
            return list(obj)
        raise TypeError(f"cannot write {type(obj).__name__} as JSON")

    return json.dumps(data, indent=2, ensure_ascii=False, default=default, sort_keys=sort_keys) + "\n"


def rows_out(fmt: str, header: Sequence[str], rows: list[Sequence[Any]], *,
             text_rows: list[Sequence[str]] | None = None, right: Iterable[int] = ()) -> str:
    """A table's rows in ``fmt`` (table, json, csv or tsv); the table shows ``text_rows`` when given."""
    if fmt == "json":
        return to_json([dict(zip(header, row)) for row in rows])
    if fmt in ("csv", "tsv"):
        return delimited(header, rows, fmt)
    return table(header, text_rows if text_rows is not None else [[_cell(v) for v in r] for r in rows],
                 right) + "\n"
