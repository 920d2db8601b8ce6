"""Run SPARQL over a built graph with the dataset's prefixes bound."""
from __future__ import annotations

from typing import Any

from ..errors import QuerySyntaxError

__all__ = ["run_query", "parse_query"]


def parse_query(sparql: str, prefixes: dict[str, str], file: str | None = None):
    """Parse (and algebra-translate) a query; syntax errors carry line, column and token."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(sparql, initNs=prefixes)
    except ParseException as exc:
        token = _token_at(sparql, exc.loc)
        raise QuerySyntaxError(f"syntax error at {token!r}" if token else "syntax error at end of query",
                               exc.lineno, exc.col, token, file) from None
    except Exception as exc:  # rdflib raises bare Exceptions for unknown prefixes and the like
        raise QuerySyntaxError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                               file=file) from None


def _token_at(text: str, loc: int) -> str:
    rest = text[loc:].lstrip()
    if not rest:
        return ""
    token = rest.split(None, 1)[0]
    return token[:40]


def run_query(kg, sparql: str, **kwargs: Any):
    """Run a SPARQL query on ``kg`` and return the rdflib Result."""
    prepared = parse_query(sparql, kg.prefixes, kwargs.pop("file", None))
    return kg.dataset.query(prepared, **kwargs)
