"""Export throughput at 10k, 100k and 1M triples, beside pyoxigraph's own dump.

Synthetic quads shaped like a built dataset (entities with Cyrillic labels,
facts as direct triple + kg:Statement + kg:Evidence, one named graph per
source) are generated directly, without YAML or SHACL, and held in a plain
list-backed store so that the figures are the exporters' own.

For each size and format it prints seconds and triples per second for

* ``export``: kgbuilder's full export pipeline (convert, write to a temp
  file, parse back with pyoxigraph and compare, rename), engine ``auto``;
* ``write``: the exporter's serialize alone (no parse-back);
* ``rdflib``: the same exporter forced onto rdflib's serializer (only at
  10k: its Turtle is superlinear, 14 s for 20k triples, minutes for 100k);
* ``ceiling``: ``pyoxigraph.Store.dump`` of the same content, already loaded; for
  GraphML, GEXF and CSV the bare writer (networkx's, the csv module) of the same
  graph, whose networkx view and rows are already built.

Bounded: three sizes, each measured once; the network formats (which go
through rdflib and networkx) only up to 100k. Run:
``.venv/bin/python bench/export_bench.py [--sizes 10000,100000,1000000]``.
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kgbuilder.store.base import Store  # noqa: E402

BASE = "https://bench.example/kg/"
KG = "https://w3id.org/kgbuilder/ns#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPES = ["Person", "State", "GovernmentBody", "City", "Group", "Post"]
PREDICATES = ["memberOf", "holdsPost", "headOf", "locatedIn", "predecessorOf"]


class ListStore(Store):
    """Quads in a list: the cheapest store, so the bench measures the exporters."""

    name = "list"

    def __init__(self, quads):
        self._quads = quads
        self._ds = None

    def add_quads(self, quads):
        self._quads.extend(quads)
        self._ds = None

    def quads(self):
        return iter(self._quads)

    def __len__(self):
        return len(self._quads)

    def rdflib_dataset(self):
        if self._ds is None:
            from rdflib import Dataset

            self._ds = Dataset(default_union=True)
            self._ds.addN((s, p, o, self._ds.graph(g)) for s, p, o, g in self._quads)
        return self._ds


def synthetic_quads(target: int) -> list:
    """About ``target`` quads: ~8% entity descriptions, the rest facts with provenance."""
    from rdflib import Literal, URIRef

    U = URIRef
    a = U(RDF + "type")
    meta = U(BASE + "graph/meta")
    sources = [U(BASE + f"graph/source/s{i}") for i in range(8)]
    out = []
    n_entities = max(10, target // 60)
    for i in range(n_entities):
        e = U(f"{BASE}e{i}")
        out += [(e, a, U(KG + TYPES[i % len(TYPES)]), meta),
                (e, U(KG + "id"), Literal(f"e{i}"), meta),
                (e, U(RDFS + "label"), Literal(f"Entity {i}", lang="en"), meta),
                (e, U(SKOS + "prefLabel"), Literal(f"Нысан «{i}» Қазақстан", lang="kk"), meta)]
    i = 0
    while len(out) < target:
        s, o = U(f"{BASE}e{i % n_entities}"), U(f"{BASE}e{(i * 7 + 1) % n_entities}")
        p = U(KG + PREDICATES[i % len(PREDICATES)])
        g = sources[i % len(sources)]
        st = U(f"{BASE}statement/{i:012x}")
        ev = U(f"{st}/evidence/1")
        src = U(f"{BASE}source/s{i % len(sources)}")
        out += [(s, p, o, g), (st, a, U(KG + "Statement"), g), (st, U(RDF + "subject"), s, g),
                (st, U(RDF + "predicate"), p, g), (st, U(RDF + "object"), o, g),
                (st, U(KG + "date"), Literal(f"2022-01-{i % 28 + 1:02d}", datatype=U(XSD + "date")), g),
                (st, U(PROV + "wasDerivedFrom"), src, g), (st, U(KG + "evidence"), ev, g),
                (ev, a, U(KG + "Evidence"), g), (ev, U(PROV + "wasDerivedFrom"), src, g),
                (ev, U(KG + "quote"), Literal(f"“Quote {i}”, said\nthe official — «цитата»"), g)]
        i += 1
    return out[:target]


def make_kg(quads):
    from kgbuilder.kg import KnowledgeGraph

    return KnowledgeGraph(ListStore(quads), base=BASE, prefix="ex", dataset_id="bench", title="bench")


def ceiling_stores(kg):
    """pyoxigraph stores with the quads (named graphs) and the union's triples (default graph)."""
    import pyoxigraph as ox

    from kgbuilder.exports.rdfio import make_hub

    stores = []
    for quads in (True, False):
        hub = make_hub(kg, quads=quads)
        st = ox.Store()
        st.bulk_load(hub.text, hub.ox_format)
        stores.append(st)
    return stores


