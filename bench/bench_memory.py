"""Benchmark: memory a long-running ``fakeidp serve`` retains per login (issue 11).

Starts ``fakeidp serve digitalocean`` (DigitalOcean: 30-day access tokens and
refresh tokens, so nothing expires during the run and only the caps bound the
state: the worst case), drives N full logins (authorize, token, profile) over
keep-alive connections from a few client threads, and reads the server's RSS
(/proc/PID/status, VmRSS) as it goes. Retained per login is

    (RSS at the end - RSS after the warm-up) / (logins after the warm-up)

Target (issue 11): under 0.5 KB per login. Run:

    python bench/bench_memory.py [--logins 1000000] [--threads 4] [--warmup 30000]

It measures; it asserts nothing. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

PROVIDER = "digitalocean"
CLIENT_ID = "fakeidp-digitalocean-client-id"
SECRET = "fakeidp-digitalocean-client-secret"
REDIRECT = "http://127.0.0.1:8765/callback"
AUTHORIZE = "/digitalocean/cloud/v1/oauth/authorize"
TOKEN = "/digitalocean/cloud/v1/oauth/token"
PROFILE = "/digitalocean/api/v2/account"


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        match = re.search(r"VmRSS:\s+(\d+) kB", f.read())
    assert match
    return int(match.group(1))


def login(conn: http.client.HTTPConnection) -> bool:
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT,
            "scope": "read",
            "state": "s",
        }
    )
    conn.request("GET", f"{AUTHORIZE}?{query}")
    answer = conn.getresponse()
    answer.read()
    location = answer.getheader("Location") or ""
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).get("code")
    if not code:
        return False
    body = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "code": code[0],
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "redirect_uri": REDIRECT,
        }
    )
    conn.request("POST", TOKEN, body, {"Content-Type": "application/x-www-form-urlencoded"})
    answer = conn.getresponse()
    token = json.loads(answer.read()).get("access_token")
    if not token:
        return False
    conn.request("GET", PROFILE, headers={"Authorization": f"Bearer {token}"})
    answer = conn.getresponse()
    answer.read()
    return answer.status == 200


def drive(port: int, count: int, threads: int) -> int:
    """``count`` logins from ``threads`` clients; how many failed."""
    failed = [0] * threads

    def run(i: int, n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(n):
            if not login(conn):
                failed[i] += 1
        conn.close()

    share = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]
    workers = [threading.Thread(target=run, args=(i, n)) for i, n in enumerate(share)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(failed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logins", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=30_000, help="past every cap (20,000 tokens)")
    parser.add_argument("--steps", type=int, default=10, help="RSS readings after the warm-up")
    args = parser.parse_args()

    server = subprocess.Popen(
        [sys.executable, "-m", "fakeidp.cli", "serve", PROVIDER, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert server.stdout is not None
        match = re.search(r":(\d+)", server.stdout.readline())
        assert match, "serve did not start"
        port = int(match.group(1))
        # Drain the banner and the access log: a full pipe would stall the server.
        threading.Thread(target=server.stdout.read, daemon=True).start()
        start_rss = rss_kb(server.pid)
        began = time.perf_counter()
        failed = drive(port, args.warmup, args.threads)
        warm_rss = rss_kb(server.pid)
        print(f"RSS at start {start_rss} kB; after {args.warmup} warm-up logins {warm_rss} kB")
        done = args.warmup
        step = max(1, (args.logins - args.warmup) // args.steps)
        while done < args.logins:
            n = min(step, args.logins - done)
            failed += drive(port, n, args.threads)
            done += n
            rss = rss_kb(server.pid)
            per_login = (rss - warm_rss) * 1024 / max(1, done - args.warmup)
            rate = done / (time.perf_counter() - began)
            print(
                f"  {done:>9} logins  RSS {rss:>7} kB  retained since warm-up "
                f"{(rss - warm_rss):>6} kB = {per_login:7.1f} B/login  ({rate:.0f} logins/s)",
                flush=True,
            )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/_fakeidp/health")
        usage = json.loads(conn.getresponse().read())["usage"]
        print(f"failed logins: {failed}; the store holds: {json.dumps(usage)}")
    finally:
        server.terminate()
        server.communicate(timeout=10)


if __name__ == "__main__":
    main()
