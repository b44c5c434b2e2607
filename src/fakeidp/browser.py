"""Play the user's browser at the fake IdP, for tests of an app that logs in with a provider.

An app under test sends its user to an authorization URL: the provider's real
one (``https://id.twitch.tv/oauth2/authorize?...``, reached through
interception) or the fake IdP's. :meth:`Browser.authorize` takes that URL (or
the app's redirect response), goes through the fake IdP the way the user
would — approve, deny, or log in as a chosen user — and hands back the
:class:`Callback`: the URL the IdP sent the browser back to, with its ``code``
and ``state`` (OAuth 2.0), ``oauth_token`` and ``oauth_verifier`` (OAuth 1.0a),
or the provider's denial. :meth:`Browser.login` does the whole round trip with
an app's client: Flask's or Django's test client, Starlette's ``TestClient``,
or a ``requests.Session`` / ``httpx.Client`` (or httpx2's) talking to a live app;
:meth:`Browser.alogin` the same with an ``httpx.AsyncClient`` (or httpx2's).

It uses the IdP's own mechanisms: ``deny_next`` and ``set_user`` when the IdP
auto-approves, the login page's form in interactive mode. Requests reach the
IdP's WSGI app in this process (no socket), so they share the state the
handle shows (exchanges, findings) whichever base URL the app was given.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import requests

from .idp.pages import CONSENT_FIELD, DECISION_FIELD, LOGIN_FIELD, user_named
from .transport import IN_PROCESS_BASE, WSGIAdapter, make_rewriter
from .transport.interception import route

if TYPE_CHECKING:
    from .handle import FakeIdP
    from .providers.model import Provider

AUTHORIZE_ENDPOINTS = ("authorize", "authenticate")  # X's OAuth 1.0a sign-in is "authenticate"
MAX_APP_REDIRECTS = 10  # hops inside the app before it must have sent the user to a provider


class BrowserError(Exception):
    """The browser could not get through: a URL that is not a provider's authorization
    URL, an app that did not redirect to one, or an IdP error page. ``response`` is the
    last answer, when there was one."""

    def __init__(self, message: str, response: Any = None) -> None:
        super().__init__(message)
        self.response = response


@dataclass(frozen=True)
class Callback:
    """Where the fake IdP sent the browser back to, and what it carried."""

    provider: str
    url: str | None  # the app's callback URL with its query; None for OAuth 1.0a "oob"
    params: dict[str, str] = field(default_factory=dict)
    verifier: str | None = None  # OAuth 1.0a "oob": the PIN the page showed
    response: requests.Response | None = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> str:
        """The callback's path and query, for a test client that knows its own host."""
        if self.url is None:
            raise BrowserError(f"{self.provider}: the login ended on an oob page, not a callback")
        parts = urllib.parse.urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def error(self) -> str | None:
        """The OAuth 2.0 ``error`` (``access_denied`` when the user denied), if any."""
        return self.params.get("error")


@dataclass(frozen=True)
class _Target:
    provider: Provider
    url: str  # where to send it: the fake IdP's URL (in this process)
    real: bool  # the app used the provider's real URL (interception)


