"""Namespaces and the prefixes bound in every query and export."""
from __future__ import annotations

__all__ = ["KG", "KG_NS", "STANDARD_PREFIXES"]

KG_NS = "https://w3id.org/kgbuilder/ns#"

STANDARD_PREFIXES: dict[str, str] = {
    "kg": KG_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "wd": "http://www.wikidata.org/entity/",
}


def __getattr__(name: str):
    # rdflib is imported lazily so that `kgbuilder --help` stays instant.
    if name == "KG":
        from rdflib import Namespace

        return Namespace(KG_NS)
    raise AttributeError(name)
