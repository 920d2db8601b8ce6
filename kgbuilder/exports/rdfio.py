"""The graph as N-Triples/N-Quads text (or, for a big graph, a stream from its store), and
the parse-back check by pyoxigraph.

pyoxigraph is the fast writer for large graphs and the independent parser
every RDF export is read back with before it replaces the previous file.
"""
from __future__ import annotations

from pathlib import Path
from ..errors import ExportError

__all__ = ["Hub", "StoreHub", "make_hub", "parse_back", "count_back", "check_same", "verify_written",
           "FULL_CHECK_LIMIT", "STREAM_LIMIT", "RDF_TYPE"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: up to this many statements the parsed-back graph is compared in full
#: (the same set of statements, or rdflib's isomorphism when there are blank
#: nodes); above, the counts must match.
FULL_CHECK_LIMIT = 200_000
#: above this many quads in an Oxigraph store, an export streams from the store (a StoreHub)
#: instead of encoding the graph as text in memory first: memory stays flat (at 1M facts the
#: text, its lines and their sorted groups took several GB), the statements come in the
#: engine's order rather than sorted, and the parse-back check counts (as it does above
#: FULL_CHECK_LIMIT anyway)
STREAM_LIMIT = FULL_CHECK_LIMIT

_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_TYPE_LINE = " <" + RDF_TYPE + "> "


class Hub:
    """The content of one export as N-Triples/N-Quads text, one line per statement.

    Creating a pyoxigraph term from Python costs some 3 µs and rdflib's
    terms are slow to hash, so the graph is encoded once as text (each
    distinct term encoded once), optionally grouped by subject; pyoxigraph
    parses it as a stream to write the other syntaxes, and the parsed-back
    output is compared with it.
    """

    streamed = False

    def __init__(self, text: bytes, count: int, quads: bool, bnodes: bool):
        self.text, self.count, self.quads, self.bnodes = text, count, quads, bnodes

    @property
    def ox_format(self):
        import pyoxigraph as ox

        return ox.RdfFormat.N_QUADS if self.quads else ox.RdfFormat.N_TRIPLES

    def prefixes(self, prefixes: dict[str, str]) -> dict[str, str]:
        """The prefixes (sorted) whose namespace starts some IRI of the graph."""
        return {name: ns for name, ns in sorted(prefixes.items())
                if ("<" + ns).encode("utf-8") in self.text}

    def parse(self):
        """The statements as pyoxigraph Quads, in text order (a stream)."""
        import pyoxigraph as ox

        return ox.parse(self.text, self.ox_format)

    def dump(self, out, ox_format: str, prefixes: dict[str, str] | None = None) -> None:
        import pyoxigraph as ox

        ox.serialize(self.parse(), out, getattr(ox.RdfFormat, ox_format), prefixes=prefixes or None)

    def write_lines(self, out) -> None:
        """The canonical N-Triples/N-Quads: the text itself."""
        out.write(self.text)


class StoreHub:
    """The content of one export of a big graph, streamed from its Oxigraph store.

    The same interface as :class:`Hub` for the exporters that stream: ``count`` is known once
    ``dump`` (or ``write_lines``, or JSON-LD's own writer) has written the statements, and the
    Turtle, TriG, RDF/XML and JSON-LD declare every prefix the dataset knows (finding the ones
    in use would take one more pass over the graph).
    """

    streamed = True

    def __init__(self, store, quads: bool):
        self.store, self.quads = store, quads
        self.count: int | None = None

    def prefixes(self, prefixes: dict[str, str]) -> dict[str, str]:
        return dict(sorted(prefixes.items()))

    def parse(self):
        """The statements as pyoxigraph Quads or Triples, in the store's order (a stream)."""
        return self.store.ox_quads() if self.quads else self.store.ox_triples()

    def dump(self, out, ox_format: str, prefixes: dict[str, str] | None = None) -> None:
        from ..store.oxigraph import OX_FORMATS

        name = next(k for k, v in OX_FORMATS.items() if v == ox_format)
        self.count = self.store.dump(name, out, prefixes=prefixes)

    def write_lines(self, out) -> None:
        self.dump(out, "N_QUADS" if self.quads else "N_TRIPLES")


def make_hub(kg, *, quads: bool, grouped: bool = False, stream: bool = True) -> Hub | StoreHub:
    """The graph's distinct triples (or its quads) as a Hub; ``grouped`` sorts the
    lines by graph, subject, then ``rdf:type`` first and the rest by predicate,
    for the syntaxes that abbreviate (Turtle, TriG, RDF/XML, JSON-LD). An Oxigraph store
    of more than STREAM_LIMIT quads gives a StoreHub instead, unless ``stream`` is False."""
    store = kg.store
    if hasattr(store, "ox_quads") and hasattr(store, "ox_triples"):
        if stream and hasattr(store, "dump") and len(store) > STREAM_LIMIT:
            return StoreHub(store, quads)
        # an Oxigraph-backed store: its terms need no conversion
        import pyoxigraph as ox

        fmt = ox.RdfFormat.N_QUADS if quads else ox.RdfFormat.N_TRIPLES
        text = ox.serialize(store.ox_quads() if quads else store.ox_triples(), format=fmt).decode("utf-8")
        lines, bnodes = text.splitlines(True), "_:" in text
    else:
        lines, bnodes = _encode(store, quads)
    if grouped:
        lines = _group(lines, quads)
    return Hub("".join(lines).encode("utf-8"), len(lines), quads, bnodes)


def _encode(store, quads: bool) -> tuple[list[str], bool]:
    from rdflib import BNode, Literal, URIRef

    memo: dict = {}
    lit_memo: dict = {}
    bnodes = False
    from ..terms import XSD_STRING as xsd_string

    def term(t) -> str:
        nonlocal bnodes
        cls = t.__class__
        if cls is URIRef:
            n = memo.get(t)
            if n is None:
                n = memo[t] = "<" + str(t) + ">"
            return n
        if cls is Literal or isinstance(t, Literal):
            key = (str.__str__(t), t.language, t.datatype)
            n = lit_memo.get(key)
            if n is None:
                body = '"' + str(t).translate(_ESCAPE) + '"'
                if t.language:
                    n = body + "@" + t.language
                elif t.datatype is not None and str(t.datatype) != xsd_string:
                    n = body + "^^<" + str(t.datatype) + ">"
                else:
                    n = body
                lit_memo[key] = n
            return n
        if isinstance(t, BNode):
            bnodes = True
            return "_:" + str(t)
        return "<" + str(t) + ">"

    if quads:
        out = []
        add = out.append
        for s, p, o, g in store.quads():
            gs = "" if g is None or str(g).startswith("urn:x-rdflib:default") else " " + term(g)
            add(f"{term(s)} {term(p)} {term(o)}{gs} .\n")
        return out, bnodes
    # distinct triples: deduplicate the encoded lines (str hashing is cheap)
    lines = list(dict.fromkeys(f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o, _ in store.quads()))
    return lines, bnodes


def _group(lines: list[str], quads: bool) -> list[str]:
    groups: dict[tuple, list[str]] = {}
    for line in lines:
        subject = line[:line.index(" ")]
        # the graph name is the last term of a quad line ("... <g> .\n")
        graph = line[line.rindex(" ", 0, len(line) - 3) + 1:-3] if quads else ""
        groups.setdefault((graph, subject), []).append(line)
    out: list[str] = []
    for key in sorted(groups):
        group = groups[key]
        out.extend(sorted(line for line in group if _TYPE_LINE in line))
        out.extend(sorted(line for line in group if _TYPE_LINE not in line))
    return out


def _read_back(path: Path, ox_format: str):
    """The statements pyoxigraph reads from ``path``, as a stream; ExportError if it does not parse."""
    import pyoxigraph as ox

    try:
        yield from ox.parse(path=str(path), format=getattr(ox.RdfFormat, ox_format))
    except (SyntaxError, ValueError, OSError) as exc:
        raise ExportError(f"the written {ox_format} does not parse back: {exc}") from None


def parse_back(path: Path, ox_format: str):
    """Every statement pyoxigraph reads from ``path``, as canonical strings (a
    list, duplicates kept); ExportError if it does not parse."""
    return [str(q) for q in _read_back(path, ox_format)]


def count_back(path: Path, ox_format: str) -> int:
    """How many statements pyoxigraph reads from ``path`` (nothing kept); ExportError if it does
    not parse."""
    n = 0
    for n, _ in enumerate(_read_back(path, ox_format), 1):
        pass
    return n


def verify_written(hub: Hub | StoreHub, path: Path, ox_format: str, *, what: str) -> None:
    """Raise ExportError unless the file at ``path`` parses back to the graph of ``hub``: the same
    statements up to FULL_CHECK_LIMIT, the same number above (counted without keeping them)."""
    if hub.count is not None and hub.count <= FULL_CHECK_LIMIT:
        check_same(hub, parse_back(path, ox_format), what=what)
        return
    _same_count(hub, count_back(path, ox_format), what)


def _same_count(hub: Hub | StoreHub, n: int, what: str) -> None:
    if n != hub.count:
        unit = "quads" if hub.quads else "triples"
        raise ExportError(f"{what}: wrote {hub.count} {unit} but read back {n}")


def check_same(hub: Hub | StoreHub, parsed: list[str], *, what: str) -> None:
    """Raise ExportError unless ``parsed`` holds the graph of ``hub``.

    Always the same size; up to FULL_CHECK_LIMIT also the same statements
    (both sides as pyoxigraph writes them, so escaping cannot differ).
    """
    _same_count(hub, len(parsed), what)
    if hub.count > FULL_CHECK_LIMIT:
        return
    want, have = {str(q) for q in hub.parse()}, set(parsed)
    bnodes = any("_:" in q for q in want) if hub.streamed else hub.bnodes
    if not bnodes:
        if want != have:
            diff = next(iter(want - have), None) or next(iter(have - want))
            raise ExportError(f"{what}: the graph read back differs, e.g. at {diff}")
        return
    if not _isomorphic(want, have, quads=hub.quads):
        raise ExportError(f"{what}: the graph read back is not isomorphic to the one written")


def _isomorphic(a: set[str], b: set[str], *, quads: bool) -> bool:
    """rdflib's isomorphism, graph by graph (blank nodes only occur in small graphs)."""
    from rdflib import Dataset, Graph
    from rdflib.compare import isomorphic

    def text(lines: set[str]) -> str:
        return "".join(line + " .\n" for line in lines)

    if not quads:
        return isomorphic(Graph().parse(data=text(a), format="nt"), Graph().parse(data=text(b), format="nt"))
    left = Dataset().parse(data=text(a), format="nquads")
    right = Dataset().parse(data=text(b), format="nquads")
    lg = {str(g.identifier): g for g in left.graphs() if len(g)}
    rg = {str(g.identifier): g for g in right.graphs() if len(g)}
    return lg.keys() == rg.keys() and all(isomorphic(lg[k], rg[k]) for k in lg)
