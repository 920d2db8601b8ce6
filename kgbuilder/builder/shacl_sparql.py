"""The validator: the SHACL shapes compiled to SPARQL, run on the Oxigraph store.

``shapes.ttl`` stays the source of truth: each property constraint of each
node shape is compiled to one SELECT that returns the violating focus nodes
(and values), run on the Oxigraph store. Only the constraint components the
shapes use are supported; any other one is an error, never silently skipped.
A test checks that pyshacl (tests/pyshacl_crosscheck.py) and these queries
report the same violations; kgbuilder itself does not run pyshacl.
``focus`` restricts a run to some focus nodes (the incremental build).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from ..errors import Diagnostic, KGBuilderError
from ..namespaces import STANDARD_PREFIXES

__all__ = ["Check", "compile_shapes", "run_checks", "check_threads", "shacl_sparql_diagnostics"]

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = STANDARD_PREFIXES["rdf"] + "type"
RDF_LANGSTRING = STANDARD_PREFIXES["rdf"] + "langString"
_VALUE_COMPONENTS = {"datatype", "minLength", "pattern", "nodeKind", "class", "or", "in",
                     "minInclusive", "maxInclusive"}
_KNOWN = _VALUE_COMPONENTS | {"path", "minCount", "maxCount", "uniqueLang", "message", "severity", "name",
                              "description"}


@dataclass(frozen=True)
class Check:
    shape: str
    path: str
    message: str
    severity: str       # Violation, Warning or Info
    sparql: str         # SELECT ?this, and ?value when has_value
    has_value: bool = False
    # how run_checks may merge it with the other checks on the same targets:
    # "min1" (no value), "max" (more than ``arg`` values) or "" (run alone;
    # merged value checks measured no faster, and slower with an EXISTS)
    kind: str = ""
    target: str = ""
    arg: str = ""


def _iri(x: str) -> str:
    return "<" + x + ">"


def _lit(term) -> str:
    return term.n3()


def _subclasses(onto_graph, cls: str) -> list[str]:
    from rdflib import URIRef
    from rdflib.namespace import RDFS

    out, todo = {cls}, [cls]
    while todo:
        c = todo.pop()
        for sub in onto_graph.subjects(RDFS.subClassOf, URIRef(c)):
            if str(sub) not in out:
                out.add(str(sub))
                todo.append(str(sub))
    return sorted(out)


def _values(var: str, iris: Iterable[str]) -> str:
    return f"VALUES {var} {{ {' '.join(_iri(i) for i in iris)} }}"


def _value_condition(comp: str, arg, g, onto) -> str:
    """A SPARQL expression true when ``?value`` satisfies the component."""
    from rdflib.collection import Collection

    # Each mention of ?value in a FILTER decodes the term again (on disk a RocksDB read per
    # quote string: the quote checks were the costliest at 1M facts), so each condition names
    # it once. The guards this drops are implied: DATATYPE() of an IRI or blank node and STR()
    # of a blank node are errors, and an error is false here, as the guard made it (no
    # condition is negated inside: the one `!` is run_checks' `!COALESCE(cond, false)`, and
    # within sh:or an error and false give the same `||`).
    if comp == "datatype":
        return f"(DATATYPE(?value) = {_iri(str(arg))})"
    if comp == "minLength":
        return f"(STRLEN(STR(?value)) >= {int(arg)})"
    if comp == "pattern":
        return f"REGEX(STR(?value), {_lit(arg)})"
    if comp == "nodeKind":
        kinds = {SH + "IRI": "isIRI(?value)", SH + "BlankNode": "isBLANK(?value)",
                 SH + "Literal": "isLITERAL(?value)"}
        if str(arg) not in kinds:
            raise KGBuilderError(f"shapes.ttl: sh:nodeKind {arg} is not supported by the SPARQL checks")
        return kinds[str(arg)]
    if comp == "class":
        subs = _subclasses(onto, str(arg))
        return f"EXISTS {{ ?value <{RDF_TYPE}> ?vc . {_values('?vc', subs)} }}"
    if comp == "in":
        items = list(Collection(g, arg))
        return f"(?value IN ({', '.join(_lit(i) for i in items)}))"
    if comp in ("minInclusive", "maxInclusive"):
        op = ">=" if comp == "minInclusive" else "<="
        return f"COALESCE(?value {op} {_lit(arg)}, false)"
    if comp == "or":
        alts = []
        for shape in Collection(g, arg):
            conds = []
            for p, o in g.predicate_objects(shape):
                name = str(p).removeprefix(SH)
                if name not in _VALUE_COMPONENTS or name == "or":
                    raise KGBuilderError(f"shapes.ttl: sh:{name} inside sh:or is not supported by the SPARQL checks")
                conds.append(_value_condition(name, o, g, onto))
            alts.append("(" + " && ".join(conds or ["true"]) + ")")
        return "(" + " || ".join(alts) + ")"
    raise KGBuilderError(f"shapes.ttl: sh:{comp} is not supported by the SPARQL checks")


@functools.lru_cache(maxsize=4)
def _compile(shapes_file: str, onto_file: str) -> tuple[Check, ...]:
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    g = Graph().parse(shapes_file, format="turtle")
    onto = Graph().parse(onto_file, format="turtle")
    S = lambda n: URIRef(SH + n)  # noqa: E731
    checks: list[Check] = []
    for shape in sorted(g.subjects(RDF.type, S("NodeShape")), key=str):
        targets = [str(t) for t in g.objects(shape, S("targetClass"))]
        for other in ("targetNode", "targetSubjectsOf", "targetObjectsOf"):
            if (shape, S(other), None) in g:
                raise KGBuilderError(f"shapes.ttl: sh:{other} is not supported by the SPARQL checks")
        classes = sorted({c for t in targets for c in _subclasses(onto, t)})
        target = f"?this <{RDF_TYPE}> ?tc . {_values('?tc', classes)}"
        for prop in g.objects(shape, S("property")):
            comps = {str(p).removeprefix(SH): o for p, o in g.predicate_objects(prop)}
            unknown = sorted(set(comps) - _KNOWN)
            if unknown:
                raise KGBuilderError(f"shapes.ttl: sh:{unknown[0]} is not supported by the SPARQL checks")
            path = comps.get("path")
            if not isinstance(path, URIRef):
                raise KGBuilderError("shapes.ttl: only predicate paths are supported by the SPARQL checks")
            p = _iri(str(path))
            message = str(comps.get("message", ""))
            severity = str(comps.get("severity", SH + "Violation")).removeprefix(SH)

            if not message:
                raise KGBuilderError(f"shapes.ttl: the property shape on {path} needs an sh:message "
                                     "(the SPARQL checks report it as pyshacl does)")

            def add(sparql: str, has_value: bool = False, kind: str = "", arg: str = "") -> None:
                checks.append(Check(str(shape), str(path), message, severity, sparql, has_value,
                                    kind, target, arg))

            if "minCount" in comps:
                n = int(comps["minCount"])
                if n == 1:      # the common case, and much faster than counting
                    add(f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {p} ?v }} }}", kind="min1")
                else:
                    add(f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {p} ?v }} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
            if "maxCount" in comps:
                n = int(comps["maxCount"])
                add(f"SELECT ?this WHERE {{ {target} ?this {p} ?v }} GROUP BY ?this "
                    f"HAVING (COUNT(DISTINCT ?v) > {n})", kind="max", arg=str(n))
            if str(comps.get("uniqueLang", "")).lower() == "true":
                add(f"SELECT DISTINCT ?this WHERE {{ {target} ?this {p} ?a, ?b . "
                    f"FILTER(?a != ?b && LANG(?a) != \"\" && LANG(?a) = LANG(?b)) }}")
            for comp in sorted(set(comps) & _VALUE_COMPONENTS):
                if comp == "class":
                    # a hash anti-join: an EXISTS per value was ~2x slower (same answers:
                    # ?value is always bound and shared with the MINUS side)
                    vc = _values("?vc", _subclasses(onto, str(comps[comp])))
                    add(f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {p} ?value . "
                        f"MINUS {{ ?value <{RDF_TYPE}> ?vc . {vc} }} }}", has_value=True)
                    continue
                cond = _value_condition(comp, comps[comp], g, onto)
                add(f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {p} ?value . "
                    f"FILTER(!COALESCE({cond}, false)) }}", has_value=True)
    return tuple(checks)


def compile_shapes(shapes: str | Path | None = None, ontology: str | Path | None = None) -> tuple[Check, ...]:
    from ..schemas import ontology_path, shapes_path

    return _compile(str(shapes or shapes_path()), str(ontology or ontology_path()))


def _merged(checks: list[Check], plan: str = "lookup") -> list[tuple[str, list[Check]]]:
    """The checks as fewer queries: the count checks of one kind on the same
    targets share one scan of the targets (each scan of a million statements
    costs seconds; at 100k facts merging halved the time of these checks).
    Each merged query returns ?this and ?p (the path), so rows map back to
    checks exactly as if each had run alone.

    ``plan``: ``lookup`` starts from the focus nodes and looks each one's values up
    (right for a few nodes: a patch); ``scan`` (a whole graph) reads each path's
    values in one pass and joins the targets to the few rows left, and finds missing
    values with an anti-join (MINUS) instead of a lookup per node, which on disk is a
    RocksDB seek. All the checks at 10k facts: on disk 4.1 -> 1.4 s, in memory 1.4 ->
    1.0 s. tests/test_shacl_merge.py holds both plans to the same answers."""
    groups: dict[tuple, list[Check]] = {}
    out = []
    for c in checks:
        if c.kind:
            groups.setdefault((c.kind, c.target, c.arg), []).append(c)
        else:
            out.append((_scan_values(c) if plan == "scan" else c.sparql, [c]))
    for (kind, target, arg), group in groups.items():
        paths = sorted({c.path for c in group})
        if plan == "scan" and kind == "min1":
            sparql = "SELECT DISTINCT ?this ?p WHERE { " + " UNION ".join(
                f"{{ {target} MINUS {{ ?this {_iri(p)} ?v }} BIND({_iri(p)} AS ?p) }}" for p in paths) + " }"
        elif plan == "scan" and kind == "max":
            sparql = "SELECT DISTINCT ?this ?p WHERE { { " + " UNION ".join(
                f"{{ SELECT ?this ({_iri(p)} AS ?p) WHERE {{ ?this {_iri(p)} ?v }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT ?v) > {arg}) }}" for p in paths) + f" }} {target} }}"
        elif len(group) == 1:
            out.append((group[0].sparql, [replace(group[0], kind="")]))
            continue
        elif kind == "min1":
            sparql = f"SELECT ?this ?p WHERE {{ {target} {_values('?p', paths)} FILTER NOT EXISTS {{ ?this ?p ?v }} }}"
        else:
            sparql = (f"SELECT ?this ?p WHERE {{ {target} ?this ?p ?v . {_values('?p', paths)} }} GROUP BY ?this ?p "
                      f"HAVING (COUNT(DISTINCT ?v) > {arg})")
        out.append((sparql, group))
    return out


def _value_test(c: Check) -> str | None:
    """The part of a value check that tests ``?value`` alone (its FILTER or MINUS), or None."""
    head = f"SELECT DISTINCT ?this ?value WHERE {{ {c.target} ?this {_iri(c.path)} ?value . "
    if not (c.has_value and c.sparql.startswith(head) and c.sparql.endswith("}")):
        return None
    return c.sparql[len(head):-1].strip()


def _scan_values(c: Check) -> str:
    """A value check that reads the path's values first and joins its targets after."""
    test = _value_test(c)
    if test is None:
        return c.sparql
    return (f"SELECT DISTINCT ?this ?value WHERE {{ {{ SELECT ?this ?value WHERE {{ ?this {_iri(c.path)} ?value . "
            f"{test} }} }} {c.target} }}")


