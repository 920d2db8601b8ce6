"""Read the ontology: which classes and predicates a dataset may use.

The loader checks types, predicates, domains and ranges against this model,
so adding a predicate is one edit to ``schemas/ontology.ttl``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from ..namespaces import KG_NS, STANDARD_PREFIXES

__all__ = ["Ontology", "Predicate", "load_ontology", "ontology_path", "shapes_path"]

XSD = STANDARD_PREFIXES["xsd"]


@dataclass(frozen=True)
class Predicate:
    name: str             # local name, as written in YAML
    iri: str
    is_object: bool       # entity-valued (owl:ObjectProperty) or literal-valued
    domain: str | None    # local name of a kg: class
    range: str | None     # local name of a kg: class, or an xsd datatype IRI
    label: str = ""
    comment: str = ""
    supers: tuple[str, ...] = ()   # IRIs of its kg: superproperties, transitively (chairs -> headOf)


@dataclass
class Ontology:
    classes: dict[str, str] = field(default_factory=dict)          # local name -> IRI
    parents: dict[str, set[str]] = field(default_factory=dict)     # local name -> kg: superclasses
    predicates: dict[str, Predicate] = field(default_factory=dict)  # curatable only
    cameo: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    colors: dict[str, str] = field(default_factory=dict)
    single_valued: frozenset[str] = frozenset()   # predicates with kg:singleValued true

    @functools.cached_property
    def ancestors(self) -> dict[str, frozenset[str]]:
        out: dict[str, frozenset[str]] = {}

        def walk(name: str, seen: set[str]) -> set[str]:
            for parent in self.parents.get(name, ()):
                if parent not in seen:
                    seen.add(parent)
                    walk(parent, seen)
            return seen

        for name in self.classes:
            out[name] = frozenset(walk(name, {name}))
        return out

    @functools.cached_property
    def class_names(self) -> dict[str, str]:
        """Class IRI -> local name."""
        return {iri: name for name, iri in self.classes.items()}

    @functools.cached_property
    def predicate_names(self) -> dict[str, str]:
        """Curatable predicate IRI -> local name."""
        return {p.iri: name for name, p in self.predicates.items()}

    def is_a(self, cls: str, expected: str) -> bool:
        return expected in self.ancestors.get(cls, frozenset((cls,)))

    def entity_classes(self) -> list[str]:
        return sorted(c for c in self.classes if self.is_a(c, "Entity"))

    def event_classes(self) -> list[str]:
        return sorted(c for c in self.classes if self.is_a(c, "Event"))

    def event_roles(self) -> list[str]:
        return sorted(p.name for p in self.predicates.values()
                      if p.domain is not None and self.is_a("Event", p.domain) and p.domain != "Entity"
                      or p.name == "date")

    def most_specific(self, names) -> str | None:
        """The most specific of an entity's classes (local names): the built graph carries
        every kg: superclass too, but counts and labels want one type per entity."""
        names = [n for n in names if n in self.classes]
        if not names:
            return None
        return max(sorted(names), key=lambda n: len(self.ancestors.get(n, ())))

    def top_type(self, cls: str) -> str:
        """The broad display type of a class: Person, State, Organization, ... Event."""
        for top in ("Event", "Person", "State", "Organization", "Group", "Post", "Place",
                    "Service", "Good", "Price", "Document", "Topic"):
            if self.is_a(cls, top):
                return top
        return "Entity"


def ontology_path() -> Path:
    return Path(str(resources.files("kgbuilder.schemas").joinpath("ontology.ttl")))


def shapes_path() -> Path:
    return Path(str(resources.files("kgbuilder.schemas").joinpath("shapes.ttl")))


@functools.lru_cache(maxsize=4)
def load_ontology(path: str | None = None) -> Ontology:
    """Parse the ontology (the shipped one by default) into an :class:`Ontology`."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import OWL, RDF, RDFS

    g = Graph()
    g.parse(path or ontology_path(), format="turtle")
    onto = Ontology()

    def local(term) -> str | None:
        s = str(term)
        return s[len(KG_NS):] if s.startswith(KG_NS) else None

    for cls in g.subjects(RDF.type, OWL.Class):
        name = local(cls)
        if name is None:
            continue
        onto.classes[name] = str(cls)
        onto.parents[name] = {p for p in (local(o) for o in g.objects(cls, RDFS.subClassOf)) if p}
        label = g.value(cls, RDFS.label)
        onto.labels[name] = str(label) if label else name
        code = g.value(cls, URIRef(KG_NS + "cameoCode"))
        if code is not None:
            onto.cameo[name] = str(code)
        color = g.value(cls, URIRef(KG_NS + "color"))
        if color is not None:
            onto.colors[name] = str(color)

    onto.single_valued = frozenset(n for n in (local(p) for p in g.subjects(URIRef(KG_NS + "singleValued"),
                                                                              Literal(True))) if n)
    curatable = URIRef(KG_NS + "curatable")
    for kind, is_object in ((OWL.ObjectProperty, True), (OWL.DatatypeProperty, False)):
        for prop in g.subjects(RDF.type, kind):
            name = local(prop)
            if name is None or g.value(prop, curatable) != Literal(True):
                continue
            domain = g.value(prop, RDFS.domain)
            rng = g.value(prop, RDFS.range)
            onto.predicates[name] = Predicate(
                name=name,
                iri=str(prop),
                is_object=is_object,
                domain=local(domain) if domain is not None else None,
                range=(local(rng) if is_object else str(rng)) if rng is not None else None,
                label=str(g.value(prop, RDFS.label) or name),
                comment=str(g.value(prop, RDFS.comment) or ""),
            )
    # the kg: property hierarchy, closed, for what the build materializes
    parents: dict[str, set[str]] = {}
    for s, o in g.subject_objects(RDFS.subPropertyOf):
        if local(s) and local(o) and s != o:
            parents.setdefault(str(s), set()).add(str(o))
    for name, pred in list(onto.predicates.items()):
        seen: set[str] = set()
        stack = list(parents.get(pred.iri, ()))
        while stack:
            p = stack.pop()
            if p not in seen and p != pred.iri:
                seen.add(p)
                stack.extend(parents.get(p, ()))
        if seen:
            onto.predicates[name] = replace(pred, supers=tuple(sorted(seen)))
    return onto
