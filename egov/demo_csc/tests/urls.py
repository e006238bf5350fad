"""Only the stand-in CSC service, at the path egov/urls.py mounts it on with EGOV_DEMO_CSC on.

egov.urls decides once, when first imported; importing it here, under a test's EGOV_DEMO_CSC, would
make that decision for every later test."""

from django.urls import include, path

urlpatterns = [path("demo-csc/csc/v2/", include("egov.demo_csc.urls"))]
