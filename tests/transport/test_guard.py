"""While intercepting, nothing addressed to a provider leaves the process, by any library.

requests, httpx and httpx2 are answered in-process; every other client is stopped at
once, before any packet, with an error naming the host, the library and the way
to route it. The hosts come from the providers (``Provider.real_origins``).
"""

from __future__ import annotations

import asyncio
import http.client
import importlib
import importlib.util
import socket
import ssl
import threading
import urllib.error
import urllib.request

import pytest
import requests
import urllib3
from requests.adapters import HTTPAdapter

import fakeidp
from fakeidp.transport import NetworkBlocked, provider_hosts

HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None


def test_every_host_of_every_provider_is_guarded() -> None:
    with fakeidp.intercept() as idp:
        hosts = provider_hosts(idp.providers)
        # Aliases too (api.x.com beside api.twitter.com), from the fixtures, not a list here.
        origins = {o for p in idp.providers.values() for o in p.real_origins()}
        assert {f"https://{h}" for h in hosts} >= {o for o in origins if o.startswith("https")}
        for host in hosts:
            with pytest.raises(NetworkBlocked) as err:
                socket.getaddrinfo(host, 443)
            assert err.value.host == host


def test_urllib_is_stopped_with_the_host_library_and_the_way_out() -> None:
    with fakeidp.intercept(["digitalocean"]), pytest.raises(NetworkBlocked) as err:
        urllib.request.urlopen("https://api.digitalocean.com/v2/account", timeout=5)
    message = str(err.value)
    assert "api.digitalocean.com:443" in message
    assert "from urllib.request (called from tests.transport.test_guard)" in message
    assert "DigitalOcean" in message
    assert "idp.serve()" in message and "idp.urls('digitalocean')" in message
    assert "/digitalocean/api<path> answers https://api.digitalocean.com<path>" in message


def test_http_client_is_stopped() -> None:
    with fakeidp.intercept(["x-oauth2"]) as idp:
        alias = idp.provider("x-oauth2").real_bases("api")[-1].removeprefix("https://")
        connection = http.client.HTTPSConnection(alias, timeout=5)
        with pytest.raises(NetworkBlocked, match=rf"{alias}:443 from http\.client"):
            connection.request("GET", "/2/users/me")


def test_urllib3_is_stopped() -> None:
    with fakeidp.intercept(["uber"]), pytest.raises(NetworkBlocked, match="from urllib3"):
        urllib3.PoolManager(retries=False).request("GET", "https://api.uber.com/v1/me")


def test_a_raw_socket_is_stopped() -> None:
    with fakeidp.intercept(["twitch"]), socket.socket() as sock:
        with pytest.raises(NetworkBlocked, match=r"api\.twitch\.tv:443 from a raw socket"):
            sock.connect(("api.twitch.tv", 443))
        with pytest.raises(NetworkBlocked):
            sock.connect_ex(("API.TWITCH.TV.", 443))  # any spelling of the name


def test_asyncio_streams_are_stopped() -> None:
    async def connect() -> None:
        await asyncio.open_connection("id.twitch.tv", 443)

    with fakeidp.intercept(["twitch"]), pytest.raises(NetworkBlocked, match="from asyncio"):
        asyncio.run(connect())


def test_aiohttp_is_stopped() -> None:
    aiohttp = pytest.importorskip("aiohttp")

    async def fetch() -> None:
        async with aiohttp.ClientSession() as session:
            await session.get("https://api.vimeo.com/me")

    with fakeidp.intercept(["vimeo"]), pytest.raises(NetworkBlocked) as err:
        asyncio.run(fetch())
    assert err.value.library == "aiohttp"
    assert err.value.caller == "tests.transport.test_guard"


def test_a_requests_adapter_of_its_own_is_named_with_what_it_calls() -> None:
    class PoolAdapter(HTTPAdapter):
        """A custom adapter that skips HTTPAdapter.send for urllib3 directly."""

        def send(self, request: requests.PreparedRequest, *args: object, **kw: object) -> None:
            self.get_connection_with_tls_context(request, True).urlopen("GET", request.path_url)

    session = requests.Session()
    session.mount("https://", PoolAdapter(max_retries=0))
    with fakeidp.intercept(["dribbble"]), pytest.raises(NetworkBlocked) as err:
        session.get("https://api.dribbble.com/v2/user")
    assert (err.value.library, err.value.caller) == ("urllib3", "tests.transport.test_guard")
    assert "make this call with requests, httpx or httpx2" in str(err.value)