class Browser:
    """The user's browser for one fake IdP handle (``idp.browser``, the
    ``fakeidp_browser`` fixture)."""

    def __init__(self, idp: FakeIdP) -> None:
        self.idp = idp
        self._session = requests.Session()
        self._session.trust_env = False  # never a proxy: the IdP is in this process
        self._rewrite = make_rewriter(idp.providers)
        adapter = WSGIAdapter(idp.app, rewrite=lambda url: self._rewrite(url) or url)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    # -- one authorization request ------------------------------------------------------
    def authorize(
        self,
        url: Any,
        *,
        deny: bool = False,
        login: str | None = None,
        profile: Mapping[str, Any] | None = None,
    ) -> Callback:
        """Go through the authorization URL ``url`` (or a redirect response to it).

        ``deny=True``: the user denies. ``login``: the user logs in under that name
        (every profile value equal to the test user's login follows it, the user id
        stays). ``profile``: fields merged over the test user's profile (a new
        ``id``, an ``email``); both persist for the rest of the test, as ``set_user``.
        """
        raw = url if isinstance(url, str) else location_of(url)
        if raw is None:
            raise BrowserError(f"expected an authorization URL or a redirect to one, got {url!r}")
        target = self._target(raw)
        pid = target.provider.id
        if target.real:
            self._check_intercepted(raw, target.provider)
        if login or profile:
            user = self.idp.user(pid)
            user = user_named(user, login) if login else user
            self.idp.set_user(pid, user.login, **{**user.profile, **(profile or {})})
        if deny and not self.idp.interactive:
            self.idp.deny_next(pid)
        try:
            response = self._session.get(raw, allow_redirects=False)
            if CONSENT_FIELD in response.text and response.status_code == 200:
                response = self._answer_page(response, target, deny)
        finally:
            with self.idp.store.lock:  # a deny_next the IdP did not use must not outlive us
                self.idp.store.denials.pop(pid, None)
        return self._callback(target, response)

    def _target(self, url: str) -> _Target:
        parts = urllib.parse.urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        bases = {IN_PROCESS_BASE, self.idp.base_url.rstrip("/")}
        for p in self.idp.providers.values():
            for name in AUTHORIZE_ENDPOINTS:
                endpoint = p.endpoints.get(name)
                if endpoint is None:
                    continue
                for base in p.real_bases(endpoint.host):
                    real = urllib.parse.urlsplit(base + endpoint.path)
                    if (real.scheme, real.netloc.lower(), real.path) == (
                        parts.scheme,
                        parts.netloc.lower(),
                        parts.path,
                    ):
                        return _Target(p, self._rewrite(url) or url, True)
                if origin in bases and parts.path == p.fake_path(endpoint):
                    return _Target(p, url, False)
        raise BrowserError(self._not_authorize(url, origin, parts.path, bases))

    def _check_intercepted(self, url: str, provider: Provider) -> None:
        """A real authorization URL is only useful while this IdP answers the provider's real
        URLs: else the app's token request would leave for the real provider."""
        hit = route(url)
        if hit is not None and hit[0].app is self.idp.app:
            return
        where = "the real provider" if hit is None else "another fake IdP"
        raise BrowserError(
            f"the app sent the user to {provider.name}'s real authorization URL, but this fake "
            f"IdP is not intercepting {provider.name}'s URLs, so the app's token request would "
            f"reach {where}: turn interception on (@pytest.mark.fakeidp(intercept=True), the "
            "fakeidp_intercept fixture, or `with idp.intercepting():`)"
        )

    def _not_authorize(self, url: str, origin: str, path: str, bases: set[str]) -> str:
        """Why ``url`` is not one of this IdP's authorization URLs, and what would be."""
        shown = url.split("?", 1)[0]
        for p in self.idp.providers.values():
            entry = next((p.endpoints[n] for n in AUTHORIZE_ENDPOINTS if n in p.endpoints), None)
            hint = f"its authorization URL is {p.real_url(entry)}" if entry else "it has none"
            real = {b.lower() for b in p.real_origins()}
            if origin in real or (origin in bases and path.startswith(f"/{p.id}/")):
                return f"{shown} is not {p.name}'s authorization endpoint; {hint}"
        if path.count("/") >= 2 and path.split("/")[1] in self.idp.providers:
            return (
                f"{shown} is not this fake IdP's URL: it serves at "
                f"{self.idp.base_url} (the app may be configured for another fakeidp server)"
            )
        return (
            f"{shown} is not the authorization URL of a provider fakeidp emulates "
            f"({', '.join(sorted(self.idp.providers))}): the app should send the user to the "
            "provider's real authorization URL (with interception on) or to this fake IdP's "
            f"(idp.urls(provider)['authorize'], on {self.idp.base_url})"
        )

    def _answer_page(self, response: requests.Response, target: _Target, deny: bool) -> Any:
        """Interactive mode: fill in the login page's form and press Approve or Deny."""
        form = _FormParser.parse(response.text)
        fields = dict(form.fields)
        fields[LOGIN_FIELD] = self.idp.user(target.provider.id).login
        fields[DECISION_FIELD] = "deny" if deny else "approve"
        action = urllib.parse.urljoin(target.url, form.action or "")
        return self._session.post(action, data=fields, allow_redirects=False)

    def _callback(self, target: _Target, response: requests.Response) -> Callback:
        pid, name = target.provider.id, target.provider.name
        location = response.headers.get("Location")
        if response.is_redirect and location:
            query = urllib.parse.urlsplit(location).query
            params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
            return Callback(pid, location, params, response=response)
        if response.status_code == 200 and "oauth_verifier" in response.text:  # RFC 5849 oob
            verifier = _FormParser.parse(response.text).verifier
            return Callback(pid, None, {}, verifier=verifier, response=response)
        if response.status_code == 200 and "denied" in response.text:
            return Callback(pid, None, {"error": "access_denied"}, response=response)
        page = _FormParser.parse(response.text)
        shown = self.idp.exchanges(pid)[-1:]  # the request that showed this page
        findings = [
            f"  {f}" for f in self.idp.findings(pid, "error") if shown and f.exchange == shown[0].id
        ]
        raise BrowserError(
            "\n".join(
                [
                    f"{name} did not send the browser back to the app: it answered "
                    f"{response.status_code} {page.title or response.reason}".rstrip(),
                    *findings,
                ]
            ),
            response,
        )

    # -- the whole round trip through the app -----------------------------------------------
    def login(
        self,
        client: Any,
        start: str,
        *,
        method: str = "GET",
        deny: bool = False,
        login: str | None = None,
        profile: Mapping[str, Any] | None = None,
    ) -> Any:
        """Log in through the app: ``method`` (GET, or POST where the app starts logins
        with a form, as social-auth-app-django does) ``start`` with ``client``, follow the
        app's redirects to the provider, :meth:`authorize`, and GET the callback with
        ``client``.

        Returns the app's answer to the callback (not followed further). ``client`` is
        a Flask, Django or Starlette test client, or a ``requests.Session`` or
        ``httpx.Client`` / ``httpx2.Client`` for a live app (then ``start`` is an absolute
        URL). For an async client (``httpx.AsyncClient``, ``httpx2.AsyncClient``),
        ``await browser.alogin(...)``.
        """
        steps = self._steps(start, method, deny, login, profile)
        try:
            request = next(steps)
            while True:
                request = steps.send(_send(client, *request))
        except StopIteration as done:
            return done.value

    async def alogin(
        self,
        client: Any,
        start: str,
        *,
        method: str = "GET",
        deny: bool = False,
        login: str | None = None,
        profile: Mapping[str, Any] | None = None,
    ) -> Any:
        """:meth:`login` with an async client: ``httpx.AsyncClient`` over an ASGI app (the
        way FastAPI's docs test async apps) or against a live app."""
        steps = self._steps(start, method, deny, login, profile)
        try:
            request = next(steps)
            while True:
                request = steps.send(await _send(client, *request))
        except StopIteration as done:
            return done.value

    def _steps(
        self,
        start: str,
        method: str,
        deny: bool,
        login: str | None,
        profile: Mapping[str, Any] | None,
    ) -> Generator[tuple[str, str], Any, Any]:
        """The round trip, without I/O: yields each (method, URL) the app's client must
        send, receives its answer, and returns the app's answer to the callback."""
        method = method.upper()
        if method not in ("GET", "POST"):
            raise BrowserError(f"method: a login starts with GET or POST, not {method!r}")
        url = start
        response = yield method, url
        for _ in range(MAX_APP_REDIRECTS):
            location = location_of(response)
            if location is None:
                raise BrowserError(
                    f"the app did not redirect to a provider: {method} {url} answered "
                    f"{response.status_code}",
                    response,
                )
            location = urllib.parse.urljoin(url, location)
            try:
                self._target(location)
            except BrowserError:
                if not _same_app(url, location):
                    raise
                url, method = location, "GET"  # a hop inside the app
                response = yield method, url
                continue
            callback = self.authorize(location, deny=deny, login=login, profile=profile)
            if callback.url is None:
                raise BrowserError(f"{callback.provider}: an oob login has no callback to follow")
            absolute = urllib.parse.urlsplit(start).netloc != ""
            return (yield "GET", callback.url if absolute else callback.path)
        raise BrowserError(
            f"the app redirected {MAX_APP_REDIRECTS} times without reaching a provider", response
        )


