"""Benchmark: one login through requests, httpx and httpx2, in-process and intercepted.

The same three requests (authorize, token, profile) by the same small flow,
through each client and transport, beside a bare Flask round trip measured
the same way in the same run (the baseline). Run:

    python bench/bench_transports.py [--rounds N] [--provider ID]

Targets (issue 8): interception costs at most 10% over the in-process
transport of the same client. httpx2 is measured where it is installed.
This measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import httpx
import requests
from flask import Flask

import fakeidp
from fakeidp.transport import IN_PROCESS_BASE, in_process_session

REDIRECT = "https://app.example/callback"


def medians_ms(variants: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median CPU time of each variant, run in turn round after round (interleaved).

    Every variant runs in this thread (no socket, no server thread), so the thread's CPU
    time is the whole cost; unlike wall time it does not count waiting for a core on a
    busy machine, and interleaving makes what noise remains hit every variant alike.
    """
    for fn in variants.values():
        for _ in range(30):  # warm up
            fn()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            start = time.thread_time()
            fn()
            samples[name].append((time.thread_time() - start) * 1000)
    return {name: statistics.median(times) for name, times in samples.items()}


def bare_app() -> Flask:
    app = Flask(__name__)

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"ok": "yes"}

    return app


def login(idp: fakeidp.FakeIdP, pid: str, client: Any, urls: dict[str, str]) -> Callable[[], None]:
    """The authorization code flow by hand, for a requests Session or an httpx (httpx2) Client
    alike."""
    p = idp.provider(pid)
    creds = idp.credentials(pid)
    no_redirects = {"allow_redirects": False} if isinstance(client, requests.Session) else {}
    profile = urls[p.primary_profile.endpoint.name]
    # Headers the provider's API requires (Twitch's Client-Id), as a correct client sends them.
    api_headers = {
        h.name: (h.example or h.value).replace("${client_id}", creds.client_id)
        for h in p.primary_profile.headers
    }
    params = {
        "client_id": creds.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "state-0123456789",
    }

    def run() -> None:
        answer = client.get(urls["authorize"], params=params, **no_redirects)
        query = urllib.parse.urlsplit(answer.headers["Location"]).query
        code = dict(urllib.parse.parse_qsl(query))["code"]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": creds.client_id,
            "client_secret": creds.client_secret or "",
        }
        token = client.post(urls["token"], data=form).json()["access_token"]
        me = client.get(profile, headers={**api_headers, "Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--provider", default="digitalocean")
    args = parser.parse_args()
    pid, rounds = args.provider, args.rounds

    bare = bare_app()
    bare_requests = in_process_session(bare)
    bare_httpx = httpx.Client(transport=fakeidp.WSGITransport(bare))
    ping = f"{IN_PROCESS_BASE}/ping"
    idp = fakeidp.FakeIdP([pid])
    fake, real = idp.urls(pid), idp.real_urls(pid)
    # Same client settings in-process and intercepted (no proxy lookup), at the real URLs.
    quiet = requests.Session()
    quiet.trust_env = False
    variants: dict[str, Callable[[], object]] = {
        "bare Flask round trip, requests": lambda: bare_requests.get(ping),
        "bare Flask round trip, httpx": lambda: bare_httpx.get(ping),
        "login in-process, requests": login(idp, pid, idp.session(), fake),
        "login in-process, httpx": login(idp, pid, idp.httpx_client(), fake),
        "login intercepted, requests": login(idp, pid, quiet, real),
        "login intercepted, httpx": login(idp, pid, httpx.Client(), real),
        # A connector's plain Session: requests reads proxy settings and ~/.netrc per request.
        "login intercepted, requests (plain Session)": login(idp, pid, requests.Session(), real),
    }
    clients = ["requests", "httpx"]
    if importlib.util.find_spec("httpx2") is not None:
        import httpx2

        clients.append("httpx2")
        bare_httpx2 = httpx2.Client(transport=fakeidp.WSGITransport(bare))
        variants.update(
            {
                "bare Flask round trip, httpx2": lambda: bare_httpx2.get(ping),
                "login in-process, httpx2": login(idp, pid, idp.httpx2_client(), fake),
                "login intercepted, httpx2": login(idp, pid, httpx2.Client(), real),
            }
        )
    with idp.intercepting():  # the in-process variants never reach it: their URLs are fake
        results = medians_ms(variants, rounds)

    base = results["bare Flask round trip, requests"]
    print(f"provider: {pid}; rounds: {rounds}; medians of CPU time")
    for name, ms in results.items():
        print(f"  {name:45} {ms:8.3f} ms  = {ms / base:5.1f} x bare requests round trip")
    for client in clients:
        ratio = results[f"login intercepted, {client}"] / results[f"login in-process, {client}"]
        print(f"  interception / in-process, {client:8}          {ratio:8.3f}    (target <= 1.10)")
    for client in clients[1:]:
        ratio = results[f"login in-process, {client}"] / results["login in-process, requests"]
        print(f"  {client + ' / requests, in-process':48}{ratio:8.3f}")


if __name__ == "__main__":
    main()
