"""JSON-LD, compacted with a context of only the prefixes used.

Written directly (rdflib's writer is slow and pyoxigraph's is not compacted):
one node object per subject, properties as compact IRIs (``kg:holdsPost``),
``@type`` for rdf:type, plain strings for xsd:string literals and value
objects for the rest. The context is inline and never remote, so reading the
file needs no network. A big graph (above ``rdfio.STREAM_LIMIT`` quads) is written
as the store gives its triples, one node object a line (see :func:`write_stream`).
"""
from __future__ import annotations

import io
import json
from typing import Any, BinaryIO

from .base import RDFExporter, counted

__all__ = ["JSONLDExporter", "compact_document", "node_objects", "write_stream"]


class JSONLDExporter(RDFExporter):
    name = "jsonld"
    file_extension = ".jsonld"
    media_type = "application/ld+json"
    rdflib_format = "json-ld"
    ox_format = "JSON_LD"
    grouped = True

    def engine(self, kg, engine: str = "auto") -> str:
        return "rdflib" if engine == "rdflib" else "oxigraph"

    def serialize(self, kg, out: BinaryIO, *, engine: str = "auto", **options: Any) -> None:
        hub = self.hub(kg, stream=engine != "rdflib")
        if engine == "rdflib":   # for comparison in bench/ only: expanded IRIs, slow
            kg.graph.serialize(destination=out, format="json-ld", encoding="utf-8")
        else:
            self.write_oxigraph(kg, hub, out)
        self.written = counted(hub.count, "triple")

    def write_oxigraph(self, kg, hub, out: BinaryIO) -> None:
        context = hub.prefixes(kg.prefixes)
        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
        if hub.streamed:
            hub.count = write_stream(hub.parse(), context, text)
        else:
            doc = compact_document(hub.parse(), context)
            json.dump(doc, text, ensure_ascii=False, indent=1 if hub.count > 100_000 else 2)
            text.write("\n")
        text.flush()
        text.detach()

    def verify(self, kg, path, **options: Any) -> None:
        from .rdfio import verify_written

        hub = self.hub(kg)
        # a streamed document is written for the streaming parser, which holds nothing
        verify_written(hub, path, "STREAMING_JSON_LD" if hub.streamed else self.ox_format,
                       what=f"{self.name} export")


def compact_document(triples, context: dict[str, str]) -> dict:
    """``{"@context": context, "@graph": [...]}`` for pyoxigraph triples (or
    default-graph quads) grouped by subject; ``context`` holds the prefixes."""
    return {"@context": context, "@graph": list(node_objects(triples, context))}


def write_stream(triples, context: dict[str, str], text) -> int:
    """The document of a big graph, written as its triples come (memory stays flat): one node
    object a line, for each run of triples with the same subject. The store gives the union's
    triples predicate by predicate, so a subject may have several node objects, which JSON-LD
    merges on reading. ``@type`` comes first in an object, so that pyoxigraph's streaming
    JSON-LD parser reads the file back without holding it. Returns the number of triples."""
    import pyoxigraph as ox

    from .rdfio import RDF_TYPE
    from ..terms import XSD_STRING

    curie = _compactor(context, memo_limit=100_000)
    q = json.encoder.encode_basestring        # a JSON string, non-ASCII kept (C)
    named, blank, literal = ox.NamedNode, ox.BlankNode, ox.Literal

    def node_id(term) -> str:
        return q("_:" + term.value) if type(term) is blank else q(curie(term.value))

    def value(term) -> str:
        if type(term) is literal:
            if term.language:
                return '{"@value":' + q(term.value) + ',"@language":' + q(term.language) + "}"
            dt = term.datatype.value
            if dt == XSD_STRING:
                return q(term.value)
            return '{"@type":' + q(curie(dt)) + ',"@value":' + q(term.value) + "}"
        return '{"@id":' + node_id(term) + "}"

    text.write('{\n "@context": ' + json.dumps(context, ensure_ascii=False) + ',\n "@graph": [')
    write = text.write
    n, sep = 0, "\n  "
    current = None
    types: list[str] = []
    props: dict[str, list[str]] = {}

    def flush() -> None:
        head = ('"@type":' + (types[0] if len(types) == 1 else "[" + ",".join(types) + "]") + ",") if types else ""
        body = "".join("," + q(p) + ":" + (v[0] if len(v) == 1 else "[" + ",".join(v) + "]")
                       for p, v in props.items())
        write(sep + "{" + head + '"@id":' + node_id(current) + body + "}")

    for t in triples:
        if t.subject != current:
            if current is not None:
                flush()
                sep = ",\n  "
                types.clear()
                props.clear()
            current = t.subject
        p, o = t.predicate.value, t.object
        if p == RDF_TYPE and type(o) is named:
            types.append(q(curie(o.value)))
        else:
            props.setdefault(curie(p), []).append(value(o))
        n += 1
    if current is not None:
        flush()
    write("\n ]\n}\n")
    return n


def _compactor(context: dict[str, str], *, memo_limit: int | None = None):
    """``curie(iri)``: the compact IRI (``kg:holdsPost``) for the longest namespace of ``context``
    that starts ``iri``, else ``iri``. ``memo_limit`` bounds the IRIs remembered (a big graph's
    subjects are mostly seen once: only its predicates, types and datatypes repeat)."""
    spaces = sorted(context.items(), key=lambda kv: -len(kv[1]))
    memo: dict[str, str] = {}

    def curie(iri: str) -> str:
        c = memo.get(iri)
        if c is None:
            c = iri
            for name, ns in spaces:
                # "//" after the colon would read as a scheme-relative IRI
                if iri.startswith(ns) and not iri[len(ns):].startswith("//"):
                    c = f"{name}:{iri[len(ns):]}"
                    break
            if memo_limit is not None and len(memo) >= memo_limit:
                memo.clear()
            memo[iri] = c
        return c

    return curie


def node_objects(triples, context: dict[str, str]):
    """A node object for each run of ``triples`` with the same subject, in order."""
    import pyoxigraph as ox

    from .rdfio import RDF_TYPE
    from ..terms import XSD_STRING as xsd_string

    curie = _compactor(context)

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

    def done(node: dict) -> dict:
        for key, vals in node.items():
            if isinstance(vals, list) and len(vals) == 1:
                node[key] = vals[0]
        return node

    current = None
    node: dict | None = None
    for t in triples:
        if t.subject != current:
            if node is not None:
                yield done(node)
            current = t.subject
            node = {"@id": node_id(t.subject)}
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(node_id(t.object))
        else:
            node.setdefault(curie(t.predicate.value), []).append(value(t.object))
    if node is not None:
        yield done(node)