def location_of(response: Any) -> str | None:
    """The ``Location`` of a redirect answer from requests, httpx, Flask, Django or Starlette."""
    headers = getattr(response, "headers", None)
    status = getattr(response, "status_code", None)
    if headers is None or status is None or not 300 <= int(status) < 400:
        return None
    location = headers.get("Location")
    return str(location) if location else None


TEST_CLIENT_HOSTS = ("localhost", "testserver")  # Flask's; Django's and Starlette's


def _same_app(current: str, location: str) -> bool:
    """Whether a redirect stays inside the app (a relative URL, the same host, or the
    host a test client calls itself)."""
    here, there = urllib.parse.urlsplit(current), urllib.parse.urlsplit(location)
    if not there.netloc or there.netloc == here.netloc:
        return True
    return not here.netloc and there.hostname in TEST_CLIENT_HOSTS


def _send(client: Any, method: str, url: str) -> Any:
    """GET or POST with the app's client, never following redirects (each client says so
    its own way)."""
    send = getattr(client, method.lower(), None)
    if send is None:
        raise BrowserError(f"{client!r} is not an HTTP client: it has no {method.lower()}()")
    if isinstance(client, requests.Session):
        return send(url, allow_redirects=False)
    if hasattr(client, "follow_redirects"):  # httpx's and httpx2's clients, Starlette's TestClient
        return send(url, follow_redirects=False)
    return send(url)  # Flask's and Django's test clients do not follow by default


class _FormParser(HTMLParser):
    """What the browser reads from an IdP page: the form, its hidden fields, the title,
    the oob verifier."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self.title = ""
        self.verifier: str | None = None
        self._in: str | None = None

    @classmethod
    def parse(cls, text: str) -> _FormParser:
        parser = cls()
        parser.feed(text)
        parser.close()
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = a.get("action", "")
        elif tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "title":
            self._in = "title"
        elif a.get("id") == "oauth_verifier":
            self._in = "verifier"

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "verifier":
            self.verifier = (self.verifier or "") + data.strip()
