"""The stand-in's HTTP endpoints, CSC API v2 (``/demo-csc/csc/v2/...``): each parses the JSON request,
checks the bearer token, calls one service of :mod:`egov.demo_csc.services` and answers JSON. Refusals
are ``{"error": ..., "error_description": ...}`` with the status the CSC API gives them."""

from __future__ import annotations

import base64
import binascii
import functools
import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from egov.demo_csc import services
from egov.demo_csc.services import CscError

# The endpoints of credentials/info "methods" (CSC v2 names).
METHODS = ["oauth2/token", "credentials/list", "credentials/info", "credentials/authorize", "signatures/signHash"]


def _error(exc: CscError) -> JsonResponse:
    response = JsonResponse(exc.as_dict(), status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = f'Bearer error="{exc.error}"'
    return response


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CscError("invalid_request", "The request body is not JSON") from exc
    if not isinstance(body, dict):
        raise CscError("invalid_request", "The request body is not a JSON object")
    return body


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CscError("invalid_token", "Missing bearer token", status=401)
    return services.check_token(token.strip())


def csc_endpoint(*, authenticated: bool = True):
    """POST only, JSON in and out, CscError as a CSC error object."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest) -> JsonResponse:
            if request.method != "POST":
                response = _error(CscError("invalid_request", "Use POST", status=405))
                response["Allow"] = "POST"
                return response
            try:
                if authenticated:
                    _bearer(request)
                return JsonResponse(view(request))
            except CscError as exc:
                return _error(exc)

        return wrapper

    return decorate


def _string(body: dict, name: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise CscError("invalid_request", f"Missing (or invalid type) string parameter {name}")
    return value


def _strings(body: dict, name: str) -> list[str]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CscError("invalid_request", f"Invalid type of parameter {name}")
    return value


def _integer(body: dict, name: str, default: int | None = None) -> int:
    value = body.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise CscError("invalid_request", f"Missing (or invalid type) integer parameter {name}")
    return value


@csc_endpoint(authenticated=False)
def info(request: HttpRequest) -> dict:
    return {
        "specs": "2.0.0.2",
        "name": "Dịch vụ ký số từ xa (mô phỏng)",
        "logo": "",
        "region": "VN",
        "lang": "vi-VN",
        "description": "Dịch vụ ký số từ xa mô phỏng cho bản trình diễn; không dùng thật.",
        "authType": ["oauth2client"],
        "oauth2": request.build_absolute_uri("./"),
        "methods": METHODS,
    }


@csrf_exempt
def token(request: HttpRequest) -> JsonResponse:
    """OAuth 2.0 token endpoint, client credentials grant (form-encoded; secret in the body or Basic)."""
    if request.method != "POST":
        response = _error(CscError("invalid_request", "Use POST", status=405))
        response["Allow"] = "POST"
        return response
    data = request.POST
    client_id, client_secret = data.get("client_id", ""), data.get("client_secret", "")
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, client_secret = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return _error(CscError("invalid_client", "Client authentication failed", status=401))
    if data.get("grant_type") != "client_credentials":
        return _error(CscError("unsupported_grant_type", "Only client_credentials is supported"))
    try:
        access_token, lifetime = services.issue_token(client_id=client_id, client_secret=client_secret)
    except CscError as exc:
        return _error(exc)
    response = JsonResponse({"access_token": access_token, "token_type": "Bearer", "expires_in": lifetime})
    response["Cache-Control"] = "no-store"
    return response


@csc_endpoint()
def credentials_list(request: HttpRequest) -> dict:
    body = _json_body(request)
    user_id = _string(body, "userID")
    max_results = _integer(body, "maxResults", 100)
    if not 1 <= max_results <= 1000:
        raise CscError("invalid_request", "Invalid parameter maxResults")
    ids, next_page = services.list_credential_ids(
        user_id=user_id, max_results=max_results, page_token=_string(body, "pageToken", required=False) or ""
    )
    answer: dict[str, Any] = {"credentialIDs": ids}
    if next_page:
        answer["nextPageToken"] = next_page
    return answer


@csc_endpoint()
def credentials_info(request: HttpRequest) -> dict:
    body = _json_body(request)
    cert_info = body.get("certInfo", False)
    if not isinstance(cert_info, bool):
        raise CscError("invalid_request", "Invalid type of parameter certInfo")
    return services.credential_info(
        credential_id=_string(body, "credentialID"),
        certificates=_string(body, "certificates", required=False) or "single",
        cert_info=cert_info,
    )


@csc_endpoint()
def credentials_authorize(request: HttpRequest) -> dict:
    body = _json_body(request)
    # v1 clients send "hash"; v2 "hashes".
    hashes = _strings(body, "hashes") or _strings(body, "hash")
    sad, lifetime = services.authorize(
        credential_id=_string(body, "credentialID"),
        num_signatures=_integer(body, "numSignatures"),
        hashes=hashes,
        hash_algorithm_oid=_string(body, "hashAlgorithmOID", required=False) or "",
        pin=body.get("PIN") if isinstance(body.get("PIN"), str) else "",
    )
    return {"SAD": sad, "expiresIn": lifetime}


@csc_endpoint()
def signatures_sign_hash(request: HttpRequest) -> dict:
    body = _json_body(request)
    if body.get("operationMode", "S") != "S":
        raise CscError("invalid_request", "Only synchronous operation (operationMode S) is supported")
    signatures = services.sign_hashes(
        credential_id=_string(body, "credentialID"),
        sad=_string(body, "SAD"),
        hashes=_strings(body, "hashes") or _strings(body, "hash"),
        hash_algorithm_oid=_string(body, "hashAlgorithmOID", required=False)
        or _string(body, "hashAlgo", required=False),
        sign_algo=_string(body, "signAlgo"),
    )
    return {"signatures": signatures}
