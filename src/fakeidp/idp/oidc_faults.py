"""Faults that break an OpenID Connect answer in exactly one way, and legal-but-unusual
OAuth 2.0 answers (see :mod:`.faults` for how faults are injected).

The ID-token kinds mirror the OpenID Foundation's relying-party tests: the
ID token in the token response is re-issued with one defect (a bad RS256
signature, ``alg: none``, another issuer or audience, expired, issued in the
future, no ``sub``, another or no ``nonce``, no ``kid``) or signed with a key
that the JWKS publishes only from then on (a rotation). ``userinfo_sub`` and
``discovery_issuer`` break the UserInfo answer and the discovery document.

The answer kinds alter a correct token response into one that is still legal
(RFC 6749 §5.1): ``token_type`` in another case (it is case insensitive),
``scope`` as a string instead of an array or the reverse, ``expires_in`` as a
string, unknown extra fields (clients "MUST ignore unrecognized value names"),
and a refresh answer without a new refresh token (§6: the server "MAY issue a
new refresh token"; the old one stays valid).
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from typing import TYPE_CHECKING, Any

import jwt
from flask import Response, request

from ..providers.model import Provider

if TYPE_CHECKING:
    from .context import RequestContext
    from .faults import Fault

# kind -> what it does (for error messages, the README and the OpenAPI document).
ID_TOKEN_KINDS: dict[str, str] = {
    "id_token_bad_signature": "the RS256 signature does not verify",
    "id_token_alg_none": "unsigned, with alg none",
    "id_token_issuer": "iss is another issuer",
    "id_token_audience": "aud (and azp) is another client",
    "id_token_audiences": "aud lists the client and another one, and there is no azp",
    "id_token_expired": "exp is an hour ago",
    "id_token_iat_future": "iat is a day from now",
    "id_token_no_sub": "no sub claim",
    "id_token_nonce": "nonce is not the one the client sent",
    "id_token_no_nonce": "no nonce claim although the client sent one",
    "id_token_no_kid": "no kid in the header; the JWKS has one key",
    "id_token_no_kid_several_keys": "no kid, signed with a second key the JWKS now also holds",
    "id_token_key_rotated": "signed with a new key that only a refetched JWKS holds",
}
OTHER_OIDC_KINDS: dict[str, str] = {
    "userinfo_sub": "UserInfo's sub differs from the ID token's",
    "discovery_issuer": "the discovery document's issuer is not the URL it was fetched from",
    "authorization_iss_wrong": "the authorization response's iss (RFC 9207) is another issuer",
}
ANSWER_KINDS: dict[str, str] = {
    "token_type_case": "token_type in another letter case",
    "scope_format": "scope as a string where it is an array, or as an array where a string",
    "expires_in_string": 'expires_in as a string ("3600")',
    "extra_fields": "unknown extra fields in the token response",
    "no_new_refresh_token": "a refresh answer without a refresh token (the old one stays valid)",
}
KINDS: dict[str, str] = {**ID_TOKEN_KINDS, **OTHER_OIDC_KINDS, **ANSWER_KINDS}

OTHER_ISSUER = "https://other-issuer.example"
OTHER_CLIENT = "another-client-id"
OTHER_SUBJECT = "fakeidp-another-subject"
EXTRA_FIELDS = {
    "fakeidp_unknown": "a field no connector knows",
    "fakeidp_unknown_object": {"nested": [1, 2, 3], "flag": True},
}
ROTATED = "oidc.key_rotated"  # store.extra: the second key is in the JWKS from now on


def applies(kind: str, provider: Provider, endpoint: str) -> bool:
    """Where each kind of this module makes sense."""
    if kind in ID_TOKEN_KINDS:
        return provider.oidc is not None and endpoint == "token"
    if kind == "userinfo_sub":
        return provider.oidc is not None and endpoint == "userinfo"
    if kind == "discovery_issuer":
        return provider.oidc is not None and endpoint == "discovery"
    if kind == "authorization_iss_wrong":  # only where the provider sends iss at all
        oidc = provider.oidc
        return oidc is not None and oidc.authorization_response_iss and endpoint == "authorize"
    return provider.protocol == "oauth2" and endpoint == "token"


def published_keys(ctx: RequestContext) -> list[dict[str, Any]]:
    """The JWKS: the signing key, and the second one once a rotation fault published it."""
    keys = [ctx.store.signing_key().jwk()]
    if ctx.store.extra.get(ROTATED):
        keys.append(ctx.store.second_signing_key().jwk())
    return keys


def alter(fault: Fault, ctx: RequestContext, normal: Response) -> Response | None:
    """The normal answer broken as ``fault.kind`` says, or None when it has nothing to alter."""
    if fault.kind == "authorization_iss_wrong":
        return _other_iss(normal)
    if normal.status_code != 200 or normal.mimetype != "application/json":
        return None
    try:
        body = json.loads(normal.get_data())
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    kind = fault.kind
    if kind in ID_TOKEN_KINDS:
        if not isinstance(body.get("id_token"), str):
            return None  # no openid scope, no ID token: wait for a login that has one
        token = _id_token(kind, ctx, body["id_token"])
        if token is None:
            return None
        body["id_token"] = token
    elif kind == "userinfo_sub":
        body["sub"] = OTHER_SUBJECT
    elif kind == "discovery_issuer":
        body["issuer"] = OTHER_ISSUER
    elif not _answer(kind, ctx, body):
        return None
    headers = [(k, v) for k, v in normal.headers.items() if k.lower() != "content-length"]
    response = Response(json.dumps(body), normal.status_code, headers=headers)
    response.fakeidp_body = body  # type: ignore[attr-defined]  # what the exchange records
    return response


def _other_iss(normal: Response) -> Response | None:
    """The redirect with another issuer's iss (RFC 9207 §2), the rest as it was."""
    location = normal.headers.get("Location")
    if location is None:
        return None
    parts = urllib.parse.urlsplit(location)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if "iss" not in [k for k, _ in query]:
        return None
    query = [(k, OTHER_ISSUER if k == "iss" else v) for k, v in query]
    url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    return Response(status=302, headers={"Location": url, "Cache-Control": "no-store"})


