"""The built knowledge graph: a store plus what we know about the dataset."""
from __future__ import annotations

import functools

TYPE_CHECKING = False   # annotations only: a warm query's path never imports typing (see __main__)
if TYPE_CHECKING:
    from typing import Any

from .namespaces import STANDARD_PREFIXES

__all__ = ["KnowledgeGraph", "Stats", "reopen", "preopen"]


def __getattr__(name: str):
    # Stats lives in its own module: a dataclass costs ~1.5 ms to make, and only `stats` needs it
    if name == "Stats":
        from .kg_stats import Stats

        return Stats
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class KnowledgeGraph:
    """A built dataset held in a pyoxigraph store (``store``).

    ``query()`` runs SPARQL and returns a :class:`~kgbuilder.sparql.query.QueryResult`;
    ``to_networkx()`` gives a MultiDiGraph of entities; ``dataset`` (an
    ``rdflib.Dataset``, one named graph per source) and ``graph`` (an
    ``rdflib.Graph`` of every distinct triple) are copies made on request.
    """

    def __init__(self, store, *, base: str, prefix: str, dataset_id: str, title: str = "",
                 origins: dict[str, str] | None = None, root=None, curated=None, derived=None):
        self.store = store
        self.base = base
        self.prefix = prefix
        self.id = dataset_id
        self.title = title
        # origins (IRI -> "file:line") and curated may be given as callables: a
        # warm build reads them from the cache only if someone asks
        self._origins = origins if origins is not None else {}
        self.root = root
        self._curated = curated
        # where views computed from this exact build are kept (builder.cache.Derived), or None
        self._derived = derived

    @property
    def origins(self) -> dict[str, str]:
        if callable(self._origins):
            self._origins = self._origins()
        return self._origins

    @property
    def curated(self):
        """The :class:`~kgbuilder.curation.model.CuratedDataset` (entities, sources) it was built from."""
        if callable(self._curated):
            self._curated = self._curated()
        return self._curated

    def __repr__(self) -> str:
        return (f"<KnowledgeGraph {self.id!r}: {self.store.count_triples():,} triples, "
                f"{len(self.store):,} quads, {self.store!r}>")

    @property
    def prefixes(self) -> dict[str, str]:
        return {**STANDARD_PREFIXES, self.prefix: self.base}

    @functools.cached_property
    def dataset(self):
        """The graph as an ``rdflib.Dataset`` (named graph per source; default graph = union)."""
        ds = self.store.rdflib_dataset()
        for name, ns in self.prefixes.items():
            ds.bind(name, ns, override=True, replace=True)
        return ds

    @functools.cached_property
    def graph(self):
        """All distinct triples in one ``rdflib.Graph`` with the prefixes bound."""
        from rdflib import Graph

        g = Graph()
        for name, ns in self.prefixes.items():
            g.bind(name, ns, override=True, replace=True)
        for t in self.store.triples():
            g.add(t)
        return g

    def __len__(self) -> int:
        """Number of distinct triples."""
        return self.store.count_triples()

    def query(self, sparql: str, *, infer: bool = False, safe: bool = True, timeout: float | None = None,
              limit: int | None = None, file: str | None = None, lint: bool = True):
        """Run SPARQL over the union of graphs with every prefix bound: a
        :class:`~kgbuilder.sparql.query.QueryResult` (rows of rdflib terms).

        Updates, SERVICE and FROM are refused unless ``safe=False``; no time or
        row limit unless given (:func:`kgbuilder.query` sets both).
        """
        from .sparql.query import execute

        return execute(self, sparql, file=file, timeout=timeout, limit=limit, infer=infer, safe=safe, lint=lint)

    def worker_recipe(self, *, store: str | None = None, source=None) -> tuple[str, dict]:
        """How a fresh process opens this graph again: ``(opener, args)`` for
        :class:`~kgbuilder.sparql.worker.Worker`. An on-disk Oxigraph store is opened read-only
        in place (no lock, no copy: any number of workers share it); any other travels as
        N-Quads, loaded into a ``store`` of that kind (by default ``memory``). ``source``: the
        store to describe instead of this graph's own (e.g. one with entailments added).
        """
        import io

        from .sparql.worker import ref

        meta = {"base": self.base, "prefix": self.prefix, "dataset_id": self.id, "title": self.title}
        own = self.store if source is None else source
        if getattr(own, "path", None) is not None:
            args = {"path": str(own.path), "meta": meta}
            if getattr(own, "on_failure", None) is not None:
                args["on_failure"] = own.on_failure     # e.g. a cached build's: forgotten there too
            return ref(reopen), args
        buf = io.BytesIO()
        own.dump("nquads", buf)
        return ref(reopen), {"nquads": buf.getvalue(), "store": store or "memory", "meta": meta}

    def to_networkx(self, **kwargs):
        """The graph as a ``networkx.MultiDiGraph`` of entities (see questions.network)."""
        from .questions.network import to_networkx

        return to_networkx(self, **kwargs)

    def derived(self, name: str, compute):
        """``compute()``, kept with this build in the cache when there is one (so
        warm commands load it instead of recomputing it)."""
        if self._derived is None:
            return compute()
        return self._derived.get(name, compute)

    def derived_file(self, name: str, make):
        """The path of a file ``make(path)`` wrote, kept with this build in the cache; None
        when there is no cache (or it cannot hold the file)."""
        return None if self._derived is None else self._derived.file(name, make)

    def with_quads(self, quads, *, title: str | None = None) -> "KnowledgeGraph":
        """A graph like this one (same dataset, prefixes, origins) over other quads, in memory.

        Lower layers (subgraphs, views, CONSTRUCT answers) make their graphs through
        this method of the graph they were given, never by importing this class.
        """
        from .store.base import open_store

        store = open_store("memory")
        store.add_quads(quads)
        return type(self)(store, base=self.base, prefix=self.prefix, dataset_id=self.id,
                          title=self.title if title is None else title, origins=self._origins,
                          root=self.root, curated=self._curated)

    def with_triples(self, triples, *, title: str | None = None) -> "KnowledgeGraph":
        """:meth:`with_quads` for triples (a CONSTRUCT answer), all in the default graph."""
        return self.with_quads(((s, p, o, None) for s, p, o in triples), title=title)

    def iri(self, entity_id: str) -> str:
        return self.base + entity_id

    def local(self, iri) -> str:
        s = iri.value if hasattr(iri, "value") and not isinstance(iri, str) else str(iri)
        return s[len(self.base):] if s.startswith(self.base) else s

    def stats(self) -> Stats:
        """Counts by type, predicate, source and claimant (kept with the build in the cache)."""
        return self.derived("stats", self._stats)

    def _stats(self) -> Stats:
        from .kg_stats import Stats
        from .namespaces import KG_NS
        from .schemas.ontology import load_ontology

        onto = load_ontology()
        rdf, prov = STANDARD_PREFIXES["rdf"], STANDARD_PREFIXES["prov"]

        def counts(where: str, var: str = "?k", what: str = "?st") -> dict[str, int]:
            q = f"SELECT {var} (COUNT(DISTINCT {what}) AS ?n) WHERE {{ {where} }} GROUP BY {var}"
            return {r[0].value: int(r[1].value) for r in self.store.raw_query(q)}

        def count(where: str, what: str) -> int:
            rows = list(self.store.raw_query(f"SELECT (COUNT(DISTINCT {what}) AS ?n) WHERE {{ {where} }}"))
            return int(rows[0][0].value)

        statement = f"?st a <{KG_NS}Statement>"
        st = Stats(triples=self.store.count_triples(), quads=len(self.store))
        source_ns = self.base + "source/"
        types: dict[str, list[str]] = {}
        for r in self.store.raw_query(f"SELECT DISTINCT ?e ?k WHERE {{ ?e <{KG_NS}id> ?id ; a ?k . "
                                      f"FILTER(!STRSTARTS(STR(?e), {_sparql_str(source_ns)})) }}"):
            types.setdefault(r[0].value, []).append(onto.class_names.get(r[1].value, r[1].value))
        for names in types.values():
            # counted once, by its most specific type (the graph also holds its superclasses)
            name = onto.most_specific(names) or sorted(names)[0]
            st.entities[name] = st.entities.get(name, 0) + 1
            if onto.is_a(name, "Event"):
                st.events += 1
        for iri, n in counts(f"{statement} ; <{rdf}predicate> ?k").items():
            name = onto.predicate_names.get(iri, iri)
            st.predicates[name] = st.predicates.get(name, 0) + n
        st.statements = count(statement, "?st")
        st.claims = count(f"{statement} ; <{KG_NS}claimedBy> ?w", "?st")
        st.claims_by = {self.local(k): n for k, n in counts(f"{statement} ; <{KG_NS}claimedBy> ?k").items()}
        st.sources = {self.local(k).removeprefix("source/"): n
                      for k, n in counts(f"{statement} ; <{prov}wasDerivedFrom> ?k").items()}
        st.evidence = count(f"?e a <{KG_NS}Evidence>", "?e")
        if self.curated is not None:
            st.whole_event_quotes = sum(getattr(e, "whole_event_quotes", 0) for e in self.curated.entities.values())
        self._agreement_stats(st)
        return st

    def _agreement_stats(self, st: Stats) -> None:
        from .builder.agreement import find_conflicts, support

        backing = support(self)
        for sup in backing.values():
            if sup.corroboration > 1:
                st.corroborated += 1
            else:
                st.single_source += 1
            for src in sup.sources:
                st.corroborated_by_source.setdefault(src, 0)
                st.conflicting_by_source.setdefault(src, 0)
                if sup.corroboration > 1:
                    st.corroborated_by_source[src] += 1
        found = find_conflicts(self)
        st.conflicts = len(found)
        for c in found:
            for side in c.sides:
                for src in backing[side.statement].sources:
                    st.conflicting_by_source[src] += 1

