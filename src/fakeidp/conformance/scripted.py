"""Connection code run for real: an Auth0 connection's ``fetchUserProfile`` in Node.js.

Auth0 runs a custom social connection's ``fetchUserProfile`` script after the
token exchange, with the ``request`` module in scope, and takes the profile it
calls back with as the user: "The user_id property in the returned profile is
required" (shared/seeds/000, "Fetch User Profile Script"). This target does the
login as Auth0 does (the connection's authorize and token settings, through the
reference client), then runs the script itself in Node.js
(:mod:`fakeidp.nodejs`): the script's HTTP requests to the provider's real URLs
are answered by the fake IdP, which records and judges them like any other, and
the ``login`` check judges the profile the script returned.

Without Node.js the target falls back to the script's static reading
(:mod:`fakeidp.client.auth0_script`) and every result that depended on the
script says so.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import requests

from ..client.oauth1 import OAuth1Client
from ..nodejs import (
    DEFAULT_TIMEOUT,
    NODE_MISSING,
    HttpAnswer,
    HttpCall,
    RefusedRequest,
    ScriptRun,
    find_node,
    run_script,
)
from ..transport import WSGIAdapter, make_rewriter
from .environment import Environment, Outcome, Settings
from .targets import ConnectionTarget

if TYPE_CHECKING:
    from ..client.connection import Connection
    from ..handle import FakeIdP

# The checks whose verdict rests on what the script does.
SCRIPT_CHECKS = frozenset({"login", "profile.request", "token.refresh"})
SCRIPT_FILE = "fetchUserProfile"


def fake_fetch(idp: FakeIdP, provider_id: str) -> Callable[[HttpCall], HttpAnswer]:
    """Answer a script's request to ``provider_id``'s real URLs from the fake IdP, in-process.

    The request reaches the IdP as interception delivers it (the real URL is what an
    OAuth 1.0a script signed); any other host is refused with a message naming it.
    """
    rewrite = make_rewriter(idp.providers)
    adapter = WSGIAdapter(idp.app, rewrite=lambda url: rewrite(url) or url)
    session = requests.Session()
    session.trust_env = False
    session.headers.clear()  # only what the script sent, not requests' User-Agent and Accept
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    name = idp.provider(provider_id).name

    def fetch(call: HttpCall) -> HttpAnswer:
        fake = rewrite(call.url)
        if fake is None or not urllib.parse.urlsplit(fake).path.startswith(f"/{provider_id}/"):
            host = urllib.parse.urlsplit(call.url).netloc or call.url
            raise RefusedRequest(
                f"{call.method} {call.url}: {host} is not {name}'s; the script may only call "
                f"the provider (fakeidp answers {name}'s real URLs and nothing else)"
            )
        answer = session.request(
            call.method,
            call.url,
            headers=dict(call.headers),
            data=None if call.body is None else call.body.encode("utf-8"),
            allow_redirects=False,
        )
        return HttpAnswer(answer.status_code, dict(answer.headers), answer.text)

    return fetch


class Auth0ScriptTarget(ConnectionTarget):
    """An Auth0 connection whose ``fetchUserProfile`` script runs in Node.js."""

    def __init__(
        self,
        connection: Connection,
        name: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        node: str | None = None,
    ) -> None:
        super().__init__(connection, name)
        self.script = connection.profile_script
        self.timeout = timeout
        self.node = node or find_node()
        self._idp: FakeIdP | None = None
        self.last_run: ScriptRun | None = None

    @property
    def executes(self) -> bool:
        return self.script is not None and self.node is not None

    def open(self, idp: FakeIdP, settings: Mapping[str, Settings]) -> None:
        self._idp = idp

    def notes(self) -> list[str]:
        if self.script is not None and self.node is None:
            unrun = f"{NODE_MISSING}: the fetchUserProfile script was read, not run"
            return [*super().notes(), unrun]
        return super().notes()

    def note_for(self, check_id: str) -> str | None:
        if self.script is not None and self.node is None and check_id in SCRIPT_CHECKS:
            return NODE_MISSING
        return None

    def callback(self, env: Environment, url: str) -> Outcome:
        if not self.executes:
            return super().callback(env, url)
        connection = self.connection(env)
        if connection.protocol == "oauth1":
            token = self.oauth1_token(env, OAuth1Client(connection, env.session), url)
            return self.run_profile_script(env, token)
        self.oauth2_token(env, self.oauth2_client(env, connection), url)
        return self.run_profile_script(env, env.scratch["token"])

    def refresh(self, env: Environment) -> Outcome:
        if not self.executes or self.connection(env).protocol != "oauth2":
            return super().refresh(env)
        client = self.oauth2_client(env, self.connection(env))
        token: dict[str, Any] = env.scratch["token"]
        if "refresh_token" not in token:
            return super().refresh(env)  # the same error as the reference client's
        env.scratch["token"] = client.refresh(token["refresh_token"])
        return self.run_profile_script(env, env.scratch["token"])

    def run_profile_script(self, env: Environment, token: Mapping[str, Any]) -> Outcome:
        """Run ``fetchUserProfile`` as Auth0 does; the profile's ``user_id`` is the user."""
        assert self.script is not None and self._idp is not None
        ctx = self._context(env, token)
        if self.original.protocol == "oauth1":
            args: list[Any] = [token["oauth_token"], token["oauth_token_secret"], ctx]
        else:
            args = [token["access_token"], ctx]
        run = run_script(
            self.script,
            args,
            fake_fetch(self._idp, env.provider),
            kind="auth0",
            filename=f"{SCRIPT_FILE}.js",
            timeout=self.timeout,
            node=self.node,
        )
        self.last_run = run
        return profile_outcome(run)

    def _context(self, env: Environment, token: Mapping[str, Any]) -> dict[str, Any]:
        """The script's ``ctx``: the token answer and the connection's options (the seed 002
        OAuth 1.0a scripts build node-oauth's client from ``ctx.client_id`` and friends)."""
        c = self.original
        ctx: dict[str, Any] = {
            k: v for k, v in token.items() if k not in ("access_token", "oauth_token_secret")
        }
        secret = env.client_secret
        if c.protocol == "oauth1" and c.signature_method == "RSA-SHA1":
            secret = env.connection.rsa_private_key  # Auth0: consumerSecret holds the PEM key
        ctx.update(
            client_id=env.client_id,
            client_secret=secret,
            authorizationURL=c.authorize_url,
            tokenURL=c.token_url,
            requestTokenURL=c.request_token_url,
            accessTokenURL=c.access_token_url,
            userAuthorizationURL=c.authorize_url,
            scope=c.scope_separator.join(c.scopes),
        )
        return ctx


