"""Read the ontology: which classes and predicates a dataset may use.

The loader checks types, predicates, domains and ranges against this model,
so adding a predicate is one edit to ``schemas/ontology.ttl``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

from ..namespaces import KG_NS, STANDARD_PREFIXES
from .. import schemas as _paths

__all__ = ["Ontology", "Predicate", "load_ontology"]

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


class _Triples:
    """The few look-ups the ontology needs over a parsed Turtle file (pyoxigraph
    parses it; rdflib would cost ~0.3 s of import on every command)."""

    def __init__(self, path):
        import pyoxigraph as ox

        self.Literal = ox.Literal
        self.out: dict[tuple[str, str], list] = {}
        self.inv: dict[tuple[str, str], list[str]] = {}
        with open(path, "rb") as fh:
            for t in ox.parse(fh, format=ox.RdfFormat.TURTLE):
                if not isinstance(t.subject, ox.NamedNode):
                    continue
                self.out.setdefault((t.subject.value, t.predicate.value), []).append(t.object)
                if isinstance(t.object, ox.NamedNode):
                    self.inv.setdefault((t.predicate.value, t.object.value), []).append(t.subject.value)

    def subject_objects(self, p: str):
        """(subject IRI, object term) of every triple with predicate ``p``."""
        return [(s, o) for (s, pp), objs in self.out.items() if pp == p for o in objs]

    def subjects(self, p: str, o: str) -> list[str]:
        return self.inv.get((p, o), [])

    def objects(self, s: str, p: str) -> list:
        return self.out.get((s, p), [])

    def value(self, s: str, p: str):
        found = self.out.get((s, p))
        return found[0] if found else None


@functools.lru_cache(maxsize=4)
def load_ontology(path: str | None = None) -> Ontology:
    """Parse the ontology (the shipped one by default) into an :class:`Ontology`."""
    rdf, rdfs, owl = STANDARD_PREFIXES["rdf"], STANDARD_PREFIXES["rdfs"], STANDARD_PREFIXES["owl"]
    g = _Triples(path or _paths.ontology_path())
    onto = Ontology()

    def local(term) -> str | None:
        s = term if isinstance(term, str) else getattr(term, "value", "")
        return s[len(KG_NS):] if s.startswith(KG_NS) else None

    def text(term) -> str | None:
        return None if term is None else term.value

    for cls in g.subjects(rdf + "type", owl + "Class"):
        name = local(cls)
        if name is None:
            continue
        onto.classes[name] = cls
        onto.parents[name] = {p for p in (local(o) for o in g.objects(cls, rdfs + "subClassOf")) if p}
        label = text(g.value(cls, rdfs + "label"))
        onto.labels[name] = label if label else name
        code = g.value(cls, KG_NS + "cameoCode")
        if code is not None:
            onto.cameo[name] = code.value
        color = g.value(cls, KG_NS + "color")
        if color is not None:
            onto.colors[name] = color.value

    onto.single_valued = frozenset(
        n for n in (local(s) for (s, p), objs in g.out.items()
                    if p == KG_NS + "singleValued" and any(getattr(o, "value", "") in ("true", "1") for o in objs))
        if n)
    for kind, is_object in ((owl + "ObjectProperty", True), (owl + "DatatypeProperty", False)):
        for prop in g.subjects(rdf + "type", kind):
            name = local(prop)
            flag = g.value(prop, KG_NS + "curatable")
            if name is None or flag is None or flag.value not in ("true", "1"):
                continue
            domain = g.value(prop, rdfs + "domain")
            rng = g.value(prop, rdfs + "range")
            onto.predicates[name] = Predicate(
                name=name,
                iri=prop,
                is_object=is_object,
                domain=local(domain) if domain is not None else None,
                range=(local(rng) if is_object else rng.value) if rng is not None else None,
                label=text(g.value(prop, rdfs + "label")) or name,
                comment=text(g.value(prop, rdfs + "comment")) or "",
            )
    # the kg: property hierarchy, closed, for what the build materializes
    parents: dict[str, set[str]] = {}
    for s, o in g.subject_objects(rdfs + "subPropertyOf"):
        if local(s) and local(o) and s != o.value:
            parents.setdefault(s, set()).add(o.value)
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
