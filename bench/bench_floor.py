"""Benchmark: how close a login is to the floor, measured side by side in one run (issue 11).

A login is three requests (authorize, token, profile). Each figure is a ratio
to a floor measured in the same run, the same way:

- loopback, through ``fakeidp serve``: the reference client logs in against a
  ``fakeidp serve PROVIDER`` process (its defaults: waitress, 8 threads, the
  access log on), against three round trips to a bare WSGI function on
  waitress in a process of its own with the same settings. A bare Flask app
  on the same waitress is measured too: the part of the gap that is Flask's.
  Rounds are interleaved (floor, Flask, login, floor, ...) so drift in the
  machine's load hits all three alike;
- loopback, in-process: the same, with waitress in a thread of this process
  (client and server then share one GIL);
- in-process: a login with the reference client over the in-process
  transport, against three bare Flask test-client requests (and against three
  bare requests over the same in-process transport);
- throughput: logins per second with 8 and 32 client threads against the
  ``fakeidp serve`` process, beside bare round-trip triples per second with as
  many threads against the bare process.

Run:

    python bench/bench_floor.py [--rounds N] [--provider ID] [--seconds S]

Targets (issue 11): loopback <= 1.2x the waitress floor, in-process <= 5x
the Flask floor. This measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import requests
from flask import Flask
from timing import median_ms  # bench/timing.py, beside this script

import fakeidp
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


@contextmanager
def process(args: list[str]) -> Iterator[str]:
    """Run ``args`` (a server that prints a line with its URL first); yield the URL.

    Its output goes to a file, never a pipe this script must drain: the access log
    is written as serve writes it, and nothing here competes with the client for time.
    """
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
        try:
            deadline = time.monotonic() + 30
            url = None
            while url is None:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out.seek(0)
                    raise SystemExit(f"{args} did not start: {out.read()[-2000:]}")
                out.seek(0)
                match = re.search(r"http://127\.0\.0\.1:\d+", out.readline())
                url = match.group(0) if match else None
                time.sleep(0.02)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def bare_server(kind: str) -> None:
    """``--bare-server wsgi|flask``: serve the bare app on waitress, print its URL."""
    server = fakeidp.LiveServer(bare_wsgi if kind == "wsgi" else bare_flask()).start()
    print(f"serving on {server.base_url}", flush=True)
    threading.Event().wait()  # until the benchmark terminates this process


def handle_at(app: Any, base_url: str) -> fakeidp.FakeIdP:
    handle = fakeidp.FakeIdP(app=app)
    handle.base_url = base_url
    return handle


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # loopback needs no proxy lookup; both sides skip it alike
    return s


def interleaved(
    fns: dict[str, Callable[[], object]], rounds: int, batch: int = 10
) -> dict[str, float]:
    """Median ms of each of ``fns``, run in turn ``batch`` calls at a time, after a warm-up."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        for _ in range(20):
            fn()
    for _ in range(max(1, rounds // batch)):
        for name, fn in fns.items():
            for _ in range(batch):
                start = time.perf_counter()
                fn()
                samples[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


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


def triples(base_url: str) -> Callable[[], object]:
    http = session()
    return lambda: [http.get(f"{base_url}/ping") for _ in range(3)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--provider", default="digitalocean")
    parser.add_argument("--seconds", type=float, default=3.0, help="per throughput figure")
    parser.add_argument("--bare-server", choices=("wsgi", "flask"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        return bare_server(args.bare_server)
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

    # -- loopback, waitress in this process ---------------------------------------------
    idp_app = fakeidp.FakeIdP([pid]).app
    with (
        fakeidp.LiveServer(bare_wsgi) as bare,  # waitress with serve's settings, in a thread
        fakeidp.LiveServer(bare_flask()) as flask,
        fakeidp.LiveServer(idp_app) as idp_w,
    ):
        live = fakeidp.OAuth2Client(handle_at(idp_app, idp_w.base_url).connection(pid), session())
        threaded = interleaved(
            {"bare": triples(bare.base_url), "flask": triples(flask.base_url), "login": live.login},
            rounds,
        )

    # -- loopback, through fakeidp serve -----------------------------------------------
    me = [sys.executable, os.path.abspath(__file__), "--bare-server"]
    serve = [sys.executable, "-m", "fakeidp", "serve", pid, "--port", "0"]
    with (
        process([*me, "wsgi"]) as bare_url,
        process([*me, "flask"]) as flask_url,
        process(serve) as serve_url,
    ):
        handle = handle_at(idp_app, serve_url)  # the same default clients and users as serve's
        live = fakeidp.OAuth2Client(handle.connection(pid), session())
        served = interleaved(
            {"bare": triples(bare_url), "flask": triples(flask_url), "login": live.login}, rounds
        )

        def login_maker() -> Callable[[], object]:
            return fakeidp.OAuth2Client(handle.connection(pid), session()).login

        rates = {
            n: (
                throughput(lambda: triples(bare_url), n, args.seconds),
                throughput(login_maker, n, args.seconds),
            )
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
    for title, m in (("through fakeidp serve", served), ("waitress in this process", threaded)):
        floor = m["bare"]
        print(f"  loopback, {title}:")
        print(f"    floor: 3 round trips to bare WSGI on waitress     {floor:7.3f} ms")
        print(
            f"    3 round trips to a bare Flask app on waitress      {m['flask']:7.3f} ms"
            f"  = {m['flask'] / floor:4.2f} x the floor"
        )
        print(
            f"    login (reference client)                           {m['login']:7.3f} ms"
            f"  = {m['login'] / floor:4.2f} x the floor (target <= 1.2)"
            f"  = {m['login'] / m['flask']:4.2f} x bare Flask"
        )
    for n, (bare_rate, login_rate) in rates.items():
        print(
            f"  throughput through serve, {n:2d} client threads: {login_rate:7.1f} logins/s vs "
            f"{bare_rate:7.1f} bare triples/s = {login_rate / bare_rate:4.2f} x the floor"
        )
    return None


if __name__ == "__main__":
    main()
