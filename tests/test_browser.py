"""``idp.browser``: the user's browser at the fake IdP, for tests of an app's own login.

Each test drives a real flow: the app's side is the reference client (a correct
connector) at the providers' real URLs through interception, or at the fake's
URLs; the browser goes through the authorization endpoint; the code or
verifier it brings back must be one the token endpoint accepts.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask, redirect, request

import fakeidp
from fakeidp.browser import BrowserError, Callback

REDIRECT = "https://app.example/callback"


@pytest.fixture
def intercepting() -> Iterator[fakeidp.FakeIdP]:
    with fakeidp.intercept() as idp:
        yield idp


def oauth2_login(
    idp: fakeidp.FakeIdP, pid: str, real_urls: bool = True, **options: Any
) -> tuple[Callback, fakeidp.OAuth2Client, Any]:
    """The app's side of an OAuth 2.0 login around ``idp.browser.authorize``."""
    connection = idp.connection(pid, real_urls=real_urls, redirect_uri=REDIRECT)
    session = requests.Session() if real_urls else idp.session()
    client = fakeidp.OAuth2Client(connection, session)
    auth = client.authorization_request()
    return idp.browser.authorize(auth.url, **options), client, auth


def finish_oauth2(client: fakeidp.OAuth2Client, auth: Any, callback: Callback) -> str | None:
    assert callback.url is not None
    code = client.parse_callback(callback.url, auth.state)
    token = client.fetch_token(code, auth.code_verifier)
    return client.fetch_profile(token["access_token"])[1]


# -- OAuth 2.0 ------------------------------------------------------------------------------
def test_approves_at_the_real_authorization_url_and_the_code_works(
    intercepting: fakeidp.FakeIdP,
) -> None:
    callback, client, auth = oauth2_login(intercepting, "twitch")
    assert callback.url is not None and callback.url.startswith(REDIRECT + "?")
    assert callback.path.startswith("/callback?code=")
    assert callback.params["state"] == auth.state and callback.error is None
    assert finish_oauth2(client, auth, callback) == "739003271"
    assert [e.endpoint for e in intercepting.exchanges()] == ["authorize", "token", "users"]
    assert intercepting.findings() == []


def test_the_fakes_own_urls_work_in_process_and_live() -> None:
    idp = fakeidp.FakeIdP()
    callback, client, auth = oauth2_login(idp, "uber", real_urls=False)
    assert finish_oauth2(client, auth, callback) == idp.user("uber").profile["rider_id"]
    with idp.serve() as server:
        connection = idp.connection("uber", redirect_uri=REDIRECT)
        assert connection.authorize_url.startswith(server.base_url)
        client = fakeidp.OAuth2Client(connection, requests.Session())  # a real socket
        auth = client.authorization_request()
        callback = idp.browser.authorize(auth.url)
        assert finish_oauth2(client, auth, callback) == idp.user("uber").profile["rider_id"]


def test_deny_brings_access_denied_with_the_state(intercepting: fakeidp.FakeIdP) -> None:
    callback, client, auth = oauth2_login(intercepting, "digitalocean", deny=True)
    # RFC 6749 §4.1.2.1: error=access_denied, and the state the client sent.
    assert callback.error == "access_denied" and callback.params["state"] == auth.state
    assert "code" not in callback.params
    with pytest.raises(fakeidp.LoginError) as err:
        client.parse_callback(callback.url or "", auth.state)
    assert err.value.kind == "cancelled"
    # The denial was for that login only: the next one is approved.
    callback, client, auth = oauth2_login(intercepting, "digitalocean")
    assert callback.params.get("code") and callback.error is None


@pytest.mark.parametrize("interactive", [False, True], ids=["auto-approve", "login-page"])
def test_a_chosen_login_and_profile_reach_the_app(
    intercepting: fakeidp.FakeIdP, interactive: bool
) -> None:
    intercepting.interactive = interactive
    callback, client, auth = oauth2_login(
        intercepting, "twitch", login="alice", profile={"id": "1234"}
    )
    assert callback.url is not None
    code = client.parse_callback(callback.url, auth.state)
    token = client.fetch_token(code, auth.code_verifier)
    profile, user_id = client.fetch_profile(token["access_token"])
    assert user_id == "1234"
    assert profile["data"][0]["login"] == "alice"  # Helix: the name the user logged in with
    pages = [e.status for e in intercepting.exchanges(endpoint="authorize")]
    # The login page: shown (200), then its form answered (302); else one redirect.
    assert pages == ([200, 302] if interactive else [302])


def test_deny_on_the_login_page(intercepting: fakeidp.FakeIdP) -> None:
    intercepting.interactive = True
    callback, _, auth = oauth2_login(intercepting, "uber", deny=True)
    assert callback.error == "access_denied" and callback.params["state"] == auth.state


# -- OAuth 1.0a -----------------------------------------------------------------------------
def oauth1_client(idp: fakeidp.FakeIdP, pid: str, redirect: str = REDIRECT) -> Any:
    connection = idp.connection(pid, real_urls=True, redirect_uri=redirect)
    client = fakeidp.OAuth1Client(connection, requests.Session())
    temporary = client.fetch_request_token()
    return client, temporary, client.authorization_url(temporary["oauth_token"])


