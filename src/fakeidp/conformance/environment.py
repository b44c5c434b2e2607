"""What a target is given (:class:`Environment`) and what it reports (:class:`Outcome`).

The engine configures the connector under test for each provider with
:class:`Settings` (scopes, static and dynamic authorize parameters, custom
token-endpoint headers) and expects exactly those to reach the fake IdP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import requests

from ..client.connection import Connection

if TYPE_CHECKING:
    from ..handle import FakeIdP

# What a target can do; a scenario needing one the target lacks is not applicable.
CAPABILITIES: dict[str, str] = {
    "login": "completes a login and reports the user id",
    "callback": "lets the engine deliver the provider's redirect (needed to forge a state)",
    "refresh": "continues a session after its access token expired",
    "scopes": "requests the scopes it is configured with",
    "static_params": "sends the static authorize parameters it is configured with",
    "dynamic_params": "maps fields of the login request to authorize parameters",
    "custom_headers": "sends configured custom headers to the token endpoint",
    "oauth1": "speaks OAuth 1.0a",
    "oidc": "does OpenID Connect when the openid scope is configured: validates the ID token",
}


def _frozen(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class Settings:
    """How the connector under test is configured for one provider."""

    scopes: tuple[str, ...] = ()
    static_params: Mapping[str, str] = field(default_factory=dict)
    # provider parameter -> the login-request field it is taken from (Auth0 authParamsMap)
    dynamic_params: Mapping[str, str] = field(default_factory=dict)
    # the fields of the login request itself (``login_hint=...``)
    login_params: Mapping[str, str] = field(default_factory=dict)
    token_headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scopes", tuple(self.scopes))
        for name in ("static_params", "dynamic_params", "login_params", "token_headers"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def expected_dynamic(self) -> dict[str, str]:
        """Provider parameter -> the value it should carry for this login request."""
        return {
            param: self.login_params[source]
            for param, source in self.dynamic_params.items()
            if source in self.login_params
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "scopes": list(self.scopes),
            "static_params": dict(self.static_params),
            "dynamic_params": dict(self.dynamic_params),
            "login_params": dict(self.login_params),
            "token_headers": dict(self.token_headers),
        }


@dataclass
class Environment:
    """Everything a target needs to log in at one provider of the fake IdP.

    ``urls`` maps endpoint names (``authorize``, ``token``, the profile
    endpoint's name...) to URLs on ``base_url``; ``session`` reaches them
    (in-process or over the socket, as the target asked). ``connection`` is
    what a correct connector would be configured with for these settings: a
    convenience, and what the reference client runs. ``scratch`` is the
    target's own: kept from ``authorize`` to ``callback`` to ``refresh``.
    """

    provider: str
    protocol: str
    base_url: str
    urls: dict[str, str]
    real_urls: dict[str, str]
    client_id: str
    client_secret: str | None
    redirect_uri: str
    settings: Settings
    connection: Connection
    session: requests.Session
    scratch: dict[str, Any] = field(default_factory=dict)

    @property
    def login_params(self) -> Mapping[str, str]:
        return self.settings.login_params


@dataclass
class Outcome:
    """What the connector reports after a login step: the user id, or an error and its kind.

    ``error`` is a kind such as ``cancelled``, ``state_mismatch``,
    ``token_error``, ``server_error`` or ``malformed_response``
    (:data:`fakeidp.client.errors.LOGIN_ERROR_KINDS`); any other string is
    accepted as an error too.
    """

    user_id: str | None = None
    error: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and self.user_id is not None

    def describe(self) -> str:
        if self.error:
            return f"error {self.error}" + (f": {self.message}" if self.message else "")
        return f"user_id {self.user_id!r}"

    def to_dict(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "error": self.error, "message": self.message}

    @classmethod
    def coerce(cls, value: Any) -> Outcome:
        """An Outcome from what an adapter returned: an Outcome, a mapping, a user id string,
        or any object with ``user_id`` (such as the reference client's LoginResult)."""
        if isinstance(value, Outcome):
            return value
        if isinstance(value, Mapping):
            error = value.get("error")
            message = str(value.get("message") or "")
            if isinstance(error, Mapping):  # {"error": {"kind": ..., "message": ...}}
                message = str(error.get("message") or message)
                error = error.get("kind") or "error"
            user_id = value.get("user_id")
            return cls(
                None if user_id is None else str(user_id),
                None if error is None else str(error),
                message,
            )
        if isinstance(value, str):
            return cls(user_id=value)
        if value is not None and hasattr(value, "user_id"):
            user_id = value.user_id
            return cls(user_id=None if user_id is None else str(user_id))
        return cls(error="no_result", message=f"the target returned {type(value).__name__}")

    @classmethod
    def from_exception(cls, exc: BaseException) -> Outcome:
        """A raised error as an Outcome: its ``kind`` (LoginError has one), else its class."""
        kind = getattr(exc, "kind", None)
        return cls(
            error=str(kind) if isinstance(kind, str) else type(exc).__name__,
            message=str(exc)[:500],
        )


def configured_connection(
    idp: FakeIdP, provider_id: str, settings: Settings, redirect_uri: str
) -> Connection:
    """A correct connection for ``provider_id`` at ``idp``, configured with ``settings``."""
    overrides: dict[str, Any] = {
        "redirect_uri": redirect_uri,
        "static_params": settings.static_params,
        "dynamic_params": settings.dynamic_params,
    }
    if idp.provider(provider_id).protocol == "oauth2":
        base = idp.connection(provider_id)
        overrides.update(
            scopes=settings.scopes,
            # parameters the provider wants with one value (Atlassian audience), and the
            # configured ones
            static_params={**base.static_params, **settings.static_params},
            # the provider's own token headers (Vimeo's Accept) and the configured ones
            token_headers={**base.token_headers, **settings.token_headers},
        )
    return idp.connection(provider_id, **overrides)
