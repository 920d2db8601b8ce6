"""JSON-LD, compacted with a context of only the prefixes used.

Written directly (rdflib's writer is slow and pyoxigraph's is not compacted):
one node object per subject, properties as compact IRIs (``kg:holdsPost``),
``@type`` for rdf:type, plain strings for xsd:string literals and value
objects for the rest. The context is inline and never remote, so reading the
file needs no network.
"""
from __future__ import annotations

import io
import json
from typing import Any, BinaryIO

from .base import RDFExporter, counted

__all__ = ["JSONLDExporter"]


class JSONLDExporter(RDFExporter):
    name = "jsonld"
    file_extension = ".jsonld"
    media_type = "application/ld+json"
    rdflib_format = "json-ld"
    ox_format = "JSON_LD"
    grouped = True
    streams = False     # the document is built in memory, node by node, from grouped triples

    def engine(self, kg, engine: str = "auto") -> str:
        return "rdflib" if engine == "rdflib" else "oxigraph"

    def serialize(self, kg, out: BinaryIO, *, engine: str = "auto", **options: Any) -> None:
        hub = self.hub(kg)
        if engine == "rdflib":   # for comparison in bench/ only: expanded IRIs, slow
            kg.graph.serialize(destination=out, format="json-ld", encoding="utf-8")
        else:
            self.write_oxigraph(kg, hub, out)
        self.written = counted(hub.count, "triple")

    def write_oxigraph(self, kg, hub, out: BinaryIO) -> None:
        doc = compact_document(hub.parse(), hub.prefixes(kg.prefixes))
        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
        json.dump(doc, text, ensure_ascii=False, indent=1 if hub.count > 100_000 else 2)
        text.write("\n")
        text.flush()
        text.detach()


def compact_document(triples, context: dict[str, str]) -> dict:
    """``{"@context": context, "@graph": [...]}`` for pyoxigraph triples (or
    default-graph quads) grouped by subject; ``context`` holds the prefixes."""
    import pyoxigraph as ox

    from .rdfio import RDF_TYPE

    spaces = sorted(context.items(), key=lambda kv: -len(kv[1]))
    memo: dict[str, str] = {}
    from ..terms import XSD_STRING as xsd_string

    def curie(iri: str) -> str:
        c = memo.get(iri)
        if c is None:
            c = iri
            for name, ns in spaces:
                # "//" after the colon would read as a scheme-relative IRI
                if iri.startswith(ns) and not iri[len(ns):].startswith("//"):
                    c = f"{name}:{iri[len(ns):]}"
                    break
            memo[iri] = c
        return c

    def node_id(term) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else curie(term.value)

    def value(term):
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if term.datatype.value == xsd_string:
                return term.value
            return {"@value": term.value, "@type": curie(term.datatype.value)}
        return {"@id": node_id(term)}

    nodes: list[dict] = []
    current = None
    node: dict = {}
    for t in triples:
        if t.subject != current:
            current = t.subject
            node = {"@id": node_id(t.subject)}
            nodes.append(node)
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(node_id(t.object))
        else:
            node.setdefault(curie(t.predicate.value), []).append(value(t.object))
    for node in nodes:
        for key, vals in node.items():
            if isinstance(vals, list) and len(vals) == 1:
                node[key] = vals[0]
    return {"@context": context, "@graph": nodes}