def _probe(c: Check) -> str | None:
    """A cheaper query that finds no row when the whole-graph value check ``c`` finds none.

    A value check's test depends on ``?value`` alone, so it is run on the path's distinct
    values (of any subject, target or not: a superset of what the check reads), each tested
    once where the check tests it once per statement: the engine decodes a term for every
    mention in a FILTER, from disk for a long string or an IRI, while grouping compares the
    stored ids. A check on rdf:subject at 100k facts reads 1,210 distinct values instead of
    ~100k (0.38 -> 0.06 s). The GROUP BY keeps the engine from pushing the FILTER into the
    subquery (with DISTINCT it did, and tested every row). When the probe finds a value,
    the check itself runs, so its answers (which focus nodes, which values) are unchanged.
    On a path whose values are mostly distinct (quotes) grouping them costs more than it
    saves (twice the check's time at 100k and 300k facts): :func:`_few_values` decides."""
    test = _value_test(c)
    if test is None:
        return None
    return (f"SELECT ?value WHERE {{ {{ SELECT ?value WHERE {{ ?this {_iri(c.path)} ?value }} GROUP BY ?value }} "
            f"{test} }} LIMIT 1")


#: how many of a path's values :func:`_few_values` looks at
_SAMPLE = 10_000


def _few_values(st, path: str, memo: dict) -> bool:
    """Whether the path's values repeat (a sample of them holds at most half as many distinct
    ones): then testing each distinct value once (:func:`_probe`) is the cheaper way."""
    if path not in memo:
        q = (f"SELECT (COUNT(DISTINCT ?value) AS ?d) (COUNT(*) AS ?n) WHERE {{ {{ SELECT ?value WHERE "
             f"{{ ?this {_iri(path)} ?value }} LIMIT {_SAMPLE} }} }}")
        row = next(iter(st.query(q, use_default_graph_as_union=True)))
        memo[path] = 2 * int(row["d"].value) <= int(row["n"].value)
    return memo[path]


