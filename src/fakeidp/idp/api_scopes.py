"""Scopes the emulated APIs need (``[profile.scopes]`` in a provider fixture).

Real providers refuse an API call whose token lacks a scope the endpoint needs
(X ``GET /2/users/me`` without ``tweet.read``: 403), the way RFC 6750 §3.1
describes ``insufficient_scope``, and leave scope-bound fields out of their
answers (Twitch Helix ``email`` without ``user:read:email``). Strict mode
answers as the provider does; lenient mode serves normally. Both record a
finding that names the missing scopes, the endpoint and the fixture's source.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Response

from ..providers.model import ProfileEndpoint, ScopeNeeds
from ..templating import lookup, render
from . import rules as R
from .context import RequestContext
from .store import Grant

# RFC 6750 §3.1: insufficient_scope "SHOULD respond with the HTTP 403 (Forbidden) status code".
INSUFFICIENT_SCOPE = "insufficient_scope"
DEFAULT_STATUS = 403
DEFAULT_DESCRIPTION = "The request requires higher privileges than provided by the access token."


def refusal(ctx: RequestContext, endpoint: ProfileEndpoint, grant: Grant) -> Response | None:
    """Flag a token that lacks a scope the endpoint needs; in strict mode, refuse it."""
    needs = endpoint.scopes
    if needs is None:
        return None
    lacking = needs.missing(grant.scope)
    if not lacking:
        return None
    asked = " ".join(grant.scope) or "no scope"
    f = ctx.flag(
        R.API_SCOPE_MISSING,
        f"the connector asked for {asked}, but {ctx.provider.name}'s "
        f"{endpoint.endpoint.path} also needs {needs.describe(lacking)}",
        _expected(needs),
        list(grant.scope),
        source=needs.source,
    )
    if not ctx.refuse(f):
        return None
    shape = ctx.provider.error_shape("api")
    own = shape.cases.get("scope_missing")
    error = (own.error if own else None) or INSUFFICIENT_SCOPE
    template = needs.description or (own.description if own else None) or DEFAULT_DESCRIPTION
    status = (own.status if own else None) or shape.status_by_error.get(error, DEFAULT_STATUS)
    description = str(render(template, {"scopes": ", ".join(lacking)}))
    response = ctx.error("api", error, description, status)
    if "WWW-Authenticate" in response.headers:  # a 401: not a bad token (RFC 6750 §3.1)
        response.headers["WWW-Authenticate"] = (
            f'Bearer error="insufficient_scope", scope="{" ".join(lacking)}"'
        )
    return response


def withheld(ctx: RequestContext, endpoint: ProfileEndpoint, grant: Grant, body: Any) -> Any:
    """The answer without the fields whose scope was not granted, as the provider sends it.

    Strict mode leaves them out and says nothing: the answer is the provider's, and only a
    connector that reads the field is hurt, which it then sees. Lenient mode serves them
    and warns, since the real provider would not.
    """
    needs = endpoint.scopes
    if needs is None or not needs.fields:
        return body
    out = body
    for path, scope in needs.fields.items():
        if scope in grant.scope or lookup(body, path) is _ABSENT:
            continue
        if ctx.strict:
            out = _drop(copy.deepcopy(out) if out is body else out, path)
            continue
        ctx.flag(
            R.API_SCOPE_FIELD,
            f"{ctx.provider.name}'s {endpoint.endpoint.path} leaves out {path} without the "
            f"scope {scope}; served here because the fake IdP is lenient",
            {path: scope},
            list(grant.scope),
            source=needs.source,
        )
    return out


_ABSENT = lookup({}, "x")  # what lookup returns for a path that is not there


def _expected(needs: ScopeNeeds) -> dict[str, Any]:
    expected: dict[str, Any] = {}
    if needs.required:
        expected["all_of"] = list(needs.required)
    if needs.any_of:
        expected["one_of"] = list(needs.any_of)
    return expected


def _drop(body: Any, path: str) -> Any:
    parent_path, _, last = path.rpartition(".")
    parent = lookup(body, parent_path) if parent_path else body
    if isinstance(parent, dict):
        parent.pop(last, None)
    return body