@pytest.mark.parametrize("interactive", [False, True], ids=["auto-approve", "login-page"])
def test_oauth1_approve_gives_a_verifier_the_access_token_endpoint_takes(
    intercepting: fakeidp.FakeIdP, interactive: bool
) -> None:
    intercepting.interactive = interactive
    client, temporary, url = oauth1_client(intercepting, "x")
    assert url.startswith("https://api.x.com/oauth/") or url.startswith("https://api.twitter.com")
    callback = intercepting.browser.authorize(url, login="alice")
    assert callback.url is not None
    verifier = client.parse_callback(callback.url, temporary["oauth_token"])
    token = client.fetch_access_token(
        temporary["oauth_token"], temporary["oauth_token_secret"], verifier
    )
    profile, user_id = client.fetch_profile(token["oauth_token"], token["oauth_token_secret"])
    assert user_id == "1460123456789012480" and profile["screen_name"] == "alice"


@pytest.mark.parametrize("interactive", [False, True], ids=["auto-approve", "login-page"])
def test_oauth1_deny_brings_the_providers_own_denial(
    intercepting: fakeidp.FakeIdP, interactive: bool
) -> None:
    intercepting.interactive = interactive
    _, temporary, url = oauth1_client(intercepting, "x")
    callback = intercepting.browser.authorize(url, deny=True)
    # X: ?denied=<request token> (psa twitter.py; provider_fixtures/x.toml [oauth1] denial).
    assert callback.params == {"denied": temporary["oauth_token"]}


def test_oauth1_oob_hands_back_the_pin(intercepting: fakeidp.FakeIdP) -> None:
    client, temporary, url = oauth1_client(intercepting, "x", redirect="oob")
    callback = intercepting.browser.authorize(url)
    assert callback.url is None and callback.verifier
    token = client.fetch_access_token(
        temporary["oauth_token"], temporary["oauth_token_secret"], callback.verifier
    )
    assert token["user_id"] == "1460123456789012480"


# -- the whole round trip through an app ----------------------------------------------------
def make_app(idp: fakeidp.FakeIdP, pid: str) -> Flask:
    """A small app on the reference client at the provider's real URLs."""
    app = Flask(__name__)
    pending: dict[str, Any] = {}

    def client() -> fakeidp.OAuth2Client:
        redirect_uri = request.host_url + "callback"
        connection = idp.connection(pid, real_urls=True, redirect_uri=redirect_uri)
        return fakeidp.OAuth2Client(connection, requests.Session())

    @app.get("/")
    def start() -> Any:
        return redirect("/login")  # a hop inside the app first

    @app.get("/login")
    def login() -> Any:
        auth = client().authorization_request()
        pending["auth"] = auth
        return redirect(auth.url)

    @app.get("/callback")
    def callback() -> Any:
        auth = pending.pop("auth")
        try:
            code = client().parse_callback(request.url, auth.state)
        except fakeidp.LoginError as exc:
            return {"error": exc.kind}, 403
        token = client().fetch_token(code, auth.code_verifier)
        return {"user_id": client().fetch_profile(token["access_token"])[1]}

    @app.get("/about")
    def about() -> Any:
        return "no login here"

    return app


def test_login_through_a_flask_test_client(intercepting: fakeidp.FakeIdP) -> None:
    app = make_app(intercepting, "dribbble")
    response = intercepting.browser.login(app.test_client(), "/")
    assert response.status_code == 200
    assert response.json == {"user_id": str(intercepting.user("dribbble").profile["id"])}
    denied = intercepting.browser.login(app.test_client(), "/login", deny=True)
    assert (denied.status_code, denied.json) == (403, {"error": "cancelled"})


def test_login_through_a_live_app(intercepting: fakeidp.FakeIdP) -> None:
    app = make_app(intercepting, "uber")
    with fakeidp.LiveServer(app) as server:  # the app on a real socket, another thread
        response = intercepting.browser.login(requests.Session(), server.base_url + "/login")
    assert response.status_code == 200
    assert response.json() == {"user_id": intercepting.user("uber").profile["rider_id"]}


# Starlette 1.10 prefers httpx2 for its TestClient and warns that httpx is deprecated there.
@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_login_through_starlettes_test_client(intercepting: fakeidp.FakeIdP) -> None:
    pytest.importorskip("starlette")
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, RedirectResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    pending: dict[str, Any] = {}

    def client(request: Request) -> fakeidp.OAuth2Client:
        uri = str(request.url_for("callback"))
        connection = intercepting.connection("uber", real_urls=True, redirect_uri=uri)
        return fakeidp.OAuth2Client(connection, requests.Session())

    def login(request: Request) -> RedirectResponse:
        pending["auth"] = auth = client(request).authorization_request()
        return RedirectResponse(auth.url)

    def callback(request: Request) -> JSONResponse:
        auth, oauth = pending.pop("auth"), client(request)
        token = oauth.fetch_token(oauth.parse_callback(str(request.url), auth.state), None)
        return JSONResponse({"user_id": oauth.fetch_profile(token["access_token"])[1]})

    app = Starlette(routes=[Route("/login", login), Route("/callback", callback)])
    # TestClient follows redirects by default; the browser asks it not to.
    response = intercepting.browser.login(TestClient(app), "/login")
    assert response.json() == {"user_id": intercepting.user("uber").profile["rider_id"]}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.parametrize("library", ["httpx", "httpx2"])