def _id_token(kind: str, ctx: RequestContext, token: str) -> str | None:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    key = ctx.store.signing_key()
    if kind == "id_token_bad_signature":
        return _corrupt_signature(token)
    if kind == "id_token_alg_none":
        return jwt.encode(claims, "", algorithm="none")
    if kind in ("id_token_no_kid", "id_token_no_kid_several_keys", "id_token_key_rotated"):
        if kind != "id_token_no_kid":
            key = ctx.store.second_signing_key()
            ctx.store.extra[ROTATED] = True
        kid = {"kid": key.kid} if kind == "id_token_key_rotated" else {}
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers=kid or None)
    if kind == "id_token_issuer":
        claims["iss"] = OTHER_ISSUER
    elif kind == "id_token_audience":
        claims["aud"] = claims["azp"] = OTHER_CLIENT
    elif kind == "id_token_audiences":
        claims["aud"] = [claims["aud"], OTHER_CLIENT]
        claims.pop("azp", None)
    elif kind == "id_token_expired":
        shift = int(claims["exp"]) - int(claims["iat"]) + 3600
        for name in ("iat", "exp", "auth_time"):
            if name in claims:
                claims[name] = int(claims[name]) - shift
    elif kind == "id_token_iat_future":
        for name in ("iat", "exp"):
            claims[name] = int(claims[name]) + 86400
    elif kind == "id_token_no_sub":
        del claims["sub"]
    elif kind == "id_token_nonce":
        claims["nonce"] = "fakeidp-another-nonce-" + ctx.store.new_secret(8)
    elif kind == "id_token_no_nonce":
        if "nonce" not in claims:
            return None  # the client sent none: nothing to leave out
        del claims["nonce"]
    return key.sign(claims)


def _corrupt_signature(token: str) -> str:
    """The same header and claims with a signature that does not verify (one byte flipped)."""
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0xFF
    return ".".join([header, payload, base64.urlsafe_b64encode(raw).rstrip(b"=").decode()])


def _answer(kind: str, ctx: RequestContext, body: dict[str, Any]) -> bool:
    """Alter a token response in place; False when it has nothing to alter."""
    if kind == "token_type_case":
        value = body.get("token_type")
        if not isinstance(value, str) or not value:
            return False
        # RFC 6749 §5.1: "bearer" and "Bearer" are the same token type.
        body["token_type"] = value.capitalize() if value == value.lower() else value.lower()
    elif kind == "scope_format":
        rules = ctx.provider.oauth2
        sep = rules.scope_separator if rules else " "
        scope = body.get("scope")
        if isinstance(scope, list):
            body["scope"] = sep.join(str(s) for s in scope)
        elif isinstance(scope, str):
            body["scope"] = [s for s in scope.split(sep) if s]
        else:
            return False
    elif kind == "expires_in_string":
        if not isinstance(body.get("expires_in"), int):
            return False
        body["expires_in"] = str(body["expires_in"])
    elif kind == "extra_fields":
        body.update(EXTRA_FIELDS)
    elif kind == "no_new_refresh_token":
        return _without_new_refresh_token(ctx, body)
    return True


def _without_new_refresh_token(ctx: RequestContext, body: dict[str, Any]) -> bool:
    """RFC 6749 §6: no new refresh token, so the one the client sent stays the valid one."""
    params = {**request.args.to_dict(), **request.form.to_dict()}
    if params.get("grant_type") != "refresh_token" or "refresh_token" not in body:
        return False
    old, new = params.get("refresh_token", ""), body.pop("refresh_token")
    store = ctx.store
    with store.lock:
        if new != old and new in store.refresh_tokens:
            store.refresh_tokens[new].revoked = True
        record = store.refresh_tokens.get(old)
        if record is not None:
            record.revoked, record.rotated_to = False, None
        for token in store.tokens.values():
            if token.refresh_token == new:
                token.refresh_token = old
    return True
