"""The site's URLs with the stand-in CSC service mounted, as egov/urls.py does with EGOV_DEMO_CSC on
(that choice is made once, when egov.urls is imported)."""

from django.urls import include, path

from egov.urls import urlpatterns as site_patterns

urlpatterns = [*site_patterns, path("demo-csc/csc/v2/", include("egov.demo_csc.urls"))]
