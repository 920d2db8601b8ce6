"""Safe SPARQL over a built graph: parse, check, run where it can be killed.

Every query first goes through :mod:`.safety`, which tokenizes it the way
Oxigraph reads it, refuses SERVICE, FROM and updates, and rebuilds the text
that Oxigraph then runs (never the user's text). rdflib (the in-memory store)
parses the query itself and the same rules are also checked on its algebra,
so each engine is checked on exactly what it runs: a query is read-only, never
calls a remote endpoint and never loads a graph from a file or URL. A query
runs in a forked worker process that is killed when it passes its time limit
(rdflib has no timeout of its own) and that cannot allocate more than a fixed
amount of memory; its rows come back through a pipe as one pickle.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from ..errors import QuerySyntaxError, QueryTimeoutError, UnsafeQueryError

__all__ = ["parse_query", "check_safe", "prepare", "run_query", "execute", "QueryResult", "query_kind",
           "SavedQuery", "saved_queries", "saved_query", "DEFAULT_TIMEOUT", "DEFAULT_LIMIT", "DEFAULT_MEMORY_MB"]

DEFAULT_TIMEOUT = 10.0    # seconds: rdflib needs ~5 s for some honest queries on 5k triples
DEFAULT_LIMIT = 10000     # rows (SELECT) or triples (CONSTRUCT, DESCRIBE)
DEFAULT_MEMORY_MB = 2048  # what a query may allocate on top of the loaded graph

_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_PROLOGUE = re.compile(r"""(?isx)\A(?:\s+|\#[^\n]*\n?|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*""")
_grammar_lock = threading.Lock()


@dataclass
class QueryResult:
    """What a query returned, detached from rdflib's lazy Result.

    ``kind`` is SELECT, ASK, CONSTRUCT or DESCRIBE. SELECT fills ``vars`` and
    ``rows`` (tuples of rdflib terms, None when unbound); ASK ``boolean``;
    CONSTRUCT and DESCRIBE ``triples``. ``truncated`` is true when the row
    limit cut the answer short.
    """

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)
    truncated: bool = False
    limit: int | None = None
    ordered: bool = False

    def __len__(self) -> int:
        return len(self.triples) if self.kind in ("CONSTRUCT", "DESCRIBE") else len(self.rows)

    def graph(self, prefixes: dict[str, str] | None = None):
        """CONSTRUCT/DESCRIBE triples as an ``rdflib.Graph``."""
        from rdflib import Graph

        g = Graph()
        for name, ns in (prefixes or {}).items():
            g.bind(name, ns, override=True, replace=True)
        for t in self.triples:
            g.add(t)
        return g

    def dicts(self) -> list[dict[str, Any]]:
        """SELECT rows as ``{var: rdflib term}`` (unbound variables left out)."""
        return [{v: t for v, t in zip(self.vars, row) if t is not None} for row in self.rows]


# ---------------------------------------------------------------- parsing

