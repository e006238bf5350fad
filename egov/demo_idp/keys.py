"""The stand-in provider's RS256 signing key: made once under ``var/``, never committed.

The function lives in ``egov.settings`` (settings read it at start-up and import nothing above them);
this name is kept for the tests and callers of the app.
"""

from egov.settings import demo_signing_key as load_or_create_signing_key

__all__ = ["load_or_create_signing_key"]
