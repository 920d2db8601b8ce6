"""The query linter: what in a query cannot match, said before the empty answer comes back.

Two mistakes return zero rows without a word, so the linter names them:

* an IRI in the dataset's namespace (``kz:``) or the ontology's (``kg:``) that is
  in neither the built graph nor the ontology: a typo (``kz:almatyy``), with
  "did you mean" among the dataset's entities or the ontology's terms;
* a literal matched or compared with a property whose values are of another
  kind: ``?e kg:date "2022-01-05"`` (a string where the graph holds
  ``xsd:date``), a plain string against language-tagged labels, a literal where
  the property links entities.

It reads the tokens the safety check already made (:mod:`.safety`), so it costs
no parse; the graph is asked one small query for the IRIs and one per checked
property, both cached on the graph (a warm CLI call pays them once). The answer
is still given: each finding is a :class:`~kgbuilder.errors.QueryWarning`.
"""
from __future__ import annotations

import functools
import re

TYPE_CHECKING = False   # annotations only: a warm query's path never imports typing (see __main__)
if TYPE_CHECKING:
    from typing import Any

from ..errors import QueryWarning
from ..namespaces import KG_NS, STANDARD_PREFIXES

__all__ = ["lint_query", "ontology_terms"]

XSD = STANDARD_PREFIXES["xsd"]
RDF = STANDARD_PREFIXES["rdf"]
LANG_STRING = RDF + "langString"
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                              "nonNegativeInteger", "positiveInteger", "negativeInteger",
                              "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
                              "unsignedByte")}
# not "!=": a term of another kind is simply different, which may be what the query means
_COMPARE = {"=", "<", ">", "<=", ">="}
_PATH_OPS = {"/", "|", "^"}


@functools.lru_cache(maxsize=2)
def ontology_terms(path: str | None = None) -> frozenset[str]:
    """Every kg: IRI the ontology file mentions, read with pyoxigraph (no rdflib: this is on the query path)."""
    import pyoxigraph as ox

    from ..schemas import ontology_path

    out: set[str] = set()
    with open(path or ontology_path(), "rb") as fh:
        for t in ox.parse(fh, format=ox.RdfFormat.TURTLE):
            for term in (t.subject, t.predicate, t.object):
                if isinstance(term, ox.NamedNode) and term.value.startswith(KG_NS):
                    out.add(term.value)
    return frozenset(out)


def lint_query(kg, checked) -> list[QueryWarning]:
    """The warnings for a checked query (:class:`.safety.SafeQuery`) on ``kg``."""
    state = _state(kg)
    out: list[QueryWarning] = []
    out += _unknown_iris(kg, checked, state)
    out += _mismatched_literals(kg, checked, state)
    return out


def _state(kg) -> dict[str, Any]:
    state = getattr(kg, "_kgb_lint", None)
    if state is None:
        state = kg._kgb_lint = {"exists": {}, "values": {}, "choices": {}}
    return state


def _warning(checked, tok, message: str) -> QueryWarning:
    from .safety import line_col

    line, col = line_col(checked.original, tok.start)
    return QueryWarning(message, line, col, tok.text, checked.file)


def _qname(kg, iri: str) -> str:
    for prefix, ns in ((kg.prefix, kg.base), ("kg", KG_NS)):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    for prefix, ns in STANDARD_PREFIXES.items():
        if iri.startswith(ns) and iri[len(ns):]:
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


class _Lookup:
    """Index lookups on the store, without a SPARQL parse (rdflib's alone costs more than the linter).

    Oxigraph: its quad patterns on the default graph (the union); rdflib: the
    Dataset's triple patterns (the in-memory store, until Oxigraph holds every graph).
    """

    def __init__(self, store):
        self.store = store
        self.ox = getattr(store, "_st", None)
        if self.ox is not None:
            import pyoxigraph as ox

            # any graph: each quad is stored once, in its source's graph (queries read the union)
            self._node, self._default = ox.NamedNode, None
        else:
            from rdflib import URIRef

            self._node, self.ds = URIRef, store.rdflib_dataset()

    def _pattern(self, s, p, o):
        node = self._node
        try:
            s, p, o = (None if x is None else node(x) for x in (s, p, o))
        except ValueError:   # not an absolute IRI (the engine will say so): nothing to look up
            return iter(())
        if self.ox is not None:
            return (q.object if o is None else q.subject for q in self.ox.quads_for_pattern(s, p, o, self._default))
        return (t[2] if o is None else t[0] for t in self.ds.triples((s, p, o)))

    def occurs(self, iri: str) -> bool:
        return any(next(self._pattern(*pat), None) is not None
                   for pat in ((iri, None, None), (None, iri, None), (None, None, iri)))

    def subjects(self, p: str) -> list[str]:
        node = self._node(p)
        if self.ox is not None:
            return [q.subject.value for q in self.ox.quads_for_pattern(None, node, None, self._default)]
        return [str(s) for s in self.ds.subjects(node, None)]

    def value_kinds(self, p: str, sample: int = 2000) -> frozenset[str]:
        """Datatype IRIs of the property's literal values, "IRI" and "blank" (from a sample)."""
        import itertools

        out = set()
        for o in itertools.islice(self._pattern(None, p, None), sample):
            kind = type(o).__name__
            if kind in ("NamedNode", "URIRef"):
                out.add("IRI")
            elif kind in ("BlankNode", "BNode"):
                out.add("blank")
            elif getattr(o, "language", None):
                out.add(LANG_STRING)
            else:
                dt = getattr(o, "datatype", None)
                out.add(str(getattr(dt, "value", dt)) if dt is not None else XSD + "string")
        return frozenset(out)


