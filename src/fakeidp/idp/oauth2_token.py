"""The OAuth 2.0 token endpoint (RFC 6749 §3.2, §4.1.3, §4.4, §6; RFC 7636 §4.6).

Codes are single-use: a replayed code is refused and the tokens it issued are
revoked (RFC 6749 §4.1.2). Client credentials are checked where the provider
reads them; every placement outside its rules or the RFC yields a finding.
"""

from __future__ import annotations

import re
import string
from typing import Any

from flask import Response, request
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import (
    code_challenge_method_plain,
    code_challenge_method_s256,
)

from ..providers.model import OAuth2Rules
from . import oidc
from . import rules as R
from .client_auth import PresentedCredentials, presented, secrets_match
from .context import RequestContext, json_response
from .headers import check_headers
from .limits import problem
from .oauth2_authorize import split_scope
from .store import Client, Code, Grant

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_PKCE_CHECKS = {"S256": code_challenge_method_s256, "plain": code_challenge_method_plain}


class TokenError(Exception):
    """Answer with the provider's OAuth error shape (RFC 6749 §5.2)."""

    def __init__(self, error: str, description: str, status: int | None = None) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def _body_params() -> tuple[dict[str, str], str | None]:
    """The token request's body parameters and its media type."""
    mimetype = request.mimetype or None
    if mimetype == "application/json":
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise TokenError("invalid_request", "the JSON body is not an object")
        return {str(k): "" if v is None else str(v) for k, v in data.items()}, mimetype
    return request.form.to_dict(), mimetype


def token(ctx: RequestContext) -> Response:
    try:
        return _token(ctx)
    except TokenError as exc:
        return ctx.error("oauth", exc.error, exc.description, exc.status)


def _token(ctx: RequestContext) -> Response:
    p = ctx.provider
    rules = _rules(ctx)

    # RFC 6749 §3.2: "The client MUST use the HTTP POST method".
    if request.method not in rules.token_methods:
        f = ctx.flag(R.TOKEN_METHOD, "wrong HTTP method", list(rules.token_methods), request.method)
        if ctx.refuse(f):
            raise TokenError("invalid_request", f"{request.method} is not allowed here", 405)

    body, mimetype = _body_params()
    if body and mimetype not in rules.token_content_types:
        f = ctx.flag(
            R.TOKEN_CONTENT_TYPE,
            "the body is in a format the provider does not read",
            list(rules.token_content_types),
            mimetype,
        )
        if ctx.refuse(f):
            raise TokenError("invalid_request", f"unsupported content type {mimetype}")
    query = request.args.to_dict()
    query_accepted = rules.token_params_in_query or not ctx.strict
    params = {**query, **body} if query_accepted else dict(body)

    if check_headers(
        ctx, rules.token_headers, R.TOKEN_REQUIRED_HEADER, R.TOKEN_EXPECTED_HEADER, None
    ):
        raise TokenError("invalid_request", "a required header is missing or wrong")
    expected_headers = ctx.store.expectations.get(p.id, {}).get("token_headers", {})
    for name, value in expected_headers.items():
        if request.headers.get(name) != value:
            ctx.flag(
                R.CONN_TOKEN_HEADER,
                f"the configured header {name} did not arrive",
                {name: "[redacted]" if name.lower() == "authorization" else value},
                {name: "[redacted]" if request.headers.get(name) else None},
            )

    grant_type = params.get("grant_type")
    if not grant_type:
        if rules.grant_type_required:
            f = ctx.flag(R.TOKEN_GRANT_TYPE, "grant_type is missing", list(rules.grants), None)
            if ctx.refuse(f):
                raise TokenError("invalid_request", "missing grant_type")
        grant_type = "authorization_code"
    if grant_type not in rules.grants:
        ctx.flag(R.TOKEN_GRANT_TYPE, "unsupported grant_type", list(rules.grants), grant_type)
        raise TokenError("unsupported_grant_type", f"{grant_type} is not supported")

    creds = presented(request.headers.get("Authorization"), body, query)
    if grant_type == "authorization_code":
        code = _authorization_code(ctx, creds, params)
        refresh_ok = rules.refresh and (
            not rules.refresh_requires_scope or rules.refresh_requires_scope in code.grant.scope
        )
        access = _issue(ctx, code.grant, refresh_ok, with_id_token=True)
        code.issued_tokens.append(access[0])
        return access[1]
    client = _authenticate(ctx, creds, pkce_used=False, public_ok=rules.public_clients)
    if grant_type == "refresh_token":
        return _refresh(ctx, client, params)
    # client_credentials (RFC 6749 §4.4): a token for the client itself, no user.
    scope = split_scope(params.get("scope"), rules.scope_separator)
    return _issue(ctx, Grant(p.id, client.client_id, None, scope, {}), False)[1]