#: at most this many checks run at once (see :func:`run_checks`)
MAX_CHECK_THREADS = 2


def check_threads() -> int:
    """How many checks :func:`run_checks` runs at once: the CPUs this process may use, at most
    :data:`MAX_CHECK_THREADS`."""
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_CHECK_THREADS, cpus))


def run_checks(store, checks: Iterable[Check], focus: Iterable[str] | None = None,
               progress_label: str | None = None, plan: str | None = None,
               threads: int | None = None) -> list[tuple]:
    """(focus, path, value, message, severity) per violation, pyoxigraph terms
    for focus and value. ``store`` is an OxigraphStore. ``plan`` (see :func:`_merged`):
    by default ``lookup`` for some focus nodes, ``scan`` for the whole graph.

    The queries run in ``threads`` lanes at once (default :func:`check_threads`): pyoxigraph
    lets go of the GIL while it evaluates a query, so on two CPUs two checks take about the
    time of the longer. The merged count checks (the slowest, and those whose joins hold the
    most memory: ~1 GB each on a whole graph of 1M facts) run one after the other in the first
    lane, the other checks in the others, so that no two of them hold their memory at once
    (bench/README.md). The answer is the same list, in the queries' order, whatever the lanes."""
    from ..progress import progress

    if focus is not None:
        focus = sorted(set(focus))
        if not focus:
            return []
    if plan is None:
        plan = "lookup" if focus is not None else "scan"
    sampled: dict = {}
    queries = _merged(list(checks), plan)
    threads = check_threads() if threads is None else max(1, threads)
    found: list = [None] * len(queries)
    label = progress_label or "checking shapes"
    counts = [i for i, (_, group) in enumerate(queries) if group[0].kind]
    others = [i for i, (_, group) in enumerate(queries) if not group[0].kind]

    def run(i: int) -> None:
        found[i] = _run_one(store, *queries[i], focus, plan, sampled)

    if threads == 1 or not counts or not others:
        with progress(range(len(queries)), label=label) as bar:
            for i in bar:
                run(i)
        return [row for rows in found for row in rows]

    import queue
    import threading

    stop = threading.Event()
    done: queue.SimpleQueue = queue.SimpleQueue()     # finished query numbers, or an exception
    # the count checks in order, for the first lane alone; the others, shared by the other lanes
    count_work, other_work = queue.SimpleQueue(), queue.SimpleQueue()
    for work, items in ((count_work, counts), (other_work, others)):
        for i in items:
            work.put(i)

    def lane(work: queue.SimpleQueue) -> None:
        while not stop.is_set():
            try:
                i = work.get_nowait()
            except queue.Empty:
                return
            try:
                run(i)
            except BaseException as exc:  # noqa: BLE001 - raised again by the caller's thread
                done.put(exc)
                return
            done.put(i)

    lanes = [threading.Thread(target=lane, args=(count_work if k == 0 else other_work,),
                              name=f"kgbuilder-check-{k}", daemon=True) for k in range(threads)]
    for t in lanes:
        t.start()
    try:
        with progress(range(len(queries)), label=label) as bar:
            for _ in bar:
                item = done.get()
                if isinstance(item, BaseException):
                    raise item
    finally:
        # after an error or Ctrl-C no lane starts another check; the running ones end first
        # (a query cannot be interrupted), so that no thread outlives the call
        stop.set()
        for t in lanes:
            t.join()
    return [row for rows in found for row in rows]