def _lookup(kg, state) -> _Lookup:
    look = state.get("lookup")
    if look is None or look.store is not kg.store:
        look = state["lookup"] = _Lookup(kg.store)
    return look


# ---------------------------------------------------------------- unknown IRIs

def _unknown_iris(kg, checked, state) -> list[QueryWarning]:
    namespaces = (kg.base, KG_NS)
    todo: dict[str, list] = {}
    tokens = checked.tokens
    template = _blocks_after(tokens, "CONSTRUCT") if checked.kind == "CONSTRUCT" else set()
    for i, tok in enumerate(tokens):
        if i in template:
            continue
        if tok.kind not in ("iri", "pname") or not tok.value.startswith(namespaces) or tok.value in namespaces:
            continue
        if i and tokens[i - 1].text.upper() in ("^^", "PREFIX", "BASE"):
            continue
        todo.setdefault(tok.value, []).append(tok)
    exists = state["exists"]
    missing = []
    for iri in todo:
        if iri not in exists:
            exists[iri] = _lookup(kg, state).occurs(iri)
        if not exists[iri]:
            missing.append(iri)
    # the ontology is read only for what the graph lacks (a term defined but unused here)
    missing = [iri for iri in missing if iri not in ontology_terms()] if missing else []
    out = []
    for iri in missing:
        from ..resolve import did_you_mean

        tok = todo[iri][0]
        shown = tok.text if tok.kind == "pname" else _qname(kg, iri)
        hint = did_you_mean(_qname(kg, iri), _choices(kg, state, iri.startswith(KG_NS)))
        out.append(_warning(checked, tok, f"{shown} is neither in the dataset nor in the ontology, "
                                          f"so it matches nothing{hint}"))
    return out


def _choices(kg, state, ontology: bool) -> list[str]:
    """Names to suggest: the ontology's kg: terms, or the dataset's entities (by their kg:id)."""
    key = "kg" if ontology else "dataset"
    cached = state["choices"].get(key)
    if cached is None:
        if ontology:
            cached = sorted(_qname(kg, iri) for iri in ontology_terms())
        else:
            cached = sorted({_qname(kg, s) for s in _lookup(kg, state).subjects(KG_NS + "id")
                             if s.startswith(kg.base)})
        state["choices"][key] = cached
    return cached


# ---------------------------------------------------------------- literals of the wrong kind

def _literal_at(tokens, i) -> tuple[str, int] | None:
    """(datatype IRI, index after the literal) if a literal starts at token ``i``."""
    tok = tokens[i]
    if tok.kind == "string":
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and nxt.kind == "lang":
            return LANG_STRING, i + 2
        if nxt is not None and nxt.text == "^^" and i + 2 < len(tokens) and tokens[i + 2].kind in ("iri", "pname"):
            return tokens[i + 2].value, i + 3
        return XSD + "string", i + 1
    if tok.kind == "number":
        t = tok.text
        kind = "double" if "e" in t.lower() else "decimal" if "." in t else "integer"
        return XSD + kind, i + 1
    if tok.kind == "word" and tok.text in ("true", "false"):
        return XSD + "boolean", i + 1
    return None


def _predicate_before(tokens, i) -> Any:
    """The constant predicate whose object starts at token ``i``, if there is one."""
    j = i - 1
    while j >= 1 and tokens[j].text == ",":
        # an object list: step back over the previous object to reach the predicate
        j -= 1
        if tokens[j].kind == "lang":
            j -= 1
        elif j >= 2 and tokens[j - 1].text == "^^":
            j -= 2
        j -= 1
    if j < 0 or tokens[j].kind not in ("iri", "pname"):
        return None
    if j >= 1 and (tokens[j - 1].text in _PATH_OPS or tokens[j - 1].text == "^^"):
        return None
    return tokens[j]


def _blocks_after(tokens, keyword: str) -> set[int]:
    """Indexes of the tokens in the ``{...}`` block that follows each ``keyword``: VALUES rows
    are terms, not triple patterns; a CONSTRUCT template may coin new IRIs."""
    inside: set[int] = set()
    i = 0
    while i < len(tokens):
        if tokens[i].kind == "word" and tokens[i].text.upper() == keyword \
                and (keyword != "CONSTRUCT" or tokens[i + 1:i + 2] and tokens[i + 1].text == "{"):
            j = i + 1
            while j < len(tokens) and tokens[j].text != "{":
                j += 1
            depth = 0
            while j < len(tokens):
                depth += (tokens[j].text == "{") - (tokens[j].text == "}")
                inside.add(j)
                if depth == 0:
                    break
                j += 1
            i = j
        i += 1
    return inside


