"""What to change, in the terms of the connector under test, when a check fails.

Every failed or warned result's message ends with a fix: for an Auth0
connection the option or dashboard toggle (shared/seeds/000-002, the names
the Management API and the importer in :mod:`fakeidp.client.auth0` use), for
an integration.app connector the ``getOAuthConfig`` key (seeds 003-004), for
the reference client the :class:`~fakeidp.client.Connection` field, and for
an adapter or an HTTP app the request it must send.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from ..providers.model import Provider

Dialect = Literal["auth0", "integration-app", "reference", "code"]
DIALECTS: tuple[Dialect, ...] = ("auth0", "integration-app", "reference", "code")


def _j(value: Any) -> str:
    return json.dumps(value, default=str)


def _in(d: Dialect, **by: str) -> str:
    return by.get(d.replace("-", "_")) or by["code"]


def _scopes(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    sep = p.oauth2.scope_separator if p.oauth2 else " "
    if rule == "connection.authorize.scope":
        return _in(
            d,
            auth0=f"list exactly these scopes in options.scope: {_j(expected)}",
            integration_app=f"list exactly these scopes in `scopes`: {_j(expected)}",
            reference=f"Connection(scopes={tuple(expected or ())!r})",
            code=f"request exactly these scopes: {_j(expected)}",
        )
    name = "a space" if sep == " " else repr(sep)
    toggle = (
        'turn on "Separate scopes using a space" (options.useOauthSpecScope: true)'
        if sep == " "
        else 'turn off "Separate scopes using a space" (options.useOauthSpecScope: false): '
        f"Auth0 then joins scopes with {name}"
    )
    return _in(
        d,
        auth0=toggle,
        integration_app=f"give `scopes` as one string joined with {name}",
        reference=f"Connection(scope_separator={sep!r})",
        code=f"join the scope parameter's values with {name} ({p.name}'s separator)",
    )


def _static(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    return _in(
        d,
        auth0=f"add {_j(expected)} to options.authParams "
        '(or upstream_params: {"<name>": {"value": "..."}})',
        integration_app=f"add {_j(expected)} to `extra`",
        reference=f"Connection(static_params={expected!r})",
        code=f"add {_j(expected)} to the authorization URL's query",
    )


def _dynamic(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    return _in(
        d,
        auth0="map the parameter from the login request in options.authParamsMap "
        '(or upstream_params: {"<name>": {"alias": "<login field>"}})',
        integration_app="pass the value through `extra` from a connector parameter "
        "({$var: connectorParameters.<name>})",
        reference="Connection(dynamic_params={<provider parameter>: <login parameter>})",
        code=f"copy the login request's parameter into the authorization URL: {_j(expected)}",
    )


def _state(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    return (
        "send a fresh random state of at least 128 bits with every authorization request "
        "(RFC 6749 §10.10), kept in the user's session"
    )


def _callback_state(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    param = "state" if p.protocol == "oauth2" else "oauth_token"
    return (
        f"compare the callback's {param} with the one kept in the user's session and refuse "
        "a missing or different one before calling the token endpoint"
    )


def _pkce(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    policy = p.oauth2.pkce if p.oauth2 else "optional"
    if policy == "unsupported":
        return _in(
            d,
            auth0="remove options.pkce_enabled",
            integration_app="set `skipPkce: true`",
            reference="Connection(pkce=False)",
            code=f"send no code_challenge: {p.name} does not support PKCE",
        )
    if rule == "oauth2.token.code_verifier":
        return (
            "send the code_verifier whose S256 hash was the code_challenge, "
            "with the token request of the same login (RFC 7636 §4.5)"
        )
    return _in(
        d,
        auth0="set options.pkce_enabled: true (Auth0 then sends an S256 code_challenge)",
        integration_app="remove `skipPkce` (or set it to false)",
        reference='Connection(pkce=True, pkce_method="S256")',
        code="send code_challenge with code_challenge_method=S256, and the code_verifier "
        "with the token request (RFC 7636 §4.2)",
    )


def _client_auth(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    places = p.oauth2.client_auth_documented if p.oauth2 else ("body",)
    basic = "basic" in places and "body" not in places
    if d == "auth0":
        if basic:
            return (
                "Auth0 sends client_id and client_secret in the token request body; "
                f"{p.name} wants HTTP Basic: add an Authorization header "
                '("Basic " + base64 of client_id:client_secret) to options.customHeaders'
            )
        return "remove any Authorization header from options.customHeaders (the body is enough)"
    if d == "integration-app":
        return f"set `clientAuthLocation: {'headers' if basic else 'body'}`"
    if d == "reference":
        return f'Connection(client_auth="{"basic" if basic else "body"}")'
    where = "an HTTP Basic Authorization header" if basic else "the form body"
    return f"send the client credentials in {where} only, once ({p.name}'s documented place)"


def _custom_headers(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    return _in(
        d,
        auth0=f"add {_j(expected)} to options.customHeaders",
        integration_app="integration.app's OAuth config has no token-request headers: send "
        f"{_j(expected)} from the connector's code",
        reference=f"Connection(token_headers={expected!r})",
        code=f"send the header(s) {_j(expected)} with the token request",
    )


def _profile(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    profile = p.primary_profile
    headers = {h.name: h.example or h.value for h in profile.headers}
    how = f"the token as {' or '.join(profile.auth) or 'Bearer'}" + (
        f" and the header(s) {_j(headers)}" if headers else ""
    )
    return _in(
        d,
        auth0=f"in scripts.fetchUserProfile, call {p.name}'s profile API with {how}",
        integration_app=f"in the connector's credentials code, call the profile API with {how}",
        reference=f"Connection(profile_auth=..., profile_headers=...): send {how}",
        code=f"call {p.name}'s profile API with {how}",
    )


def _profile_scopes(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    needs = next((pr.scopes for pr in p.profiles if pr.scopes and pr.scopes.asked()), None)
    if needs is None:
        return f"ask for the scopes {p.name}'s API documents for the calls the connector makes"
    scopes = list(needs.asked())
    other = f" (or another of {', '.join(needs.any_of)})" if needs.any_of else ""
    return _in(
        d,
        auth0=f"add {_j(scopes)} to options.scope{other}",
        integration_app=f"add {_j(scopes)} to `scopes`{other}",
        reference=f"Connection(scopes=...): include {_j(scopes)}{other}",
        code=f"ask for the scopes {' '.join(scopes)} in the authorization request{other}",
    )


_PLACES: dict[str, dict[str, str]] = {
    "oauth2.token.": {
        "auth0": "the token request (its headers: options.customHeaders)",
        "integration_app": "the token request",
        "reference": "the token request (Connection.token_headers, client_auth)",
        "code": "the token request",
    },
    "api.": {
        "auth0": "the profile call in scripts.fetchUserProfile",
        "integration_app": "the profile call in the connector's code",
        "reference": "the profile call (Connection.profile_headers, profile_auth)",
        "code": "the profile call",
    },
    "oauth2.authorize.": {
        "auth0": "the authorization URL (options.authorizationURL, authParams)",
        "integration_app": "the authorization URL (`authorizeUri`, `extra`)",
        "reference": "the authorization URL (Connection.authorize_url, static_params)",
        "code": "the authorization URL",
    },
}


def _by_rule(p: Provider, d: Dialect, rule: str, expected: Any) -> str:
    """A finding no specific hint covers: where to change what, by the rule's area."""
    for prefix, places in _PLACES.items():
        if rule.startswith(prefix):
            where = _in(d, **places)
            break
    else:
        where = "the request"
    return f"change {where} so that {rule} holds: {p.name} expects {_j(expected)}"


