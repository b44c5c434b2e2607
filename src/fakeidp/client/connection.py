"""A Connection: everything a connector knows about one provider.

The same settings Auth0 custom social connections and integration.app
connectors have (shared/seeds/): URLs, scopes and separator, static and
dynamic authorize params, custom token-endpoint headers, where client
credentials go, PKCE, refresh, and how the profile maps to a user id.
Importers for those dialects live in :mod:`fakeidp.client.importers`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from ..providers.model import Provider
from .id_token import issuer_of

ClientAuthLocation = Literal["basic", "body", "both", "query"]
CLIENT_AUTH_LOCATIONS = ("basic", "body", "both", "query")
PROFILE_AUTH = ("bearer", "oauth", "query:access_token", "query:oauth_token", "oauth1")
SIGNATURE_METHODS = ("HMAC-SHA1", "RSA-SHA1", "PLAINTEXT")


class ConnectionError(ValueError):
    """A connection config is wrong; the message names the key."""

    def __init__(self, key: str, message: str, source: str = "connection") -> None:
        self.key = key
        super().__init__(f"{source}: key '{key}': {message}")


def _frozen(value: Mapping[str, str] | None) -> MappingProxyType[str, str]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class Connection:
    client_id: str
    client_secret: str | None
    authorize_url: str
    token_url: str = ""
    profile_url: str = ""
    protocol: Literal["oauth2", "oauth1"] = "oauth2"
    name: str = ""
    redirect_uri: str = "http://127.0.0.1:8765/callback"
    scopes: tuple[str, ...] = ()
    scope_separator: str = " "
    static_params: Mapping[str, str] = field(default_factory=dict)
    # provider parameter -> the login-request field it is taken from
    # (Auth0 authParamsMap / upstream_params alias: {"screen_name": "login_hint"})
    dynamic_params: Mapping[str, str] = field(default_factory=dict)
    token_headers: Mapping[str, str] = field(default_factory=dict)
    client_auth: ClientAuthLocation = "body"
    pkce: bool = False
    pkce_method: Literal["S256", "plain"] = "S256"
    refresh: bool = True
    profile_auth: str = "bearer"
    # values may hold ${client_id}
    profile_headers: Mapping[str, str] = field(default_factory=dict)
    profile_query: Mapping[str, str] = field(default_factory=dict)
    user_id_path: str = "id"
    # OAuth 1.0a (RFC 5849)
    request_token_url: str = ""
    access_token_url: str = ""
    signature_method: str = "HMAC-SHA1"
    signature_type: Literal["auth_header", "query", "body"] = "auth_header"
    rsa_private_key: str | None = None
    # Further profile steps (JIRA: session, then user), as (url, user_id_path) pairs.
    profile_steps: tuple[tuple[str, str], ...] = ()
    # OpenID Connect: the issuer (discovery is at issuer + /.well-known/openid-configuration).
    # With it and the openid scope the client sends a nonce and validates the ID token.
    oidc_issuer: str = ""
    # An Auth0 connection's fetchUserProfile script (Node.js), run by the conformance
    # engine where Node.js is installed; the fields above are its static reading.
    profile_script: str | None = None

    def __post_init__(self) -> None:
        for name in (
            "static_params",
            "dynamic_params",
            "token_headers",
            "profile_headers",
            "profile_query",
        ):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        self.validate()

    def validate(self) -> None:
        if not self.client_id:
            raise ConnectionError("client_id", "is missing")
        if not self.authorize_url.startswith(("http://", "https://")):
            raise ConnectionError(
                "authorize_url", f"expected an http(s) URL, got {self.authorize_url!r}"
            )
        if self.protocol == "oauth2":
            if not self.token_url.startswith(("http://", "https://")):
                raise ConnectionError(
                    "token_url", f"expected an http(s) URL, got {self.token_url!r}"
                )
            if self.client_auth not in CLIENT_AUTH_LOCATIONS:
                raise ConnectionError(
                    "client_auth",
                    f"expected one of {', '.join(CLIENT_AUTH_LOCATIONS)}, got {self.client_auth!r}",
                )
        else:
            for key in ("request_token_url", "access_token_url"):
                if not str(getattr(self, key)).startswith(("http://", "https://")):
                    raise ConnectionError(
                        key, f"expected an http(s) URL, got {getattr(self, key)!r}"
                    )
            if self.signature_method not in SIGNATURE_METHODS:
                raise ConnectionError(
                    "signature_method",
                    f"expected one of {', '.join(SIGNATURE_METHODS)}, "
                    f"got {self.signature_method!r}",
                )
            if self.signature_method == "RSA-SHA1" and not self.rsa_private_key:
                raise ConnectionError("rsa_private_key", "RSA-SHA1 needs a PEM private key")
        if self.profile_auth not in PROFILE_AUTH:
            raise ConnectionError(
                "profile_auth",
                f"expected one of {', '.join(PROFILE_AUTH)}, got {self.profile_auth!r}",
            )

    @property
    def openid(self) -> bool:
        """Whether logins are OpenID Connect: an issuer is configured and openid asked for."""
        return bool(self.oidc_issuer) and "openid" in self.scopes

    def replace(self, **changes: Any) -> Connection:
        return dataclasses.replace(self, **changes)

    @classmethod
    def for_provider(
        cls,
        provider: Provider,
        urls: Mapping[str, str],
        client_id: str | None = None,
        client_secret: str | None = None,
        **overrides: Any,
    ) -> Connection:
        """A correct connection for ``provider``: what a careful connector author would write.

        ``urls`` maps endpoint names (``authorize``, ``token``, profile names)
        to the URLs to use (the fake IdP's, or the real ones under interception).
        """
        profile = provider.primary_profile
        headers = {h.name: h.example for h in profile.headers if h.example}
        common: dict[str, Any] = dict(
            name=provider.id,
            protocol=provider.protocol,
            client_id=client_id or provider.client.client_id,
            client_secret=client_secret or provider.client.client_secret,
            authorize_url=urls["authorize"],
            profile_url=urls[profile.endpoint.name],
            profile_auth=profile.auth[0],
            profile_headers=headers,
            profile_query=dict(profile.query),
            user_id_path=profile.user_id,
        )
        if provider.protocol == "oauth2":
            rules = provider.oauth2
            assert rules is not None
            documented = [p for p in rules.client_auth_documented if p != "query"]
            common.update(
                token_url=urls["token"],
                scopes=rules.default_scope,
                scope_separator=rules.scope_separator,
                client_auth="basic" if "basic" in documented else (documented or ["body"])[0],
                pkce=rules.pkce != "unsupported",
                pkce_method="S256" if "S256" in rules.pkce_methods else "plain",
                refresh=rules.refresh,
                token_headers={h.name: h.example for h in rules.token_headers if h.example},
                # Parameters the provider wants with one value (Atlassian audience).
                static_params=dict(rules.authorize_param_values),
            )
            # The scopes its profile endpoint needs (X /2/users/me: tweet.read users.read),
            # then the one refresh tokens need (X offline.access).
            needed = profile.scopes.asked() if profile.scopes else ()
            for scope in (*needed, rules.refresh_requires_scope):
                if scope and scope not in common["scopes"]:
                    common["scopes"] = (*common["scopes"], scope)
            if provider.oidc is not None and "discovery" in urls:
                common["oidc_issuer"] = issuer_of(urls["discovery"])
        else:
            from .oauth1 import connection_settings  # that module imports this one

            common.update(connection_settings(provider, urls))
        common.update(overrides)
        return cls(**common)
