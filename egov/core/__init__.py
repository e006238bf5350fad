"""Cross-cutting pieces: typed errors, their HTTP mapping, request context and language middleware,
the home page and base templates. The API root itself is ``egov/api.py``."""
