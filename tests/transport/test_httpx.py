"""httpx and httpx2, sync and async, as first-class clients: in-process and under interception.

httpx2 is httpx's successor (authlib and Starlette prefer it when installed): every test
here runs for both libraries (``lib``), the httpx2 runs skipped where it is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import urllib.parse
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest
import requests

import fakeidp
from tests.expected import EXPECTED_USER_IDS

REDIRECT = "https://app.example/callback"
HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["httpx", "httpx2"])
def lib(request: pytest.FixtureRequest) -> ModuleType:
    """The client library under test: httpx, or httpx2 where it is installed."""
    return pytest.importorskip(request.param)


def in_process_client(idp: fakeidp.FakeIdP, lib: ModuleType) -> Any:
    """``idp.httpx_client()`` or ``idp.httpx2_client()``: the handle's client for ``lib``."""
    return getattr(idp, f"{lib.__name__}_client")()


def in_process_async_client(idp: fakeidp.FakeIdP, lib: ModuleType) -> Any:
    return getattr(idp, f"async_{lib.__name__}_client")()


def authorize_params(idp: fakeidp.FakeIdP, pid: str, redirect: str = REDIRECT) -> dict[str, str]:
    creds = idp.credentials(pid)
    return {
        "client_id": creds.client_id,
        "response_type": "code",
        "redirect_uri": redirect,
        "state": "state-123456789",
        "scope": "read",
    }


def token_form(idp: fakeidp.FakeIdP, pid: str, code: str) -> dict[str, str]:
    creds = idp.credentials(pid)
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret or "",
    }


