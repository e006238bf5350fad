"""WSGI entry point (gunicorn egov.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
application = get_wsgi_application()
# Import every view and build the API's schemas now, while the worker boots, rather than in the first
# request it serves: that took ~3 s here, and gunicorn recycles workers (--max-requests), so without
# this a request every thousand waited for it (bench/results/1m.md).
get_resolver().url_patterns  # noqa: B018 (the property imports the URLconf)