def _rules(ctx: RequestContext) -> OAuth2Rules:
    """The rules of the endpoint this request came to (Uber's legacy and v2 token URLs)."""
    rules = ctx.provider.rules_at(ctx.url_name)
    assert rules is not None
    return rules


def _unauthenticated(ctx: RequestContext) -> TokenError:
    """The provider's answer to a client that did not authenticate where it must."""
    answer = _rules(ctx).client_auth_error
    if answer is None:
        return TokenError("invalid_client", "client authentication failed", 401)
    return TokenError(answer.error, answer.description, answer.status)


def _answer_source(ctx: RequestContext, rule: R.Rule) -> str | None:
    answer = _rules(ctx).client_auth_error
    return f"{rule.source}; {answer.source}" if answer else None


def _authenticate(
    ctx: RequestContext, creds: PresentedCredentials, pkce_used: bool, public_ok: bool
) -> Client:
    """Check the client's credentials and where they were put (RFC 6749 §2.3).

    ``public_ok``: a client registered without a secret may go without one here
    (a code bound by PKCE, RFC 7636 §1; refresh and revoke where the provider lets
    public clients do them).
    """
    p = ctx.provider
    rules = _rules(ctx)
    if creds.malformed_basic:
        ctx.flag(R.TOKEN_CLIENT_AUTH, "malformed Basic credentials", "base64(id:secret)", "?")
        raise TokenError("invalid_client", "malformed Authorization header", 401)
    if len(creds.placements) > 1:
        ctx.flag(
            R.TOKEN_CLIENT_AUTH_MULTIPLE,
            "credentials sent in more than one place",
            "one of " + ", ".join(rules.client_auth_documented),
            creds.placements,
        )
    # Credentials also in a place the provider reads: the extra copy is ignored, not refused
    # (no source says a provider refuses both; X's answer names a *missing* Basic header).
    readable = any(place in rules.client_auth for place in creds.placements)
    for place in creds.placements:
        if place not in rules.client_auth:
            f = ctx.flag(
                R.TOKEN_CLIENT_AUTH_PLACEMENT,
                f"{p.name} does not read client credentials from {place}",
                list(rules.client_auth),
                place,
                "warning" if readable else None,
                source=_answer_source(ctx, R.TOKEN_CLIENT_AUTH_PLACEMENT),
            )
            if ctx.refuse(f):
                raise _unauthenticated(ctx)
        elif place not in rules.client_auth_documented:
            ctx.flag(
                R.TOKEN_CLIENT_AUTH_UNDOCUMENTED,
                f"{p.name} documents credentials in {', '.join(rules.client_auth_documented)}",
                list(rules.client_auth_documented),
                place,
            )
        if place == "query":
            ctx.flag(
                R.TOKEN_CLIENT_AUTH_QUERY, "client_secret in the URL", "body or Basic", "query"
            )
    client = ctx.store.client(p.id, creds.client_id)
    if client is None or creds.conflicting_ids:
        ctx.flag(
            R.TOKEN_CLIENT_AUTH, "unknown client_id", "a registered client_id", creds.client_id
        )
        raise TokenError("invalid_client", "unknown client", 401)
    if creds.secret is None and client.client_secret is None and public_ok:
        return client  # a public client (RFC 6749 §2.1)
    if creds.secret is None and pkce_used and client.client_secret is not None:
        # RFC 6749 §4.1.3: a client that was issued credentials MUST authenticate;
        # PKCE binds the code to the client, it does not replace its secret.
        refused = rules.pkce_without_secret == "refused"
        f = ctx.flag(
            R.TOKEN_PKCE_WITHOUT_SECRET,
            "a client registered with a secret sent none, relying on PKCE",
            "the client's secret, " + " or ".join(rules.client_auth_documented),
            None,
            "error" if refused else "warning",
            source=_answer_source(ctx, R.TOKEN_PKCE_WITHOUT_SECRET),
        )
        if ctx.refuse(f):
            raise _unauthenticated(ctx)
        return client
    if not secrets_match(creds.secret, client.client_secret):
        missing = creds.secret is None
        ctx.flag(
            R.TOKEN_CLIENT_AUTH,
            "missing client secret" if missing else "wrong client secret",
            "the client's secret",
            None if missing else "[redacted]",
            source=_answer_source(ctx, R.TOKEN_CLIENT_AUTH) if missing else None,
        )
        if missing and client.client_secret is not None:
            raise _unauthenticated(ctx)
        raise TokenError("invalid_client", "client authentication failed", 401)
    return client


