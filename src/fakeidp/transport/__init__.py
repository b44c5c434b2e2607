"""Three ways to reach the fake IdP with the same flow, for requests, httpx and httpx2 alike.

- In-process, no socket: :class:`WSGIAdapter` (requests, ``in_process_session``),
  :class:`WSGITransport` and :class:`AsyncWSGITransport` (httpx and httpx2): the
  fastest, the default in tests.
- :class:`LiveServer`: a real HTTP server on 127.0.0.1, port 0, in a
  background thread, for code that must see a real URL.
- :func:`intercepting`: calls through requests, httpx or httpx2 to a provider's real
  URLs are answered by the fake IdP, so an unmodified connector can be tested;
  any other way of reaching a provider's host is stopped by the network guard.

httpx and httpx2 are optional: their transports live in :mod:`.httpx_transport`,
imported only when asked for.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .guard import NetworkBlocked
from .interception import intercept_requests, intercepting
from .live import LiveServer
from .requests_adapter import WSGIAdapter, in_process_session
from .routing import Router, make_rewriter, provider_hosts, real_url_map
from .wsgi import IN_PROCESS_BASE, body_bytes, call_app, wsgi_environ

# WSGITransport and AsyncWSGITransport (httpx, httpx2) are importable by name, but left out
# of __all__: a star import must not need either.
__all__ = [
    "IN_PROCESS_BASE",
    "LiveServer",
    "NetworkBlocked",
    "Router",
    "WSGIAdapter",
    "body_bytes",
    "call_app",
    "httpx_support",
    "in_process_session",
    "intercept_requests",
    "intercepting",
    "make_rewriter",
    "provider_hosts",
    "real_url_map",
    "wsgi_environ",
]


def httpx_support(what: str, library: str | None = "httpx") -> ModuleType:
    """fakeidp's httpx module, or one clear error naming ``what`` needed ``library`` (None:
    httpx or httpx2, either will do) and the fix."""
    from . import httpx_transport

    if library is None:
        if httpx_transport.LIBRARIES:
            return httpx_transport
        raise ImportError(
            f"fakeidp: {what} needs httpx or httpx2, and neither is installed: pip install "
            "httpx2 (or httpx, or pip install 'fakeidp[httpx2]')"
        )
    if library not in httpx_transport.MODULES:
        raise ImportError(
            f"fakeidp: {what} needs {library}, which is not installed: pip install {library} "
            f"(or pip install 'fakeidp[{library}]')"
        )
    return httpx_transport


def __getattr__(name: str) -> Any:
    # The httpx and httpx2 transports, without importing either for everyone who never asks.
    if name in ("WSGITransport", "AsyncWSGITransport"):
        return getattr(httpx_support(f"fakeidp.{name}", None), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
