"""OpenID Connect on top of a provider's OAuth 2.0: discovery, JWKS, ID token, UserInfo.

Follows OpenID Connect Core 1.0 and Discovery 1.0 for the providers whose
fixture has an ``[oidc]`` table (Twitch, the generic ``oidc``). The issuer and
every URL in the discovery document are the fake IdP's own, on the base the
request came to, so a client configured from discovery alone stays on the fake.
ID tokens are RS256 JWTs signed by PyJWT with the app's key (:mod:`.keys`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from flask import Blueprint, Response, request

from ..providers.model import Endpoint, OIDCRules, Provider
from . import limits
from . import rules as R
from .context import RequestContext, json_response, provider_view
from .oidc_faults import published_keys
from .store import Grant
from .templates import render

# Registered here, beside the behaviour they describe; they join the same catalogue.
OIDC_USERINFO_SCOPE = R._rule(
    "oidc.userinfo.scope",
    "error",
    "OIDC Core §5.3.1, RFC 6750 §3.1",
    "the UserInfo endpoint needs an access token that was granted the openid scope",
)
OIDC_CLAIMS_PARAM = R._rule(
    "oidc.authorize.claims",
    "error",
    "OIDC Core §5.5",
    "the claims parameter must be a JSON object",
)
# OIDC Core §2: the claims of the ID token itself, beside the user's claims.
REGISTERED_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp")
DISCOVERY_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"}


def _rules(p: Provider) -> OIDCRules:
    assert p.oidc is not None, f"{p.id} has no [oidc] table"
    return p.oidc


def base_url() -> str:
    """Where this request was sent, so the URLs we hand out lead back to the same server."""
    return request.url_root.rstrip("/")


def endpoint_url(p: Provider, endpoint: Endpoint) -> str:
    """The URL of ``endpoint`` as the client sees it: the real one under interception."""
    if request.environ.get("fakeidp.intercepted"):
        return p.real_url(endpoint)
    return base_url() + p.fake_path(endpoint)


def issuer(p: Provider) -> str:
    return endpoint_url(p, _rules(p).issuer)


def authorization_iss(p: Provider) -> str | None:
    """RFC 9207 §2: the issuer for an authorization response, where the provider sends it."""
    return issuer(p) if p.oidc is not None and p.oidc.authorization_response_iss else None


# -- views ---------------------------------------------------------------------
def discovery(ctx: RequestContext) -> Response:
    """Discovery §3 and §4.2: the provider's configuration, as JSON."""
    p = ctx.provider
    o, rules = _rules(p), p.oauth2
    assert rules is not None
    urls = {e.name: endpoint_url(p, e) for e in p.all_endpoints()}
    doc: dict[str, Any] = {
        "issuer": issuer(p),
        "authorization_endpoint": urls["authorize"],
        "token_endpoint": urls["token"],
        "userinfo_endpoint": urls["userinfo"],
        "jwks_uri": urls["jwks"],
        # Only the authorization code flow is emulated.
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": list(rules.grants),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": list(o.scopes_supported),
        "token_endpoint_auth_methods_supported": list(o.token_endpoint_auth_methods_supported),
        "claims_supported": list(dict.fromkeys([*REGISTERED_CLAIMS, *o.claims])),
        "claims_parameter_supported": o.claims_parameter_supported,
    }
    if "revoke" in urls:
        doc["revocation_endpoint"] = urls["revoke"]
    if o.authorization_response_iss:
        doc["authorization_response_iss_parameter_supported"] = True  # RFC 9207 §3
    if rules.pkce != "unsupported":
        doc["code_challenge_methods_supported"] = list(rules.pkce_methods)
    return json_response(doc, 200, **DISCOVERY_HEADERS)


def jwks(ctx: RequestContext) -> Response:
    """RFC 7517 §5: the public half of the key ID tokens are signed with."""
    # A key-rotation fault (.oidc_faults) adds the key it signed with from then on.
    return json_response({"keys": published_keys(ctx)}, 200, **DISCOVERY_HEADERS)


