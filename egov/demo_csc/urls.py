"""The stand-in CSC API v2, mounted at ``/demo-csc/csc/v2/`` by egov/urls.py when ``EGOV_DEMO_CSC``
is on."""

from django.urls import path

from egov.demo_csc import views

app_name = "demo_csc"

urlpatterns = [
    path("info", views.info, name="info"),
    path("oauth2/token", views.token, name="token"),
    path("credentials/list", views.credentials_list, name="credentials_list"),
    path("credentials/info", views.credentials_info, name="credentials_info"),
    path("credentials/authorize", views.credentials_authorize, name="credentials_authorize"),
    path("signatures/signHash", views.signatures_sign_hash, name="signatures_sign_hash"),
]