def parse_query(sparql: str, prefixes: dict[str, str], file: str | None = None):
    """Parse (and algebra-translate) a query; syntax errors carry line, column and token.

    An update (INSERT, DELETE, LOAD, CLEAR, ...) raises UnsafeQueryError: the
    graph is read-only.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(sparql, initNs=prefixes)
    except ParseException as exc:
        _refuse_update(sparql, file)
        loc = _furthest_failure(sparql)
        if loc is None:
            loc = exc.loc
        line, col = _line_col(sparql, loc)
        token = _token_at(sparql, loc)
        msg = f"syntax error at {token!r}" if token else "syntax error: the query ends too early"
        raise QuerySyntaxError(msg, line, col, token or None, file) from None
    except Exception as exc:  # rdflib raises bare Exceptions for unknown prefixes and the like
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        m = re.match(r"Unknown namespace prefix : (\S+)", text)
        if m:
            prefix = m.group(1)
            loc = _find_prefix_use(sparql, prefix)
            line, col = _line_col(sparql, loc) if loc is not None else (None, None)
            from .resolve import did_you_mean

            raise QuerySyntaxError(f"unknown prefix '{prefix}:'" + did_you_mean(prefix, prefixes),
                                   line, col, prefix + ":", file) from None
        raise QuerySyntaxError(text, file=file) from None


def _refuse_update(sparql: str, file: str | None) -> None:
    head = sparql[_PROLOGUE.match(sparql).end():]
    m = re.match(r"(?i)[A-Z]+(?:\s+(?:DATA|WHERE|SILENT))?", head)
    if m and m.group(0).split()[0].upper() in _UPDATE_WORDS:
        op = " ".join(m.group(0).upper().split())
        raise UnsafeQueryError(f"{file or 'query'}: {op} is a SPARQL update; queries are read-only "
                               "(use SELECT, ASK, CONSTRUCT or DESCRIBE)")


def _furthest_failure(sparql: str) -> int | None:
    """Re-parse tracking the furthest point any grammar element failed at.

    pyparsing reports where the outermost alternative failed, which is often
    a whole clause before the real mistake; the furthest failure is the token
    the parser could not get past.
    """
    from rdflib.plugins.sparql import parser

    elements = _grammar_elements(parser.QueryUnit)
    furthest = [-1]

    def on_fail(instring, loc, expr, exc):
        furthest[0] = max(furthest[0], loc, getattr(exc, "loc", loc) or 0)

    with _grammar_lock:
        saved = [(e, e.failAction) for e in elements]
        try:
            for e in elements:
                e.failAction = on_fail
            try:
                parser.parseQuery(sparql)
            except Exception:
                pass
        finally:
            for e, action in saved:
                e.failAction = action
    return furthest[0] if furthest[0] >= 0 else None


_ELEMENTS: list | None = None


def _grammar_elements(root) -> list:
    global _ELEMENTS
    if _ELEMENTS is None:
        seen: dict[int, Any] = {}
        stack = [root]
        while stack:
            e = stack.pop()
            if id(e) in seen:
                continue
            seen[id(e)] = e
            stack.extend(getattr(e, "exprs", ()) or ())
            if getattr(e, "expr", None) is not None:
                stack.append(e.expr)
        _ELEMENTS = list(seen.values())
    return _ELEMENTS


def _line_col(text: str, loc: int) -> tuple[int, int]:
    loc = min(max(loc, 0), len(text))
    line = text.count("\n", 0, loc) + 1
    col = loc - (text.rfind("\n", 0, loc) + 1) + 1
    return line, col


_TOKEN = re.compile(r"""<[^\s>]*>?|"[^"\n]*"?|'[^'\n]*'?|[^\s{}()\[\],;.]+|\S""")


def _token_at(text: str, loc: int) -> str:
    m = _TOKEN.match(text, loc)
    if not m:
        rest = text[loc:].lstrip()
        m = _TOKEN.match(rest) if rest else None
    return m.group(0)[:40] if m else ""


def _find_prefix_use(sparql: str, prefix: str) -> int | None:
    m = re.search(r"(?<![\w:<?$])" + re.escape(prefix) + r":", sparql)
    return m.start() if m else None


# ---------------------------------------------------------------- safety

