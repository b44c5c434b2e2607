"""One scenario in progress: the helpers checks use to drive a target and read the IdP.

The engine plays the browser: it fetches the target's authorization URL from
the fake IdP and hands the redirect back to the target, forged if a check
asks (:meth:`Run.login` with ``tamper``). Whatever the target raises becomes
an :class:`~fakeidp.conformance.environment.Outcome` with the error's kind.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import requests

from ..idp.rules import Finding
from ..idp.store import Exchange
from ..providers.model import Provider
from ..templating import get_path, render
from .checks import Check
from .environment import Environment, Outcome, Settings
from .targets import Target

if TYPE_CHECKING:
    from ..handle import FakeIdP

Tamper = Callable[[str], str]
BROWSER_TIMEOUT = 10.0


class BrowserStopped(Exception):
    """The provider did not redirect back to the connector (an error page, a wrong URL)."""


class Run:
    def __init__(
        self,
        idp: FakeIdP,
        target: Target,
        check: Check,
        provider: Provider,
        env: Environment,
        owners: list[Check],
        expected_user_id: str | None,
    ) -> None:
        self.idp, self.target, self.check = idp, target, check
        self.provider, self.env = provider, env
        self.owners = owners  # the checks that apply here, which own findings between them
        self.primary_user_id = expected_user_id  # at the provider's primary profile API
        self._browser = env.session if target.transport == "in_process" else _plain_session()

    def close(self) -> None:
        """Close the HTTP sessions this scenario opened (the target's too, in ``scratch``)."""
        sessions = {id(s): s for s in (self._browser, self.env.session)}
        for value in self.env.scratch.values():
            if isinstance(value, requests.Session):
                sessions[id(value)] = value
        for session in sessions.values():
            session.close()

    @property
    def settings(self) -> Settings:
        return self.env.settings

    @property
    def pid(self) -> str:
        return self.provider.id

    # -- driving the target -----------------------------------------------------
    def login(self, tamper: Tamper | None = None) -> Outcome:
        """A whole login: two steps with the engine as the browser, or the target's own."""
        if "callback" not in self.target.capabilities:
            return self._call(self.target.login, self.env)
        try:
            url = self.target.authorize(self.env)
        except Exception as exc:  # the target's failure is a result, not a crash
            return Outcome.from_exception(exc)
        try:
            callback = self.follow(url)
        except BrowserStopped as exc:
            return Outcome(error="authorize_failed", message=str(exc))
        return self.callback(tamper(callback) if tamper else callback)

    def callback(self, url: str) -> Outcome:
        return self._same_user(self._call(self.target.callback, self.env, url))

    def refresh(self) -> Outcome:
        return self._same_user(self._call(self.target.refresh, self.env))

    def _same_user(self, outcome: Outcome) -> Outcome:
        """The test user under another profile version's id is still the test user.

        A connector that reads an older API version (python-social-auth's Uber backend reads
        /v1/me's ``uuid``, where /v1.2/me names the user ``rider_id``) identifies the same
        account; whether that version is deprecated is the lifecycle check's to say."""
        if outcome.user_id is None or outcome.user_id == self.expected_user_id:
            return outcome
        called = {e.endpoint for e in self.exchanges()}
        for where, user_id in other_user_ids(self.idp, self.provider).items():
            if where.split(" ", 1)[0] in called and user_id == outcome.user_id:
                note = f"the user's id at {where} ({user_id!r})"
                return Outcome(self.expected_user_id, None, note)
        expected = self.expected_user_id or ""
        if "/" in expected and outcome.user_id == expected.rstrip("/").rsplit("/", 1)[-1]:
            # A URI id (Vimeo's "/users/12345") keyed by its last segment, as python-social-auth
            # and OpenIddict key Vimeo users ("12345").
            return Outcome(self.expected_user_id, None, f"the last segment of {expected!r}")
        return outcome

    def _call(self, method: Callable[..., Any], *args: Any) -> Outcome:
        try:
            return Outcome.coerce(method(*args))
        except Exception as exc:
            return Outcome.from_exception(exc)

    def follow(self, url: str) -> str:
        """Act as the user's browser at the provider: the URL it redirects back to."""
        if not url.startswith(self.env.base_url.rstrip("/") + "/"):
            raise BrowserStopped(f"the authorization URL is not the fake IdP's: {url[:200]}")
        try:
            response = self._browser.get(url, allow_redirects=False, timeout=BROWSER_TIMEOUT)
        except requests.RequestException as exc:
            raise BrowserStopped(f"the authorization page failed: {exc}") from None
        location = response.headers.get("Location")
        if response.status_code not in (301, 302, 303, 307) or not location:
            raise BrowserStopped(
                f"the provider answered the authorization request with {response.status_code} "
                "and no redirect (an error page)"
            )
        return location

    def expire(self) -> None:
        """Move the IdP's clock past the access token's lifetime."""
        rules = self.provider.oauth2
        lifetime = rules.access_token_lifetime if rules else 0
        self.idp.advance_clock((lifetime or 3600) + 1)

    # -- reading the IdP ------------------------------------------------------------
    def exchanges(self, endpoint: str | None = None) -> list[Exchange]:
        return list(self.idp.exchanges(self.pid, endpoint))

    def findings(self) -> list[Finding]:
        return self.idp.findings(self.pid)

    def owned_findings(self) -> list[Finding]:
        return [f for f in self.findings() if self.check.owns_rule(f.rule)]

    def unowned_findings(self) -> list[Finding]:
        return [f for f in self.findings() if not any(c.owns_rule(f.rule) for c in self.owners)]

    @property
    def expected_user_id(self) -> str | None:
        """The user id at the profile API the connector called: each API version has its own
        id path (Uber /v1/me ``uuid``, /v1.2/me ``rider_id``); before a call, the primary's."""
        called = [e.endpoint for e in self.profile_exchanges()]
        for profile in self.provider.profiles:
            if called and profile.endpoint.name == called[0]:
                user = self.idp.user(self.pid)
                body = render(profile.body, {"profile": user.profile, "login": user.login})
                value = get_path(body, profile.user_id)
                return None if value is None else str(value)
        return self.primary_user_id

    def profile_endpoints(self) -> set[str]:
        return {p.endpoint.name for p in self.provider.profiles}

    def profile_exchanges(self) -> list[Exchange]:
        names = self.profile_endpoints()
        return [e for e in self.exchanges() if e.endpoint in names]


def _plain_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback only: never through a proxy from the environment
    return session


def with_param(url: str, name: str, value: str | None) -> str:
    """``url`` with the query parameter ``name`` replaced (or removed, for None).

    Every copy of its value goes too: python-social-auth, for one, also carries the state
    as ``redirect_state`` in its redirect URI, and a callback without the state under any
    name is what a forged one looks like."""
    parts = urllib.parse.urlsplit(url)
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    old = {v for k, v in pairs if k == name and v}
    query = [(k, v) for k, v in pairs if k != name and v not in old]
    if value is not None:
        query.append((name, value))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def other_user_ids(idp: FakeIdP, provider: Provider) -> dict[str, str]:
    """Where -> the test user's id there: every profile but the primary's user id, and every
    profile's ``other_user_ids`` (ids of the same account that connectors key users by)."""
    user = idp.user(provider.id)
    ids: dict[str, str] = {}
    for i, profile in enumerate(provider.profiles):
        body = render(profile.body, {"profile": user.profile, "login": user.login})
        paths = ([profile.user_id] if i and profile.user_id else []) + list(profile.other_user_ids)
        for path in paths:
            value = get_path(body, path)
            if value is not None:
                ids.setdefault(f"{profile.endpoint.name} {path}", str(value))
    return ids
