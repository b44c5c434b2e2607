"""Benchmark: one full login (authorize, token, profile) with the reference client.

Reports medians in-process and over the live server, beside a bare Flask
endpoint round trip measured the same way in the same run (the baseline), and
the live server's start + stop. Run:

    python bench/bench_login.py [--rounds N] [--provider ID]

Targets (issue 2): in-process login <= 2 ms, live-server login <= 6 ms,
start + stop <= 50 ms. This measures; it asserts nothing.
"""

from __future__ import annotations

import argparse

import requests
from flask import Flask
from timing import median_ms  # bench/timing.py, beside this script

import fakeidp
from fakeidp.transport import IN_PROCESS_BASE, LiveServer, in_process_session


def bare_app() -> Flask:
    app = Flask(__name__)

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"ok": "yes"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--provider", default="digitalocean")
    args = parser.parse_args()
    pid, rounds = args.provider, args.rounds

    bare = bare_app()
    bare_session = in_process_session(bare)
    bare_in = median_ms(lambda: bare_session.get(f"{IN_PROCESS_BASE}/ping"), rounds)
    # Loopback needs no proxy; both live measurements skip requests' proxy lookup alike.
    http = requests.Session()
    http.trust_env = False
    with LiveServer(bare) as server:
        bare_live = median_ms(lambda: http.get(f"{server.base_url}/ping"), rounds)

    idp = fakeidp.FakeIdP([pid])
    client = fakeidp.OAuth2Client(idp.connection(pid), idp.session())
    login_in = median_ms(client.login, rounds)
    with idp.serve():
        live_session = requests.Session()
        live_session.trust_env = False
        live_client = fakeidp.OAuth2Client(idp.connection(pid), live_session)
        login_live = median_ms(live_client.login, rounds)

    print(f"provider: {pid}; rounds: {rounds}; medians")
    print(f"  bare Flask round trip, in-process   {bare_in:8.3f} ms  (baseline)")
    print(f"  bare Flask round trip, live server  {bare_live:8.3f} ms  (baseline)")
    print(
        f"  login in-process (3 requests)       {login_in:8.3f} ms  "
        f"= {login_in / bare_in:5.1f} x in-process baseline   (target <= 2 ms)"
    )
    print(
        f"  login over live server              {login_live:8.3f} ms  "
        f"= {login_live / bare_live:5.1f} x live baseline         (target <= 6 ms)"
    )
    print("  live server start + stop: python bench/bench_live.py")


if __name__ == "__main__":
    main()
