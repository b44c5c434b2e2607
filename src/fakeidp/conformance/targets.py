"""Targets: the implementation under test, driven through one login at a time.

A :class:`Target` completes logins against the fake IdP for the engine and
says what it can do (:attr:`Target.capabilities`, see
:data:`~fakeidp.conformance.environment.CAPABILITIES`). Three kinds ship:

- :class:`ReferenceTarget`: fakeidp's reference client, configured per
  provider with a correct Connection (the yardstick);
- :class:`ConnectionTarget`: a connection config (an Auth0 connection JSON or
  an integration.app config) run through the reference client, so the config
  is checked before it is deployed;
- :class:`~fakeidp.conformance.adapter.AdapterTarget` (a Python object, named
  ``module:factory``) and :class:`~fakeidp.conformance.http_app.HttpAppTarget`
  (an HTTP application in any language).

The two-step protocol (``authorize`` then ``callback``) lets the engine play
the browser: it follows the authorization URL to the provider, and may forge
or drop the state on the way back (RFC 6749 §10.12).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from ..client.connection import Connection
from ..client.errors import LoginError
from ..client.id_token import OpenIDProvider
from ..client.oauth1 import OAuth1Client
from ..client.oauth2 import OAuth2Client
from ..providers.loader import builtin_providers
from ..providers.model import Provider
from .environment import CAPABILITIES, Environment, Outcome, Settings
from .fixes import Dialect

if TYPE_CHECKING:
    from ..handle import FakeIdP

Transport = Literal["in_process", "live"]
ALL_CAPABILITIES = frozenset(CAPABILITIES)
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"


class TargetError(Exception):
    """A target cannot be loaded or started; the message is one line for the user."""


class Target:
    """Base class: override what your target supports and list it in ``capabilities``."""

    name: str = "target"
    # Whose terms a failed check's fix is given in (fakeidp.conformance.fixes).
    dialect: Dialect = "code"
    capabilities: frozenset[str] = frozenset({"login"})
    # in_process: ``env.session`` reaches the IdP without a socket; live: real URLs.
    transport: Transport = "in_process"
    redirect_uri: str = DEFAULT_REDIRECT_URI

    def providers(self, available: Mapping[str, Provider]) -> list[str]:
        """The providers this target is checked against (default: every one)."""
        return list(available)

    def settings(self, provider: Provider, default: Settings) -> Settings:
        """How the connector is configured for ``provider`` (default: the suite's settings)."""
        return default

    def open(self, idp: FakeIdP, settings: Mapping[str, Settings]) -> None:
        """Called once before the scenarios, with the IdP served as ``transport`` says."""

    def close(self) -> None:
        """Called once after the scenarios."""

    def prepare(self, env: Environment) -> Environment:
        """Adjust a scenario's environment (a ConnectionTarget puts its own connection in)."""
        return env

    def authorize(self, env: Environment) -> str:
        """Start a login: the URL to send the user to (capability ``callback``)."""
        raise NotImplementedError

    def callback(self, env: Environment, url: str) -> Outcome:
        """Finish the login the provider redirected back to ``url`` (capability ``callback``)."""
        raise NotImplementedError

    def login(self, env: Environment) -> Outcome:
        """A whole login in one step, for targets without ``callback``."""
        raise NotImplementedError

    def refresh(self, env: Environment) -> Outcome:
        """The access token has expired: call the profile API again as the logged-in user,
        refreshing first if the connector does; the user id (capability ``refresh``)."""
        raise NotImplementedError

    def describe(self) -> str:
        return self.name

    def notes(self) -> list[str]:
        """What a report should say at the top about this run (a script not executed...)."""
        return []

    def note_for(self, check_id: str) -> str | None:
        """A caveat to add to this check's result message, or None."""
        return None


class ReferenceTarget(Target):
    """fakeidp's reference client, as a correct connector configured for each provider."""

    name = "reference client"
    dialect: Dialect = "reference"
    capabilities = ALL_CAPABILITIES
    transport: Transport = "in_process"

    def connection(self, env: Environment) -> Connection:
        """The connection to run; subclasses change it to break things on purpose."""
        return env.connection

    def authorize(self, env: Environment) -> str:
        connection = self.connection(env)
        if connection.protocol == "oauth1":
            client1 = OAuth1Client(connection, env.session)
            temporary = client1.fetch_request_token()
            env.scratch["request_token"] = temporary
            return client1.authorization_url(temporary["oauth_token"], dict(env.login_params))
        client = self.oauth2_client(env, connection)
        auth = client.authorization_request(dict(env.login_params))
        env.scratch["auth"] = auth
        return auth.url

    def callback(self, env: Environment, url: str) -> Outcome:
        connection = self.connection(env)
        if connection.protocol == "oauth1":
            client1 = OAuth1Client(connection, env.session)
            token = self.oauth1_token(env, client1, url)
            _, user_id = client1.fetch_profile(token["oauth_token"], token["oauth_token_secret"])
            return Outcome(user_id=user_id)
        client = self.oauth2_client(env, connection)
        auth = self.oauth2_token(env, client, url)
        claims = self.id_token_claims(client, env.scratch["token"], auth.nonce)
        _, user_id = self.fetch_profile(client, env.scratch["token"]["access_token"], claims)
        return Outcome(user_id=user_id)

    def oauth1_token(self, env: Environment, client: OAuth1Client, url: str) -> dict[str, Any]:
        """The callback's verifier traded for the access token, kept in ``scratch``."""
        temporary = env.scratch["request_token"]
        verifier = self.parse_callback(client, url, temporary["oauth_token"])
        token: dict[str, Any] = client.fetch_access_token(
            temporary["oauth_token"], temporary["oauth_token_secret"], verifier
        )
        env.scratch["token"] = token
        return token

    def oauth2_token(self, env: Environment, client: OAuth2Client, url: str) -> Any:
        """The callback's code traded for tokens, kept in ``scratch``; the authorization
        request it answers (its nonce is the ID token's)."""
        auth = env.scratch["auth"]
        code = self.parse_callback(client, url, auth.state)
        env.scratch["token"] = client.fetch_token(code, auth.code_verifier)
        return auth

    def oauth2_client(self, env: Environment, connection: Connection) -> OAuth2Client:
        """A client for this step; the provider's discovery and JWKS are kept across logins
        of the scenario, as a running application keeps them."""
        openid = env.scratch.get("openid")
        if openid is None and connection.openid:
            openid = env.scratch["openid"] = OpenIDProvider(connection.oidc_issuer, env.session)
        return OAuth2Client(connection, env.session, openid=openid)

    def id_token_claims(
        self, client: OAuth2Client, token: dict[str, Any], nonce: str | None
    ) -> dict[str, Any] | None:
        """The validated ID token (OIDC Core §3.1.3.7); subclasses break it on purpose."""
        return client.id_token_claims(token, nonce)

    def fetch_profile(
        self, client: OAuth2Client, access_token: str, claims: dict[str, Any] | None
    ) -> tuple[Any, str | None]:
        """The profile and user id, UserInfo's sub checked against ``claims``."""
        return client.fetch_profile(access_token, claims)

    def parse_callback(self, client: OAuth2Client | OAuth1Client, url: str, expected: str) -> str:
        """The code (OAuth 2.0) or verifier (OAuth 1.0a), once the state or token is checked."""
        return client.parse_callback(url, expected)

    def refresh(self, env: Environment) -> Outcome:
        connection = self.connection(env)
        if connection.protocol != "oauth2":
            raise LoginError("token_error", "OAuth 1.0a tokens are not refreshed")
        client = self.oauth2_client(env, connection)
        token: dict[str, Any] = env.scratch["token"]
        if "refresh_token" not in token:
            raise LoginError("token_error", "the login gave no refresh token")
        env.scratch["token"] = client.refresh(token["refresh_token"])
        _, user_id = client.fetch_profile(env.scratch["token"]["access_token"])
        return Outcome(user_id=user_id)


class ConnectionTarget(ReferenceTarget):
    """A connection config, run through the reference client against the provider it names.

    The connection's URLs are the real provider's; the provider is the one
    whose endpoints they are, and they are pointed at the fake IdP. The
    fake's test credentials replace the config's (often placeholders).
    """

    def __init__(self, connection: Connection, name: str) -> None:
        self.original = connection
        self.name = name
        self.dialect: Dialect = "reference"  # loading.py: "auth0" or "integration-app"
        self.repairs: tuple[str, ...] = ()  # what was repaired in the file it was read from
        self._provider: str | None = None

    def notes(self) -> list[str]:
        """Each repair made to the file (the slips in Auth0's published examples)."""
        return [f"repaired: {repair}" for repair in self.repairs]

    def providers(self, available: Mapping[str, Provider]) -> list[str]:
        if self._provider is None:
            self._provider = provider_of(self.original, available)
        return [self._provider]

    def settings(self, provider: Provider, default: Settings) -> Settings:
        c = self.original
        login = {source: f"conformance-{source}" for source in c.dynamic_params.values()}
        return Settings(
            scopes=c.scopes,
            static_params=c.static_params,
            dynamic_params=c.dynamic_params,
            login_params=login,
            token_headers=c.token_headers,
        )

    def prepare(self, env: Environment) -> Environment:
        rewrite = _fake_url(env)
        c = self.original
        changes: dict[str, Any] = {
            "client_id": env.client_id,
            "client_secret": env.client_secret,
            "redirect_uri": env.redirect_uri,
        }
        for key in ("authorize_url", "token_url", "profile_url"):
            changes[key] = rewrite(getattr(c, key))
        if c.protocol == "oauth1":
            changes["request_token_url"] = rewrite(c.request_token_url)
            changes["access_token_url"] = rewrite(c.access_token_url)
            if c.signature_method == "RSA-SHA1":
                changes["rsa_private_key"] = env.connection.rsa_private_key
        changes["profile_steps"] = tuple((rewrite(u), p) for u, p in c.profile_steps)
        env.connection = c.replace(**changes)
        return env


def _fake_url(env: Environment) -> Any:
    """Real provider URL -> the fake IdP's URL for it, on the environment's base; under every
    name of its host (api.twitter.com and api.x.com)."""
    real_to_fake = {env.real_urls[name]: url for name, url in env.urls.items()}
    provider = builtin_providers().get(env.provider)
    if provider is not None:
        for endpoint in provider.all_endpoints():
            fake = env.urls.get(endpoint.name)
            aliases = provider.real_bases(endpoint.host)[1:]
            for base in aliases if fake is not None else ():
                real_to_fake.setdefault(base + endpoint.path, fake or "")

    def rewrite(url: str) -> str:
        if not url:
            return url
        base, sep, query = url.partition("?")
        for real, fake in real_to_fake.items():
            if base == real:
                return fake + sep + query
        return url

    return rewrite


def provider_of(connection: Connection, available: Mapping[str, Provider]) -> str:
    """The provider whose endpoints a connection's URLs are (token URL first)."""
    for url in (connection.token_url, connection.access_token_url, connection.authorize_url):
        wanted = url.split("?", 1)[0].rstrip("/").lower()
        for pid, provider in available.items():
            for endpoint in provider.endpoints.values():
                # Any URL serving the endpoint, under any name of its host (Uber's legacy
                # /oauth/token, api.x.com).
                if endpoint.view in ("token", "access_token", "authorize") and wanted in {
                    (base + endpoint.path).rstrip("/").lower()
                    for base in provider.real_bases(endpoint.host)
                }:
                    return pid
    raise TargetError(
        f"{connection.name or 'the connection'}: no provider of the fake IdP has the endpoint "
        f"{connection.token_url or connection.access_token_url or connection.authorize_url}"
    )
