"""Protection of the control plane (``/_fakeidp/...``) and of every HTML page.

The control API resets the server, replaces users and injects faults, so:

- With a control token (``serve --control-token``, ``FAKEIDP_CONTROL_TOKEN``,
  the config file's ``control_token``, or ``create_app(config={"FAKEIDP_CONTROL_TOKEN": t})``)
  every control request needs ``Authorization: Bearer <token>``, or 401. A
  browser opens the dashboard once as ``/_fakeidp/?token=<token>``: that sets
  a SameSite=Strict cookie that stands for the header (Jupyter's convention).
  ``/_fakeidp/health`` and ``/_fakeidp/openapi.json`` stay open.
- Requests from another web origin are refused (403): an ``Origin`` that is
  not this server, or ``Sec-Fetch-Site: cross-site``/``same-site`` on anything
  but a top-level GET navigation. A write with a body must say
  ``Content-Type: application/json`` (415): a cross-site HTML form cannot.
- Against DNS rebinding, the ``Host`` of a control request must be one of
  ``FAKEIDP_ALLOWED_HOSTS`` (default: loopback names and the in-process
  ``fakeidp.invalid``); ``serve`` on a non-loopback address allows any Host
  and requires a token instead.
- Every HTML answer is unframeable (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``).

On loopback with no token configured, the dashboard, the pytest plugin and
``curl`` work with no set-up.
"""

from __future__ import annotations

import hmac
import ipaddress
import urllib.parse
from typing import Any

from flask import Flask, Response, request

from .context import json_response

CONTROL_PREFIX = "/_fakeidp/"
OPEN_PATHS = frozenset({"/_fakeidp/health", "/_fakeidp/openapi.json"})
COOKIE = "fakeidp_control"
IN_PROCESS_HOST = "fakeidp.invalid"  # fakeidp.transport.IN_PROCESS_BASE
LOOPBACK_NAMES = frozenset({"localhost", IN_PROCESS_HOST})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, without port) is this machine only."""
    name = host.strip("[]").lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):  # RFC 6761 §6.3
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_name(host: str) -> str:
    """The host of a ``Host`` header, without its port (``[::1]:80`` -> ``::1``)."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _refuse(status: int, field: str, message: str, **headers: str) -> Response:
    body = {"error": "forbidden" if status == 403 else "unauthorized", "field": field}
    if status == 415:
        body["error"] = "unsupported_media_type"
    body["error_description"] = f"{field}: {message}"
    return json_response(body, status, **headers)


def check_control(app: Flask) -> Response | None:
    """Refuse a control request that fails a protection; None lets it through."""
    if not (request.path == "/_fakeidp" or request.path.startswith(CONTROL_PREFIX)):
        return None
    allowed = app.config.get("FAKEIDP_ALLOWED_HOSTS", "loopback")
    host = request.host or ""
    if allowed == "loopback":
        if not is_loopback(_host_name(host)):
            return _refuse(
                403,
                "Host",
                f"{host!r} is not a loopback name; this server is bound to loopback "
                "(a DNS-rebinding guard: use localhost or 127.0.0.1)",
            )
    elif allowed is not None and _host_name(host).lower() not in allowed:
        return _refuse(403, "Host", f"{host!r} is not one of this server's names")
    refused = _cross_origin(host)
    if refused is not None:
        return refused
    if (
        request.method not in SAFE_METHODS
        and _has_body()
        and request.mimetype != "application/json"
    ):
        return _refuse(
            415,
            "Content-Type",
            f"a control API write takes a JSON body (application/json), got {request.mimetype!r}",
        )
    return _check_token(app.config.get("FAKEIDP_CONTROL_TOKEN"))


def _has_body() -> bool:
    return bool(request.content_length) or "HTTP_TRANSFER_ENCODING" in request.environ


def _cross_origin(host: str) -> Response | None:
    origin = request.headers.get("Origin")
    if origin is not None:
        parts = urllib.parse.urlsplit(origin)
        if origin == "null" or parts.netloc.lower() != host.lower():
            return _refuse(403, "Origin", f"{origin!r} is another origin than this server")
    site = request.headers.get("Sec-Fetch-Site", "").lower()
    if site in ("cross-site", "same-site"):
        navigation = request.method == "GET" and request.headers.get("Sec-Fetch-Mode") == (
            "navigate"
        )
        if not navigation:
            return _refuse(403, "Sec-Fetch-Site", f"a {site} request to the control API")
    return None


def _same(given: str, token: str) -> bool:
    """Constant-time comparison; any text (compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8", "replace"))


def _check_token(token: str | None) -> Response | None:
    if not token or request.path in OPEN_PATHS:
        return None
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and _same(presented.strip(), token):
        return None
    if _same(request.cookies.get(COOKIE, ""), token):
        return None
    from_query = request.args.get("token")
    if request.method == "GET" and from_query and _same(from_query, token):
        # Once, from the URL serve printed: a cookie stands for it, and the URL loses it.
        query = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
        target = request.path + ("?" + urllib.parse.urlencode(query) if query else "")
        response = Response(status=303, headers={"Location": target})
        response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/_fakeidp")
        return response
    return _refuse(
        401,
        "Authorization",
        "the control API requires Authorization: Bearer <control token> "
        "(the token fakeidp serve printed; the dashboard takes ?token=<control token>)",
        **{"WWW-Authenticate": 'Bearer realm="fakeidp control"'},
    )


def unframeable(response: Response) -> Response:
    """Every HTML page: no framing by another site (clickjacking the consent or PIN page)."""
    if response.mimetype == "text/html":
        csp = response.headers.get("Content-Security-Policy")
        if csp is None:
            response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        elif "frame-ancestors" not in csp:
            response.headers["Content-Security-Policy"] = csp + "; frame-ancestors 'none'"
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def install(app: Flask) -> None:
    """Register the protections on ``app`` (called by ``create_app``)."""

    def control_guard() -> Response | None:
        return check_control(app)

    app.before_request(control_guard)
    app.after_request(unframeable)


def settings(token: str | None, allowed_hosts: Any = "loopback") -> dict[str, Any]:
    """The app config for a token and the Host names allowed (``"loopback"``, None: any)."""
    return {"FAKEIDP_CONTROL_TOKEN": token or None, "FAKEIDP_ALLOWED_HOSTS": allowed_hosts}
