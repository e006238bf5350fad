"""A stand-in for VNeID in the demo: an OpenID Connect provider on django-oauth-toolkit.

Mounted at ``/demo-vneid/`` of the same process and answering only while ``EGOV_DEMO_IDP`` is on
(``make run`` turns it on; production settings refuse it). See ``docs/adr/`` and README.
"""
