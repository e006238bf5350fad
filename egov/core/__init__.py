"""Cross-cutting pieces: typed errors, request context, the API root, base templates."""