def _run_one(store, sparql: str, group: list[Check], focus: list[str] | None, plan: str,
             sampled: dict) -> list[tuple]:
    """The violations one of :func:`_merged`'s queries finds."""
    import time

    from ..store.oxigraph import trim_heap

    out: list[tuple] = []
    chunks = [None] if focus is None else [focus[i:i + 2000] for i in range(0, len(focus), 2000)]
    probe = _probe(group[0]) if (plan == "scan" and focus is None and len(group) == 1
                                 and not group[0].kind) else None
    if probe is not None and not _few_values(store._st, group[0].path, sampled):
        probe = None
    if probe is not None and not any(True for _ in store._st.query(probe, use_default_graph_as_union=True)):
        return out
    started = time.perf_counter()
    for chunk in chunks:
        if chunk is not None:
            focus_values = _values("?this", chunk)
            sparql_run = sparql.replace("WHERE { ", "WHERE { " + focus_values + " ", 1)
        else:
            sparql_run = sparql
        for row in store._st.query(sparql_run, use_default_graph_as_union=True):
            if len(group) == 1 and not group[0].kind:
                c = group[0]
                out.append((row["this"], c.path, row["value"] if c.has_value else None, c.message,
                            c.severity))
                continue
            path = row["p"].value
            for c in group:
                if c.path == path:
                    out.append((row["this"], c.path, None, c.message, c.severity))
    if focus is None and time.perf_counter() - started > 0.5:
        # a whole-graph check's joins leave hundreds of MB free at 1M facts; a short
        # one (a probe, a small path) held little, and a trim walks the whole heap
        trim_heap()
    return out


