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
    return {"@context": context, "@graph": [node for node, _ in node_objects(triples, context)]}


def write_stream(triples, context: dict[str, str], text) -> int:
    """The document of a big graph, written as its triples come (memory stays flat): one node
    object a line, for each run of triples with the same subject. The store gives the union's
    triples predicate by predicate, so a subject may have several node objects, which JSON-LD
    merges on reading. Returns the number of triples."""
    text.write('{\n "@context": ' + json.dumps(context, ensure_ascii=False) + ',\n "@graph": [')
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    n, sep = 0, "\n  "
    for node, k in node_objects(triples, context, memo_limit=100_000):
        text.write(sep + encode(node))
        n, sep = n + k, ",\n  "
    text.write("\n ]\n}\n")
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


def node_objects(triples, context: dict[str, str], *, memo_limit: int | None = None):
    """``(node object, how many triples it holds)`` for each run of ``triples`` with the same
    subject, in order. ``@type`` comes first in a node object and in a value object, so that
    pyoxigraph's streaming JSON-LD parser reads the document back without holding it;
    ``memo_limit`` is :func:`_compactor`'s."""
    import pyoxigraph as ox

    from .rdfio import RDF_TYPE
    from ..terms import XSD_STRING as xsd_string

    curie = _compactor(context, memo_limit=memo_limit)

    def node_id(term) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else curie(term.value)

    def value(term):
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if term.datatype.value == xsd_string:
                return term.value
            return {"@type": curie(term.datatype.value), "@value": term.value}
        return {"@id": node_id(term)}

    def one(vals: list):
        return vals[0] if len(vals) == 1 else vals

    def node(subject, types: list, props: dict) -> dict:
        out = {"@type": one(types)} if types else {}
        out["@id"] = node_id(subject)
        for key, vals in props.items():
            out[key] = one(vals)
        return out

    current = None
    types: list = []
    props: dict = {}
    k = 0
    for t in triples:
        if t.subject != current:
            if k:
                yield node(current, types, props), k
            current, types, props, k = t.subject, [], {}, 0
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            types.append(node_id(t.object))
        else:
            props.setdefault(curie(t.predicate.value), []).append(value(t.object))
        k += 1
    if k:
        yield node(current, types, props), k
