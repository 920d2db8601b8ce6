"""The resolver and the ontology the loader reads."""
from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kgbuilder.schemas import ontology_path
from kgbuilder.schemas.ontology import load_ontology
from kgbuilder.resolve import AmbiguousName, Resolver, UnknownName, normalize


def test_normalize_folds_case_diacritics_and_separators():
    assert normalize("Qasym-Zhomart  Tóqaev") == "qasym zhomart toqaev"
    assert normalize("NAZARBAEV") == "nazarbaev"
    assert normalize("Nursultan_Nazarbayev") == "nursultan nazarbayev"
    assert normalize("Қасым-Жомарт Тоқаев") == "қасым жомарт тоқаев"
    assert normalize("mayor’s office") == "mayor's office"


def test_resolver():
    r = Resolver()
    r.add("toqaev", ["Qasym-Zhomart Toqaev", "Tokayev", "Токаев"])
    r.add("nazarbayev", ["Nursultan Nazarbayev", "Nazarbaev"])
    r.add("toqaev-junior", ["Tokayev"])
    assert r.resolve("toqaev") == "toqaev"
    assert r.resolve("qasym zhomart TOQAEV") == "toqaev"
    assert r.resolve("токаев") == "toqaev"
    assert r.resolve("Nazarbáev") == "nazarbayev"
    with pytest.raises(AmbiguousName) as exc:
        r.resolve("tokayev")
    assert str(exc.value) == "ambiguous name 'tokayev': it could be 'toqaev', 'toqaev-junior'; use the id"
    with pytest.raises(UnknownName) as exc:
        r.resolve("nazarbaeva")
    assert str(exc.value) == "unknown entity 'nazarbaeva' (did you mean 'nazarbayev' (alias 'Nazarbaev')?)"
    with pytest.raises(UnknownName) as exc:
        r.resolve("zzz")
    assert str(exc.value) == "unknown entity 'zzz'"


def test_every_class_and_predicate_is_documented():
    g = Graph().parse(ontology_path())
    kg = "https://w3id.org/kgbuilder/ns#"
    for cls in g.subjects(RDF.type, OWL.Class):
        if str(cls).startswith(kg):
            assert g.value(cls, RDFS.label) is not None, cls
            assert g.value(cls, RDFS.comment) is not None, cls
    onto = load_ontology()
    assert len(onto.predicates) >= 40
    for p in onto.predicates.values():
        assert p.label and p.comment, p.name
        assert p.domain is not None or p.name == "date", p.name
        iri = URIRef(p.iri)
        assert g.value(iri, RDFS.range) is not None or p.name == "date", p.name
        if p.is_object:
            assert p.range in onto.classes, p.name


@pytest.mark.parametrize("term, standard", [
    ("Person", "https://schema.org/Person"),
    ("Organization", "http://www.w3.org/ns/org#Organization"),
    ("State", "https://schema.org/Country"),
    ("City", "https://schema.org/City"),
    ("Event", "http://semanticweb.cs.vu.nl/2009/11/sem/Event"),
    ("Post", "http://www.w3.org/ns/org#Post"),
])
def test_classes_align_with_standard_vocabularies(term, standard):
    g = Graph().parse(ontology_path())
    kg = URIRef("https://w3id.org/kgbuilder/ns#" + term)
    assert URIRef(standard) in set(g.transitive_objects(kg, RDFS.subClassOf))


@pytest.mark.parametrize("term, standard", [
    ("memberOf", "http://www.w3.org/ns/org#memberOf"),
    ("headOf", "http://www.w3.org/ns/org#headOf"),
    ("chairs", "http://www.w3.org/ns/org#headOf"),
    ("holdsPost", "http://www.w3.org/ns/org#holds"),
    ("agent", "http://semanticweb.cs.vu.nl/2009/11/sem/hasActor"),
    ("place", "http://semanticweb.cs.vu.nl/2009/11/sem/hasPlace"),
    ("claimedBy", "http://www.w3.org/ns/prov#wasAttributedTo"),
])
def test_predicates_align_with_standard_vocabularies(term, standard):
    g = Graph().parse(ontology_path())
    kg = URIRef("https://w3id.org/kgbuilder/ns#" + term)
    assert URIRef(standard) in set(g.transitive_objects(kg, RDFS.subPropertyOf))


def test_action_classes_carry_cameo_codes():
    onto = load_ontology()
    assert onto.cameo["DeclareStateOfEmergency"] == "1724"
    assert onto.cameo["AppealForPeacekeeping"] == "0234"
    assert onto.cameo["Arrest"] == "173"
    assert all(onto.is_a(c, "Event") for c in onto.cameo)
