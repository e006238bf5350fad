"""The stand-in's pages: sign-in with the identity number, consent, and django-oauth-toolkit's endpoints.

The identity signed in at the stand-in is kept under its own session key, apart from the portal's
sign-in: the portal only learns who it is through the OpenID Connect flow, as with the real VNeID.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider import views as oauth_views

from egov.demo_idp.identities import IDENTITIES, by_number
from egov.demo_idp.services import identity_user

SESSION_KEY = "demo_vneid_identity"


def demo_only(view):
    """Every page of the stand-in answers 404 unless the demo provider is switched on."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not getattr(settings, "EGOV_DEMO_IDP", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _demo_password() -> str:
    return settings.EGOV_DEMO_IDP_PASSWORD


@demo_only
@never_cache
@sensitive_post_parameters("password")
def login(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not next_url.startswith(reverse("oauth2_provider:authorize")) or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = ""
    number = ""
    errors: dict[str, str] = {}
    if request.method == "POST":
        number = "".join(request.POST.get("identity_number", "").split())
        password = request.POST.get("password", "")
        identity = by_number(number)
        if not number:
            errors["identity_number"] = _("Nhập số định danh cá nhân (12 chữ số).")
        elif identity is None:
            errors["identity_number"] = _("Số định danh cá nhân này không có trong VNeID mô phỏng.")
        if not password:
            errors["password"] = _("Nhập mật khẩu.")
        elif identity is not None and not constant_time_compare(password, _demo_password()):
            errors["password"] = _("Mật khẩu không đúng.")
        if not errors:
            request.session.cycle_key()
            request.session[SESSION_KEY] = identity.identity_number
            if next_url:
                return redirect(next_url)
            return render(request, "demo_idp/signed_in.html", {"identity": identity})
    context = {"next": next_url, "identity_number": number, "errors": errors, "identities": IDENTITIES}
    return render(request, "demo_idp/login.html", context, status=422 if errors else 200)


class AuthorizeView(oauth_views.AuthorizationView):
    """django-oauth-toolkit's consent page, for the identity signed in at the stand-in (never the
    portal account the browser may also be signed in to)."""

    template_name = "demo_idp/authorize.html"
    login_url = reverse_lazy("demo_idp:login")

    def dispatch(self, request, *args, **kwargs):
        from django.contrib.auth.models import AnonymousUser

        identity = by_number(request.session.get(SESSION_KEY, ""))
        request.user = identity_user(identity) if identity else AnonymousUser()
        self.identity = identity
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(identity=self.identity, **kwargs)


authorize = demo_only(never_cache(AuthorizeView.as_view()))
token = demo_only(oauth_views.TokenView.as_view())
userinfo = demo_only(oauth_views.UserInfoView.as_view())
jwks = demo_only(oauth_views.JwksInfoView.as_view())
discovery = demo_only(oauth_views.ConnectDiscoveryInfoView.as_view())
