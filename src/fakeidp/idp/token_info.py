"""Provider endpoints that tell a client about a token, or take it back, outside RFC 6749.

- Twitch ``GET /oauth2/validate`` (dev.twitch.tv/docs/authentication/validate-tokens): apps
  "must" call it at start and hourly, with ``Authorization: OAuth <token>``; it answers
  ``{"client_id","login","scopes","user_id","expires_in"}`` or 401
  ``{"status":401,"message":"invalid access token"}`` (the provider's ``[errors.validate]``).
- Twitch ``POST /oauth2/revoke`` (dev.twitch.tv/docs/authentication/revoke-tokens): the body
  names ``client_id`` and ``token``, no secret; 200 with no body, 400 ``Invalid token``, 404
  ``client does not exist``. Providers that authenticate the client (RFC 7009 §2.1) keep
  :func:`fakeidp.idp.oauth2_token.revoke`; ``client_id`` in ``oauth2.revoke_auth`` chooses.
- WordPress.com ``GET /oauth2/token-info?client_id=…&token=…`` (developer.wordpress.com OAuth2
  "Validating tokens"; PROVIDERS.md §10): the token's client, user, blog and scope, or 400
  ``{"error":"invalid_request","error_description":"The specified token is invalid."}``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from . import oauth2_token
from . import rules as R
from .context import RequestContext, json_response
from .store import Token


def validate(ctx: RequestContext) -> Response:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() not in ("oauth", "bearer") or not value:
        ctx.flag(
            R.VALIDATE_TOKEN,
            "no access token in the Authorization header",
            "Authorization: OAuth <access token>",
            scheme or None,
        )
        # UNVERIFIED wording for a request without a token; the 401 shape is the documented one.
        return ctx.error("validate", "invalid_token", "missing authorization token")
    if scheme.lower() == "bearer":
        # Public clients send Bearer too; Twitch documents OAuth, so only a warning.
        ctx.flag(R.VALIDATE_SCHEME, "Bearer where Twitch documents OAuth", "OAuth", scheme)
    token = ctx.store.valid_token(value, ctx.provider.id)
    if token is None:
        # Not a finding: telling a connector its token is dead is what /validate is for.
        return ctx.error("validate", "invalid_token", "invalid access token")
    grant = token.grant
    body: dict[str, Any] = {"client_id": grant.client_id}
    if grant.user is not None:
        # login and user_id are the Helix user's (twitch_oauth2 ValidatedToken: "Username
        # associated with the token", "User ID associated with the token").
        body["login"] = grant.user.profile.get("login", grant.user.login)
        body["user_id"] = str(grant.user.profile.get("id", ""))
    # An app access token has no user: client_id, scopes and expires_in only (twitch_oauth2
    # ValidatedToken makes login and user_id optional).
    body["scopes"] = list(grant.scope)
    body["expires_in"] = _expires_in(ctx, token)
    return json_response(body)


def _expires_in(ctx: RequestContext, token: Token) -> int:
    if token.expires_at is None:
        return 0
    return max(0, int(token.expires_at - ctx.store.now()))


def revoke(ctx: RequestContext) -> Response:
    """The provider's revoke endpoint, by how it knows the client (``revoke_auth``)."""
    rules = ctx.provider.oauth2
    assert rules is not None
    if "client_id" not in rules.revoke_auth:
        return oauth2_token.revoke(ctx)
    params = {**request.args.to_dict(), **request.form.to_dict()}
    client_id, value = params.get("client_id", ""), params.get("token", "")
    if ctx.store.client(ctx.provider.id, client_id) is None:
        ctx.flag(R.REVOKE_CLIENT, "unknown client_id", "a registered client_id", client_id or None)
        return ctx.error("oauth", "invalid_client", "client does not exist", 404)
    store = ctx.store
    with store.lock:
        token = store.tokens.get(value)
        known = token is not None and token.grant.client_id == client_id and not token.revoked
        if known:
            store.revoke_tokens([value])
    if not known:
        ctx.flag(R.REVOKE_TOKEN, "not an access token of this client", "an access token", None)
        return ctx.error("oauth", "invalid_request", "Invalid token", 400)
    return Response(status=200)


def wordpress_token_info(ctx: RequestContext) -> Response:
    client_id, value = request.args.get("client_id", ""), request.args.get("token", "")
    token = ctx.store.valid_token(value, ctx.provider.id)
    if token is None or token.grant.client_id != client_id:
        ctx.flag(
            R.TOKEN_INFO_REQUEST,
            "no token of this client_id",
            "client_id and a token issued to it",
            {"client_id": client_id or None, "token": "[redacted]" if value else None},
        )
        return ctx.error("oauth", "invalid_request", "The specified token is invalid.", 400)
    grant = token.grant
    context = oauth2_token.template_context(ctx, grant)
    rules = ctx.provider.oauth2
    assert rules is not None and ctx.provider.token_response is not None
    extra = ctx.render(ctx.provider.token_response.extra, **context)
    # {"client_id","user_id","blog_id","scope"} (developer.wordpress.com OAuth2 docs,
    # "Validating tokens"); ids as strings, as the token response's blog_id is.
    user_id = grant.user.profile.get("ID") if grant.user is not None else None
    return json_response(
        {
            "client_id": client_id,
            "user_id": None if user_id is None else str(user_id),
            "blog_id": extra.get("blog_id"),
            "scope": rules.scope_separator.join(grant.scope),
        }
    )