def code_of(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    query = urllib.parse.urlsplit(response.headers["Location"]).query
    return dict(urllib.parse.parse_qsl(query))["code"]


def login(idp: fakeidp.FakeIdP, client: httpx.Client, urls: dict[str, str]) -> str:
    """DigitalOcean's authorization code flow, by hand, with an httpx (or httpx2) client."""
    code = code_of(client.get(urls["authorize"], params=authorize_params(idp, "digitalocean")))
    token = client.post(urls["token"], data=token_form(idp, "digitalocean", code))
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    account = client.get(urls["account"], headers=headers)
    return str(account.json()["account"]["uuid"])


async def async_login(idp: fakeidp.FakeIdP, client: httpx.AsyncClient, urls: dict[str, str]) -> str:
    params = authorize_params(idp, "digitalocean")
    code = code_of(await client.get(urls["authorize"], params=params))
    token = await client.post(urls["token"], data=token_form(idp, "digitalocean", code))
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    account = await client.get(urls["account"], headers=headers)
    return str(account.json()["account"]["uuid"])


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to resolve or connect fails the test: in-process means no socket."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a socket was used: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield


# -- in-process clients from the handle -------------------------------------------
def test_handle_gives_an_in_process_client(no_sockets: None, lib: ModuleType) -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    with in_process_client(idp, lib) as client:
        assert isinstance(client, lib.Client)
        assert login(idp, client, idp.urls("digitalocean")) == EXPECTED_USER_IDS["digitalocean"]
    assert idp.errors() == []


@pytest.mark.anyio
async def test_handle_gives_an_in_process_async_client(no_sockets: None, lib: ModuleType) -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    async with in_process_async_client(idp, lib) as client:
        assert isinstance(client, lib.AsyncClient)
        user = await async_login(idp, client, idp.urls("digitalocean"))
    assert user == EXPECTED_USER_IDS["digitalocean"]
    assert idp.errors() == []


def test_wsgi_transport_serves_any_client(lib: ModuleType) -> None:
    idp = fakeidp.FakeIdP(["twitch"])
    transport = fakeidp.WSGITransport(idp.app)
    assert isinstance(transport, lib.BaseTransport)
    with lib.Client(transport=transport) as client:
        response = client.get(idp.urls("twitch")["users"])
    assert isinstance(response, lib.Response)  # the client's own library answers
    assert response.status_code == 401
    # Helix without a token: "OAuth token is missing" (PROVIDERS-AUDIT §6a).
    assert response.json()["message"] == "OAuth token is missing"
    assert response.reason_phrase == "UNAUTHORIZED"
    idp.acknowledge()


@pytest.mark.anyio
async def test_async_wsgi_transport_serves_any_async_client(lib: ModuleType) -> None:
    idp = fakeidp.FakeIdP(["twitch"])
    async with lib.AsyncClient(transport=fakeidp.AsyncWSGITransport(idp.app)) as client:
        response = await client.get(idp.urls("twitch")["users"])
    assert isinstance(response, lib.Response)
    assert response.json()["message"] == "OAuth token is missing"
    idp.acknowledge()


# -- interception ------------------------------------------------------------------
def test_intercepted_login_at_the_real_urls(no_sockets: None, lib: ModuleType) -> None:
    with fakeidp.intercept(["digitalocean"]) as idp, lib.Client() as client:
        user = login(idp, client, idp.real_urls("digitalocean"))
    assert user == EXPECTED_USER_IDS["digitalocean"]
    assert [e.endpoint for e in idp.exchanges()] == ["authorize", "token", "account"]
    assert idp.exchanges()[0].headers["User-Agent"].startswith(f"python-{lib.__name__}/")
    assert idp.errors() == []


@pytest.mark.anyio
async def test_intercepted_async_login_at_the_real_urls(no_sockets: None, lib: ModuleType) -> None:
    with fakeidp.intercept(["digitalocean"]) as idp:
        async with lib.AsyncClient() as client:
            user = await async_login(idp, client, idp.real_urls("digitalocean"))
    assert user == EXPECTED_USER_IDS["digitalocean"]
    assert idp.errors() == []


def test_every_client_gives_the_same_exchanges_and_findings() -> None:
    """Twitch refuses client credentials in Basic (PROVIDERS.md §6): every client hears so,
    with the same answer: status, body, and the headers the fake IdP sent."""
    senders = [requests.post, httpx.post]
    if HAS_HTTPX2:
        import httpx2

        senders.append(httpx2.post)
    seen = []
    for send in senders:
        with fakeidp.intercept(["twitch"]) as idp:
            creds = idp.credentials("twitch")
            response = send(  # type: ignore[operator]
                idp.real_urls("twitch")["token"],
                data={"grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT},
                auth=(creds.client_id, creds.client_secret or ""),
            )
            seen.append(
                (
                    response.status_code,
                    response.content,
                    sorted((k.lower(), v) for k, v in response.headers.items()),
                    [(e.endpoint, e.status) for e in idp.exchanges()],
                    [(f.rule, f.severity, f.expected, f.actual) for f in idp.findings()],
                )
            )
    assert all(s == seen[0] for s in seen[1:]), seen
    assert seen[0][4]  # a finding, not an empty match


def test_interception_covers_clients_with_transports_of_their_own(lib: ModuleType) -> None:
    """Libraries build their own clients and transports (retries, mounts): still answered."""
    transport = lib.HTTPTransport(retries=2)
    mounts = {"https://api.uber.com": lib.HTTPTransport(http2=False)}
    with (
        fakeidp.intercept(["twitch", "uber"]) as idp,
        lib.Client(transport=transport, mounts=mounts) as client,
    ):
        assert client.get(idp.real_urls("twitch")["users"]).status_code == 401
        assert client.get(idp.real_urls("uber")["me"]).status_code == 401
        assert [e.provider for e in idp.exchanges()] == ["twitch", "uber"]
        idp.acknowledge()


def test_discovery_names_the_real_urls(lib: ModuleType) -> None:
    with fakeidp.intercept(["twitch"]) as idp:
        doc = lib.get(idp.real_urls("twitch")["discovery"]).json()
    assert doc["issuer"] == "https://id.twitch.tv/oauth2"  # the real issuer, not the fake's
    assert doc["token_endpoint"] == idp.real_urls("twitch")["token"]


def test_leaves_other_urls_to_the_library(monkeypatch: pytest.MonkeyPatch, lib: ModuleType) -> None:
    """A URL on no provider host goes to the library's own transport, untouched."""
    calls: list[str] = []

    def original(self: Any, request: Any) -> Any:
        calls.append(str(request.url))
        return lib.Response(204, request=request)

    monkeypatch.setattr(lib.HTTPTransport, "handle_request", original)
    with fakeidp.intercept(["uber"]):
        assert lib.get("https://app.example/health").status_code == 204
        assert lib.get("https://api.uber.com/v1/me").status_code == 401
    assert calls == ["https://app.example/health"]
    assert lib.HTTPTransport.handle_request is original


@pytest.mark.skipif(not HAS_HTTPX2, reason="needs httpx2")
def test_httpx_and_httpx2_are_both_intercepted_and_both_restored() -> None:
    import httpx2

    def state() -> list[object]:
        return [m.HTTPTransport.handle_request for m in (httpx, httpx2)] + [
            m.AsyncHTTPTransport.handle_async_request for m in (httpx, httpx2)
        ]

    before = state()
    with pytest.raises(ZeroDivisionError), fakeidp.intercept(["uber"]) as idp:
        assert httpx.get("https://api.uber.com/v1/me").status_code == 401
        assert httpx2.get("https://api.uber.com/v1/me").status_code == 401
        assert [e.headers["User-Agent"].split("/")[0] for e in idp.exchanges()] == [
            "python-httpx",
            "python-httpx2",
        ]
        idp.acknowledge()
        1 / 0  # noqa: B018
    assert state() == before


# -- redirects: the client's to follow, never the transport's ----------------------
def test_redirect_followed_by_the_client_fills_history(lib: ModuleType) -> None:
    with fakeidp.intercept(["digitalocean"]) as idp, lib.Client(follow_redirects=True) as client:
        # The callback is another provider URL, so the whole chain stays in-process.
        callback = idp.real_urls("digitalocean")["account"]
        params = authorize_params(idp, "digitalocean", redirect=callback)
        response = client.get(idp.real_urls("digitalocean")["authorize"], params=params)
    assert [r.status_code for r in response.history] == [302]
    assert str(response.url).startswith(callback + "?code=")
    assert response.status_code == 401  # the profile endpoint, without a token
    assert [e.endpoint for e in idp.exchanges()] == ["authorize", "account"]
    idp.acknowledge()


def test_redirect_left_to_the_caller(lib: ModuleType) -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    with in_process_client(idp, lib) as client:
        params = authorize_params(idp, "digitalocean")
        response = client.get(idp.urls("digitalocean")["authorize"], params=params)
    assert response.status_code == 302 and response.history == []
    assert str(response.next_request.url).startswith(REDIRECT + "?code=")
    assert len(idp.exchanges("digitalocean", "authorize")) == 1


# -- what httpx sends --------------------------------------------------------------
def test_bytes_and_repeated_headers(lib: ModuleType) -> None:
    idp = fakeidp.FakeIdP(["twitch"])
    headers = [(b"Client-Id", b"abc"), (b"X-Trace", b"1"), (b"X-Trace", b"2")]
    with in_process_client(idp, lib) as client:
        client.get(idp.urls("twitch")["users"], headers=headers)
    recorded = idp.exchanges()[0].headers
    assert recorded["Client-Id"] == "abc"
    assert recorded["X-Trace"] == "1, 2"  # RFC 9110 §5.3
    idp.acknowledge()


@pytest.mark.parametrize("shape", ["bytes", "generator"])
def test_body_shapes(shape: str, lib: ModuleType) -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    form = urllib.parse.urlencode(token_form(idp, "digitalocean", "not-a-code")).encode()

    def chunks() -> Iterator[bytes]:
        yield form[:10]
        yield form[10:]

    content = form if shape == "bytes" else chunks()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    with fakeidp.intercept(["digitalocean"]) as idp, lib.Client() as client:
        response = client.post(
            idp.real_urls("digitalocean")["token"], content=content, headers=headers
        )
    assert response.json()["error"] == "invalid_grant"
    assert idp.exchanges()[0].form["grant_type"] == "authorization_code"
    idp.acknowledge()


def test_streamed_response(lib: ModuleType) -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    with (
        in_process_client(idp, lib) as client,
        client.stream("GET", idp.urls("digitalocean")["account"]) as r,
    ):
        body = b"".join(r.iter_bytes(chunk_size=5))
    assert json.loads(body)["id"] == "unauthorized"
    idp.acknowledge()


@pytest.mark.anyio
async def test_streamed_response_async_intercepted(lib: ModuleType) -> None:
    with fakeidp.intercept(["digitalocean"]) as idp:
        async with (
            lib.AsyncClient() as client,
            client.stream("GET", idp.real_urls("digitalocean")["account"]) as r,
        ):
            chunks = [chunk async for chunk in r.aiter_bytes(chunk_size=5)]
    assert max(len(c) for c in chunks) == 5
    assert json.loads(b"".join(chunks))["id"] == "unauthorized"
    idp.acknowledge()
