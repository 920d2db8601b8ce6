"""The Oxigraph back-end: pyoxigraph in memory or on disk (``oxigraph:PATH``).

Each quad lives in its named graph (one per source, as in rdflib) and its
triple also in the default graph, which thus holds the union of the named
graphs as a set. Queries run natively on that default graph: Oxigraph's own
"default graph as union" option repeats a triple once per graph that holds
it, where rdflib (and SPARQL's RDF-merge reading) give it once, and is
slower. Answers come back as rdflib terms, so callers format both back-ends
the same way; Turtle and N-Triples dumps are pyoxigraph's dump of the default
graph. rdflib is touched only when a caller asks for rdflib objects.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from ..errors import KGBuilderError, QueryError, QuerySyntaxError
from .store import Store

__all__ = ["OxigraphStore", "OxResult", "to_rdflib", "from_rdflib", "OX_FORMATS"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: kgbuilder format names -> pyoxigraph RdfFormat attribute names
OX_FORMATS = {"turtle": "TURTLE", "ntriples": "N_TRIPLES", "nquads": "N_QUADS", "trig": "TRIG"}
_QUAD_FORMATS = {"nquads", "trig"}


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
            raise QueryError(f"cannot convert the RDF term {term!r}")
        if len(self.cache) < 500_000:
            self.cache[term] = out
        return out


def to_rdflib():
    """A memoising converter from pyoxigraph terms to rdflib terms."""
    return _ToRdflib()


def from_rdflib():
    """A memoising converter from rdflib terms to pyoxigraph terms."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    cache: dict = {}

    def conv(t):
        hit = cache.get(t)
        if hit is not None:
            return hit
        if isinstance(t, URIRef):
            out = ox.DefaultGraph() if str(t).startswith("urn:x-rdflib:default") else ox.NamedNode(str(t))
        elif isinstance(t, Literal):
            if t.language:
                out = ox.Literal(str(t), language=t.language)
            elif t.datatype is not None and str(t.datatype) != XSD_STRING:
                out = ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            else:
                out = ox.Literal(str(t))
        elif isinstance(t, BNode):
            out = ox.BlankNode(str(t))
        elif t is None:
            return ox.DefaultGraph()
        else:
            raise KGBuilderError(f"cannot store the RDF term {t!r}")
        cache[t] = out
        return out

    return conv


class OxResult:
    """A pyoxigraph answer shaped like rdflib's Result (``type``, ``vars``,
    ``askAnswer``, ``graph``, iteration over rows of rdflib terms)."""

    def __init__(self, raw, conv=None):
        import pyoxigraph as ox
        from rdflib import Variable

        self._conv = conv or _ToRdflib()
        self.vars: list = []
        self.askAnswer: bool | None = None
        self._raw = raw
        if isinstance(raw, ox.QueryBoolean):
            self.type = "ASK"
            self.askAnswer = bool(raw)
        elif isinstance(raw, ox.QuerySolutions):
            self.type = "SELECT"
            self._names = [v.value for v in raw.variables]
            self.vars = [Variable(n) for n in self._names]
        else:
            self.type = "CONSTRUCT"

    def __iter__(self) -> Iterator[tuple]:
        conv = self._conv
        if self.type == "SELECT":
            names = self._names
            for sol in self._raw:
                yield tuple(conv(sol[n]) for n in names)
        elif self.type == "CONSTRUCT":
            for t in self._raw:
                yield conv(t.subject), conv(t.predicate), conv(t.object)
        else:
            yield self.askAnswer

    def __bool__(self) -> bool:
        return bool(self.askAnswer) if self.type == "ASK" else True

    @property
    def graph(self):
        """CONSTRUCT/DESCRIBE answers as an ``rdflib.Graph`` (consumes the answer)."""
        from rdflib import Graph

        g = Graph()
        if self.type == "CONSTRUCT":
            for t in self:
                g.add(t)
        return g


