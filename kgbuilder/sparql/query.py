"""Safe SPARQL over a built graph: parse, check, run where it can be killed.

Every query first goes through :mod:`.safety`, which tokenizes it the way
Oxigraph reads it, refuses SERVICE, FROM and updates, and rebuilds the text
that Oxigraph then runs (never the user's text): a query is read-only, never
calls a remote endpoint and never loads a graph from a file or URL. A query
runs in a worker process (kgbuilder.sparql.worker) that is killed when it
passes its time limit (the engine cannot be interrupted) and that cannot
allocate more than a fixed amount of memory; its rows come back as one pickle.
rdflib is imported only to explain a syntax error.
"""
from __future__ import annotations

import re
from _thread import allocate_lock   # threading.Lock itself, without importing threading
from collections import namedtuple

from ..errors import QueryError, QuerySyntaxError, QueryTimeoutError, UnsafeQueryError
from ..terms import term_key

TYPE_CHECKING = False   # annotations only: a warm query's path never imports typing (see __main__)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["parse_query", "check_safe", "run_query", "execute", "collect", "QueryResult", "query_kind", "load_checker",
           "has_order_by", "term_key",
           "SavedQuery", "saved_queries", "saved_query", "read_query_file", "DEFAULT_TIMEOUT", "DEFAULT_LIMIT",
           "DEFAULT_MEMORY_MB", "MAX_QUERY_FILE_BYTES"]

DEFAULT_TIMEOUT = 10.0    # seconds: rdflib needs ~5 s for some honest queries on 5k triples
DEFAULT_LIMIT = 10000     # rows (SELECT) or triples (CONSTRUCT, DESCRIBE)
DEFAULT_MEMORY_MB = 2048  # what a query may allocate on top of the loaded graph
#: the largest query file read (-f FILE, -f -, a saved query): a query is text someone wrote,
#: and -f /dev/zero would otherwise read until the kernel kills the command
MAX_QUERY_FILE_BYTES = 16 << 20

_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
# the module's patterns are strings, compiled by ``re`` (and kept in its cache) on first use: a
# warm query's command only sends the text to its worker, and compiling them all at import
# cost it ~1.5 ms
_PROLOGUE = r"""(?isx)\A(?:\s+|\#[^\n]*\n?|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*"""
_grammar_lock = allocate_lock()


def _as_rdflib(tuples: list[tuple]) -> list[tuple]:
    """Engine terms as rdflib terms, tuple by tuple (made on first use: rdflib is slow to import)."""
    from ..terms import to_rdflib

    conv = to_rdflib()
    return [tuple(conv(t) for t in x) for x in tuples]


