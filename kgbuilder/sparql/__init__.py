"""SPARQL over a built graph: safety, the killable worker, result formats."""
