"""Import an integration.app OAuth2 connector config as a Connection.

The config is the ``getOAuthConfig`` mapping (shared/seeds/003, 004:
``auth/get-oauth-config.map.yml``): ``clientId``, ``clientSecret`` (often
``{$var: connectorParameters.clientId}``), ``authorizeUri``, ``tokenUri``,
``scopes``, ``clientAuthLocation`` ("headers", "body", or both when not
specified), ``noRefreshToken``, ``skipPkce`` and ``extra`` (additional
authorize parameters).

integration.app has no profile setting (its ``getCredentialsFromTokenResponse``
hook is code), so the profile URL and user id path are arguments, or come
from the built-in provider whose token URL the config uses.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

import yaml

from ..providers.model import ProfileEndpoint, Provider
from ..templating import get_path
from .connection import Connection, ConnectionError
from .importing import (
    Options,
    check_url,
    json_type,
    match_endpoint,
    match_profile,
    profile_headers,
    reraise,
)

# seed 003: "Where to send client credentials (headers, body, or both if not specified)"
CLIENT_AUTH_LOCATIONS = {"headers": "basic", "body": "body"}

_KEYS = {
    "client_id": "clientId",
    "authorize_url": "authorizeUri",
    "token_url": "tokenUri",
    "client_auth": "clientAuthLocation",
}


def from_integration_app(
    data: Mapping[str, Any] | str,
    *,
    parameters: Mapping[str, Any] | None = None,
    source: str = "integration.app connection",
    profile_url: str | None = None,
    user_id_path: str | None = None,
) -> Connection:
    """A Connection from an integration.app OAuth2 config (a dict, or YAML or JSON text).

    ``parameters`` resolves ``{$var: connectorParameters.<name>}``: pass the
    connector parameters themselves (``{"clientId": ...}``) or the whole
    context (``{"connectorParameters": {...}}``).
    """
    config = Options(_load(data, source), "", source, _resolver(parameters, source))
    location = config.string("clientAuthLocation")
    if location is not None and location not in CLIENT_AUTH_LOCATIONS:
        raise config.error(
            "clientAuthLocation",
            f"expected 'headers' or 'body' (or leave it out for both), got {location!r}",
        )
    scopes = config.get("scopes")
    if scopes is not None and (
        not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes)
    ):
        raise config.error("scopes", f"expected a list of strings, got {json_type(scopes)}")
    token_url = config.url("tokenUri")
    fields: dict[str, Any] = dict(
        client_id=config.string("clientId", required=True),
        client_secret=config.string("clientSecret"),
        authorize_url=config.url("authorizeUri"),
        token_url=token_url,
        scopes=tuple(scopes or ()),
        scope_separator=" ",  # RFC 6749 §3.3
        static_params=config.str_map("extra"),
        client_auth=CLIENT_AUTH_LOCATIONS.get(location or "", "both"),
        refresh=not config.boolean("noRefreshToken", False),
        pkce=not config.boolean("skipPkce", False),
        pkce_method="S256",
    )
    fields.update(_profile(token_url, profile_url, user_id_path, source))
    try:
        return Connection(**fields)
    except ConnectionError as exc:
        raise reraise(exc, _KEYS, source) from None


def _load(data: Mapping[str, Any] | str, source: str) -> Mapping[str, Any]:
    if isinstance(data, str):
        try:
            data = yaml.safe_load(data)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise ConnectionError(
                "(document)", f"is not valid YAML: {problem}{where}", source
            ) from None
    if not isinstance(data, Mapping):
        raise ConnectionError(
            "(document)", f"expected a mapping of OAuth2 settings, got {json_type(data)}", source
        )
    return data


def _resolver(parameters: Mapping[str, Any] | None, source: str) -> Any:
    def resolve(value: Any, key: str) -> Any:
        if not isinstance(value, Mapping) or not any(str(k).startswith("$") for k in value):
            return value
        if list(value) != ["$var"] or not isinstance(value["$var"], str):
            formula = next(str(k) for k in value if str(k).startswith("$"))
            raise ConnectionError(
                key, f"the formula {formula} is not supported here; use a value or $var", source
            )
        path = value["$var"]
        found = get_path(parameters, path) if parameters is not None else None
        if found is None and parameters is not None and path.startswith("connectorParameters."):
            found = get_path(parameters, path.split(".", 1)[1])
        if found is None:
            known = (
                "parameters= was not given"
                if parameters is None
                else f"parameters has {', '.join(sorted(map(str, parameters))) or 'no keys'}"
            )
            raise ConnectionError(key, f"$var {path!r} does not resolve ({known})", source)
        return found

    return resolve


def _profile(
    token_url: str, profile_url: str | None, user_id_path: str | None, source: str
) -> dict[str, Any]:
    """The profile settings: the arguments, completed from a matching built-in provider."""
    match: tuple[Provider, ProfileEndpoint] | None
    if profile_url is None:
        provider = match_endpoint(token_url, "token")
        if provider is None:
            raise ConnectionError(
                "profile_url",
                "integration.app configs have no profile setting and no built-in provider "
                f"has the token URL {token_url}; pass profile_url= and user_id_path=",
                source,
            )
        match = provider, provider.primary_profile
        profile_url = provider.real_url(provider.primary_profile.endpoint)
    else:
        check_url(profile_url, lambda message: ConnectionError("profile_url", message, source))
        match = match_profile(profile_url)
    if match is None:
        return dict(
            name=urllib.parse.urlsplit(token_url).hostname or "",
            profile_url=profile_url,
            user_id_path=user_id_path or "id",
        )
    provider, profile = match
    return dict(
        name=provider.id,
        profile_url=profile_url,
        profile_auth=profile.auth[0],
        profile_headers=profile_headers(profile),
        profile_query=dict(profile.query),
        user_id_path=user_id_path or profile.user_id,
    )
