"""Benchmark: start + stop of ``idp.serve()`` (LiveServer on waitress), issue 11.

Target: under 50 ms. The baseline, measured in the same run, is what
LiveServer did before: werkzeug's threaded ``make_server`` with
``serve_forever(poll_interval=0.01)`` in a thread, then ``shutdown()``. Each
round starts a server, makes one request on a keep-alive connection (left
open, as a client pool leaves it) and stops it.

Run:

    python bench/bench_live.py [--rounds N]

It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import threading
from typing import Any

from timing import median_ms  # bench/timing.py, beside this script
from werkzeug.serving import WSGIRequestHandler, make_server

import fakeidp


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def one_request(port: int) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/_fakeidp/health")
    conn.getresponse().read()
    return conn  # still open


def waitress_round(app: Any) -> None:
    server = fakeidp.LiveServer(app).start()
    conn = one_request(server.port)
    server.stop()
    conn.close()


def werkzeug_round(app: Any) -> None:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    conn = one_request(server.socket.getsockname()[1])
    conn.close()  # werkzeug's shutdown does not close a connection a client holds open
    server.shutdown()
    server.server_close()
    thread.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    app = fakeidp.create_app(["digitalocean"])
    baseline = median_ms(lambda: werkzeug_round(app), args.rounds, warmup=5)
    live = median_ms(lambda: waitress_round(app), args.rounds, warmup=5)
    print(f"start, one request, stop; median of {args.rounds}")
    print(f"  werkzeug make_server (the old LiveServer)  {baseline:7.2f} ms")
    print(
        f"  LiveServer on waitress                     {live:7.2f} ms"
        f"  = {live / baseline:4.2f} x the werkzeug baseline (target: under 50 ms)"
    )


if __name__ == "__main__":
    main()