class OxigraphStore(Store):
    """pyoxigraph: in memory (``oxigraph``) or on disk (``oxigraph:PATH``)."""

    name = "oxigraph"
    #: queries reach it as :class:`.safety.SafeQuery` (see :func:`.query.prepare`)
    native_sparql = True

    def __init__(self, path: str | Path | None = None):
        import pyoxigraph as ox

        self.path = Path(path) if path else None
        try:
            if self.path is not None:
                self.path.mkdir(parents=True, exist_ok=True)
                self._st = ox.Store(str(self.path))
            else:
                self._st = ox.Store()
        except OSError as exc:
            raise KGBuilderError(f"cannot open the Oxigraph store at {self.path}: {exc}") from None
        self._rdflib_ds = None

    # -- writing --------------------------------------------------------------
    def add_quads(self, quads: Iterable[tuple]) -> None:
        import pyoxigraph as ox

        conv = from_rdflib()
        default = ox.DefaultGraph()
        batch = []
        for s, p, o, g in quads:
            s, p, o, g = conv(s), conv(p), conv(o), conv(g)
            batch.append(ox.Quad(s, p, o, g))
            batch.append(ox.Quad(s, p, o, default))
            if len(batch) >= 100_000:
                self._st.extend(batch)
                batch = []
        if batch:
            self._st.extend(batch)
        self._rdflib_ds = None

    def bulk_load(self, data: bytes | str | BinaryIO | Path, format: str = "nquads", *,
                  union_included: bool = False) -> None:
        """Load serialized RDF (N-Quads by default) at pyoxigraph's bulk speed.

        ``union_included``: ``data`` already repeats every triple without a
        graph (as :func:`.nquads.nquad_lines` with ``union=True`` writes it);
        otherwise the default graph is brought up to date with one update.
        """
        import pyoxigraph as ox

        fmt = getattr(ox.RdfFormat, OX_FORMATS[format])
        try:
            if isinstance(data, Path):
                self._st.bulk_load(path=str(data), format=fmt)
            else:
                self._st.bulk_load(input=data, format=fmt)
        except SyntaxError as exc:
            raise KGBuilderError(f"cannot load {format} into Oxigraph: {exc}") from None
        if not union_included and format in _QUAD_FORMATS:
            self._st.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        self._rdflib_ds = None

    def remove_nquads(self, data: bytes | str) -> None:
        """Remove the quads written in ``data`` (N-Quads); absent ones are ignored."""
        import pyoxigraph as ox

        default = ox.DefaultGraph()
        quads = [q for q in ox.parse(data, format=ox.RdfFormat.N_QUADS) if not isinstance(q.graph_name, ox.DefaultGraph)]
        for q in quads:
            self._st.remove(q)
        for q in quads:
            # the union keeps the triple while another graph still holds it
            if not any(not isinstance(r.graph_name, ox.DefaultGraph)
                       for r in self._st.quads_for_pattern(q.subject, q.predicate, q.object, None)):
                self._st.remove(ox.Quad(q.subject, q.predicate, q.object, default))
        self._rdflib_ds = None

    def clear(self) -> None:
        self._st.clear()
        self._rdflib_ds = None

    def close(self) -> None:
        if self.path is not None:
            self._st.flush()

    # -- reading --------------------------------------------------------------
    def ox_quads(self) -> Iterator:
        """Every quad of the named graphs as pyoxigraph terms (no conversion)."""
        import pyoxigraph as ox

        return (q for q in self._st if not isinstance(q.graph_name, ox.DefaultGraph))

    def ox_triples(self) -> Iterator:
        """Distinct triples over all graphs (the default graph) as pyoxigraph Triples."""
        import pyoxigraph as ox

        return (q.triple for q in self._st.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    def quads(self) -> Iterator[tuple]:
        conv = _ToRdflib()
        for q in self.ox_quads():
            yield conv(q.subject), conv(q.predicate), conv(q.object), conv(q.graph_name)

    def triples(self) -> Iterator[tuple]:
        conv = _ToRdflib()
        for t in self.ox_triples():
            yield conv(t.subject), conv(t.predicate), conv(t.object)

    def __len__(self) -> int:
        res = self._st.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(res))["n"].value)

    def count_triples(self) -> int:
        res = self._st.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(next(iter(res))["n"].value)

    def rdflib_dataset(self):
        """A copy in an ``rdflib.Dataset`` (slow for big graphs: prefer ``query``)."""
        if self._rdflib_ds is None:
            from rdflib import Dataset

            ds = Dataset(default_union=True)
            ds.addN((s, p, o, ds.graph(g)) for s, p, o, g in self.quads())
            self._rdflib_ds = ds
        return self._rdflib_ds

    def query(self, prepared: Any, *, prefixes: dict[str, str] | None = None, **kwargs) -> OxResult:
        """Run SPARQL natively. ``prepared`` is a :class:`.safety.SafeQuery`, whose
        rebuilt text runs (never the user's own), or trusted query text.

        An rdflib prepared query is refused: running its original text would
        skip the safety check's reading of it.
        """
        from .safety import SafeQuery, engine_syntax_error

        checked = prepared if isinstance(prepared, SafeQuery) else None
        if checked is not None:
            text, ns = checked.text, {}
        elif isinstance(prepared, str):
            text, ns = prepared, dict(prefixes or {})
        else:
            raise QueryError("the Oxigraph store runs checked queries (kgbuilder.graph.query.prepare), "
                             "not rdflib prepared queries")
        for key in ("initBindings", "initNs", "base"):
            if kwargs.get(key):
                if key == "initNs":
                    ns.update({k: str(v) for k, v in kwargs[key].items()})
                else:
                    raise QueryError(f"the Oxigraph store does not support {key}")
        try:
            raw = self._st.query(text, prefixes=ns)
        except SyntaxError as exc:
            if checked is not None:
                raise engine_syntax_error(exc, checked) from None
            raise QuerySyntaxError(str(exc).splitlines()[0]) from None
        except OSError as exc:
            raise QueryError(f"Oxigraph could not run the query: {exc}") from None
        return OxResult(raw)

    def dump(self, format: str, out: BinaryIO, *, prefixes: dict[str, str] | None = None) -> None:
        """Write the graph with pyoxigraph's serializer: Turtle and N-Triples get
        the default graph (the union), N-Quads and TriG every named graph."""
        import pyoxigraph as ox

        if format not in OX_FORMATS:
            raise KGBuilderError(f"the Oxigraph store cannot dump '{format}' (one of: {', '.join(OX_FORMATS)})")
        fmt = getattr(ox.RdfFormat, OX_FORMATS[format])
        pre = dict(prefixes or {}) if format in ("turtle", "trig") else None
        if format in _QUAD_FORMATS:
            ox.serialize(self.ox_quads(), out, fmt, prefixes=pre)
        else:
            self._st.dump(out, fmt, from_graph=ox.DefaultGraph(), prefixes=pre)
