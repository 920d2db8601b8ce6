"""One registry for every pluggable kind: exporters, query-result formats, stores.

Like rdflib's ``plugin.py``, a table maps a name to where its implementation
lives (``"package.module:attribute"``), imported only on first use.
Everything a caller needs before that (``--format`` choices and help text, file
extensions, media types for content negotiation) is in the table, so listing
formats imports nothing heavy, and a lower layer can hand work to a plugin of a
higher one without importing it.
"""
from __future__ import annotations

import importlib
from collections import namedtuple
from pathlib import Path

from .errors import KGBuilderError

__all__ = ["Plugin", "GROUPS", "register", "plugins", "names", "get", "for_extension", "for_media_type"]

#: exporter: kgbuilder.exports.base.Exporter subclasses (``kgbuilder export --format``)
#: results: writers of SELECT/ASK answers, ``write(result, out: TextIO, prefixes)``
#: store: openers of stores, ``open(path or None, read_only=False)`` (``--store``)
GROUPS = ("exporter", "results", "store")


class Plugin(namedtuple("Plugin", "group name target extensions media_types summary folder rdf",
                        defaults=((), (), "", False, False))):
    """One implementation of a group's kind, imported by ``load()`` on first use.

    ``target`` is ``"package.module:attribute"``; ``extensions`` the file extensions, the usual
    one first; ``media_types`` the one we send first, then others we accept; ``folder`` (an
    exporter) that a folder path, or one without extension, asks for it; ``rdf`` (an exporter)
    that it writes an RDF syntax (and can carry a CONSTRUCT answer).

    (A named tuple: it is made at every start, where a frozen dataclass costs ~2 ms; and
    collections', not typing's, which would import ``typing``: see :class:`~.errors.Diagnostic`.)
    """

    __slots__ = ()

    def load(self):
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)


_TABLE: dict[str, dict[str, Plugin]] = {group: {} for group in GROUPS}


def register(plugin: Plugin) -> None:
    """Add (or replace) a plugin; third-party code may register its own."""
    if plugin.group not in _TABLE:
        raise KGBuilderError(f"unknown plugin group '{plugin.group}' (one of: {', '.join(GROUPS)})")
    _TABLE[plugin.group][plugin.name] = plugin


def plugins(group: str) -> dict[str, Plugin]:
    """The plugins of a group by name, in registration order (the live table)."""
    return _TABLE[group]


def names(group: str) -> list[str]:
    return list(_TABLE[group])


def get(group: str, name: str, *, error: type[KGBuilderError] = KGBuilderError, what: str = "format") -> Plugin:
    """The plugin ``name`` of ``group``; an unknown name raises ``error`` with "did you mean"."""
    plugin = _TABLE[group].get(name)
    if plugin is None:
        from .resolve import did_you_mean

        raise error(f"unknown {what} '{name}'" + did_you_mean(name, _TABLE[group])
                    + f" (one of: {', '.join(_TABLE[group])})")
    return plugin


def for_extension(group: str, path: str | Path) -> Plugin | None:
    """The first plugin of ``group`` whose extensions include ``path``'s suffix."""
    suffix = Path(path).suffix.lower()
    if not suffix:
        return None
    return next((p for p in _TABLE[group].values() if suffix in p.extensions), None)


def for_media_type(group: str, media_type: str) -> Plugin | None:
    return next((p for p in _TABLE[group].values() if media_type in p.media_types), None)


for _plugin in (
    # exporters: one module each under kgbuilder/exports/
    Plugin("exporter", "turtle", "kgbuilder.exports.turtle:TurtleExporter", (".ttl",), ("text/turtle",),
           "Turtle with prefixes, grouped by subject", rdf=True),
    Plugin("exporter", "ntriples", "kgbuilder.exports.ntriples:NTriplesExporter", (".nt",), ("application/n-triples",),
           "N-Triples, one triple a line", rdf=True),
    Plugin("exporter", "nquads", "kgbuilder.exports.nquads:NQuadsExporter", (".nq",), ("application/n-quads",),
           "N-Quads, one named graph per source", rdf=True),
    Plugin("exporter", "trig", "kgbuilder.exports.trig:TriGExporter", (".trig",), ("application/trig",),
           "TriG, one named graph per source", rdf=True),
    Plugin("exporter", "jsonld", "kgbuilder.exports.jsonld:JSONLDExporter", (".jsonld", ".json"), ("application/ld+json",),
           "JSON-LD with a small context", rdf=True),
    Plugin("exporter", "rdfxml", "kgbuilder.exports.rdfxml:RDFXMLExporter", (".rdf", ".xml", ".owl"),
           ("application/rdf+xml",), "RDF/XML", rdf=True),
    Plugin("exporter", "graphml", "kgbuilder.exports.graphml:GraphMLExporter", (".graphml",), ("application/graphml+xml",),
           "GraphML network: entities and facts"),
    Plugin("exporter", "gexf", "kgbuilder.exports.gexf:GEXFExporter", (".gexf",), ("application/gexf+xml",),
           "GEXF network for Gephi, with a timeline"),
    Plugin("exporter", "csv", "kgbuilder.exports.csvtables:CSVExporter", (".zip",), ("application/zip",),
           "nodes.csv + edges.csv, in a folder or a .zip", folder=True),
    Plugin("exporter", "html", "kgbuilder.exports.html:HTMLExporter", (".html", ".htm"), ("text/html",),
           "self-contained interactive explorer page"),
    # SELECT/ASK answers: the W3C SPARQL 1.1 result formats and a table for people
    Plugin("results", "table", "kgbuilder.sparql.results:write_table", (".txt",), ("text/plain",), "a table for people"),
    Plugin("results", "json", "kgbuilder.sparql.results:write_json", (".srj", ".json"),
           ("application/sparql-results+json", "application/json"), "SPARQL 1.1 Query Results JSON"),
    Plugin("results", "csv", "kgbuilder.sparql.results:write_csv", (".csv",), ("text/csv",), "SPARQL 1.1 Query Results CSV"),
    Plugin("results", "tsv", "kgbuilder.sparql.results:write_tsv", (".tsv",), ("text/tab-separated-values",),
           "SPARQL 1.1 Query Results TSV"),
    Plugin("results", "xml", "kgbuilder.sparql.results:write_xml", (".srx", ".xml"),
           ("application/sparql-results+xml", "application/xml", "text/xml"), "SPARQL Query Results XML"),
    # stores
    Plugin("store", "memory", "kgbuilder.store.oxigraph:open_oxigraph", summary="Oxigraph in memory"),
    Plugin("store", "oxigraph", "kgbuilder.store.oxigraph:open_oxigraph",
           summary="Oxigraph, in memory or on disk (PATH)"),
):
    register(_plugin)