@pytest.mark.parametrize("name", ["httpx", "httpx2"])
def test_an_httpx_transport_of_its_own_is_named_with_the_way_out(name: str) -> None:
    """A transport that skips HTTPTransport for the connection pool (httpcore / httpcore2)
    is stopped, and told which of httpx's or httpx2's in-process clients to use."""
    lib = pytest.importorskip(name)
    core = pytest.importorskip(name.replace("httpx", "httpcore"))

    class PoolTransport(lib.BaseTransport):  # type: ignore[misc,name-defined]
        def handle_request(self, request: object) -> object:
            with core.ConnectionPool() as pool:
                return pool.request("GET", str(request.url))  # type: ignore[attr-defined]

    with (
        fakeidp.intercept(["twitch"]),
        lib.Client(transport=PoolTransport()) as client,
        pytest.raises(NetworkBlocked) as err,
    ):
        client.get("https://api.twitch.tv/helix/users")
    assert err.value.library == name.replace("httpx", "httpcore")
    message = str(err.value)
    assert f"this {name} call did not go through {name}.HTTPTransport" in message
    assert f"use idp.{name}_client(), idp.async_{name}_client() or fakeidp.WSGITransport" in message


def test_other_hosts_and_the_live_server_are_left_alone() -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    with idp.intercepting(), idp.serve() as server:
        assert socket.getaddrinfo("localhost", 80)
        # urllib cannot be intercepted, but the live server on 127.0.0.1 is reachable.
        try:
            urllib.request.urlopen(f"{server.base_url}/digitalocean/api/v2/account", timeout=5)
        except urllib.error.HTTPError as answer:
            assert answer.code == 401
        else:
            pytest.fail("expected the fake's 401")
    assert [e.endpoint for e in idp.exchanges()] == ["account"]


def test_a_provider_moved_to_this_machine_stays_reachable() -> None:
    overrides = {"jira": {"jira": "http://127.0.0.1:9"}}
    with fakeidp.intercept(["jira"], host_overrides=overrides):
        assert socket.getaddrinfo("127.0.0.1", 9)


def original_state() -> tuple[object, ...]:
    import httpx

    httpx2 = importlib.import_module("httpx2") if HAS_HTTPX2 else None
    return (
        socket.getaddrinfo,
        socket.socket.connect,
        socket.socket.connect_ex,
        asyncio.base_events.BaseEventLoop.getaddrinfo,
        asyncio.base_events.BaseEventLoop.create_connection,
        ssl.SSLContext.wrap_socket,
        ssl.SSLContext.wrap_bio,
        HTTPAdapter.send,
        httpx.HTTPTransport.handle_request,
        httpx.AsyncHTTPTransport.handle_async_request,
        httpx2 and httpx2.HTTPTransport.handle_request,
        httpx2 and httpx2.AsyncHTTPTransport.handle_async_request,
    )


def test_leaving_restores_every_patch_even_after_an_error() -> None:
    before = original_state()
    with pytest.raises(ZeroDivisionError), fakeidp.intercept(["uber"]):
        assert original_state() != before
        1 / 0  # noqa: B018
    assert original_state() == before


def test_nested_intercepts_stay_guarded_until_the_last_leaves() -> None:
    before = original_state()
    with fakeidp.intercept(["digitalocean"]) as outer:
        with fakeidp.intercept(["uber"]) as inner:
            # Each host is answered by the interception that knows it.
            requests.get("https://api.uber.com/v1/me", timeout=5)
            requests.get("https://api.digitalocean.com/v2/account", timeout=5)
            assert [e.provider for e in inner.exchanges()] == ["uber"]
            assert [e.provider for e in outer.exchanges()] == ["digitalocean"]
        with pytest.raises(NetworkBlocked):
            socket.getaddrinfo("api.digitalocean.com", 443)
        socket.getaddrinfo("localhost", 443)  # uber's interception is over: not guarded
        assert requests.get("https://api.digitalocean.com/v2/account", timeout=5).status_code == 401
    assert original_state() == before


