"""Every answer carries the security headers, and no URL answers 5xx to a plain GET with sample
arguments, signed out or signed in as an administrator (issue #9, "Security headers"). The URL list
is read from the URLconf, so a new page is checked without editing this test."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

SAMPLES = {
    "int": "1",
    "str": "ABC-123",
    "slug": "abc",
    "path": "abc/def",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + _pattern_text(p))
        elif isinstance(p, URLPattern):
            yield prefix + _pattern_text(p)


def _pattern_text(p) -> str:
    pattern = p.pattern
    if hasattr(pattern, "_route"):  # path()
        route = str(pattern._route)
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)
    # re_path(): the admin's and i18n's; fill groups with a sample, drop anchors and optional parts.
    regex = pattern._regex
    regex = re.sub(r"\(\?P<\w+>[^)]*\)", "1", regex)
    regex = regex.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    regex = re.sub(r"\(\?:[^)]*\)\?", "", regex)
    return regex


def all_urls() -> list[str]:
    return sorted({"/" + u for u in _walk(get_resolver().url_patterns)})


def _check(response, url):
    assert response.status_code < 500, (url, response.status_code)
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
    assert "'unsafe-inline'" not in directives.get("script-src", directives.get("default-src", "")), url
    assert "'unsafe-eval'" not in csp, url
    assert directives["frame-ancestors"] in ("'none'", "'self'"), url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url


def test_the_walk_covers_the_main_pages():
    urls = all_urls()
    assert len(urls) > 100
    for url in ("/", "/thu-tuc/", "/tra-cuu/ABC-123/", "/can-bo/ho-so/ABC-123/", "/api/v1/lookup/ABC-123", "/admin/"):
        assert url in urls


def test_every_url_answers_with_the_security_headers_and_no_5xx_signed_out(client):
    client.raise_request_exception = False
    for url in all_urls():
        _check(client.get(url), url)


def test_every_url_answers_with_the_security_headers_and_no_5xx_as_an_administrator(client, admin_user):
    client.raise_request_exception = False
    client.force_login(admin_user)
    for url in all_urls():
        if url in ("/dang-xuat/", "/oidc/logout/"):
            continue  # signs out: the rest would be checked signed out
        _check(client.get(url), url)


def test_the_main_page_sets_exactly_this_policy(client):
    response = client.get("/")

    policy = {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in response["Content-Security-Policy"].split("; ")}
    assert policy == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
    }
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # HSTS only in production (over HTTPS)


def test_with_productions_hsts_setting_https_answers_carry_it(client, settings):
    # The production settings' values (egov/people/tests/test_settings.py checks they are set there).
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
