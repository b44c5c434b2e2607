"""Benchmark: how close a login is to the floor, measured side by side in one run (issue 11).

A login is three requests (authorize, token, profile). Each figure is a ratio
to a floor measured in the same run, the same way:

- loopback: a login through waitress, set up as ``fakeidp serve`` sets it up
  (threads, connection limit, channel timeout), against three round trips to
  a bare WSGI function on waitress;
- in-process: a login with the reference client over the in-process
  transport, against three bare Flask test-client requests (and against three
  bare requests over the same in-process transport);
- throughput: logins per second with 8 and 32 client threads against the same
  server, beside bare round-trip triples per second with as many threads.

Run:

    python bench/bench_floor.py [--rounds N] [--provider ID] [--seconds S]

Targets (issue 11): loopback <= 1.2x the waitress floor, in-process <= 5x
the Flask floor. This measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import requests
from flask import Flask
from timing import median_ms  # bench/timing.py, beside this script
from waitress import create_server

import fakeidp
from fakeidp import serving
from fakeidp.transport import IN_PROCESS_BASE, in_process_session


def bare_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = b'{"ok": "yes"}'
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def bare_flask() -> Flask:
    app = Flask(__name__)

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"ok": "yes"}

    return app


class Waitress:
    """An app on waitress in a thread, with ``fakeidp serve``'s settings."""

    def __init__(self, app: Any) -> None:
        serving.summarise_queue_warnings(serving.DEFAULT_THREADS)  # as serve does
        self.server = create_server(
            app,
            host="127.0.0.1",
            port=0,
            threads=serving.DEFAULT_THREADS,
            connection_limit=serving.DEFAULT_CONNECTION_LIMIT,
            channel_timeout=serving.DEFAULT_CHANNEL_TIMEOUT,
            ident="fakeidp",
        )
        self.base_url = f"http://127.0.0.1:{self.server.effective_port}"  # type: ignore[union-attr]
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Waitress:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()


def handle_at(app: Any, base_url: str) -> fakeidp.FakeIdP:
    handle = fakeidp.FakeIdP(app=app)
    handle.base_url = base_url
    return handle


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # loopback needs no proxy lookup; both sides skip it alike
    return s


def throughput(
    fn_for_thread: Callable[[], Callable[[], object]], threads: int, seconds: float
) -> float:
    """Calls per second of ``fn`` (one per thread, made in that thread) over ``seconds``."""
    counts = [0] * threads
    stop = time.perf_counter() + seconds
    ready = threading.Barrier(threads + 1)

    def run(i: int) -> None:
        fn = fn_for_thread()
        fn()  # warm: connection open
        ready.wait()
        n = 0
        while time.perf_counter() < stop:
            fn()
            n += 1
        counts[i] = n

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    ready.wait()
    start = time.perf_counter()
    for w in workers:
        w.join()
    return sum(counts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--provider", default="digitalocean")
    parser.add_argument("--seconds", type=float, default=3.0, help="per throughput figure")
    args = parser.parse_args()
    pid, rounds = args.provider, args.rounds

    # -- in-process ---------------------------------------------------------------------
    flask_client = bare_flask().test_client()

    def three_flask() -> None:
        for _ in range(3):
            flask_client.get("/ping")

    bare_adapter = in_process_session(bare_flask())

    def three_adapter() -> None:
        for _ in range(3):
            bare_adapter.get(f"{IN_PROCESS_BASE}/ping")

    idp = fakeidp.FakeIdP([pid])
    client = fakeidp.OAuth2Client(idp.connection(pid), idp.session())

    def login_in() -> None:
        client.login()
        idp.reset() if len(idp.store.exchanges) > 3000 else None

    floor_flask = median_ms(three_flask, rounds)
    floor_adapter = median_ms(three_adapter, rounds)
    login_in_ms = median_ms(login_in, rounds)

    # -- loopback -----------------------------------------------------------------------
    idp_app = fakeidp.FakeIdP([pid]).app
    with Waitress(bare_wsgi) as bare, Waitress(idp_app) as served:
        bare_http = session()

        def three_bare() -> None:
            for _ in range(3):
                bare_http.get(f"{bare.base_url}/ping")

        live = fakeidp.OAuth2Client(handle_at(idp_app, served.base_url).connection(pid), session())
        floor_loop = median_ms(three_bare, rounds)
        login_loop = median_ms(live.login, rounds)

        def bare_maker() -> Callable[[], object]:
            http = session()
            return lambda: [http.get(f"{bare.base_url}/ping") for _ in range(3)]

        def login_maker() -> Callable[[], object]:
            handle = handle_at(idp_app, served.base_url)
            return fakeidp.OAuth2Client(handle.connection(pid), session()).login

        rates = {
            n: (throughput(bare_maker, n, args.seconds), throughput(login_maker, n, args.seconds))
            for n in (8, 32)
        }

    print(f"provider: {pid}; rounds: {rounds}; medians of one login (3 requests)")
    print(f"  in-process floor: 3 bare Flask test-client requests   {floor_flask:8.3f} ms")
    print(f"  in-process: 3 bare requests via the in-process adapter {floor_adapter:7.3f} ms")
    print(
        f"  in-process login (reference client)                   {login_in_ms:8.3f} ms"
        f"  = {login_in_ms / floor_flask:4.2f} x the Flask floor (target <= 5)"
        f"  = {login_in_ms / floor_adapter:4.2f} x bare over the same transport"
    )
    print(f"  loopback floor: 3 round trips to bare WSGI on waitress {floor_loop:7.3f} ms")
    print(
        f"  loopback login on waitress (serve's settings)          {login_loop:7.3f} ms"
        f"  = {login_loop / floor_loop:4.2f} x the waitress floor (target <= 1.2)"
    )
    for n, (bare_rate, login_rate) in rates.items():
        print(
            f"  throughput, {n:2d} client threads: {login_rate:7.1f} logins/s vs "
            f"{bare_rate:7.1f} bare triples/s = {login_rate / bare_rate:4.2f} x the floor"
        )


if __name__ == "__main__":
    main()