def test_intercepts_in_threads_leave_in_any_order() -> None:
    before = original_state()
    entered, leave_first = threading.Barrier(2), threading.Event()
    statuses: dict[str, int] = {}

    def run(pid: str, url: str, first: bool) -> None:
        with fakeidp.intercept([pid]):
            entered.wait(timeout=5)
            statuses[pid] = requests.get(url, timeout=5).status_code
            if not first:
                leave_first.wait(timeout=5)  # the one that entered first leaves last
        if first:
            leave_first.set()

    threads = [
        threading.Thread(target=run, args=("uber", "https://api.uber.com/v1/me", False)),
        threading.Thread(
            target=run, args=("digitalocean", "https://api.digitalocean.com/v2/account", True)
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert statuses == {"uber": 401, "digitalocean": 401}
    assert original_state() == before


def test_a_patch_laid_over_ours_stays_and_never_loops() -> None:
    real = socket.getaddrinfo
    try:
        with fakeidp.intercept(["uber"]):
            ours = socket.getaddrinfo

            def theirs(*args: object, **kwargs: object) -> object:  # e.g. a test's mock
                return ours(*args, **kwargs)  # type: ignore[arg-type]

            socket.getaddrinfo = theirs  # type: ignore[assignment]
        assert socket.getaddrinfo is theirs  # left in place: it is not ours to remove
        assert socket.getaddrinfo("localhost", 80)  # ours under it lets everything through
        with fakeidp.intercept(["uber"]):
            with pytest.raises(NetworkBlocked):
                socket.getaddrinfo("api.uber.com", 443)
            assert socket.getaddrinfo("localhost", 80)  # no endless wrapping of wrappers
    finally:
        socket.getaddrinfo = real


def test_a_shipped_provider_the_test_did_not_ask_for_is_guarded_too() -> None:
    with fakeidp.intercept(["uber"]), pytest.raises(NetworkBlocked) as err:
        requests.get("https://api.digitalocean.com/v2/account", timeout=5)
    message = str(err.value)
    assert message.startswith("fakeidp blocked a connection to api.digitalocean.com:443 from")
    assert "No active interception serves 'digitalocean'" in message


def test_a_client_that_resolves_names_its_own_way_is_stopped_before_tls() -> None:
    """aiohttp with its own resolver (aiodns does this) never calls getaddrinfo: it is
    stopped when it names the host for TLS, before a byte of the request is sent."""
    aiohttp = pytest.importorskip("aiohttp")
    listener = socket.create_server(("127.0.0.1", 0))  # stands in for the provider's address
    port = listener.getsockname()[1]

    class OwnResolver(aiohttp.abc.AbstractResolver):  # type: ignore[misc]
        async def resolve(self, host: str, port_: int = 0, family: int = 0) -> list[dict]:  # type: ignore[type-arg]
            return [
                {"hostname": host, "host": "127.0.0.1", "port": port, "family": socket.AF_INET,
                 "proto": 0, "flags": 0}
            ]  # fmt: skip

        async def close(self) -> None:
            pass

    async def fetch() -> None:
        connector = aiohttp.TCPConnector(resolver=OwnResolver())
        async with aiohttp.ClientSession(connector=connector) as session:
            await session.get("https://api.vimeo.com/me")

    with listener, fakeidp.intercept(["vimeo"]), pytest.raises(NetworkBlocked) as err:
        asyncio.run(fetch())
    assert err.value.host == "api.vimeo.com"
    assert err.value.library == "aiohttp"


def test_tls_to_a_provider_name_is_stopped_whatever_the_address() -> None:
    context = ssl.create_default_context()
    with fakeidp.intercept(["imgur"]), socket.socket() as sock:
        with pytest.raises(NetworkBlocked, match=r"api\.imgur\.com"):
            context.wrap_socket(sock, server_hostname="api.imgur.com")
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        with pytest.raises(NetworkBlocked):
            context.wrap_bio(incoming, outgoing, False, "API.imgur.com")
