"""Curation input: strict YAML and bulk CSV/JSONL files, names, quotes."""
