"""Tests of the request context: who calls from where, for the audit trail."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from egov.core import context
from egov.core.middleware import RequestContextMiddleware, client_ip

factory = RequestFactory()


def _request(path="/", remote="10.0.0.9", forwarded=None, user_agent=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    if user_agent is not None:
        extra["HTTP_USER_AGENT"] = user_agent
    return factory.get(path, **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # no proxy configured: the header is the client's word only, so it is ignored
        pytest.param(0, "203.0.113.7", "10.0.0.9", id="no-proxy-ignores-header"),
        pytest.param(0, None, "10.0.0.9", id="no-proxy-no-header"),
        # one proxy: its entry (the last) is the address it saw; anything before may be forged
        pytest.param(1, "203.0.113.7", "203.0.113.7", id="one-proxy"),
        pytest.param(1, "198.51.100.1, 203.0.113.7", "203.0.113.7", id="one-proxy-forged-first-entry"),
        pytest.param(1, " 198.51.100.1 ,, 203.0.113.7 ", "203.0.113.7", id="one-proxy-untidy-header"),
        # two proxies: the client is the second entry from the right
        pytest.param(2, "198.51.100.1, 203.0.113.7, 10.1.1.1", "203.0.113.7", id="two-proxies"),
        # fewer entries than proxies: the header cannot be trusted
        pytest.param(2, "203.0.113.7", "10.0.0.9", id="two-proxies-one-entry"),
        pytest.param(1, "", "10.0.0.9", id="one-proxy-empty-header"),
        pytest.param(1, "2001:db8::1", "2001:db8::1", id="ipv6"),
    ],
)
def test_client_ip_trusts_x_forwarded_for_only_behind_configured_proxies(settings, proxies, forwarded, expected):
    settings.EGOV_PROXY_COUNT = proxies

    assert client_ip(_request(forwarded=forwarded)) == expected


def test_client_ip_is_none_without_an_address(settings):
    settings.EGOV_PROXY_COUNT = 0

    assert client_ip(_request(remote="")) is None


@pytest.mark.parametrize(("path", "channel"), [("/api/v1/calendar/due", "api"), ("/admin/", "web"), ("/", "web")])
def test_the_middleware_binds_the_context_for_the_request_only(settings, path, channel):
    settings.EGOV_PROXY_COUNT = 1
    seen = []

    def view(request):
        seen.append(context.current())
        return "response"

    middleware = RequestContextMiddleware(view)
    result = middleware(_request(path, forwarded="198.51.100.1, 203.0.113.7", user_agent="Trình duyệt/" + "x" * 400))

    assert result == "response"
    assert seen == [
        context.RequestContext(
            ip_address="203.0.113.7",
            user_agent=("Trình duyệt/" + "x" * 400)[:300],
            channel=channel,
            origin="http://testserver",  # what public_url uses in DEBUG (issue #7 item 19)
        )
    ]
    assert context.current() == context.RequestContext()  # reset afterwards: ip None, channel "system"


def test_the_context_is_reset_even_when_the_view_fails(settings):
    def view(request):
        raise RuntimeError("lỗi")

    with pytest.raises(RuntimeError):
        RequestContextMiddleware(view)(_request("/api/v1/"))

    assert context.current() == context.RequestContext()


@pytest.mark.django_db
@pytest.mark.parametrize(("proxies", "recorded"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_the_audit_trail_records_the_client_address(client, settings, make_officer, tree, proxies, recorded):
    # Given an officer and a deployment behind `proxies` reverse proxies
    from egov.audit.models import AuditRecord

    settings.EGOV_PROXY_COUNT = proxies
    officer = make_officer("specialist", tree["province"], username="canbo")

    # When they take an API token through a proxy that forwards their address
    response = client.post(
        "/api/v1/auth/token",
        {"username": "canbo", "password": "Mk-thu-nghiem-2026"},
        content_type="application/json",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
    )

    # Then the audit record names that address, on the API channel
    assert response.status_code == 200
    rec = AuditRecord.objects.order_by("-seq").first()
    assert (rec.action, rec.actor, rec.ip_address, rec.channel) == ("auth.issue_token", officer, recorded, "api")


def test_a_host_allowed_hosts_refuses_leaves_no_origin(settings):
    settings.ALLOWED_HOSTS = ["dichvucong.sonnam.test"]
    seen = []

    def view(request):
        seen.append(context.current().origin)
        return "response"

    request = _request("/")
    request.META["HTTP_HOST"] = "ke-gia-mao.example"
    RequestContextMiddleware(view)(request)

    assert seen == [""]


def test_public_url_is_the_request_address_only_in_debug(settings):
    settings.EGOV_PUBLIC_URL = "https://dichvucong.sonnam.test/"
    token = context.bind(context.RequestContext(origin="http://10.0.0.5:8105"))
    try:
        settings.DEBUG = True
        in_demo = context.public_url("/tra-cuu/X/")
        settings.DEBUG = False
        in_production = context.public_url("/tra-cuu/X/")
    finally:
        context.reset(token)

    assert (in_demo, in_production) == ("http://10.0.0.5:8105/tra-cuu/X/", "https://dichvucong.sonnam.test/tra-cuu/X/")
    assert context.public_url("/tra-cuu/X/") == "https://dichvucong.sonnam.test/tra-cuu/X/"  # no request: the setting
