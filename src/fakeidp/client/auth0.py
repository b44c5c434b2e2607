"""Import an Auth0 custom social connection (OAuth 2.0 or OAuth 1.0a) as a Connection.

The body is what the Management API's ``POST /api/v2/connections`` takes,
``{name, strategy, options}``, or the HAR request Auth0's docs print it in
(shared/seeds/002, the body in ``postData.text``). What the options mean:

- shared/seeds/000: ``authorizationURL``, ``tokenURL``, ``scope`` (Auth0 joins
  scopes with a comma unless "Separate scopes using a space" is on; the
  Management API calls that toggle ``useOauthSpecScope``), ``client_id``,
  ``client_secret``, ``scripts.fetchUserProfile``, static ``authParams``,
  dynamic ``authParamsMap``, and the "Custom Headers" for the token endpoint
  (``customHeaders``);
- shared/seeds/001: ``upstream_params``, ``{"value": ...}`` or ``{"alias": ...}``
  with the alias one of twelve /authorize fields;
- shared/seeds/002: the OAuth 1.0a options (``consumerKey``, ``consumerSecret``,
  ``requestTokenURL``, ``accessTokenURL``, ``userAuthorizationURL``,
  ``signatureMethod``; for RSA-SHA1 the consumer secret is the PEM private key).

Auth0 sends client credentials in the token request body (node-oauth) and,
unless ``pkce_enabled`` is set, no PKCE.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from .auth0_json import parse_json
from .auth0_script import ProfileScript, read_fetch_user_profile
from .connection import SIGNATURE_METHODS, Connection, ConnectionError
from .importing import (
    Options,
    check_url,
    json_type,
    match_endpoint,
    match_profile,
    profile_headers,
    reraise,
)

# shared/seeds/001 "Available fields": what an upstream_params alias may name.
ALIAS_FIELDS = (
    "acr_values",
    "audience",
    "client_id",
    "display",
    "id_token_hint",
    "login_hint",
    "max_age",
    "prompt",
    "resource",
    "response_mode",
    "response_type",
    "ui_locales",
)
SCRIPT_KEY = "scripts.fetchUserProfile"

# Connection field -> the Auth0 key it comes from, for Connection.validate() errors.
_KEYS = {
    "client_id": "options.client_id",
    "authorize_url": "options.authorizationURL",
    "token_url": "options.tokenURL",
    "request_token_url": "options.requestTokenURL",
    "access_token_url": "options.accessTokenURL",
    "signature_method": "options.signatureMethod",
    "profile_auth": f"options.{SCRIPT_KEY}",
}


def from_auth0(
    data: Mapping[str, Any] | str,
    *,
    forgiving: bool = False,
    source: str = "auth0 connection",
    client_id: str | None = None,
    client_secret: str | None = None,
) -> Connection:
    """A Connection from an Auth0 connection body or the HAR request that carries one.

    ``forgiving=True`` repairs the two slips in Auth0's published examples
    (a ``,`` where ``:`` belongs, missing closing brackets); anything else
    wrong is a :class:`ConnectionError` naming the key. ``client_id`` and
    ``client_secret`` replace the body's (which are often placeholders).
    """
    body = Options(_load(data, forgiving, source), "", source)
    strategy = body.string("strategy")
    options = body.section("options")
    if options is None:
        raise body.error(
            "options",
            "is missing: expected an Auth0 connection body {name, strategy, options} "
            "or a HAR request whose postData.text holds one",
        )
    if strategy is None:
        strategy = "oauth1" if "requestTokenURL" in options else "oauth2"
    if strategy not in ("oauth2", "oauth1"):
        raise body.error(
            "strategy",
            f"expected 'oauth2' or 'oauth1' (a custom social connection), got {strategy!r}",
        )
    static, dynamic = _params(options)
    fields: dict[str, Any] = dict(
        name=body.string("name") or "",
        protocol=strategy,
        static_params=static,
        dynamic_params=dynamic,
    )
    if strategy == "oauth2":
        fields.update(_oauth2(options, client_id, client_secret))
        token_url = fields["token_url"]
    else:
        fields.update(_oauth1(options, client_id, client_secret))
        token_url = fields["access_token_url"]
    fields.update(_profile(options, strategy, token_url))
    try:
        return Connection(**fields)
    except ConnectionError as exc:
        raise reraise(exc, _KEYS, source) from None


def _load(data: Mapping[str, Any] | str, forgiving: bool, source: str) -> Mapping[str, Any]:
    if isinstance(data, str):
        data = parse_json(data, "(document)", forgiving, source)
    if not isinstance(data, Mapping):
        raise ConnectionError(
            "(document)", f"expected a JSON object, got {json_type(data)}", source
        )
    if "postData" not in data:
        return data
    # A HAR request (shared/seeds/002): the connection body is the text of postData.
    post = Options(data, "", source).section("postData", required=True)
    assert post is not None
    text = post.string("text", required=True)
    assert text is not None
    body = parse_json(text, "postData.text", forgiving, source)
    if not isinstance(body, Mapping):
        raise post.error("text", f"expected a JSON object, got {json_type(body)}")
    return body


def _params(options: Options) -> tuple[dict[str, str], dict[str, str]]:
    """Static and dynamic authorize params: authParams, authParamsMap, upstream_params."""
    static = options.str_map("authParams")
    # authParamsMap: provider param -> the Auth0 /authorize param its value comes from.
    dynamic = options.str_map("authParamsMap", "parameter name (string)")
    upstream = options.section("upstream_params")
    for name in upstream or ():
        assert upstream is not None
        spec = upstream.section(name)
        if spec is None or ("value" in spec) == ("alias" in spec):
            raise upstream.error(
                name, 'expected {"value": "<static value>"} or {"alias": "<field>"}'
            )
        if "value" in spec:
            value = spec.string("value", required=True)
            assert value is not None
            static[name] = value
            continue
        alias = spec.string("alias", required=True)
        if alias not in ALIAS_FIELDS:
            raise spec.error(
                "alias",
                f"{alias!r} is not a field Auth0 can alias; expected one of "
                + ", ".join(ALIAS_FIELDS),
            )
        assert alias is not None
        dynamic[name] = alias
    return static, dynamic


def _credentials(
    options: Options,
    id_keys: tuple[str, ...],
    secret_keys: tuple[str, ...],
    client_id: str | None,
    client_secret: str | None,
) -> tuple[str, str | None, str]:
    id_key = next((k for k in id_keys if k in options), id_keys[0])
    secret_key = next((k for k in secret_keys if k in options), secret_keys[0])
    found_id, found_secret = options.string(id_key), options.string(secret_key)
    cid = client_id or found_id
    if not cid:
        raise options.error(id_key, "is missing (or pass client_id=)")
    return cid, client_secret or found_secret, secret_key


def _oauth2(options: Options, client_id: str | None, client_secret: str | None) -> dict[str, Any]:
    cid, secret, _key = _credentials(
        options, ("client_id",), ("client_secret",), client_id, client_secret
    )
    scope = options.get("scope")
    if scope is None:
        scopes: tuple[str, ...] = ()
    elif isinstance(scope, str):
        scopes = tuple(scope.split())  # "Separate multiple scopes with spaces" (seed 000)
    elif isinstance(scope, list) and all(isinstance(s, str) for s in scope):
        scopes = tuple(scope)
    else:
        raise options.error(
            "scope",
            f"expected a string of space-separated scopes or an array of strings, "
            f"got {json_type(scope)}",
        )
    return dict(
        client_id=cid,
        client_secret=secret,
        authorize_url=options.url("authorizationURL"),
        token_url=options.url("tokenURL"),
        scopes=scopes,
        # seed 000: "By default, scopes are delimited by a comma. If the toggle is
        # enabled, scopes are delimited by a space."
        scope_separator=" " if options.boolean("useOauthSpecScope", False) else ",",
        token_headers=options.str_map("customHeaders", "header value (string)"),
        client_auth="body",
        pkce=options.boolean("pkce_enabled", False),
    )


def _oauth1(options: Options, client_id: str | None, client_secret: str | None) -> dict[str, Any]:
    cid, secret, secret_key = _credentials(
        options,
        ("consumerKey", "client_id"),
        ("consumerSecret", "client_secret"),
        client_id,
        client_secret,
    )
    method = options.string("signatureMethod") or "HMAC-SHA1"
    if method not in SIGNATURE_METHODS:
        raise options.error(
            "signatureMethod", f"expected one of {', '.join(SIGNATURE_METHODS)}, got {method!r}"
        )
    fields: dict[str, Any] = dict(
        client_id=cid,
        client_secret=secret,
        authorize_url=options.url("userAuthorizationURL"),
        request_token_url=options.url("requestTokenURL"),
        access_token_url=options.url("accessTokenURL"),
        signature_method=method,
    )
    if method == "RSA-SHA1":
        # seed 002 (JIRA): "CONSUMER_SECRET: The previously generated private key".
        try:
            load_pem_private_key((secret or "").encode(), password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise options.error(
                secret_key,
                "signatureMethod RSA-SHA1 takes the PEM private key here "
                "('-----BEGIN PRIVATE KEY-----...', unencrypted); this value is not one",
            ) from None
        fields.update(client_secret=None, rsa_private_key=secret)
    return fields


def _profile(options: Options, strategy: str, token_url: str) -> dict[str, Any]:
    """Profile URL, scheme, headers and user id path: from the script, else a fixture."""
    scripts = options.section("scripts")
    script = scripts.string("fetchUserProfile") if scripts else None
    read = read_fetch_user_profile(script, oauth1=strategy == "oauth1") if script else None
    spec = read or ProfileScript(auth="oauth1" if strategy == "oauth1" else None)
    url, auth, headers, user_id = spec.url, spec.auth, spec.headers, spec.user_id_path
    query: dict[str, str] = {}
    if url is None or auth is None or user_id is None:
        # Fill in what the script does not say from the built-in provider it talks to.
        match = match_profile(url) if url is not None else None
        if match is None:
            # A URL no provider has (read wrong, or built at run time): the token URL's
            # provider fills in; running the script in Node.js judges what it really calls.
            provider = match_endpoint(token_url, "token", "access_token")
            match = (provider, provider.primary_profile) if provider else None
            if match is not None:
                url = None
        if match is None:
            raise options.error(SCRIPT_KEY, _unreadable(script, spec, url, token_url))
        provider, profile = match
        if url is None:
            url, headers = provider.real_url(profile.endpoint), profile_headers(profile)
            query = dict(profile.query)
        auth = auth or profile.auth[0]
        user_id = user_id or profile.user_id
    for step_url in (url, *(step for step, _path in spec.steps)):
        check_url(step_url, lambda message: options.error(SCRIPT_KEY, f"its profile {message}"))
    return dict(
        profile_url=url,
        profile_auth=auth,
        profile_headers=headers,
        profile_query=query,
        user_id_path=user_id,
        profile_steps=spec.steps,
        profile_script=script,
    )


def _unreadable(script: str | None, spec: ProfileScript, url: str | None, token_url: str) -> str:
    if script is None:
        what = "is missing"
    else:
        gaps = [
            name
            for name, value in (
                ("the profile URL", spec.url),
                ("how it sends the access token", spec.auth),
                ("where the user id is", spec.user_id_path),
            )
            if value is None
        ]
        what = "could not be read: it does not show " + ", ".join(gaps)
    where = f"the profile URL {url}" if url else f"the token URL {token_url}"
    return f"{what}, and no built-in provider has {where} to fill in from"


__all__ = ["ALIAS_FIELDS", "from_auth0"]
