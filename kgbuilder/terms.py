"""RDF terms: the one place that converts between their representations.

* plain-string terms for the builder's fast path, written as N-Quads lines;
* pyoxigraph terms (the engine's) <-> rdflib terms (what the Python API hands
  out on request): :func:`to_rdflib`, :func:`from_rdflib`;
* :func:`term_parts`, one view of a term of either library for the result
  writers, so a warm query never needs rdflib; those parts are also how a query's
  answer travels from its worker (:func:`from_parts` makes the engine's terms again),
  so the command that writes it never needs pyoxigraph either.

Creating an rdflib term per quad dominates a large build, and the Oxigraph
store wants N-Quads text anyway. These terms are ``str`` subclasses: an IRI's
value is the IRI (so ``str(iri)`` and f-strings behave like rdflib's URIRef)
and ``n3()`` gives its N-Triples form. Lexical forms follow rdflib's
normalisation (integers, booleans, decimals) so both paths give the same graph;
a test compares them.
"""
from __future__ import annotations

from collections.abc import Iterable

__all__ = ["NTIri", "NTLiteral", "nt_literal", "nt_string", "nquad_lines", "XSD", "XSD_STRING", "to_rdflib", "from_rdflib",
           "term_parts", "from_parts", "term_key", "DEFAULT_GRAPH_IRIS"]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
#: whether a lexical form has anything to escape: one scan in C, where translate() with a
#: dict looks every character up (most quotes, labels and dates have nothing to escape)
_NEEDS_ESCAPE = None


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
        from decimal import Decimal, InvalidOperation   # here: ~2 ms to import, for a warm query's every start

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


def nt_string(text: str) -> NTLiteral:
    """``nt_literal(text)`` for a ``str`` (a plain xsd:string literal): the build makes two or
    more per fact (the quote, the kg:file position), where nt_literal's general path costs
    about three times as much."""
    global _NEEDS_ESCAPE
    if _NEEDS_ESCAPE is None:
        import re

        _NEEDS_ESCAPE = re.compile('[\\\\"\n\r]')
    return NTLiteral('"' + (text.translate(_ESCAPE) if _NEEDS_ESCAPE.search(text) else text) + '"')


def nt_literal(value, lang: str | None = None, datatype=None) -> NTLiteral:
    """Same arguments as ``rdflib.Literal(value, lang=, datatype=)``."""
    dt = str(datatype) if datatype is not None else None
    text = _lexical(value, dt)
    body = nt_string(text)
    if lang:
        return NTLiteral(body + "@" + lang)
    if dt and dt != XSD_STRING:
        return NTLiteral(body + "^^<" + dt + ">")
    return body


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


# ---------------------------------------------------------------- pyoxigraph <-> rdflib

#: how rdflib names a Dataset's default graph (a quad in it has no named graph)
DEFAULT_GRAPH_IRIS = ("urn:x-rdflib:default",)


class _ToRdflib:
    """pyoxigraph term -> rdflib term, memoised (IRIs and literals repeat a lot)."""

    def __init__(self):
        from rdflib import BNode, Literal, URIRef

        self.URIRef, self.Literal, self.BNode = URIRef, Literal, BNode
        self.cache: dict = {}

    def __call__(self, term):
        if term is None:
            return None
        hit = self.cache.get(term)
        if hit is not None:
            return hit
        kind = type(term).__name__
        if kind == "NamedNode":
            out = self.URIRef(term.value)
        elif kind == "BlankNode":
            out = self.BNode(term.value)
        elif kind == "Literal":
            if term.language:
                out = self.Literal(term.value, lang=term.language)
            elif term.datatype.value == XSD_STRING:
                out = self.Literal(term.value)
            else:
                out = self.Literal(term.value, datatype=self.URIRef(term.datatype.value))
        elif kind == "DefaultGraph":
            from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

            out = DATASET_DEFAULT_GRAPH_ID
        else:
            from .errors import KGBuilderError

            raise KGBuilderError(f"cannot convert the RDF term {term!r}")
        if len(self.cache) < 500_000:
            self.cache[term] = out
        return out


def to_rdflib():
    """A memoising converter from pyoxigraph terms to rdflib terms (None stays None)."""
    return _ToRdflib()