def userinfo(ctx: RequestContext) -> Response:
    """OIDC Core §5.3: the user's claims for a Bearer access token (RFC 6750 §2)."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    token_value: str | None = value.strip() if scheme.lower() == "bearer" else None
    if not token_value and request.method == "POST":
        token_value = request.form.get("access_token")  # RFC 6750 §2.2
    if not token_value and request.args.get("access_token"):
        # RFC 6750 §2.3: allowed, but SHOULD NOT be used; OIDC Core §5.3.1 recommends the header.
        ctx.flag(
            R.API_AUTH_SCHEME,
            "access token in the query string",
            "Authorization: Bearer",
            "query:access_token",
            "warning",
        )
        token_value = request.args["access_token"]
    if not token_value:
        ctx.flag(
            R.API_AUTH_SCHEME,
            "no Bearer access token",
            "Authorization: Bearer",
            scheme.lower() or None,
        )
        return ctx.error("api", "invalid_token", "token missing or presented wrongly")
    token = ctx.store.valid_token(token_value, ctx.provider.id)
    if token is None or token.grant.user is None:
        message = "invalid, expired or revoked access token"
        message = limits.problem("access token", ctx.store.why_gone(token_value), message)
        ctx.flag(R.API_TOKEN, message, "a valid token", "?")
        return ctx.error("api", "invalid_token", "Invalid Token")
    if "openid" not in token.grant.scope:
        f = ctx.flag(
            OIDC_USERINFO_SCOPE,
            "the access token was not granted the openid scope",
            "openid",
            token.grant.scope,
        )
        if ctx.refuse(f):
            answer = ctx.error("api", "insufficient_scope", "the openid scope is required", 403)
            answer.headers["WWW-Authenticate"] = 'Bearer error="insufficient_scope", scope="openid"'
            return answer
    return json_response(user_claims(ctx, token.grant, "userinfo"))


# -- claims and the ID token ------------------------------------------------------
def requested_claims(params: Mapping[str, str], member: str) -> set[str]:
    """The claim names the ``claims`` parameter asks for in ``member`` (OIDC Core §5.5)."""
    try:
        data = limits.loads(params.get("claims") or "{}")
    except ValueError:
        return set()
    part = data.get(member) if isinstance(data, dict) else None
    return set(part) if isinstance(part, dict) else set()


def user_claims(
    ctx: RequestContext, grant: Grant, member: Literal["id_token", "userinfo"]
) -> dict[str, Any]:
    """The user's claims released to ``member``: sub, the granted scopes' (OIDC Core §5.4)
    and the requested ones (§5.5), each from the fixture's claims mapping."""
    o = _rules(ctx.provider)
    user = grant.user
    assert user is not None
    names = {"sub"}
    if member == "userinfo" or o.scope_claims_in_id_token:
        for scope in grant.scope:
            names.update(o.scope_claims.get(scope, ()))
    if o.claims_parameter_supported:
        names.update(requested_claims(grant.params, member))
    context = {"profile": user.profile, "login": user.login, "client_id": grant.client_id}
    out: dict[str, Any] = {}
    for name, template in o.claims.items():
        needed = o.claims_require_scope.get(name)
        if name not in names or (needed and needed not in grant.scope):
            continue
        value = render(template, context)
        if value is not None:
            out[name] = value
    # OIDC Core §2: sub is a string, never reassigned; the login name stands in if unmapped.
    out["sub"] = str(out.get("sub") or user.login)
    return out


def id_token(ctx: RequestContext, grant: Grant) -> str | None:
    """OIDC Core §2, §3.1.3.6: the signed ID token for a code grant with the openid scope."""
    p = ctx.provider
    if p.oidc is None or grant.user is None or "openid" not in grant.scope:
        return None
    now = int(ctx.store.now())
    released = user_claims(ctx, grant, "id_token")
    claims: dict[str, Any] = {
        "iss": issuer(p),
        "sub": released["sub"],
        "aud": grant.client_id,
        "exp": now + p.oidc.id_token_lifetime,
        "iat": now,
        "auth_time": int(grant.auth_time if grant.auth_time is not None else now),
        "azp": grant.client_id,
    }
    if grant.params.get("nonce"):
        # §3.1.2.1: "passed through unmodified from the Authentication Request to the ID Token".
        claims["nonce"] = grant.params["nonce"]
    claims.update(released)
    return ctx.store.signing_key().sign(claims)


def check_authorize(ctx: RequestContext, args: Mapping[str, str]) -> bool:
    """OIDC checks of an authorization request; True when it must be refused."""
    raw = args.get("claims")
    if ctx.provider.oidc is None or raw is None:
        return False
    try:
        ok = isinstance(limits.loads(raw), dict)
    except ValueError:
        ok = False
    if ok:
        return False
    f = ctx.flag(OIDC_CLAIMS_PARAM, "claims is not a JSON object", "a JSON object", raw[:200])
    return ctx.refuse(f)


def oidc_blueprint(providers: Iterable[Provider]) -> Blueprint:
    """Discovery, JWKS and UserInfo for every provider with an ``[oidc]`` table."""
    bp = Blueprint("oidc", __name__)
    views = {"discovery": discovery, "jwks": jwks, "userinfo": userinfo}
    for p in providers:
        if p.oidc is None:
            continue
        endpoints = {e.name: e for e in p.all_endpoints()}
        for name, view in views.items():
            bp.add_url_rule(
                p.fake_path(endpoints[name]),
                endpoint=f"{p.id}:{name}",
                view_func=provider_view(p, name, view),
                methods=["GET", "POST"] if name == "userinfo" else ["GET"],
            )
    return bp