class QueryResult:
    """What a query returned: the one result type of every query in kgbuilder
    (:meth:`KnowledgeGraph.query <kgbuilder.kg.KnowledgeGraph.query>`,
    :func:`kgbuilder.query`, the CLI, the endpoint, ``--endpoint``).

    ``kind`` is SELECT, ASK, CONSTRUCT or DESCRIBE. SELECT fills ``vars`` (names)
    and ``rows`` (tuples of rdflib terms, None when unbound); ASK ``boolean``;
    CONSTRUCT and DESCRIBE ``triples`` (rdflib terms, sorted). ``truncated`` is
    true when the row limit cut the answer short; ``ordered`` when the query
    had ORDER BY (else rows are sorted, so runs agree). Iterating gives the
    rows, the triples, or the boolean for ASK; ``len()`` counts rows or triples.

    The engine's own terms (pyoxigraph) are kept in ``cells`` and
    ``statements``; ``rows`` and ``triples`` convert them to rdflib on first
    use, so writing a result (kgbuilder.sparql.results) never needs rdflib.
    A SELECT answer travels from its worker as the terms' parts
    (:func:`kgbuilder.terms.term_parts`), which the writers read as they are
    (:attr:`writable_cells`): ``cells`` makes the engine's terms of them on first
    use, so the command that writes the answer never loads pyoxigraph.
    """

    def __init__(self, kind: str, vars: list[str] | None = None, rows: list[tuple] | None = None,
                 boolean: bool | None = None, triples: list[tuple] | None = None, truncated: bool = False,
                 limit: int | None = None, ordered: bool = False):
        self.kind = kind
        self.vars = list(vars or [])
        self.boolean = boolean
        self.truncated = truncated
        self.limit = limit
        self.ordered = ordered
        self._cells: list[tuple] | None = []
        self._parts: list[tuple] | None = None     # the cells as they came from a worker
        self.statements: list[tuple] = []
        self._rows: list[tuple] | None = None
        self._triples: list[tuple] | None = None
        self.rows = rows or []
        self.triples = triples or []

    @property
    def cells(self) -> list[tuple]:
        if self._cells is None:
            from ..terms import from_parts

            self._cells = from_parts(self._parts)
        return self._cells

    @cells.setter
    def cells(self, value: list[tuple]) -> None:
        self._cells, self._parts = value, None

    @property
    def writable_cells(self) -> list[tuple]:
        """The SELECT rows as the result writers read them (with :func:`~kgbuilder.terms.term_parts`):
        the engine's terms, or their parts as they came from a worker (nothing made of them)."""
        return self._cells if self._cells is not None else self._parts

    @property
    def rows(self) -> list[tuple]:
        if self._rows is None:
            self._rows = _as_rdflib(self.cells)
        return self._rows

    @rows.setter
    def rows(self, value: list[tuple]) -> None:
        self.cells = self._rows = value

    @property
    def triples(self) -> list[tuple]:
        if self._triples is None:
            self._triples = _as_rdflib(self.statements)
        return self._triples

    @triples.setter
    def triples(self, value: list[tuple]) -> None:
        self.statements = self._triples = value

    def __len__(self) -> int:
        return len(self.statements) if self.kind in ("CONSTRUCT", "DESCRIBE") else len(self.writable_cells)

    def __iter__(self):
        if self.kind == "ASK":
            return iter((bool(self.boolean),))
        return iter(self.triples if self.kind in ("CONSTRUCT", "DESCRIBE") else self.rows)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.kind == "ASK" else True

    def __eq__(self, other) -> bool:
        if not isinstance(other, QueryResult):
            return NotImplemented
        return (self.kind, self.vars, self.boolean, self.rows, self.triples, self.truncated) == \
            (other.kind, other.vars, other.boolean, other.rows, other.triples, other.truncated)

    def __repr__(self) -> str:
        if self.kind == "ASK":
            what = str(bool(self.boolean)).lower()
        elif self.kind == "SELECT":
            what = f"{len(self)} row{'s' if len(self) != 1 else ''} of ({', '.join(self.vars)})"
        else:
            what = f"{len(self)} triple{'s' if len(self) != 1 else ''}"
        return f"<QueryResult {self.kind}: {what}{', truncated' if self.truncated else ''}>"

    def __getstate__(self):
        # only the engine's terms travel (from a query worker), a SELECT's as their parts (plain
        # strings: the writer needs no pyoxigraph to read them); rdflib views are rebuilt on demand
        state = dict(self.__dict__)
        if state["_cells"] is not state["_rows"]:
            state["_rows"] = None
            if state["_cells"]:
                from ..terms import term_parts

                state["_parts"] = [tuple(None if t is None else term_parts(t) for t in row)
                                   for row in state["_cells"]]
                state["_cells"] = None
        if state["statements"] is not state["_triples"]:
            state["_triples"] = None
        return state

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
            from ..resolve import did_you_mean

            raise QuerySyntaxError(f"unknown prefix '{prefix}:'" + did_you_mean(prefix, prefixes),
                                   line, col, prefix + ":", file) from None
        raise QuerySyntaxError(text, file=file) from None


def _refuse_update(sparql: str, file: str | None) -> None:
    head = sparql[re.match(_PROLOGUE, sparql).end():]
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


_TOKEN = r"""<[^\s>]*>?|"[^"\n]*"?|'[^'\n]*'?|[^\s{}()\[\],;.]+|\S"""


def _token_at(text: str, loc: int) -> str:
    m = re.compile(_TOKEN).match(text, loc)
    if not m:
        rest = text[loc:].lstrip()
        m = re.match(_TOKEN, rest) if rest else None
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

def _checked(kg, sparql: str, file: str | None, safe: bool, lint: bool):
    """The safety check's reading of ``sparql``, and the linter's findings (QueryWarnings)."""
    from .safety import check_query

    checked = check_query(sparql, kg.prefixes, file, enforce=safe)
    if not lint:
        return checked, []
    from .lint import lint_query

    return checked, lint_query(kg, checked)


def _emit(found, stacklevel: int) -> None:
    """Warn about the linter's findings, attributed to the frame ``stacklevel`` levels up
    (the caller of execute)."""
    import warnings

    for w in found:
        warnings.warn(w, stacklevel=stacklevel + 1)


