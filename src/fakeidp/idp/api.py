"""The emulated provider APIs: profile endpoints in each provider's shape.

How the token is presented is checked against the endpoint's accepted schemes
(RFC 6750 §2: header, form, or query; providers choose) and the provider's
required headers (Twitch Helix ``Client-Id``).
"""

from __future__ import annotations

from flask import Response, request

from ..providers.model import ProfileEndpoint
from . import api_scopes, shared_urls
from . import rules as R
from .context import RequestContext, json_response
from .headers import check_headers
from .limits import problem
from .oauth1 import authenticate_api
from .oauth2_token import template_context


def presented_token(endpoint: ProfileEndpoint) -> tuple[str | None, str | None]:
    """(scheme used, token) from the request: header first, then query."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip() and "=" not in value.strip()[:20]:
        return scheme.lower(), value.strip()
    for name in ("access_token", "oauth_token"):
        if request.args.get(name):
            return f"query:{name}", request.args[name]
    return (scheme.lower() or None), None


def profile(ctx: RequestContext, endpoint: ProfileEndpoint) -> Response:
    other = shared_urls.sibling(ctx, endpoint)  # Tumblr: one URL, OAuth 1.0a and OAuth 2.0
    if other is not None:
        return profile(*other)
    if "oauth1" in endpoint.auth:
        result = authenticate_api(ctx)
        if isinstance(result, Response):
            return result
        grant = result
    else:
        scheme, value = presented_token(endpoint)
        if scheme not in endpoint.auth:
            f = ctx.flag(
                R.API_AUTH_SCHEME,
                f"{ctx.provider.name} reads the token from {endpoint.auth[0]}",
                list(endpoint.auth),
                scheme,
            )
            if ctx.refuse(f) or value is None:
                return ctx.error(
                    "api",
                    "invalid_token",
                    "token missing or presented wrongly",
                    case="token_missing",
                )
        token = ctx.store.valid_token(value, ctx.provider.id)
        if token is None or token.grant.user is None:
            message = "invalid, expired or revoked access token"
            message = problem("access token", ctx.store.why_gone(value), message)
            ctx.flag(R.API_TOKEN, message, "a valid token", "?")
            return ctx.error("api", "invalid_token", "Invalid Token", case="token_invalid")
        grant = token.grant
    if check_headers(
        ctx, endpoint.headers, R.API_REQUIRED_HEADER, R.API_EXPECTED_HEADER, grant.client_id
    ):
        missing = any(
            rule.severity == "error" and rule.name not in request.headers
            for rule in endpoint.headers
        )
        return ctx.error(
            "api",
            "invalid_request",
            "a required header is missing" if missing else "a required header is wrong",
            case="header_missing" if missing else "header_wrong",
        )
    expected = ctx.store.expectations.get(ctx.provider.id, {}).get("profile_headers", {})
    for name, want in expected.items():
        if request.headers.get(name) != want:
            ctx.flag(
                R.API_EXPECTED_HEADER,
                f"the configured header {name} did not arrive",
                {name: want},
                {name: request.headers.get(name)},
                "error",
            )
    context = template_context(ctx, grant)
    for name, template in endpoint.path_params.items():
        want = ctx.render(template, **context)
        accepted = [str(v) for v in want] if isinstance(want, list) else [str(want)]
        got = (request.view_args or {}).get(name)
        if got not in accepted:
            f = ctx.flag(
                R.API_PATH_PARAM,
                f"{{{name}}} in the path names nothing this token reaches",
                {name: accepted},
                {name: got},
            )
            if ctx.refuse(f):
                return ctx.error("api", "not_found", f"unknown {name}", case="path_wrong")
    for name, template in endpoint.query.items():
        want = ctx.render(template, **context)
        if request.args.get(name) != str(want):
            f = ctx.flag(
                R.API_QUERY,
                f"query parameter {name} is wrong",
                {name: want},
                {name: request.args.get(name)},
            )
            if ctx.refuse(f):
                return ctx.error("api", "invalid_request", f"{name} is wrong")
    refused = api_scopes.refusal(ctx, endpoint, grant)
    if refused is not None:
        return refused
    body = ctx.render(endpoint.body, **context)
    return json_response(api_scopes.withheld(ctx, endpoint, grant, body))