def query_kind(prepared) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE."""
    return prepared.algebra.name.removesuffix("Query").upper()


def check_safe(prepared, file: str | None = None) -> None:
    """Refuse SERVICE anywhere in the algebra and FROM / FROM NAMED.

    The walk covers every nested pattern: OPTIONAL, UNION, MINUS, sub-queries
    and the graph patterns inside FILTER EXISTS expressions.
    """
    from rdflib.plugins.sparql.parserutils import CompValue

    where = file or "query"
    alg = prepared.algebra
    if alg.get("datasetClause"):
        clauses = alg["datasetClause"]
        first = clauses[0]
        named = "named" in first
        iri = first["named"] if named else first["default"]
        raise UnsafeQueryError(f"{where}: {'FROM NAMED' if named else 'FROM'} <{iri}> is not allowed: "
                               "queries read only the dataset's own graph (use GRAPH to pick a source)")
    stack: list[Any] = [alg]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                term = node.get("term")
                shown = term.n3() if term is not None else ""
                raise UnsafeQueryError(f"{where}: SERVICE {shown} is not allowed: queries never "
                                       "reach the network")
            if node.name == "DatasetClause":
                raise UnsafeQueryError(f"{where}: FROM is not allowed: queries read only the dataset's own graph")
            stack.extend(v for k, v in node.items() if not k.startswith("_"))
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


# ---------------------------------------------------------------- running

def prepare(store, sparql: str, prefixes: dict[str, str], file: str | None = None, safe: bool = True,
            checked=None):
    """What ``store`` will run for ``sparql``, checked: a :class:`.safety.SafeQuery` for a
    store with its own engine (Oxigraph), an rdflib prepared query for rdflib."""
    from .safety import check_query

    if checked is None:
        checked = check_query(sparql, prefixes, file, enforce=safe)
    if getattr(store, "native_sparql", False):
        return checked
    prepared = parse_query(sparql, prefixes, file)
    if safe:
        check_safe(prepared, file)
    return prepared


def _checked(kg, sparql: str, file: str | None, safe: bool, lint: bool):
    """The safety check's reading of ``sparql``, and the linter's findings (QueryWarnings)."""
    from .safety import check_query

    checked = check_query(sparql, kg.prefixes, file, enforce=safe)
    if not lint:
        return checked, []
    from .lint import lint_query

    return checked, lint_query(kg, checked)


def _emit(found) -> None:
    import warnings

    for w in found:
        warnings.warn(w, stacklevel=3)   # attributed to the caller of execute / run_query


def run_query(kg, sparql: str, *, file: str | None = None, safe: bool = True, infer: bool = False,
              lint: bool = True, **kwargs: Any):
    """Run SPARQL on ``kg`` in this process and return the store's Result.

    The safety checks apply (unless ``safe=False``) but there is no time
    limit: use :func:`execute` for queries you do not trust. ``lint``: warn
    (QueryWarning) about IRIs and literals that cannot match.
    """
    checked, found = _checked(kg, sparql, file, safe, lint)
    store = _inferred_store(kg) if infer else kg.store
    try:
        res = store.query(prepare(store, sparql, kg.prefixes, file, safe, checked), **kwargs)
    except QuerySyntaxError:
        raise           # a query that does not parse gets its error alone
    except BaseException:
        _emit(found)
        raise
    _emit(found)
    return res


def execute(kg, sparql: str, *, file: str | None = None, timeout: float | None = DEFAULT_TIMEOUT,
            limit: int | None = DEFAULT_LIMIT, infer: bool = False, safe: bool = True,
            memory_mb: int | None = DEFAULT_MEMORY_MB, lint: bool = True) -> QueryResult:
    """Parse, check and run a query with a time, row and memory limit.

    Raises QuerySyntaxError, UnsafeQueryError, QueryTimeoutError or QueryError.
    ``timeout=None`` (or 0) and ``limit=None`` (or 0) lift those limits.
    ``lint``: warn (:class:`~kgbuilder.errors.QueryWarning`) before running
    about IRIs in neither the dataset nor the ontology and literals of another
    datatype than their property's values; the query runs all the same.
    """
    checked, found = _checked(kg, sparql, file, safe, lint)
    try:
        res = _execute(kg, sparql, checked, file, timeout, limit, infer, safe, memory_mb)
    except QuerySyntaxError:
        raise           # a query that does not parse gets its error alone, not the linter's guesses
    except BaseException:
        _emit(found)    # a timeout may well come from the typo the linter found
        raise
    _emit(found)
    return res


def _execute(kg, sparql, checked, file, timeout, limit, infer, safe, memory_mb) -> QueryResult:
    limit = limit or None
    if not timeout:
        store = _inferred_store(kg) if infer else kg.store
        return _collect(store, prepare(store, sparql, kg.prefixes, file, safe, checked), limit, sparql)
    from .sandbox import run_isolated

    from .store import MemoryStore

    in_place = infer and isinstance(kg.store, MemoryStore)
    extra = _inferred_quads(kg) if in_place else ()
    # checked here, before the fork: errors are raised in this process; with --infer the
    # entailments live in an rdflib store, whatever kg.store is
    prepared = prepare(kg.store if not infer else MemoryStore, sparql, kg.prefixes, file, safe, checked)

    def job():
        store = kg.store
        if in_place:
            # the forked worker owns a private copy of an in-memory store: add the entailments there
            store.add_quads(extra)
        elif infer:
            store = _inferred_store(kg)  # never write into a store that may live on disk
        return _collect(store, prepared, limit, sparql)

    try:
        return run_isolated(job, timeout=timeout, memory_mb=memory_mb,
                            fallback=lambda: _spawn_payload(kg, sparql, file, limit, infer, safe))
    except QueryTimeoutError:
        raise QueryTimeoutError(f"{file or 'query'}: stopped after {timeout:g} s (--timeout); "
                                "narrow the query down or raise the limit") from None


def _spawn_payload(kg, sparql, file, limit, infer, safe):
    """What a spawned (not forked) worker needs to rebuild the graph and rerun the query."""
    quads = list(kg.store.quads())
    if infer:
        quads.extend(_inferred_quads(kg))
    return {"quads": quads, "prefixes": kg.prefixes, "sparql": sparql, "file": file, "limit": limit,
            "safe": safe}


def run_payload(payload) -> QueryResult:
    """The spawned worker's side of :func:`_spawn_payload`."""
    store = payload.get("store")
    if store is None:
        from .store import open_store

        store = open_store("memory")
        store.add_quads(payload["quads"])
    prepared = prepare(store, payload["sparql"], payload["prefixes"], payload["file"], payload["safe"])
    return _collect(store, prepared, payload["limit"], payload["sparql"])


def _collect(store, prepared, limit: int | None, sparql: str = "") -> QueryResult:
    import itertools

    kind = getattr(prepared, "kind", None) or query_kind(prepared)
    try:
        res = store.query(prepared)
    except QuerySyntaxError:
        if hasattr(prepared, "original"):
            _locate_with_rdflib(prepared)
        raise
    out = QueryResult(kind=kind, limit=limit)
    if kind == "ASK":
        out.boolean = bool(res.askAnswer)
        return out
    if kind in ("CONSTRUCT", "DESCRIBE"):
        triples = sorted(res.graph, key=_triple_key)
        if limit is not None and len(triples) > limit:
            triples, out.truncated = triples[:limit], True
        out.triples = triples
        return out
    names = [str(v) for v in res.vars]
    out.vars = _star_order(names, sparql)
    index = [names.index(v) for v in out.vars]
    out.ordered = prepared.ordered if hasattr(prepared, "ordered") else _has_order_by(prepared.algebra)
    rows = itertools.islice(iter(res), None if limit is None else limit + 1)
    out.rows = [tuple(row[i] for i in index) for row in rows]
    if limit is not None and len(out.rows) > limit:
        out.rows, out.truncated = out.rows[:limit], True
    if not out.ordered:
        # without ORDER BY the order is rdflib's hash order: sort so that runs agree
        out.rows.sort(key=lambda r: tuple(term_key(t) for t in r))
    return out


def _locate_with_rdflib(checked) -> None:
    """Raise rdflib's reading of a syntax error Oxigraph found, if rdflib sees one too.

    Oxigraph reports the furthest point its PEG grammar reached, often the end
    of the text; pyparsing's furthest failure names the token the way this
    module always has. Only the error path pays for importing rdflib.
    """
    parse_query(checked.original, checked.prefixes, checked.file)


def _star_order(names: list[str], sparql: str) -> list[str]:
    """``SELECT *`` columns in the order the variables first appear in the query.

    rdflib collects them in a set, whose order changes from run to run.
    """
    head = sparql[_PROLOGUE.match(sparql).end():]
    if not re.match(r"(?is)SELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?\*", head):
        return names
    first: dict[str, int] = {}
    for m in re.finditer(r"[?$]([A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)", head):
        first.setdefault(m.group(1), m.start())
    return sorted(names, key=lambda n: (first.get(n, len(head)), n))


def _has_order_by(algebra) -> bool:
    node = algebra.get("p")
    while node is not None and getattr(node, "name", None) in ("Project", "Distinct", "Reduced", "Slice",
                                                                "ToMultiSet", "Extend"):
        node = node.get("p")
    return getattr(node, "name", None) == "OrderBy"


def term_key(term) -> tuple:
    """A total order on rdflib terms (unbound first, then IRIs, blank nodes, literals)."""
    if term is None:
        return (0, "", "", "")
    kind = type(term).__name__
    if kind == "URIRef":
        return (1, str(term), "", "")
    if kind == "BNode":
        return (2, str(term), "", "")
    return (3, str(term), str(getattr(term, "datatype", "") or ""), str(getattr(term, "language", "") or ""))


def _triple_key(t) -> tuple:
    return tuple(term_key(x) for x in t)


# ---------------------------------------------------------------- entailment

def _inferred_quads(kg) -> list[tuple]:
    """The alignment's entailments for ``kg``, computed once per graph."""
    cached = getattr(kg, "_kgb_inferred_quads", None)
    if cached is None:
        from .infer import inferred_quads

        cached = kg._kgb_inferred_quads = inferred_quads(kg)
    return cached


def _inferred_store(kg):
    """A copy of ``kg``'s store with the alignment's entailments, made once per graph."""
    cached = getattr(kg, "_kgb_inferred_store", None)
    if cached is None:
        from .store import open_store

        cached = open_store("memory")
        cached.add_quads(kg.store.quads())
        cached.add_quads(_inferred_quads(kg))
        kg._kgb_inferred_store = cached
    return cached


# ---------------------------------------------------------------- saved queries

@dataclass(frozen=True)
class SavedQuery:
    """A dataset's saved query: ``queries/NAME.rq``, its first comment line the question."""

    name: str
    path: Any
    question: str


def saved_queries(root) -> list[SavedQuery]:
    """The saved queries of a dataset folder, sorted by name."""
    from pathlib import Path

    folder = Path(root) / "queries"
    out = []
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else ():
        question = ""
        try:
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    line = line.strip()
                    if not line.startswith("#"):
                        break
                    text = line.lstrip("#").strip()
                    if text:
                        question = re.sub(r"(?i)^question:\s*", "", text)
                        break
        except (OSError, UnicodeDecodeError):
            question = "(unreadable)"
        out.append(SavedQuery(path.stem, path, question))
    return out


def saved_query(root, name: str) -> SavedQuery:
    """One saved query by name (the file stem, or the part after its number: ``csto-members``)."""
    from ..errors import QueryError
    from .resolve import did_you_mean

    queries = saved_queries(root)
    by_name = {q.name: q for q in queries}
    if name in by_name:
        return by_name[name]
    short = {re.sub(r"^\d+-", "", q.name): q for q in queries}
    if name in short:
        return short[name]
    if not queries:
        raise QueryError(f"{root}: no saved queries (put NAME.rq files in {root}/queries)")
    raise QueryError(f"{root}: no saved query '{name}'" + did_you_mean(name, [*by_name, *short])
                     + " (kgbuilder query DATASET --list shows them)")
