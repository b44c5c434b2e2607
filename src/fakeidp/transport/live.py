"""The fake IdP on a real socket: 127.0.0.1, a free port, a daemon thread.

It runs on waitress with ``fakeidp serve``'s settings (threads, connection
limit, channel timeout), so a test against ``idp.serve()`` meets the same HTTP
server as one against the standalone server. Start and stop take about a
millisecond or two (``python bench/bench_live.py``): stopping wakes waitress's
loop through its trigger instead of waiting out a poll interval.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from waitress import create_server
from waitress.server import BaseWSGIServer

from ..serving import DEFAULT_CHANNEL_TIMEOUT, DEFAULT_CONNECTION_LIMIT, DEFAULT_THREADS

STOP_TIMEOUT = 5.0  # seconds a request still running may take to finish at stop()


class LiveServer:
    """The app on a real socket: 127.0.0.1, a free port, a daemon thread."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app, self.host, self.port = app, host, port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        # Bound here, not by waitress: a waitress that fails to bind leaves its socket,
        # its trigger pipe and eight started threads behind.
        sock = _bind(self.host, self.port)
        server = create_server(
            self.app,
            sockets=[sock],
            threads=DEFAULT_THREADS,
            connection_limit=DEFAULT_CONNECTION_LIMIT,
            channel_timeout=DEFAULT_CHANNEL_TIMEOUT,
            ident="fakeidp",
        )
        assert isinstance(server, BaseWSGIServer)  # one host, one socket
        self._server = server
        self.port = int(server.effective_port)
        self._thread = threading.Thread(
            target=server.run, daemon=True, name=f"fakeidp-live-{self.port}"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Let requests in flight finish (up to STOP_TIMEOUT), then close every socket."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=STOP_TIMEOUT)

        def close_all() -> None:  # in waitress's loop thread: its map empties, run() returns
            for channel in list(server._map.values()):
                if channel is not server.trigger and channel is not server:
                    channel.close()
            server.close()  # the listening socket and the trigger

        if thread is not None and thread.is_alive():
            server.trigger.pull_trigger(close_all)
            thread.join(timeout=STOP_TIMEOUT)
        else:
            close_all()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock
