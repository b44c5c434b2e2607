"""``idp.serve()`` / LiveServer: the same waitress as ``fakeidp serve``, started and
stopped cleanly (issue 11: serve idp.serve() on waitress too)."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import pytest

import fakeidp


def _threads_named(prefix: str) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(prefix)]


def test_a_login_through_serve_meets_the_standalone_servers_http_server() -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    with idp.serve() as server:
        result = fakeidp.OAuth2Client(idp.connection("digitalocean")).login()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", "/_fakeidp/health")
        answer = conn.getresponse()
        answer.read()
        conn.close()
    assert result.user_id
    assert answer.getheader("Server") == "fakeidp"  # waitress with serve's ident


def test_stop_closes_an_idle_keep_alive_connection_and_returns_at_once() -> None:
    server = fakeidp.LiveServer(fakeidp.create_app(["uber"])).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/_fakeidp/health")
    conn.getresponse().read()  # the connection stays open (HTTP/1.1 keep-alive)
    started = time.monotonic()
    server.stop()
    took = time.monotonic() - started
    assert conn.sock is not None
    conn.sock.settimeout(5)
    assert conn.sock.recv(1) == b""  # closed by the server, not left to time out
    conn.close()
    assert took < 2  # generous: it takes about a millisecond
    assert not _threads_named(f"fakeidp-live-{server.port}")


def test_a_request_in_flight_at_stop_gets_its_whole_answer() -> None:
    entered = threading.Event()

    def slow(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        entered.set()
        time.sleep(0.3)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
        return [b"done"]

    server = fakeidp.LiveServer(slow).start()
    answers: list[bytes] = []

    def call() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", "/")
        answers.append(conn.getresponse().read())
        conn.close()

    caller = threading.Thread(target=call)
    caller.start()
    assert entered.wait(5)
    server.stop()
    caller.join(5)
    assert answers == [b"done"]


def test_a_port_in_use_leaves_no_socket_or_thread_behind() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        before = threading.active_count()
        with pytest.raises(OSError, match=rf"cannot listen on 127\.0\.0\.1:{port}: "):
            fakeidp.LiveServer(fakeidp.create_app(["uber"]), port=port).start()
        assert threading.active_count() == before  # no worker threads started


def test_stop_twice_and_restart_on_the_same_port() -> None:
    app = fakeidp.create_app(["uber"])
    server = fakeidp.LiveServer(app).start()
    port = server.port
    server.stop()
    server.stop()  # a second stop is harmless
    again = fakeidp.LiveServer(app, port=port).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/_fakeidp/health")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        again.stop()


def test_serving_an_openid_provider_makes_its_signing_key_at_start() -> None:
    idp = fakeidp.FakeIdP(["twitch"])  # Twitch has OpenID Connect
    with idp.serve():
        assert idp.store._signing_key is not None  # not left to the first ID token
    plain = fakeidp.FakeIdP(["digitalocean"])
    with plain.serve():
        assert plain.store._signing_key is None  # no OIDC: no RSA key generation at all
