"""Progress bars on stderr for the slow steps, silent when stderr is not a terminal.

``KGBUILDER_PROGRESS=0`` turns them off and ``=1`` forces them on. Bars go
to stderr so that piped output (``kgbuilder query ... > out.csv``) stays clean.
"""
from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterable, Iterator, TypeVar

__all__ = ["progress", "enabled"]

T = TypeVar("T")


def enabled() -> bool:
    flag = os.environ.get("KGBUILDER_PROGRESS")
    if flag is not None:
        return flag not in ("", "0", "false", "no")
    try:
        return sys.stderr.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def progress(iterable: Iterable[T], *, label: str, length: int | None = None) -> Iterator[Iterable[T]]:
    """``with progress(items, label="loading") as bar: for x in bar: ...``"""
    if not enabled():
        yield iterable
        return
    import click

    with click.progressbar(iterable, length=length, label=label, file=sys.stderr,
                           show_eta=True, show_percent=True, width=30) as bar:
        yield bar
