"""The demo's stand-in remote signing service: a Cloud Signature Consortium API v2 server (credentials
in this database, keys under the PKI directory) that the platform's CSC client talks to over HTTP.
Nothing outside the demo uses it; production.py takes it out."""
