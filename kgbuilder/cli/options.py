"""What every command shares: error handling, the dataset argument, common options.

Command modules import this, never :mod:`kgbuilder.cli.group` (which imports them).
"""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import KGBuilderError
from .complete import complete_dataset
from .exits import handle_errors

__all__ = ["CONTEXT", "handle_errors", "dataset_arg", "old_format_opt", "resolve_format", "force_opt", "store_opt",
           "format_help", "format_choices", "Seconds"]

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Seconds(click.FloatRange):
    """A number of seconds, at least ``min``, and finite: ``nan`` passes any range check (and
    reached the worker's timer as a traceback), ``inf`` would reach timers that take no such
    number. ``query --timeout 0`` is how a limit is lifted."""

    def convert(self, value, param, ctx):
        import math

        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds.", param, ctx)
        return seconds


def format_help() -> str:
    from ..exports import REGISTRY

    return "; ".join(f"{s.name} ({', '.join(s.extensions)})" for s in REGISTRY.values())


def format_choices() -> list[str]:
    from ..exports import names

    return names()


dataset_arg = click.argument("dataset", type=click.Path(file_okay=False, path_type=Path),
                             shell_complete=complete_dataset)
#: -f as --format, its spelling before -f meant --file (query): kept working in build and export
old_format_opt = click.option("-f", "old_fmt", metavar="FORMAT", hidden=True)


def resolve_format(fmt: str | None, old_fmt: str | None) -> str | None:
    if old_fmt is not None:
        if fmt is not None:
            raise KGBuilderError("give the format once, with -F/--format")
        click.echo("note: -f FORMAT is now -F FORMAT (--format); -f stays for query files", err=True)
        return old_fmt
    return fmt


force_opt = click.option("--force", is_flag=True,
                         help="Allow writing inside a dataset folder (never over a file it reads).")
store_opt = click.option("--store", default="auto", show_default=True, metavar="STORE",
                         help="Where the graph lives, always in Oxigraph: auto (on disk in the cache, "
                              "in memory for build), memory or oxigraph (in memory), oxigraph:PATH (on disk).")
