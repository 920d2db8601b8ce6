"""kgbuilder: hand-curated news facts in, a validated, queryable knowledge graph out.

    >>> import kgbuilder
    >>> kg = kgbuilder.build("datasets/kazakhstan-2022")      # doctest: +SKIP

Heavy libraries (pyoxigraph, rdflib, networkx, pyvis) load only when used.
"""
from __future__ import annotations

__version__ = "0.1.0"

#: kgbuilder.api's functions (``api.serve`` is not here: ``kgbuilder.serve`` is the server's package)
_API = ("load", "validate", "build", "open_graph", "check_quotes", "conflicts", "export", "stats",
        "query", "show", "show_entity", "path", "paths", "neighbors", "central", "push")

__all__ = ["__version__", *_API,
           "KGBuilderError", "DatasetError", "ValidationError", "Diagnostic", "KnowledgeGraph"]

from .errors import DatasetError, Diagnostic, KGBuilderError, ValidationError  # noqa: E402


def __getattr__(name: str):
    if name in _API:
        from . import api

        return getattr(api, name)
    if name == "KnowledgeGraph":
        from .kg import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(f"module 'kgbuilder' has no attribute {name!r}")


def __dir__() -> list[str]:
    # the lazily loaded API too, so dir(kgbuilder) and completion list the public functions
    return sorted({*__all__, *(n for n in globals() if n.startswith("__"))})