def from_rdflib():
    """A memoising converter from rdflib terms (or this module's string terms) to
    pyoxigraph terms; None and rdflib's default-graph IRI become the default graph."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    from .errors import KGBuilderError

    cache: dict = {}

    def conv(t):
        hit = cache.get(t)
        if hit is not None:
            return hit
        if t is None:
            return ox.DefaultGraph()
        if isinstance(t, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.DefaultGraph)):
            return t
        if isinstance(t, NTLiteral):
            out = next(iter(ox.parse(f"<x:s> <x:p> {t} .", format=ox.RdfFormat.N_TRIPLES))).object
        elif isinstance(t, (URIRef, NTIri)):
            out = ox.DefaultGraph() if str(t).startswith(DEFAULT_GRAPH_IRIS) else ox.NamedNode(str(t))
        elif isinstance(t, Literal):
            if t.language:
                out = ox.Literal(str(t), language=t.language)
            elif t.datatype is not None and str(t.datatype) != XSD_STRING:
                out = ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            else:
                out = ox.Literal(str(t))
        elif isinstance(t, BNode):
            out = ox.BlankNode(str(t))
        else:
            raise KGBuilderError(f"cannot store the RDF term {t!r}")
        cache[t] = out
        return out

    return conv


def term_parts(term) -> tuple[str, str, str, str]:
    """(kind, value, datatype, language) of a pyoxigraph or rdflib term; kind is
    ``uri``, ``bnode`` or ``literal``; a plain string literal has datatype "". A term
    given as these parts already (a tuple: an answer from a query worker) is itself."""
    # every cell of every answer the endpoint writes passes here (twice: sort, write), so
    # the reader of a term's class is looked up once per class, not worked out per term
    cls = type(term)
    reader = _PART_READERS.get(cls)
    if reader is None:
        reader = _PART_READERS[cls] = _part_reader(cls)
    return reader(term)


def _part_reader(cls):
    if cls is tuple:
        return _itself
    name = cls.__name__
    if name == "NamedNode":
        return lambda t: ("uri", str(t.value), "", "")
    if name == "URIRef":
        return lambda t: ("uri", str(t), "", "")
    if name == "BlankNode":
        return lambda t: ("bnode", str(t.value), "", "")
    if name == "BNode":
        return lambda t: ("bnode", str(t), "", "")
    if name == "Literal" and cls.__module__.startswith("pyoxigraph"):
        return _ox_literal_parts
    return _other_literal_parts


def _itself(parts: tuple) -> tuple:
    return parts


def from_parts(rows: list[tuple]) -> list[tuple]:
    """Rows of :func:`term_parts` tuples (None: unbound) as rows of pyoxigraph terms."""
    import pyoxigraph as ox

    made: dict = {}     # IRIs and literals repeat down a column: one term each

    def term(parts):
        if parts is None:
            return None
        hit = made.get(parts)
        if hit is None:
            kind, value, dt, lang = parts
            if kind == "uri":
                hit = ox.NamedNode(value)
            elif kind == "bnode":
                hit = ox.BlankNode(value)
            elif lang:
                hit = ox.Literal(value, language=lang)
            else:
                hit = ox.Literal(value, datatype=ox.NamedNode(dt)) if dt else ox.Literal(value)
            made[parts] = hit
        return hit

    return [tuple(map(term, row)) for row in rows]


def _ox_literal_parts(term) -> tuple[str, str, str, str]:
    lang = term.language
    if lang:
        return "literal", term.value, "", lang
    dt = term.datatype.value
    return "literal", term.value, "" if dt == XSD_STRING else dt, ""


def _other_literal_parts(term) -> tuple[str, str, str, str]:
    lang = getattr(term, "language", None) or ""
    dt = getattr(term, "datatype", None)
    dt = "" if lang or dt is None or str(dt) == XSD_STRING else str(dt)
    return "literal", str(term), dt, lang


_PART_READERS: dict[type, object] = {}
_KIND_ORDER = {"uri": 1, "bnode": 2, "literal": 3}


def term_key(term) -> tuple:
    """A total order on terms of either library (unbound first, then IRIs, blank nodes, literals)."""
    if term is None:
        return (0, "", "", "")
    kind, value, dt, lang = term_parts(term)
    return (_KIND_ORDER[kind], value, dt, lang)
