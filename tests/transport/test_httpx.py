"""httpx, sync and async, as first-class clients: in-process and under interception."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests

import fakeidp
from tests.expected import EXPECTED_USER_IDS

REDIRECT = "https://app.example/callback"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def authorize_params(idp: fakeidp.FakeIdP, pid: str) -> dict[str, str]:
    creds = idp.credentials(pid)
    return {
        "client_id": creds.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
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
    """DigitalOcean's authorization code flow, by hand, with an httpx client."""
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
def test_handle_gives_an_in_process_httpx_client(no_sockets: None) -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    with idp.httpx_client() as client:
        assert login(idp, client, idp.urls("digitalocean")) == EXPECTED_USER_IDS["digitalocean"]
    assert idp.errors() == []


@pytest.mark.anyio
async def test_handle_gives_an_in_process_async_httpx_client(no_sockets: None) -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    async with idp.async_httpx_client() as client:
        user = await async_login(idp, client, idp.urls("digitalocean"))
    assert user == EXPECTED_USER_IDS["digitalocean"]
    assert idp.errors() == []


def test_wsgi_transport_serves_any_httpx_client() -> None:
    idp = fakeidp.FakeIdP(["twitch"])
    with httpx.Client(transport=fakeidp.WSGITransport(idp.app)) as client:
        response = client.get(idp.urls("twitch")["users"])
    assert response.status_code == 401
    # Helix without a token: "OAuth token is missing" (PROVIDERS-AUDIT §6a).
    assert response.json()["message"] == "OAuth token is missing"
    assert response.reason_phrase == "UNAUTHORIZED"
    idp.acknowledge()


# -- interception ------------------------------------------------------------------
def test_intercepted_httpx_login_at_the_real_urls(no_sockets: None) -> None:
    with fakeidp.intercept(["digitalocean"]) as idp, httpx.Client() as client:
        user = login(idp, client, idp.real_urls("digitalocean"))
    assert user == EXPECTED_USER_IDS["digitalocean"]
    assert [e.endpoint for e in idp.exchanges()] == ["authorize", "token", "account"]
    assert idp.errors() == []


@pytest.mark.anyio
async def test_intercepted_async_httpx_login_at_the_real_urls(no_sockets: None) -> None:
    with fakeidp.intercept(["digitalocean"]) as idp:
        async with httpx.AsyncClient() as client:
            user = await async_login(idp, client, idp.real_urls("digitalocean"))
    assert user == EXPECTED_USER_IDS["digitalocean"]
    assert idp.errors() == []


def test_httpx_and_requests_give_the_same_exchanges_and_findings() -> None:
    """Twitch refuses client credentials in Basic (PROVIDERS.md §6): both clients hear so."""
    seen = []
    for send in (requests.post, httpx.post):
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
                    response.json(),
                    [(e.endpoint, e.status) for e in idp.exchanges()],
                    [(f.rule, f.severity, f.expected, f.actual) for f in idp.findings()],
                )
            )
    assert seen[0] == seen[1]
    assert seen[0][3]  # a finding, not an empty match


def test_interception_covers_clients_with_transports_of_their_own() -> None:
    """Libraries build their own clients and transports (retries, mounts): still answered."""
    transport = httpx.HTTPTransport(retries=2)
    mounts = {"https://api.uber.com": httpx.HTTPTransport(http2=False)}
    with (
        fakeidp.intercept(["twitch", "uber"]) as idp,
        httpx.Client(transport=transport, mounts=mounts) as client,
    ):
        assert client.get(idp.real_urls("twitch")["users"]).status_code == 401
        assert client.get(idp.real_urls("uber")["me"]).status_code == 401
        assert [e.provider for e in idp.exchanges()] == ["twitch", "uber"]
        idp.acknowledge()


def test_discovery_through_httpx_names_the_real_urls() -> None:
    with fakeidp.intercept(["twitch"]) as idp:
        doc = httpx.get(idp.real_urls("twitch")["discovery"]).json()
    assert doc["issuer"] == "https://id.twitch.tv/oauth2"  # the real issuer, not the fake's
    assert doc["token_endpoint"] == idp.real_urls("twitch")["token"]


def test_leaves_other_urls_to_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    """A URL on no provider host goes to httpx's own transport, untouched."""
    calls: list[str] = []

    def original(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(204, request=request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", original)
    with fakeidp.intercept(["uber"]):
        assert httpx.get("https://app.example/health").status_code == 204
        assert httpx.get("https://api.uber.com/v1/me").status_code == 401
    assert calls == ["https://app.example/health"]
    assert httpx.HTTPTransport.handle_request is original


# -- what httpx sends --------------------------------------------------------------
def test_bytes_and_repeated_headers() -> None:
    idp = fakeidp.FakeIdP(["twitch"])
    headers = [(b"Client-Id", b"abc"), (b"X-Trace", b"1"), (b"X-Trace", b"2")]
    with idp.httpx_client() as client:
        client.get(idp.urls("twitch")["users"], headers=headers)
    recorded = idp.exchanges()[0].headers
    assert recorded["Client-Id"] == "abc"
    assert recorded["X-Trace"] == "1, 2"  # RFC 9110 §5.3
    idp.acknowledge()


@pytest.mark.parametrize("shape", ["bytes", "generator"])
def test_body_shapes(shape: str) -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    form = urllib.parse.urlencode(token_form(idp, "digitalocean", "not-a-code")).encode()

    def chunks() -> Iterator[bytes]:
        yield form[:10]
        yield form[10:]

    content = form if shape == "bytes" else chunks()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    with fakeidp.intercept(["digitalocean"]) as idp, httpx.Client() as client:
        response = client.post(
            idp.real_urls("digitalocean")["token"], content=content, headers=headers
        )
    assert response.json()["error"] == "invalid_grant"
    assert idp.exchanges()[0].form["grant_type"] == "authorization_code"
    idp.acknowledge()


def test_streamed_response() -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    with (
        idp.httpx_client() as client,
        client.stream("GET", idp.urls("digitalocean")["account"]) as r,
    ):
        body = b"".join(r.iter_bytes(chunk_size=5))
    assert json.loads(body)["id"] == "unauthorized"
    idp.acknowledge()


# -- without httpx -----------------------------------------------------------------
def test_without_httpx_fakeidp_works_and_says_what_it_lacks() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["httpx"] = None  # as if httpx were not installed
        import requests
        import fakeidp
        from fakeidp import *  # noqa: F403  (nothing in __all__ needs httpx)

        with fakeidp.intercept(["uber"]) as idp:
            assert requests.get("https://api.uber.com/v1/me").status_code == 401
        for ask in (lambda: idp.httpx_client(), lambda: fakeidp.WSGITransport):
            try:
                ask()
            except ImportError as err:
                print(err)
        """
    )
    src = Path(fakeidp.__file__).parent.parent
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "fakeidp: idp.httpx_client() needs httpx, which is not installed: pip install httpx "
        "(or pip install 'fakeidp[httpx]')",
        "fakeidp: fakeidp.WSGITransport needs httpx, which is not installed: pip install httpx "
        "(or pip install 'fakeidp[httpx]')",
    ]