def shacl_sparql_diagnostics(store, origins: dict[str, str], focus: Iterable[str] | None = None,
                             shapes: str | Path | None = None,
                             ontology: str | Path | None = None) -> list[Diagnostic]:
    """One Diagnostic per violation of the shapes in the Oxigraph ``store``."""
    results = run_checks(store, compile_shapes(shapes, ontology), focus)
    return diagnostics_for(store, results, origins)


@functools.lru_cache(maxsize=256)
def _pname(iri: str) -> str:
    from rdflib import Graph, URIRef

    g = Graph()
    for name, ns in STANDARD_PREFIXES.items():
        g.bind(name, ns, override=True, replace=True)
    return g.namespace_manager.normalizeUri(URIRef(iri))


def diagnostics_for(store, results, origins: dict[str, str]) -> list[Diagnostic]:
    """Map results to the curated file and line (a bad value to its fact's line)."""
    import pyoxigraph as ox

    rdf = STANDARD_PREFIXES["rdf"]
    out = []
    for focus, path, value, message, severity in results:
        origin = None
        if value is not None:
            # a bad value of a fact points at the fact's own line, not the entity's
            hits = store._st.query(
                f"SELECT ?st ?f ?v WHERE {{ ?st <{rdf}subject> ?f ; <{rdf}predicate> <{path}> ; <{rdf}object> ?v }}",
                substitutions={ox.Variable("f"): focus, ox.Variable("v"): value}, use_default_graph_as_union=True)
            found = sorted(origins[r["st"].value] for r in hits if r["st"].value in origins)
            origin = found[0] if found else None
        key = focus.value if hasattr(focus, "value") else str(focus)
        origin = origin or origins.get(key)
        if origin is None and "/evidence/" in key:
            origin = origins.get(key.rsplit("/evidence/", 1)[0])
        file, line = (origin.rsplit(":", 1) if origin else (key, None))
        level = "" if severity == "Violation" else f"{severity.lower()}: "
        out.append(Diagnostic(file, int(line) if line and line.isdigit() else None,
                              f"SHACL {level}{message} (on {_pname(path)})"))
    return sorted(set(out), key=lambda d: (d.file, d.line or 0, d.message))