def profile_outcome(run: ScriptRun) -> Outcome:
    """What Auth0 would make of a ``fetchUserProfile`` run."""
    if run.refused:
        return Outcome(error="script_error", message=f"{SCRIPT_FILE} {run.refused[0]}")
    if not run.ok:
        return Outcome(
            error="script_error",
            message=f"{SCRIPT_FILE} failed: {run.describe_error(f'{SCRIPT_FILE}.js')}",
        )
    profile = run.value
    if not isinstance(profile, dict):
        kind = "nothing" if profile is None else type(profile).__name__
        return Outcome(
            error="script_error",
            message=f"{SCRIPT_FILE} called back with {kind}, not a profile object",
        )
    user_id = profile.get("user_id")
    if user_id is None or user_id == "":
        # Seed 000 says user_id is required, yet Auth0's own examples for Twitch and XING
        # (seed 002) call back with only ``id``, as passport profiles do: take it, as the
        # static reading always has.
        user_id = profile.get("id")
    if user_id is None or user_id == "":
        keys = ", ".join(sorted(profile)) or "no keys"
        return Outcome(
            error="script_error",
            message=(
                f"the profile {SCRIPT_FILE} returned has no user_id (Auth0: 'The user_id "
                f"property in the returned profile is required'); it has {keys}. "
                "Set profile.user_id from the provider's id field before calling back"
            ),
        )
    return Outcome(user_id=str(user_id))


__all__ = ["SCRIPT_CHECKS", "Auth0ScriptTarget", "fake_fetch", "profile_outcome"]