def _authorization_code(
    ctx: RequestContext, creds: PresentedCredentials, params: dict[str, str]
) -> Code:
    store = ctx.store
    code = store.codes.get(params.get("code") or "")
    pkce_used = bool(code and code.code_challenge)
    client = _authenticate(ctx, creds, pkce_used=pkce_used, public_ok=pkce_used)
    with store.lock:
        if code is None or code.grant.client_id != client.client_id:
            message = "unknown authorization code"
            message = problem("authorization code", store.why_gone(params.get("code")), message)
            ctx.flag(R.TOKEN_CODE, message, "a code this client got", None)
            raise TokenError("invalid_grant", "Invalid authorization code")
        if code.used:
            # RFC 6749 §4.1.2: refuse, and revoke the tokens issued from the code.
            store.revoke_tokens(code.issued_tokens)
            ctx.flag(R.TOKEN_CODE_REPLAY, "authorization code used twice", "a fresh code", "replay")
            raise TokenError("invalid_grant", "Authorization code already used")
        code.used = True
    if code.expires_at <= store.now():
        ctx.flag(R.TOKEN_CODE, "authorization code expired", "an unexpired code", "expired")
        raise TokenError("invalid_grant", "Authorization code expired")
    # RFC 6749 §4.1.3: redirect_uri must be identical when the request had one.
    if code.redirect_uri is not None and params.get("redirect_uri") != code.redirect_uri:
        ctx.flag(
            R.TOKEN_REDIRECT_URI,
            "redirect_uri differs from the authorization request",
            code.redirect_uri,
            params.get("redirect_uri"),
        )
        raise TokenError("invalid_grant", "redirect_uri does not match")
    if code.code_challenge:
        verifier = params.get("code_verifier")
        if verifier and not _VERIFIER.fullmatch(verifier):
            # RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
            refused = _rules(ctx).pkce_verifier_format == "refused"
            f = ctx.flag(
                R.TOKEN_PKCE_VERIFIER_FORMAT,
                f"code_verifier is {len(verifier)} characters"
                + ("" if set(verifier) <= _UNRESERVED else " with some outside the unreserved set"),
                "43-128 characters of A-Z a-z 0-9 - . _ ~",
                f"{len(verifier)} characters",
                "error" if refused else "warning",
            )
            if ctx.refuse(f):
                raise TokenError("invalid_grant", "code_verifier is malformed")
        check = _PKCE_CHECKS.get(code.code_challenge_method or "plain", code_challenge_method_s256)
        if not verifier or not check(verifier, code.code_challenge):
            ctx.flag(
                R.TOKEN_PKCE_VERIFIER,
                "code_verifier missing" if not verifier else "code_verifier does not match",
                "the verifier behind the code_challenge",
                None if not verifier else "[redacted]",
            )
            raise TokenError("invalid_grant", "code_verifier does not match the challenge")
    return code


def _refresh(ctx: RequestContext, client: Client, params: dict[str, str]) -> Response:
    store = ctx.store
    rules = _rules(ctx)
    value = params.get("refresh_token", "")
    with store.lock:
        record = store.refresh_tokens.get(value)
        if record is not None and record.rotated_to:
            # Refused only where a source says the provider kills the old token; otherwise
            # the fake must not be stricter than the provider (PROVIDERS-AUDIT ranked 15).
            refused = rules.rotated_refresh_token_reuse == "refused"
            leeway = rules.rotated_refresh_token_leeway
            late = bool(leeway) and store.now() - record.rotated_at > leeway
            ctx.flag(
                R.TOKEN_REFRESH_ROTATED,
                "a refresh token that was already rotated out was used"
                + (f", more than {leeway} s after its rotation" if late else ""),
                "the refresh token from the latest response",
                "an old refresh token",
                "error" if refused or late else "warning",
            )
            if late:
                # Atlassian: "Reuse of old tokens outside the leeway interval invalidates all
                # refresh tokens" of the chain.
                _revoke_chain(store.refresh_tokens, value)
            if refused or late:
                raise TokenError("invalid_grant", "Invalid refresh token")
        if record is None or record.revoked or record.grant.client_id != client.client_id:
            message = "unknown or revoked refresh token"
            message = problem("refresh token", store.why_gone(value), message)
            ctx.flag(R.TOKEN_REFRESH, message, "a valid one", None)
            raise TokenError("invalid_grant", "Invalid refresh token")
        access, tok = store.issue_token(
            record.grant, rules.access_token_lifetime, with_refresh=rules.rotate_refresh_token
        )
        if rules.rotate_refresh_token:
            record.rotated_to, record.rotated_at = tok.refresh_token, store.now()
            record.revoked = rules.rotated_refresh_token_reuse == "refused"
        else:
            tok.refresh_token = value
    return _answer(ctx, record.grant, access, tok.refresh_token)


