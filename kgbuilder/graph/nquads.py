"""Plain-string RDF terms for the builder's fast path, written as N-Quads lines.

Creating an rdflib term per quad dominates a large build, and the Oxigraph
store wants N-Quads text anyway. These terms are ``str`` subclasses: an IRI's
value is the IRI (so ``str(iri)`` and f-strings behave like rdflib's URIRef)
and ``n3()`` gives its N-Triples form. Lexical forms follow rdflib's
normalisation (integers, booleans, decimals) so both paths give the same graph;
a test compares them.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Iterable

__all__ = ["NTIri", "NTLiteral", "nt_literal", "nquad_lines", "XSD_STRING"]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class NTIri(str):
    """An IRI: the value is the IRI itself."""

    __slots__ = ()

    def n3(self) -> str:
        return "<" + self + ">"


class NTLiteral(str):
    """A literal whose value is its complete N-Triples form (``"x"@en``, ``"8"^^<...>``)."""

    __slots__ = ()

    def n3(self) -> str:
        return str.__str__(self)


def _lexical(value, datatype: str | None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if datatype == XSD + "decimal":
        try:
            return str(Decimal(text))
        except InvalidOperation:
            return text
    if datatype == XSD + "integer":
        try:
            return str(int(text))
        except ValueError:
            return text
    return text


def nt_literal(value, lang: str | None = None, datatype=None) -> NTLiteral:
    """Same arguments as ``rdflib.Literal(value, lang=, datatype=)``."""
    dt = str(datatype) if datatype is not None else None
    body = '"' + _lexical(value, dt).translate(_ESCAPE) + '"'
    if lang:
        return NTLiteral(body + "@" + lang)
    if dt and dt != XSD_STRING:
        return NTLiteral(body + "^^<" + dt + ">")
    return NTLiteral(body)


def nquad_lines(quads: Iterable[tuple], *, union: bool = False) -> list[str]:
    """N-Quads lines (with newline) of builder quads whose s, p and g are IRIs;
    ``union`` adds each triple's line in the default graph too (see oxigraph_store)."""
    # an NTLiteral is already written out; anything else here is an IRI (no n3() call per quad)
    if not union:
        return [f"<{s}> <{p}> {o if o.__class__ is NTLiteral else '<' + o + '>'} <{g}> .\n"
                for s, p, o, g in quads]
    out = []
    add = out.append
    for s, p, o, g in quads:
        t = f"<{s}> <{p}> {o if o.__class__ is NTLiteral else '<' + o + '>'}"
        add(f"{t} <{g}> .\n{t} .\n")
    return out