def _mismatched_literals(kg, checked, state) -> list[QueryWarning]:
    tokens = checked.tokens
    skip = _blocks_after(tokens, "VALUES")
    bound: dict[str, Any] = {}
    checks: list[tuple[Any, Any, str, bool]] = []   # (literal token, predicate token, datatype, exact)
    for i, tok in enumerate(tokens):
        if i in skip:
            continue
        if tok.kind == "var":
            pred = _predicate_before(tokens, i)
            if pred is not None:
                bound.setdefault(tok.text[1:], pred)
            continue
        lit = _literal_at(tokens, i)
        if lit is None:
            continue
        dtype, _ = lit
        pred = _predicate_before(tokens, i)
        if pred is not None:
            checks.append((tok, pred, dtype, True))
            continue
        # ?v OP literal, or literal OP ?v: the variable's property decides
        for op_at, var_at in ((i - 1, i - 2), (i + 1, i + 2)):
            if 0 <= var_at < len(tokens) and tokens[op_at].text in _COMPARE and tokens[var_at].kind == "var":
                pred = bound.get(tokens[var_at].text[1:])
                if pred is None:
                    # the pattern binding it may come later in the text
                    pred = next((_predicate_before(tokens, k) for k in range(len(tokens))
                                 if tokens[k].kind == "var" and tokens[k].text[1:] == tokens[var_at].text[1:]
                                 and _predicate_before(tokens, k) is not None), None)
                if pred is not None:
                    checks.append((tok, pred, dtype, False))
                break
    out = []
    for lit_tok, pred, dtype, exact in checks:
        kinds = _value_kinds(kg, state, pred.value)
        if not kinds or _fits(dtype, kinds, exact):
            continue
        out.append(_warning(checked, lit_tok, _mismatch_message(kg, lit_tok, pred, dtype, kinds, exact)))
    return out


def _value_kinds(kg, state, pred: str) -> frozenset[str]:
    """The kinds of a property's values: datatype IRIs, "IRI" or "blank" (from a sample of 2,000)."""
    cached = state["values"].get(pred)
    if cached is None:
        cached = state["values"][pred] = _lookup(kg, state).value_kinds(pred)
    return cached


def _fits(dtype: str, kinds: frozenset[str], exact: bool) -> bool:
    if dtype in kinds:
        return True
    if not exact and dtype in _NUMERIC and kinds & _NUMERIC:
        return True   # numbers compare across numeric types
    return False


_SHAPES = [(XSD + "date", r"-?\d{4,}-\d\d-\d\d(Z|[+-]\d\d:\d\d)?"), (XSD + "gYearMonth", r"-?\d{4,}-\d\d"),
           (XSD + "gYear", r"-?\d{4,}"), (XSD + "dateTime", r"-?\d{4,}-\d\d-\d\dT.*"),
           (XSD + "integer", r"[+-]?\d+"), (XSD + "decimal", r"[+-]?\d*\.\d+"), (XSD + "boolean", r"true|false")]


def _likely_type(literal: str, kinds: list[str]) -> str | None:
    """Of the property's datatypes, the one the string's text is written in (2022 -> gYear),
    if any: a hint to write "2011"^^xsd:date would only lead to an invalid date."""
    text = literal.strip("\"'")
    for dtype, shape in _SHAPES:
        if dtype in kinds and re.fullmatch(shape, text):
            return dtype
    return None


def _mismatch_message(kg, lit_tok, pred, dtype, kinds, exact) -> str:
    shown_pred = pred.text if pred.kind == "pname" else _qname(kg, pred.value)
    lit = lit_tok.text if len(lit_tok.text) <= 40 else lit_tok.text[:37] + "..."
    literal_kinds = sorted(k for k in kinds if k not in ("IRI", "blank"))
    names = [_qname(kg, k) for k in literal_kinds]
    fails = "it matches none of them" if exact else "comparing them with it fails for each"
    if not literal_kinds:
        return f"{lit} is a literal, but the values of {shown_pred} are entities (IRIs), so {fails}"
    hint = ""
    if lit_tok.kind == "string" and dtype == XSD + "string":
        if LANG_STRING in literal_kinds:
            hint = f" (write {lit}@en, or compare STR(...) with it)"
        else:
            likely = _likely_type(lit_tok.text, literal_kinds)
            hint = f" (write {lit}^^{_qname(kg, likely)})" if likely else ""
    return f"{lit} is {_qname(kg, dtype)}, but the values of {shown_pred} are {', '.join(names)}, so {fails}{hint}"
