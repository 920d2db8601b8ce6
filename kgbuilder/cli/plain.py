"""The front door of a plain ``kgbuilder query``: a command line that click reads one way only
is answered without loading click, which is a third of a warm query's time (bench/README.md).

:mod:`kgbuilder.__main__` hands it what follows ``query``. :func:`parse` reads it when it has
the plain shape below, and returns None otherwise; click then reads it, as it reads every other
command line, and parses it or says what is wrong in its own words. A plain command line holds:

* DATASET and QUERY, or DATASET alone (with -f or -n): words that do not start with ``-``;
* ``-F/--format``, ``-n/--name`` and ``--store`` with a value: the next word when it does not
  start with ``-``, or ``--long=VALUE``; ``--timeout`` and ``--limit`` with a plain decimal
  number (``5``, ``2.5``); ``-f/--file`` with a path that is no folder and, when it exists,
  can be read (what click's Path type checks);
* the flags ``--infer`` and ``--force``; each option at most once.

Anything else goes to click: help, ``--list``, ``-o``, ``--endpoint``, a repeated option, ``--``,
a value glued to a short option or starting with ``-``, a third word, a shell-completion
request, and every command line on Windows (where click expands wildcards in it). Both doors
run one body (:func:`kgbuilder.cli.query_body.run_query`) and end it the same way
(:mod:`kgbuilder.cli.exits`). tests/test_plain_query.py parses thousands of command lines both
ways (what :func:`parse` accepts, click parses to the same parameters) and runs both doors on
the same command lines (same output, same exit code).
"""
from __future__ import annotations

import os

__all__ = ["parse", "run", "DEFAULTS"]

#: the query command's parameters when a command line does not give them (click's defaults:
#: the tests compare them with the command's options)
DEFAULTS = {"dataset": None, "query": None, "query_file": None, "name": None, "list_saved": False, "fmt": None,
            "output": None, "infer": False, "timeout": 10.0, "limit": 10000, "endpoint": None, "graph_iri": None,
            "allow_update": False, "force": False, "store": "auto"}

#: the options a plain command line may hold, by spelling: the parameter each sets
VALUED = {"-F": "fmt", "--format": "fmt", "-n": "name", "--name": "name", "--store": "store",
          "--timeout": "timeout", "--limit": "limit", "-f": "query_file", "--file": "query_file"}
FLAGS = {"--infer": "infer", "--force": "force"}

_NOT_PLAIN = object()


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _limit(value: str):
    return int(value) if _digits(value) and len(value) <= 12 else _NOT_PLAIN


def _seconds(value: str):
    whole, dot, part = value.partition(".")
    if _digits(whole) and (not dot or _digits(part)) and len(value) <= 12:
        return float(value)
    return _NOT_PLAIN


def _query_file(value: str):
    import stat
    from pathlib import Path

    try:
        st = os.stat(value)
    except OSError:          # none there yet: click's Path lets it through, reading it will say
        return Path(value)
    except ValueError:       # a NUL in it: click's to say
        return _NOT_PLAIN
    if stat.S_ISDIR(st.st_mode) or not os.access(value, os.R_OK):
        return _NOT_PLAIN    # click refuses it, in its words
    return Path(value)


_CONVERT = {"limit": _limit, "timeout": _seconds, "query_file": _query_file}


def parse(args: list[str]) -> dict | None:
    """The query command's parameters from ``args`` (what follows ``query``), as click would
    pass them, when ``args`` is a plain command line; None when it is not."""
    if os.environ.get("_KGBUILDER_COMPLETE") or os.name == "nt":    # completion; click's glob expansion
        return None
    params = dict(DEFAULTS)
    seen: set[str] = set()
    words: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("-"):
            words.append(arg)
            continue
        spelling, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if spelling in FLAGS:
            if eq:
                return None
            key, got = FLAGS[spelling], True
        elif spelling in VALUED:
            key = VALUED[spelling]
            if not eq:
                if i == len(args) or args[i].startswith("-"):
                    return None
                value = args[i]
                i += 1
            got = _CONVERT[key](value) if key in _CONVERT else value
            if got is _NOT_PLAIN:
                return None
        else:
            return None
        if key in seen:
            return None
        seen.add(key)
        params[key] = got
    if not 1 <= len(words) <= 2:
        return None
    params["dataset"] = words[0]
    params["query"] = words[1] if len(words) == 2 else None
    return params


def run(args: list[str]) -> None:
    """Answer ``kgbuilder query ARGS`` and end the process (SystemExit, with click's exit code)
    when ``args`` is a plain command line; return, having done nothing, when it is not."""
    params = parse(args)
    if params is None:
        return
    from .exits import as_click_ends, exit_on_sigterm, handle_errors
    from .query_body import run_query

    exit_on_sigterm()
    as_click_ends(handle_errors(run_query), **params)