def run_query(kg, sparql: str, *, file: str | None = None, safe: bool = True, infer: bool = False,
              lint: bool = True, limit: int | None = None) -> QueryResult:
    """Run SPARQL on ``kg`` in this process: a :class:`QueryResult`.

    The safety checks apply (unless ``safe=False``) but there is no time
    limit: use :func:`execute` for queries you do not trust. ``lint``: warn
    (QueryWarning) about IRIs and literals that cannot match.
    """
    return execute(kg, sparql, file=file, safe=safe, infer=infer, timeout=None, limit=limit, lint=lint)


def _check_limits(timeout, limit) -> None:
    """A timeout and a row limit a worker can keep (``nan`` and ``inf`` reached its timer as a
    ValueError and an OverflowError; ``-1`` stopped every query at once)."""
    number = (int, float)
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, number)
                                or not 0 <= timeout < float("inf")):
        raise QueryError(f"timeout must be a finite number of seconds, 0 or more (0 or None: no limit), "
                         f"not {timeout!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise QueryError(f"limit must be a whole number of rows, 0 or more (0 or None: no limit), not {limit!r}")


def execute(kg, sparql: str, *, file: str | None = None, timeout: float | None = DEFAULT_TIMEOUT,
            limit: int | None = DEFAULT_LIMIT, infer: bool = False, safe: bool = True,
            memory_mb: int | None = DEFAULT_MEMORY_MB, lint: bool = True) -> QueryResult:
    """Check and run a query with a time, row and memory limit: a :class:`QueryResult`.

    Raises QuerySyntaxError, UnsafeQueryError, QueryTimeoutError or QueryError.
    ``timeout=None`` (or 0) and ``limit=None`` (or 0) lift those limits.
    ``lint``: warn (:class:`~kgbuilder.errors.QueryWarning`) before running
    about IRIs in neither the dataset nor the ontology and literals of another
    datatype than their property's values; the query runs all the same. The
    query is checked and parsed here (or in the worker, when this process has
    not opened the store) and evaluated in a worker that is killed at
    ``timeout`` (``kgbuilder.sparql.worker``); Oxigraph runs the checked text
    (:attr:`.safety.SafeQuery.text`), never the user's own.
    """
    _check_limits(timeout, limit)
    warm = bool(timeout) and not infer and not getattr(kg.store, "is_open", True)
    if warm:
        # a warm command (the store not open here): see _execute_warm
        return _execute_warm(kg, _start_warm_worker(kg, memory_mb), sparql, file, timeout, limit, safe, lint)
    from .safety import check_query

    checked = check_query(sparql, kg.prefixes, file, enforce=safe)
    _check_syntax(checked)
    worker = _start_worker(kg, sparql, checked, timeout, limit, infer, memory_mb)
    try:
        found = []
        if lint:
            from .lint import lint_query

            found = lint_query(kg, checked)
    except BaseException:
        if worker is not None:
            worker.kill()
        raise
    try:
        return _finish(kg, sparql, checked, file, timeout, limit, infer, safe, worker)
    finally:
        _emit(found, 2)    # also before an error: a timeout may well come from the typo found


def _execute_warm(kg, worker, sparql, file, timeout, limit, safe, lint) -> QueryResult:
    """:func:`execute` when this process has not opened the store: the worker, started at
    once, opens it and does all the work there is on the query (the check, the syntax, the
    linter, then the run: what the check finds is raised here as if found here), while this
    process waits; it never imports the safety module. The spare a command forked at its
    start (``worker.prefork``) has been opening the store and importing the check since
    (see kgbuilder.kg.preopen). Both calls go at once: the worker runs the query as soon as
    it has checked it (the run checks again if the check failed: it is stopped first). A
    SELECT's answer comes as its terms' parts (:class:`QueryResult`): this process never loads
    pyoxigraph to write it."""
    from .worker import ref

    key = {"sparql": sparql, "file": file, "safe": safe}
    try:
        worker.send(ref(_check_in_worker), {**key, "lint": lint})
        worker.send(ref(_run_in_worker), {**key, "limit": limit or None, "checked": None})
        worker.wait_ready()
        found = worker.receive(timeout=timeout)
    except QueryTimeoutError:
        raise _stopped(file, timeout) from None
    except BaseException:
        worker.kill(wait=False)
        raise
    try:
        return _answer(worker, file, timeout)
    finally:
        _emit(found, 3)    # also before an error: a timeout may well come from the typo found


def _check_in_worker(kg, payload) -> list:
    """In the worker: check the query (the safety check and the syntax, which raise), keep
    the checked query for the run, and return the linter's findings."""
    from .safety import check_query

    checked = check_query(payload["sparql"], kg.prefixes, payload["file"], enforce=payload["safe"])
    _check_syntax(checked)
    kg._kgb_checked = (payload["sparql"], payload["file"], payload["safe"]), checked
    if not payload["lint"]:
        return []
    from .lint import lint_query

    return lint_query(kg, checked)


_EMPTY: list = []


def _run(store, checked):
    """Oxigraph's lazy answer to the checked text over the union of graphs; its syntax
    error located in the user's text."""
    try:
        return store._st.query(checked.text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        from .safety import engine_syntax_error

        _locate_with_rdflib(checked)        # rdflib's reading, when it sees the error too
        raise engine_syntax_error(exc, checked) from None
    except OSError as exc:
        raise QueryError(f"Oxigraph could not run the query: {exc}") from None


def _check_syntax(checked) -> None:
    """Raise the query's syntax error here, before a worker runs it. Oxigraph evaluates
    aggregates and ORDER BY inside ``Store.query``, so here the text runs on an empty
    store (parsing is all it costs) and the real store is queried only in the worker."""
    _run(_empty_store(), checked)


def _empty_store():
    """An empty in-memory store (pyoxigraph's parser, in effect), made once."""
    if not _EMPTY:
        from ..store.base import open_store

        _EMPTY.append(open_store("memory"))
    return _EMPTY[0]


def _start_worker(kg, sparql, checked, timeout, limit, infer, memory_mb):
    """The started (not yet ready) worker that will run the query, or None without a timeout."""
    if not timeout:
        return None
    from .worker import start_killable

    store = _inferred_store(kg) if infer else kg.store

    def job() -> QueryResult:
        return collect(_run(store, checked), sparql, limit or None, checked.ordered)

    def state():
        kg._kgb_job = (sparql, job)      # a forked worker holds the graph and the check already
        return kg

    # spawned (or handed to the preforked spare): the graph the query reads, entailments
    # included, opened again
    return start_killable(state=state, recipe=lambda: kg.worker_recipe(source=store), memory_mb=memory_mb)


def _start_warm_worker(kg, memory_mb):
    """The worker for a graph whose store this process has not opened, started before the
    query is checked: the spare the command forked at its start (``worker.prefork``: it has
    been opening the store since), else one forked now (it opens the store while this process
    goes on), else a spawned one (this process runs other threads)."""
    from .worker import can_fork, start_killable, take_spare

    def recipe():
        return kg.worker_recipe(source=kg.store)

    worker = take_spare(recipe, memory_mb)
    if worker is None and can_fork():
        worker = start_killable(state=lambda: _opened(kg), memory_mb=memory_mb)
    return worker or start_killable(recipe=recipe, memory_mb=memory_mb)


def _opened(kg):
    """In an early worker, before it says ready: the store opened, and what the calls need."""
    kg.store.open()
    load_checker()
    return kg


def load_checker() -> None:
    """Import what a warm query's worker runs on the query, the check and the linter, and make
    the empty store the syntax check parses with (in a worker while it waits: see
    :func:`_execute_warm`)."""
    import importlib

    for name in ("safety", "lint"):
        importlib.import_module(f"{__package__}.{name}")
    _empty_store()


def _finish(kg, sparql, checked, file, timeout, limit, infer, safe, worker) -> QueryResult:
    limit = limit or None
    if worker is None:
        store = _inferred_store(kg) if infer else kg.store
        return collect(_run(store, checked), sparql, limit, checked.ordered)
    from .worker import ref

    # the checked query goes along when this process checked it: a worker forked before the
    # check (or spawned) has no job
    payload = {"sparql": sparql, "file": file, "limit": limit, "safe": safe, "checked": checked}
    return _answer(worker, file, timeout, (ref(_run_in_worker), payload))


def _answer(worker, file: str | None, timeout: float | None, call: tuple | None = None) -> QueryResult:
    """The answer to the run ``call`` (made here once the worker is ready; None: sent already),
    the worker killed after it; a timeout in the user's words."""
    try:
        try:
            if call is not None:
                worker.wait_ready()
                worker.send(*call)
            return worker.receive(timeout=timeout)
        finally:
            worker.kill(wait=False)     # the answer is here: no need to watch it go
    except QueryTimeoutError:
        raise _stopped(file, timeout) from None


def _stopped(file: str | None, timeout: float) -> QueryTimeoutError:
    return QueryTimeoutError(f"{file or 'query'}: stopped after {timeout:g} s (--timeout); "
                             "narrow the query down or raise the limit")


def _run_in_worker(kg, payload) -> QueryResult:
    """:func:`execute`'s query, in the worker of :mod:`kgbuilder.sparql.worker`: the job a
    forked worker was given, else the checked query in the payload, else the one
    :func:`_check_in_worker` checked here (a query checked nowhere yet is checked now)."""
    job = getattr(kg, "_kgb_job", None)
    if job is not None and job[0] == payload["sparql"]:
        return job[1]()
    checked = payload.get("checked")
    mine = getattr(kg, "_kgb_checked", None)
    if checked is None and mine is not None and mine[0] == (payload["sparql"], payload["file"], payload["safe"]):
        checked = mine[1]
    if checked is None:
        from .safety import check_query

        checked = check_query(payload["sparql"], kg.prefixes, payload["file"], enforce=payload["safe"])
    return collect(_run(kg.store, checked), payload["sparql"], payload["limit"], checked.ordered)


def collect(raw, sparql: str, limit: int | None, ordered: bool | None = None) -> QueryResult:
    """A pyoxigraph answer as a :class:`QueryResult` (engine terms; at most ``limit`` rows).
    ``ordered``: whether the query has ORDER BY (found on the text when not given)."""
    import itertools

    import pyoxigraph as ox

    if isinstance(raw, ox.QueryBoolean):
        return QueryResult(kind="ASK", boolean=bool(raw), limit=limit)
    if not isinstance(raw, ox.QuerySolutions):
        head = sparql[re.match(_PROLOGUE, sparql).end():]
        kind = "DESCRIBE" if re.match(r"(?i)DESCRIBE\b", head) else "CONSTRUCT"
        out = QueryResult(kind=kind, limit=limit)
        # a CONSTRUCT template may repeat a triple: a graph holds it once
        triples = sorted({(t.subject, t.predicate, t.object) for t in raw}, key=_triple_key)
        if limit is not None and len(triples) > limit:
            triples, out.truncated = triples[:limit], True
        out.statements = triples
        out._triples = None
        return out
    out = QueryResult(kind="SELECT", limit=limit)
    names = [v.value for v in raw.variables]
    out.vars = _star_order(names, sparql)
    index = [names.index(v) for v in out.vars]
    out.ordered = has_order_by(sparql) if ordered is None else ordered
    rows = itertools.islice(raw, None if limit is None else limit + 1)
    if index == list(range(len(names))):
        cells = [tuple(sol) for sol in rows]
    else:
        cells = [tuple(map(sol.__getitem__, index)) for sol in rows]
    if limit is not None and len(cells) > limit:
        cells, out.truncated = cells[:limit], True
    if not out.ordered:
        # without ORDER BY the order is the engine's: sort so that runs agree
        cells.sort(key=_row_key)
    out.cells, out._rows = cells, None
    return out


def _locate_with_rdflib(checked) -> None:
    """Raise rdflib's reading of a syntax error Oxigraph found, if rdflib sees one too.

    Oxigraph reports the furthest point its PEG grammar reached, often the end
    of the text; pyparsing's furthest failure names the token the way this
    module always has. Only the error path pays for importing rdflib.
    """
    parse_query(checked.original, checked.prefixes, checked.file)


_STRIP = r"""(?sx)
    \#[^\n\r]*                            # a comment
  | "{3}.*?"{3} | '{3}.*?'{3}              # long strings
  | "(?:[^"\\\n\r]|\\.)*" | '(?:[^'\\\n\r]|\\.)*'   # strings
  | <[^<>"{}|^`\\\x00-\x20]*>           # IRIs
"""


def has_order_by(sparql: str) -> bool:
    """Whether the outermost query has ORDER BY (a sub-query's, inside braces, does not count)."""
    text = re.sub(_STRIP, " ", sparql)
    depth, top = 0, []
    for part in re.split(r"([{}])", text):
        if part == "{":
            depth += 1
        elif part == "}":
            depth -= 1
        elif depth == 0:
            top.append(part)
    return re.search(r"(?i)\bORDER\s+BY\b", " ".join(top)) is not None


def _star_order(names: list[str], sparql: str) -> list[str]:
    """``SELECT *`` columns in the order the variables first appear in the query."""
    head = sparql[re.match(_PROLOGUE, sparql).end():]
    if not re.match(r"(?is)SELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?\*", head):
        return names
    first: dict[str, int] = {}
    for m in re.finditer(r"[?$]([A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)", head):
        first.setdefault(m.group(1), m.start())
    return sorted(names, key=lambda n: (first.get(n, len(head)), n))


def _row_key(row) -> tuple:
    return tuple(map(term_key, row))


_triple_key = _row_key


# ---------------------------------------------------------------- entailment

def _inferred_store(kg):
    """A copy of ``kg``'s store with the alignment's entailments, made once per graph
    (never written into ``kg``'s own store, which may live on disk)."""
    cached = getattr(kg, "_kgb_inferred_store", None)
    if cached is None:
        from ..builder.infer import inferred_quads
        from ..store.base import open_store

        cached = open_store("memory")
        cached._st.extend(kg.store.ox_quads())
        cached._st.extend(inferred_quads(kg))
        kg._kgb_inferred_store = cached
    return cached


# ---------------------------------------------------------------- saved queries

class SavedQuery(namedtuple("SavedQuery", "name path question")):
    """A dataset's saved query: ``queries/NAME.rq`` (``name``, ``path``), its first comment line
    the ``question``."""

    __slots__ = ()


def saved_queries(root) -> list[SavedQuery]:
    """The saved queries of a dataset folder, sorted by name. One that is not a file, or a link
    out of the folder, is listed as refused, and never read (:func:`read_query_file`)."""
    from pathlib import Path

    from ..errors import KGBuilderError

    folder = Path(root) / "queries"
    out = []
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else ():
        question = ""
        try:
            # the head of the file: the question is its first comment line
            head = read_query_file(path, root=root, at_most=1 << 16)
        except KGBuilderError as exc:
            question = f"({str(exc).removeprefix(f'{path}: ')})"
        else:
            for line in head.splitlines():
                line = line.strip()
                if not line.startswith("#"):
                    break
                text = line.lstrip("#").strip()
                if text:
                    question = re.sub(r"(?i)^question:\s*", "", text)
                    break
        out.append(SavedQuery(path.stem, path, question))
    return out


def read_query_file(path, *, root=None, at_most: int | None = None) -> str:
    """The text of a query file (``-`` is stdin): UTF-8 (a BOM dropped), at most
    :data:`MAX_QUERY_FILE_BYTES`. ``root``: the dataset folder whose saved query it is; a
    dataset comes from someone else, so its query must be a file (a FIFO there would hang the
    command) and no link out of the folder (its text would be shown, in an error or on the
    endpoint's page of saved queries). ``at_most``: read only that many bytes (the head of a
    file whose question is wanted; a character cut in two is dropped)."""
    import sys
    from pathlib import Path

    from ..errors import KGBuilderError
    from ..safe_paths import link_outside, read_at_most

    cap = MAX_QUERY_FILE_BYTES if at_most is None else at_most
    if root is not None:
        real = link_outside(Path(root), Path(path))
        if real is not None:
            raise KGBuilderError(f"{path}: symlink to {real}, outside the dataset folder: refused")
    try:
        if str(path) == "-":
            stdin = getattr(sys.stdin, "buffer", None)
            if stdin is None:
                raise KGBuilderError("-: cannot read: there is no standard input")
            data = stdin.read(cap + 1)
        else:
            # -f FILE may be a pipe (-f <(...)); a dataset's saved query must be a file
            data = read_at_most(path, cap + 1, files_only=root is not None)
            if data is None:
                raise KGBuilderError(f"{path}: not a file: refused")
    except OSError as exc:
        raise KGBuilderError(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > cap:
        if at_most is None:
            raise KGBuilderError(f"{path}: larger than {cap >> 20} MiB: not a query")
        data = data[:cap]
    try:
        return data.decode("utf-8-sig", errors="strict" if at_most is None else "ignore")
    except UnicodeDecodeError as exc:
        raise KGBuilderError(f"{path}: not UTF-8 (byte {exc.start})") from None


def saved_query(root, name: str) -> SavedQuery:
    """One saved query by name (the file stem, or the part after its number: ``csto-members``)."""
    from ..errors import QueryError
    from ..resolve import did_you_mean

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
