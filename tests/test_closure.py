"""The built graph carries the closure of the ontology's own hierarchy (no --infer needed)."""
from __future__ import annotations

import pytest
from rdflib import RDF, URIRef

from kgbuilder import api
from kgbuilder.namespaces import KG_NS

from conftest import KAZAKHSTAN, MINI

KG = lambda n: URIRef(KG_NS + n)  # noqa: E731


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def kz(request):
    import kgbuilder

    return kgbuilder.build(KAZAKHSTAN, store=request.param)


def _local(kg, sparql):
    return sorted(tuple(kg.local(v) for v in row) for row in api.query(kg, sparql).rows)


def test_a_superclass_finds_every_kind(kz):
    assert _local(kz, "SELECT ?a ?t WHERE { ?a a kg:Appeal ; kg:directType ?t }") == [
        ("toqaev-appeal-to-csto", KG_NS + "AppealForPeacekeeping"),
        ("un-urges-restraint", KG_NS + "Appeal"),
        ("us-urges-restraint", KG_NS + "Appeal"),
    ]
    events = _local(kz, "SELECT ?e WHERE { ?e a kg:Event }")
    assert len(events) == 55
    agents = {r[0] for r in _local(kz, "SELECT ?x WHERE { ?x a kg:Agent }")}
    assert {"toqaev", "csto", "russia", "protesters", "interior-ministry"} <= agents


def test_a_superproperty_holds_too(kz):
    # kg:chairs is a sub-property of kg:headOf: Armenia heads the CSTO this year
    assert ("armenia",) in _local(kz, "SELECT ?x WHERE { ?x kg:headOf kz:csto }")
    # ... as a direct triple only: the statement stays one, with its own predicate
    assert _local(kz, "SELECT ?st WHERE { ?st rdf:subject kz:armenia ; rdf:object kz:csto ; "
                      "rdf:predicate kg:headOf }") == []


def test_each_entity_counted_once_by_its_most_specific_type(kz):
    st = kz.stats()
    assert sum(st.entities.values()) == 143 and st.events == 55
    assert "Entity" not in st.entities and "Event" not in st.entities and "Agent" not in st.entities
    assert st.entities["AppealForPeacekeeping"] == 1 and st.entities["Appeal"] == 2
    G = kz.to_networkx()
    assert G.nodes["toqaev-appeal-to-csto"]["type"] == "AppealForPeacekeeping"
    assert G.nodes["toqaev"]["type"] == "Person"
    # no edge for the superproperty triple: one edge per fact
    assert [k for _, v, k, d in G.out_edges("armenia", keys=True, data=True) if v == "csto" and d["predicate"] == "headOf"] == []


def test_infer_still_adds_the_standard_vocabularies():
    import kgbuilder

    kg = kgbuilder.build(MINI)
    assert api.query(kg, "SELECT ?p WHERE { ?p a schema:Person }").rows == []
    assert len(api.query(kg, "SELECT ?p WHERE { ?p a schema:Person }", infer=True).rows) == 2
    assert len(api.query(kg, "SELECT ?p WHERE { ?p a kg:Agent ; a kg:Person }").rows) == 2
    types = set(kg.graph.objects(URIRef(kg.iri("toqaev")), RDF.type))
    assert types == {KG("Person"), KG("Agent"), KG("Entity")}
