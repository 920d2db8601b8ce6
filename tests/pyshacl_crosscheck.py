"""pyshacl as a cross-check of kgbuilder's validator (the shapes compiled to
SPARQL, kgbuilder.builder.shacl_sparql): the tests run both on the same quads
and expect the same problems. kgbuilder itself never runs pyshacl.

SHACL results are mapped back to the curated file and line of the focus node.
"""
from __future__ import annotations

from pathlib import Path

from kgbuilder.errors import Diagnostic

__all__ = ["shacl_diagnostics"]


def shacl_diagnostics(quads, origins: dict[str, str], shapes: str | Path | None = None,
                      ontology: str | Path | None = None) -> list[Diagnostic]:
    """Run the SHACL shapes over the quads; one Diagnostic per violation."""
    from pyshacl import validate as shacl_validate
    from rdflib import Graph, URIRef
    from rdflib.namespace import SH

    from kgbuilder.schemas import ontology_path, shapes_path

    data = Graph()
    for s, p, o, _ in quads:
        data.add((s, p, o))
    # the subclass hierarchy lets sh:class and sh:targetClass follow rdfs:subClassOf
    onto = Graph().parse(str(ontology or ontology_path()), format="turtle")
    from rdflib.namespace import RDFS

    for t in onto.triples((None, RDFS.subClassOf, None)):
        data.add(t)
    shapes_graph = Graph().parse(str(shapes or shapes_path()), format="turtle")
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes_graph, inference="none",
                                         allow_warnings=True, meta_shacl=False, advanced=False)
    if conforms:
        return []
    from rdflib.namespace import RDF

    from kgbuilder.namespaces import STANDARD_PREFIXES

    for name, ns in STANDARD_PREFIXES.items():
        data.bind(name, ns, override=True, replace=True)
    out = []
    for res in report.subjects(predicate=SH.focusNode):
        focus = report.value(res, SH.focusNode)
        path = report.value(res, SH.resultPath)
        value = report.value(res, SH.value)
        message = report.value(res, SH.resultMessage)
        severity = report.value(res, SH.resultSeverity)
        origin = None
        if value is not None and isinstance(path, URIRef):
            # a bad value of a fact points at the fact's own line, not the entity's
            for st in data.subjects(RDF.subject, focus):
                if (st, RDF.predicate, path) in data and (st, RDF.object, value) in data:
                    origin = origins.get(str(st))
                    break
        origin = origin or origins.get(str(focus))
        if origin is None and "/evidence/" in str(focus):
            origin = origins.get(str(focus).rsplit("/evidence/", 1)[0])
        file, line = (origin.rsplit(":", 1) if origin else (str(focus), None))
        pname = data.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else str(path or "")
        level = "" if severity == SH.Violation else f"{str(severity).rsplit('#', 1)[-1].lower()}: "
        out.append(Diagnostic(file, int(line) if line and line.isdigit() else None,
                              f"SHACL {level}{message} (on {pname})"))
    return sorted(set(out), key=lambda d: (d.file, d.line or 0, d.message))
