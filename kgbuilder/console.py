"""The CLI's one printer: every line for people goes through :func:`echo`.

Curated text (labels, quotes, file names, a query's literals) can hold ESC and
other control characters; printed raw they recolour the terminal or retitle
its window (``\\x1b]0;pwned\\x07``). ``echo`` writes them escaped (``\\x1b``),
keeping newlines and tabs. Data formats written to stdout (CSV, JSON, RDF) are
not text for people and are left exact.
"""
from __future__ import annotations

import click

from .graph.control_chars import escape_control

__all__ = ["echo"]


def echo(text: object = "", err: bool = False) -> None:
    click.echo(escape_control(str(text)), err=err)