def _revoke_chain(tokens: dict[str, Any], value: str | None) -> None:
    """Revoke a refresh token and every one rotated from it after."""
    seen: set[str] = set()
    while value and value not in seen and value in tokens:
        seen.add(value)
        tokens[value].revoked = True
        value = tokens[value].rotated_to


def _issue(
    ctx: RequestContext, grant: Grant, refresh_ok: bool, with_id_token: bool = False
) -> tuple[str, Response]:
    rules = _rules(ctx)
    access, tok = ctx.store.issue_token(grant, rules.access_token_lifetime, refresh_ok)
    # OIDC Core §3.1.3.3: a code grant with the openid scope also returns an ID token.
    id_token = oidc.id_token(ctx, grant) if with_id_token else None
    return access, _answer(ctx, grant, access, tok.refresh_token, id_token)


def _answer(
    ctx: RequestContext, grant: Grant, access: str, refresh: str | None, id_token: str | None = None
) -> Response:
    """The token response in the provider's shape (RFC 6749 §5.1 plus its extras)."""
    p = ctx.provider
    rules, shape = p.oauth2, p.token_response
    assert rules is not None and shape is not None
    body: dict[str, Any] = {"access_token": access}
    if shape.token_type is not None:
        body["token_type"] = shape.token_type
    if rules.access_token_lifetime:
        body["expires_in"] = rules.access_token_lifetime
    if refresh:
        body["refresh_token"] = refresh
    if shape.scope == "string":
        body["scope"] = rules.scope_separator.join(grant.scope)
    elif shape.scope == "array":
        body["scope"] = list(grant.scope)
    elif shape.scope == "null":
        body["scope"] = None
    if id_token:
        body["id_token"] = id_token
    body.update(ctx.render(shape.extra, **template_context(ctx, grant)))
    # RFC 6749 §5.1: "Cache-Control: no-store" and "Pragma: no-cache".
    return json_response(body, 200, **{"Cache-Control": "no-store", "Pragma": "no-cache"})


def template_context(ctx: RequestContext, grant: Grant) -> dict[str, Any]:
    rules = ctx.provider.oauth2
    sep = rules.scope_separator if rules else " "
    user = grant.user
    return {
        "profile": user.profile if user else None,
        "login": user.login if user else None,
        "client_id": grant.client_id,
        "scope": sep.join(grant.scope),
        "scopes": list(grant.scope),
        "params": grant.params,
        "now": int(ctx.store.now()),
    }


def revoke(ctx: RequestContext) -> Response:
    """RFC 7009 §2: revoke an access or refresh token; unknown tokens are not an error.

    The caller authenticates as a client (RFC 7009 §2.1), as a public client with its
    client_id where the provider allows it, or, where the provider reads it that way
    (DigitalOcean), with ``Authorization: Bearer`` and the access token itself.
    """
    rules = _rules(ctx)
    try:
        body, _ = _body_params()
        query = request.args.to_dict()
        client_id = _revoking_client(ctx, rules, body, query)
    except TokenError as exc:
        return ctx.error("oauth", exc.error, exc.description, exc.status)
    value = {**query, **body}.get("token", "")
    store = ctx.store
    with store.lock:
        token = store.tokens.get(value)
        if token is not None and token.grant.client_id == client_id:
            store.revoke_tokens([value])
        refresh = store.refresh_tokens.get(value)
        if refresh is not None and refresh.grant.client_id == client_id:
            refresh.revoked = True
            for access in store.tokens.values():
                if access.refresh_token == value:
                    access.revoked = True
    if rules.revoke_response is not None:
        return json_response(ctx.render(rules.revoke_response))
    return Response(status=200)


def _revoking_client(
    ctx: RequestContext, rules: OAuth2Rules, body: dict[str, str], query: dict[str, str]
) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if "bearer" in rules.revoke_auth and scheme.lower() == "bearer":
        bearer = ctx.store.valid_token(value.strip(), ctx.provider.id)
        if bearer is None:
            ctx.flag(
                R.TOKEN_CLIENT_AUTH,
                "the Bearer token of the revoke request is not a valid access token",
                "a valid access token",
                "[redacted]",
            )
            raise TokenError("invalid_token", "The access token is invalid", 401)
        return bearer.grant.client_id
    creds = presented(header or None, body, query)
    return _authenticate(ctx, creds, pkce_used=False, public_ok=rules.public_clients).client_id
