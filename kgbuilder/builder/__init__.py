"""From curated facts to quads: the builder, inference, SHACL checks and the build cache."""