def _sparql_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def reopen(args: dict[str, Any]) -> KnowledgeGraph:
    """The worker's side of :meth:`KnowledgeGraph.worker_recipe`: the graph over a store of its own
    (the one :func:`preopen` opened ahead of time, when it still holds the current build)."""
    if "path" in args:
        from .store.oxigraph import OxigraphStore

        # "is None", not "or": a store's truth was once its length, a full count of its quads
        # on the warm query's path (OxigraphStore.__bool__ now says True without counting)
        store = _preopened(args["path"])
        if store is None:
            store = OxigraphStore(args["path"], read_only=True, on_failure=args.get("on_failure"))
    else:
        from .store.base import open_store

        store = open_store(args["store"])
        store.bulk_load(args["nquads"], "nquads")
    return KnowledgeGraph(store, **args["meta"])


#: the store :func:`preopen` opened in this process: ``(path, state file, build id, store)``
_PREOPENED: list = []


def preopen(args: dict[str, Any]) -> None:
    """In a spare worker forked at a command's start (``sparql.worker.prefork``), while the
    command checks the build cache: import the query's check and linter, and open read-only
    the on-disk store ``args["path"]`` it will most likely answer from (or, for a small graph,
    load the image its build keeps into memory: :mod:`kgbuilder.builder.image`), so that the query can
    start as soon as the command asks. Only a complete build is opened (its state entry
    ``args["state"]`` names it); :func:`reopen` takes the store only if that entry still
    names the same build then (a rebuild, by this command or another, leaves a new id)."""
    from .builder.cache import build_id_of, derived_of
    from .builder.image import IMAGE, open_image
    from .sparql.query import load_checker
    from .store.oxigraph import OxigraphStore

    built = build_id_of(args["state"])
    if built is None:
        return
    # the check and the linter first, the store last: RocksDB's read-only open starts and joins
    # ~180 short threads (15 per column family) and spends most of its time waiting for them,
    # 3-4x longer beside a busy CPU (the command loading click) than alone, while these imports
    # are plain work; begun later, the open overlaps less of the command's busiest part (-2.5 ms,
    # bench/README.md). Opened on every CPU: pinning it to one (so that those threads leave the
    # other to the command) made a warm query 50-60 ms slower on a busy host, where that one CPU
    # is someone else's too (interleaved A/B, bench/README.md)
    load_checker()
    # a small graph's image, loaded into memory, costs less than RocksDB's open (builder.image)
    store = open_image(derived_of(args["state"], built).kept(IMAGE), args["path"]) or \
        OxigraphStore(args["path"], read_only=True)
    _PREOPENED.append((args["path"], args["state"], built, store))


def _preopened(path: str):
    """The store :func:`preopen` opened at ``path``, if the build it holds is still the current one."""
    if not _PREOPENED:
        return None
    opened, state, built, store = _PREOPENED.pop()
    from .builder.cache import build_id_of

    if opened == path and build_id_of(state) == built:
        return store
    store.release()
    return None
