"""Mounted at /demo-vneid/ by egov/urls.py. The provider's endpoints keep django-oauth-toolkit's
names (namespace ``oauth2_provider``): its discovery document and issuer are built by reversing them."""

from django.urls import path

from egov.demo_idp import views

app_name = "demo_idp"

provider_patterns = (
    [
        path("authorize/", views.authorize, name="authorize"),
        path("token/", views.token, name="token"),
        path("userinfo/", views.userinfo, name="user-info"),
        path(".well-known/jwks.json", views.jwks, name="jwks-info"),
        path(".well-known/openid-configuration", views.discovery, name="oidc-connect-discovery-info"),
    ],
    "oauth2_provider",
)

urlpatterns = [
    path("dang-nhap/", views.login, name="login"),
]