def _login(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    if rule:  # the login completed but broke a rule no other check judges
        return _by_rule(p, d, rule, expected)
    path = p.primary_profile.user_id
    return _in(
        d,
        auth0=f"in scripts.fetchUserProfile, pass cb a profile whose user_id comes from {path!r} "
        f"of {p.name}'s profile answer",
        integration_app=f"take the user id from {path!r} of {p.name}'s profile answer",
        reference=f'Connection(user_id_path="{path}")',
        code=f"complete the login and report the user id at {path!r} of the profile answer",
    )


def _denied(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    what = "error=access_denied" if p.protocol == "oauth2" else "the denial"
    return (
        f"on {what} at the callback, end the login as cancelled and call no token endpoint "
        "(RFC 6749 §4.1.2.1)"
    )


def _token_error(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    return (
        "check the token answer's status and that its body is JSON with an access_token; "
        "report anything else as a failed login, never as a logged-in user"
    )


def _refresh(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    rotates = p.oauth2 is not None and p.oauth2.rotate_refresh_token
    keep = "; store the new refresh_token each answer brings (it rotates)" if rotates else ""
    return _in(
        d,
        integration_app="remove `noRefreshToken` (or set it to false)" + keep,
        reference="Connection(refresh=True)" + keep,
        code="keep the refresh_token, and when the access token expires send "
        f"grant_type=refresh_token to the token endpoint{keep}",
    )


def _signature(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    methods = p.oauth1.signature_methods if p.oauth1 else ("HMAC-SHA1",)
    method = methods[0]
    if rule in (None, "oauth1.signature.method"):
        pem = " and the PEM private key as options.consumerSecret" if method == "RSA-SHA1" else ""
        return _in(
            d,
            auth0=f'set options.signatureMethod: "{method}"{pem}',
            reference=f'Connection(signature_method="{method}")',
            code=f"sign with {method}",
        )
    return (
        "build the signature base string from the method, the URL without its query and every "
        "oauth_ and request parameter, sorted and encoded (RFC 5849 §3.4.1)"
    )


def _verifier(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    return "send the callback's oauth_verifier with the access-token request (RFC 5849 §2.3)"


def _nonce(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    return (
        "sign every request with a new random oauth_nonce and the current oauth_timestamp "
        "(RFC 5849 §3.3)"
    )


def _lifecycle(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
    what = f"the current API ({_j(expected)})" if expected else f"{p.name}'s current URLs"
    return _in(
        d,
        auth0=f"point options.authorizationURL, tokenURL and scripts.fetchUserProfile at {what}",
        integration_app=f"point `authorizeUri`, `tokenUri` and the profile call at {what}",
        reference=f"Connection(authorize_url=..., token_url=..., profile_url=...) on {what}",
        code=f"call {what} instead of the retired or deprecated one",
    )


# Checks of how a connector reads answers: the fix is the same in every connector's terms
# (a platform such as Auth0 does this itself; the hint then says what it must do).
ANSWER_FIXES: dict[str, str] = {
    "answer.token_type_case": 'compare token_type case-insensitively ("bearer" is "Bearer", '
    "RFC 6749 §5.1)",
    "answer.scope_format": "accept the granted scope as a space-separated string or a JSON array",
    "answer.no_expires_in": "treat a missing expires_in as unknown (use the token until it is "
    "refused), not as an error",
    "answer.expires_in_string": 'accept expires_in as a number or a numeric string ("3600")',
    "answer.extra_fields": "ignore unknown fields in the token answer (RFC 6749 §5.1)",
    "answer.refresh_keeps_refresh_token": "keep the old refresh token when a refresh answer "
    "brings none (RFC 6749 §6)",
    "answer.error_uri": "treat every error redirect as a failed login, with or without error_uri",
    "answer.authorization_iss": "compare the authorization response's iss with the issuer and "
    "refuse another (RFC 9207 §2.4)",
    "id_token.signature": "verify the ID token's signature with the key from jwks_uri",
    "id_token.alg_none": "refuse alg none: accept only the algorithms the discovery document lists",
    "id_token.issuer": "compare the ID token's iss with the discovery document's issuer, exactly",
    "id_token.audience": "refuse an ID token whose aud does not contain your client_id",
    "id_token.audiences_without_azp": "with several audiences, require azp equal to your "
    "client_id (OIDC Core §3.1.3.7)",
    "id_token.expired": "refuse an ID token whose exp has passed",
    "id_token.iat_future": "refuse an ID token whose iat is in the future beyond a small leeway",
    "id_token.sub": "refuse an ID token without sub",
    "id_token.nonce": "compare the ID token's nonce with the one the authorization request sent",
    "id_token.nonce_missing": "refuse an ID token without the nonce you sent",
    "id_token.kid_absent_single_key": "without a kid, verify with the JWKS's only key",
    "id_token.kid_absent_several_keys": "without a kid and with several keys, refuse the token "
    "or try each key",
    "id_token.key_rotation": "fetch jwks_uri again when the ID token's kid is unknown",
    "userinfo.sub": "refuse a UserInfo answer whose sub is not the ID token's (OIDC Core §5.3.2)",
    "discovery.issuer": "refuse a discovery document whose issuer is not where it was fetched "
    "from (Discovery §4.3)",
}


def _answer_fix(text: str) -> Hint:
    def hint(p: Provider, d: Dialect, rule: str | None, expected: Any) -> str:
        if d in ("auth0", "integration-app"):
            platform = "Auth0" if d == "auth0" else "integration.app"
            return f"{text} ({platform} does this, not the configuration: report it to them)"
        return text

    return hint


Hint = Callable[[Provider, Dialect, "str | None", Any], str]
HINTS: dict[str, Hint] = {
    "login": _login,
    "authorize.static_params": _static,
    "authorize.dynamic_params": _dynamic,
    "authorize.scopes": _scopes,
    "authorize.state": _state,
    "callback.state": _callback_state,
    "authorize.pkce": _pkce,
    "token.client_auth": _client_auth,
    "token.custom_headers": _custom_headers,
    "profile.request": _profile,
    "profile.scopes": _profile_scopes,
    "authorize.denied": _denied,
    "token.invalid_grant": _token_error,
    "token.server_error": _token_error,
    "token.malformed_response": _token_error,
    "token.refresh": _refresh,
    "oauth1.signature": _signature,
    "oauth1.verifier": _verifier,
    "oauth1.nonce": _nonce,
    "provider.lifecycle": _lifecycle,
    **{check: _answer_fix(text) for check, text in ANSWER_FIXES.items()},
}


def fix_for(
    check: str,
    provider: Provider,
    dialect: Dialect,
    findings: Sequence[Mapping[str, Any]] = (),
    expected: Any = None,
) -> str:
    """The fix for a failed ``check`` at ``provider``, in ``dialect``'s terms."""
    rule = next((f.get("rule") for f in findings if f.get("severity") == "error"), None) or next(
        (f.get("rule") for f in findings), None
    )
    hint = HINTS.get(check)
    if hint is not None:
        return hint(provider, dialect, rule, expected)
    if rule:  # a check this module does not know yet: the rule it broke says what to do
        return _by_rule(provider, dialect, rule, expected)
    return f"make the connector do what is expected: {_j(expected)}"


def with_fix(message: str, fix: str) -> str:
    return f"{message.rstrip('. ')}. Fix: {fix}"