async def test_alogin_with_an_async_client_against_a_live_app(
    intercepting: fakeidp.FakeIdP, library: str
) -> None:
    lib = pytest.importorskip(library)
    app = make_app(intercepting, "uber")
    with fakeidp.LiveServer(app) as server:
        async with lib.AsyncClient(base_url=server.base_url) as client:
            response = await intercepting.browser.alogin(client, server.base_url + "/")
            denied = await intercepting.browser.alogin(client, "/login", deny=True)
    assert response.json() == {"user_id": intercepting.user("uber").profile["rider_id"]}
    assert (denied.status_code, denied.json()) == (403, {"error": "cancelled"})


# -- bad input ------------------------------------------------------------------------------
def test_a_url_that_is_no_providers_is_one_clear_error() -> None:
    idp = fakeidp.FakeIdP()
    with pytest.raises(BrowserError) as err:
        idp.browser.authorize("https://example.com/oauth/authorize?client_id=x")
    assert str(err.value).startswith(
        "https://example.com/oauth/authorize is not the authorization URL of a provider "
        "fakeidp emulates (digitalocean, dribbble,"
    )
    assert "\n" not in str(err.value)


def test_a_providers_other_endpoint_names_its_authorization_url() -> None:
    idp = fakeidp.FakeIdP()
    with pytest.raises(BrowserError) as err:
        idp.browser.authorize("https://id.twitch.tv/oauth2/token")
    assert str(err.value) == (
        "https://id.twitch.tv/oauth2/token is not Twitch's authorization endpoint; "
        "its authorization URL is https://id.twitch.tv/oauth2/authorize"
    )


def test_a_real_url_without_interception_is_refused_before_the_app_reaches_the_network() -> None:
    idp = fakeidp.FakeIdP()
    url = idp.connection("twitch", real_urls=True, redirect_uri=REDIRECT).authorize_url
    with pytest.raises(BrowserError) as err:
        idp.browser.authorize(url + "?client_id=x")
    assert str(err.value) == (
        "the app sent the user to Twitch's real authorization URL, but this fake IdP is not "
        "intercepting Twitch's URLs, so the app's token request would reach the real provider: "
        "turn interception on (@pytest.mark.fakeidp(intercept=True), the fakeidp_intercept "
        "fixture, or `with idp.intercepting():`)"
    )
    # another IdP intercepts: its state is not this handle's
    with fakeidp.intercept(), pytest.raises(BrowserError, match="would reach another fake IdP"):
        idp.browser.authorize(url + "?client_id=x")
    assert idp.exchanges() == []
    with idp.intercepting():  # now it does
        callback, _, _ = oauth2_login(idp, "twitch")
    assert callback.params.get("code") and len(idp.exchanges()) == 1


def test_another_fake_idps_url_is_named() -> None:
    idp = fakeidp.FakeIdP()
    with pytest.raises(BrowserError, match="is not this fake IdP's URL: it serves at "):
        idp.browser.authorize("http://127.0.0.1:8400/uber/login/oauth/v2/authorize?x=1")


def test_an_answer_that_is_not_a_redirect_is_named() -> None:
    idp = fakeidp.FakeIdP()
    app = make_app(idp, "uber")
    page = app.test_client().get("/about")
    with pytest.raises(BrowserError, match="expected an authorization URL or a redirect to one"):
        idp.browser.authorize(page)
    with pytest.raises(BrowserError) as err:
        idp.browser.login(app.test_client(), "/about")
    assert str(err.value) == "the app did not redirect to a provider: GET /about answered 200"
    with pytest.raises(BrowserError, match="method: a login starts with GET or POST, not 'PUT'"):
        idp.browser.login(app.test_client(), "/", method="PUT")


def test_an_idp_error_page_is_an_error_naming_the_page_and_finding() -> None:
    idp = fakeidp.FakeIdP()
    url = (
        idp.urls("twitch")["authorize"]
        + "?"
        + urllib.parse.urlencode(
            {"client_id": "nobody", "redirect_uri": REDIRECT, "response_type": "code", "state": "s"}
        )
    )
    with pytest.raises(BrowserError) as err:
        idp.browser.authorize(url, deny=True)
    lines = str(err.value).splitlines()
    assert lines[0] == (
        "Twitch did not send the browser back to the app: it answered 400 Twitch: Unknown client"
    )
    assert lines[1].startswith("  [error] oauth2.authorize.client_id (twitch authorize)")
    assert err.value.response.status_code == 400
    assert idp.store.denials == {}  # the denial it did not use does not leak into the next login
