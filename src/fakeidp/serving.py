"""What ``fakeidp serve`` needs to run for weeks on waitress (issue 11).

Checked arguments (a bad port, host or path is one line and exit 2, never a
traceback), waitress's settings for slow clients (threads, a connection limit,
a channel timeout), its per-request "Task queue depth" warnings summarised to
one line every few seconds, and the control token.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from .idp.protect import is_loopback

DEFAULT_THREADS = 8
# waitress's default (100) let about 99 slow connections lock everyone out.
DEFAULT_CONNECTION_LIMIT = 1000
# Seconds an idle or stalled connection is kept (waitress's default: 120).
DEFAULT_CHANNEL_TIMEOUT = 30
QUEUE_SUMMARY_SECONDS = 5.0
TOKEN_ENV = "FAKEIDP_CONTROL_TOKEN"


class BadArgument(Exception):
    """A command-line value that cannot work; the message is the one line printed."""


def check_port(port: int) -> int:
    if not 0 <= port <= 65535:
        # Not silently modulo 65536 (70000 used to serve on 4464).
        raise BadArgument(f"--port {port} is not a TCP port (0-65535; 0: any free port)")
    return port


def check_host(host: str, port: int) -> None:
    """Refuse a ``--host`` that does not resolve, before binding."""
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BadArgument(f"--host {host!r} does not resolve: {reason}") from None


def check_positive(name: str, value: int) -> int:
    if value < 1:
        raise BadArgument(f"{name} {value} must be at least 1")
    return value


def connection_limit(wanted: int) -> int:
    """``wanted``, or what the open-file limit allows (the soft limit raised if it can be)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted + 64  # listening sockets, log files, the threads' own
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, int(soft) - 64))


@dataclass(frozen=True)
class ControlAccess:
    token: str | None
    made: bool  # serve made the token (bound off loopback, none given)
    allowed_hosts: Any  # "loopback" or None (any Host: bound off loopback)

    def app_config(self) -> dict[str, Any]:
        return {"FAKEIDP_CONTROL_TOKEN": self.token, "FAKEIDP_ALLOWED_HOSTS": self.allowed_hosts}


def control_access(host: str, given: str | None, from_file: str | None) -> ControlAccess:
    """The control token: the command line, else the environment, else the config file.

    Bound to anything but loopback with none of them, serve makes one.
    """
    token = given or os.environ.get(TOKEN_ENV) or from_file or None
    loopback = is_loopback(host)
    if token is None and not loopback:
        return ControlAccess(secrets.token_urlsafe(24), True, None)
    return ControlAccess(token, False, "loopback" if loopback else None)


class QueueSummary(logging.Filter):
    """Turns waitress's one warning per queued request into a line every few seconds."""

    def __init__(self, threads: int, every: float = QUEUE_SUMMARY_SECONDS) -> None:
        super().__init__()
        self.threads, self.every = threads, every
        self.lock = threading.Lock()
        self.deepest = 0
        self.queued = 0
        self.last = 0.0

    def filter(self, record: logging.LogRecord) -> bool:
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else 0
        with self.lock:
            self.queued += 1
            self.deepest = max(self.deepest, depth if isinstance(depth, int) else 0)
            now = time.monotonic()
            if now - self.last < self.every:
                return False
            record.msg = (
                "fakeidp: busy: %d request(s) waited for one of %d threads "
                "(queue up to %d deep) since the last note; --threads raises it"
            )
            record.args = (self.queued, self.threads, self.deepest)
            self.last, self.queued, self.deepest = now, 0, 0
            return True


def summarise_queue_warnings(threads: int) -> QueueSummary:
    summary = QueueSummary(threads)
    logging.getLogger("waitress.queue").addFilter(summary)
    return summary
