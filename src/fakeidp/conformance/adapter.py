"""Python adapters: your connector, wrapped so the conformance engine can drive it.

Name an adapter as ``module:factory`` or ``path/to/file.py:factory``;
``factory()`` is called once, with no arguments, and returns the adapter. The
adapter has some of these methods; ``env`` is an
:class:`~fakeidp.conformance.environment.Environment` (the provider's URLs at
the fake IdP, its test credentials, your redirect URI, the settings to
honour, a ``requests.Session`` that reaches the IdP, and ``env.scratch`` to
keep state in from one call to the next):

``authorize(env) -> str``
    Start a login: the URL your connector sends the user to. Remember the
    state (or request token) you made, as your connector does.
``callback(env, url) -> Outcome | dict | str``
    The provider sent the user back to ``url`` (your redirect URI with
    ``code`` and ``state``, or ``error=access_denied``): finish the login and
    return the user id. When the login fails, raise (an exception with a
    ``kind`` attribute, like :class:`fakeidp.LoginError`, names the kind) or
    return ``{"error": "<kind>", "message": "..."}``. Kinds the checks look
    for: ``cancelled`` (the user denied), ``state_mismatch``; any kind counts
    as an error.
``refresh(env) -> Outcome | dict | str`` (optional)
    The access token has expired: call the profile API again as the user,
    refreshing the token first if your connector does, and return the user id.
``login(env) -> Outcome | dict | str`` (instead of ``authorize`` + ``callback``)
    A whole login in one call, your code playing the browser too. Checks
    that need to hand your connector a forged callback are then not applicable.

Optional attributes:

``capabilities``
    Names from :data:`~fakeidp.conformance.environment.CAPABILITIES`. Default:
    what the methods show (``login``, ``callback``, ``refresh``). Add
    ``scopes``, ``static_params``, ``dynamic_params`` and ``custom_headers``
    when your connector takes them from ``env.settings``; ``oauth1`` when it
    speaks OAuth 1.0a; ``oidc`` when it does OpenID Connect (asks for
    ``openid``, found in ``env.settings.scopes`` for the OIDC checks, and
    validates the ID token). A check needing a capability you lack is reported
    not applicable, never passed.
``transport``
    ``"live"`` (default: the IdP listens on 127.0.0.1 and ``env.urls`` are
    real URLs any HTTP library reaches) or ``"in_process"`` (no socket; use
    ``env.session``).
``providers``
    The provider ids your connector supports (default: all).
``redirect_uri``
    Your callback URL (default ``http://127.0.0.1:8765/callback``; it is never
    fetched: the engine hands the redirect to ``callback``).
``open()``, ``close()``
    Called once before the first scenario, and once at the end.

``examples/requests_oauthlib_adapter.py`` is a complete adapter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..providers.model import Provider
from .environment import CAPABILITIES, Environment, Outcome, Settings
from .targets import DEFAULT_REDIRECT_URI, Target, TargetError, Transport

if TYPE_CHECKING:
    from ..handle import FakeIdP


class AdapterTarget(Target):
    """A Python object following the adapter protocol above."""

    def __init__(self, adapter: Any, name: str | None = None) -> None:
        self.adapter = adapter
        self.name = name or type(adapter).__name__
        declared = getattr(adapter, "capabilities", None)
        if declared is None:
            caps = {"login"}
            if callable(getattr(adapter, "authorize", None)) and callable(
                getattr(adapter, "callback", None)
            ):
                caps.add("callback")
            if callable(getattr(adapter, "refresh", None)):
                caps.add("refresh")
        else:
            caps = {"login", *declared}
        unknown = sorted(caps - set(CAPABILITIES))
        if unknown:
            raise TargetError(
                f"{self.name}: unknown capability {unknown[0]!r}; known: {', '.join(CAPABILITIES)}"
            )
        if "callback" in caps and not callable(getattr(adapter, "authorize", None)):
            raise TargetError(
                f"{self.name}: capability 'callback' needs authorize() and callback()"
            )
        if "callback" not in caps and not callable(getattr(adapter, "login", None)):
            raise TargetError(f"{self.name}: an adapter needs authorize() + callback(), or login()")
        self.capabilities = frozenset(caps)
        transport: Transport = getattr(adapter, "transport", "live")
        if transport not in ("live", "in_process"):
            raise TargetError(
                f"{self.name}: transport must be 'live' or 'in_process', not {transport!r}"
            )
        self.transport = transport
        self.redirect_uri = getattr(adapter, "redirect_uri", DEFAULT_REDIRECT_URI)

    def providers(self, available: Mapping[str, Provider]) -> list[str]:
        wanted = getattr(self.adapter, "providers", None)
        return list(available) if wanted is None else [p for p in available if p in set(wanted)]

    def settings(self, provider: Provider, default: Settings) -> Settings:
        return default

    def open(self, idp: FakeIdP, settings: Mapping[str, Settings]) -> None:
        opener = getattr(self.adapter, "open", None)
        if callable(opener):
            opener()

    def close(self) -> None:
        closer = getattr(self.adapter, "close", None)
        if callable(closer):
            closer()

    def authorize(self, env: Environment) -> str:
        return str(self.adapter.authorize(env))

    def callback(self, env: Environment, url: str) -> Outcome:
        return Outcome.coerce(self.adapter.callback(env, url))

    def login(self, env: Environment) -> Outcome:
        return Outcome.coerce(self.adapter.login(env))

    def refresh(self, env: Environment) -> Outcome:
        return Outcome.coerce(self.adapter.refresh(env))
