"""The ontology, the SHACL shapes and the input schemas, shipped as package data.

The two paths live here, not in :mod:`.ontology`: a warm command hashes the files to know
whether its cached build is current and never needs to read them.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["ontology_path", "shapes_path"]

_HERE = Path(__file__).resolve().parent


def ontology_path() -> Path:
    """``ontology.ttl``: the classes and predicates a dataset may use."""
    return _HERE / "ontology.ttl"


def shapes_path() -> Path:
    """``shapes.ttl``: the SHACL shapes a built graph must conform to."""
    return _HERE / "shapes.ttl"
