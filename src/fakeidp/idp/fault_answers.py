"""How an injected fault changes an endpoint's answer (see :mod:`.faults`).

:func:`answer` runs inside ``provider_view`` for every provider endpoint. A
fault that takes the place of the answer (``status``, ``rate_limit``,
``oauth_error`` outside the authorize endpoint, ``expired_token``,
``revoked_token``) answers before the endpoint's own logic runs, so an
authorization code survives a 503 or a 429 and a retry can use it. The others
alter the normal answer; when it has nothing to alter (no ``code`` in the
redirect, no such field) the fault is given back and waits for the next
request. An applied fault is recorded on the request's Exchange.
"""

from __future__ import annotations

import http
import json
import time
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Response, request

from . import oidc_faults
from .faults import Fault, Role, role_of

if TYPE_CHECKING:
    from .context import RequestContext
    from .store import Store

MALFORMED_BODY = "<html><body><h1>502 Bad Gateway</h1><p>upstream error</p></body></html>"


def answer_with_faults(ctx: RequestContext, view: Callable[[RequestContext], Response]) -> Response:
    """Run ``view`` for this request, with the first fault armed for it applied."""
    injected = ctx.store.faults.take(ctx.provider, ctx.endpoint)
    if injected is None:
        return view(ctx)
    fault = injected.fault
    role = role_of(ctx.provider, ctx.endpoint)
    response = _instead(fault, ctx, role)
    if response is None:
        if fault.kind == "delay":
            time.sleep(fault.seconds or 0)
        normal = view(ctx)
        response = normal if fault.kind == "delay" else _altered(fault, ctx, role, normal)
        if response is None:
            ctx.store.faults.give_back(injected)
            return normal
    ctx.exchange.fault = {"id": injected.id, **fault.to_dict()}
    return response


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _default_error(status: int, role: Role) -> str:
    if status == 401:
        return "invalid_token" if role == "api" else "invalid_client"
    if status == 429:
        return "rate_limit_exceeded"
    if status in (502, 503, 504):
        return "temporarily_unavailable"  # RFC 6749 §4.1.2.1
    return "server_error" if status >= 500 else "invalid_request"


def _instead(fault: Fault, ctx: RequestContext, role: Role) -> Response | None:
    """An answer that takes the place of the endpoint's own, or None."""
    shape = "api" if role == "api" else "oauth"
    if fault.kind in ("status", "rate_limit"):
        status = 429 if fault.kind == "rate_limit" else (fault.status or 500)
        description = fault.description or _phrase(status)
        if role == "authorize":
            response = ctx.error_page(_phrase(status), description, status)
        else:
            response = ctx.error(
                shape, fault.error or _default_error(status, role), description, status
            )
        if fault.kind == "rate_limit":
            response.headers["Retry-After"] = str(fault.retry_after)  # RFC 9110 §10.2.3
        return response
    if fault.kind == "oauth_error" and role != "authorize":
        assert fault.error is not None
        response = ctx.error(shape, fault.error, fault.description or fault.error, fault.status)
        return _with_error_uri(response, fault.error_uri)
    if fault.kind in ("expired_token", "revoked_token"):
        expired = fault.kind == "expired_token"
        _mark_token(ctx.store, _presented_token(), expired)
        # RFC 6750 §3.1: invalid_token for an expired or revoked token, answered with the
        # provider's own words and status for an invalid token (Imgur: 403, not 401).
        what = "The access token expired" if expired else "The access token was revoked"
        return ctx.error("api", "invalid_token", what, case="token_invalid")
    return None


def _with_error_uri(response: Response, uri: str | None) -> Response:
    """RFC 6749 §5.2: error_uri beside error, where the error shape is RFC 6749's."""
    body = getattr(response, "fakeidp_body", None)
    if not uri or not isinstance(body, dict) or "error" not in body:
        return response
    body = {**body, "error_uri": uri}
    altered = _replace_body(response, json.dumps(body).encode())
    altered.fakeidp_body = body  # type: ignore[attr-defined]
    return altered


def _presented_token() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() in ("bearer", "oauth") and value and "=" not in value:
        return value
    return request.args.get("access_token") or request.args.get("oauth_token")


def _mark_token(store: Store, value: str | None, expired: bool) -> None:
    """The token stays expired (refreshable) or revoked (with its refresh token)."""
    with store.lock:
        token = store.tokens.get(value or "")
        if token is None:
            return
        if expired:
            token.expires_at = store.now() - 1
        else:
            store.revoke_tokens([value or ""])


def _altered(fault: Fault, ctx: RequestContext, role: Role, normal: Response) -> Response | None:
    """The normal answer altered by ``fault``, or None when there is nothing to alter."""
    if fault.kind in oidc_faults.KINDS:
        return oidc_faults.alter(fault, ctx, normal)
    location = normal.headers.get("Location")
    if role == "authorize":
        if location is None:
            return None
        query = urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query, True)
        names = [k for k, _ in query]
        if fault.kind == "missing_field":
            if fault.field not in names:
                return None
            return _redirect(location, [(k, v) for k, v in query if k != fault.field])
        if fault.kind == "oauth_error" and "code" in names:
            # RFC 6749 §4.1.2.1: error, error_description, and the state as sent.
            with ctx.store.lock:
                for k, v in query:
                    if k == "code":
                        ctx.store.codes.pop(v, None)
            kept = [(k, v) for k, v in query if k not in ("code", "state")]
            error = [
                ("error", fault.error or ""),
                ("error_description", fault.description or ""),
                ("error_uri", fault.error_uri or ""),  # RFC 6749 §4.1.2.1: OPTIONAL
            ]
            state = [(k, v) for k, v in query if k == "state"]
            return _redirect(location, kept + [p for p in error if p[1]] + state)
        return None
    if location is not None or normal.mimetype == "text/html":
        return None
    data = normal.get_data()
    if fault.kind == "malformed":
        return _replace_body(normal, (fault.body or MALFORMED_BODY).encode())
    if fault.kind == "truncated":
        return _replace_body(normal, data[: len(data) // 2]) if len(data) > 1 else None
    if fault.kind == "missing_field":
        assert fault.field is not None
        return _without_field(normal, data, fault.field)
    return None


def _redirect(location: str, query: list[tuple[str, str]]) -> Response:
    parts = urllib.parse.urlsplit(location)
    url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    return Response(status=302, headers={"Location": url, "Cache-Control": "no-store"})


def _replace_body(normal: Response, data: bytes) -> Response:
    headers = [(k, v) for k, v in normal.headers.items() if k.lower() != "content-length"]
    return Response(data, normal.status_code, headers=headers)


def _without_field(normal: Response, data: bytes, path: str) -> Response | None:
    """Drop ``path`` (dotted, list indexes allowed) from a JSON or form-encoded body."""
    if normal.mimetype == "application/json":
        try:
            body = json.loads(data)
        except ValueError:
            return None
        *parents, last = path.split(".")
        node = body
        for part in parents:
            node = _child(node, part)
        if isinstance(node, dict) and last in node:
            del node[last]
        elif isinstance(node, list) and last.isascii() and last.isdigit() and int(last) < len(node):
            del node[int(last)]
        else:
            return None
        response = _replace_body(normal, json.dumps(body).encode())
        response.fakeidp_body = body  # type: ignore[attr-defined]
        return response
    form = urllib.parse.parse_qsl(data.decode("utf-8", "replace"), keep_blank_values=True)
    if path not in [k for k, _ in form]:
        return None
    kept = [(k, v) for k, v in form if k != path]
    return _replace_body(normal, urllib.parse.urlencode(kept).encode())


def _child(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and part.isascii() and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return None