def bare_writer(exporter, kg):
    """The network formats' floor: the bare library writing the same graph (networkx's
    GraphML/GEXF writer, the csv module), with the networkx view and its rows already made."""
    import csv

    import networkx as nx

    if exporter.name == "csv":
        rows = exporter._rows(kg)

        def write():
            for items, cols in ((rows.nodes, rows.node_columns), (rows.edges, rows.edge_columns)):
                w = csv.writer(io.StringIO(), lineterminator="\r\n")
                w.writerow(cols)
                w.writerows([[r[c] for c in cols] for r in items])
        return write
    G = exporter.graph(kg)
    write = nx.write_graphml if exporter.name == "graphml" else nx.write_gexf
    return lambda: write(G, io.BytesIO())


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main(argv=None) -> int:
    import pyoxigraph as ox

    from kgbuilder.exports import REGISTRY, get_exporter
    from kgbuilder.exports.pipeline import run_export

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--formats", default="turtle,ntriples,nquads,trig,jsonld,rdfxml,graphml,gexf,csv")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = [f for f in args.formats.split(",") if f in REGISTRY]
    print(f"{'triples':>9} {'format':<9} {'export s':>9} {'export t/s':>11} {'write t/s':>10} "
          f"{'rdflib t/s':>11} {'ceiling t/s':>12} {'export/ceiling':>15}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for size in sizes:
            kg = make_kg(synthetic_quads(size))
            n_triples = sum(1 for _ in kg.store.triples())
            qstore, tstore = ceiling_stores(kg)
            for fmt in formats:
                exporter = get_exporter(fmt)
                network = exporter.kind != "rdf"
                if network and size > 100_000:
                    print(f"{n_triples:>9} {fmt:<9} {'skipped: network formats go through rdflib and networkx':>60}")
                    continue
                unit = len(kg.store) if getattr(exporter, "quads", False) else n_triples
                out = tmp / f"x{exporter.file_extension}"
                secs = timed(lambda: run_export(kg, out, fmt))
                out.unlink()
                w = get_exporter(fmt)
                write = timed(lambda: w.serialize(kg, io.BytesIO()))
                rdflib_rate = "-"
                if not network and size <= 10_000:
                    r = get_exporter(fmt)
                    kg.graph                    # building rdflib's graphs is not
                    kg.store.rdflib_dataset()   # its serializer's cost
                    rdflib_rate = f"{unit / timed(lambda: r.serialize(kg, io.BytesIO(), engine='rdflib')):,.0f}"
                ceiling = "-"
                ratio = ""
                if not network:
                    store = qstore if exporter.quads else tstore
                    fmt_ox = getattr(ox.RdfFormat, exporter.ox_format)
                    kw = {} if exporter.quads else {"from_graph": ox.DefaultGraph()}
                    c = timed(lambda: store.dump(io.BytesIO(), fmt_ox, **kw))
                    ceiling = f"{unit / c:,.0f}"
                    ratio = f"{c / secs:.2f}"
                else:
                    c = timed(bare_writer(w, kg))
                    ceiling = f"{unit / c:,.0f}"
                    ratio = f"{c / secs:.2f}"
                print(f"{unit:>9} {fmt:<9} {secs:>9.2f} {unit / secs:>11,.0f} {unit / write:>10,.0f} "
                      f"{rdflib_rate:>11} {ceiling:>12} {ratio:>15}", flush=True)
            del kg, qstore, tstore
    return 0


if __name__ == "__main__":
    sys.exit(main())
