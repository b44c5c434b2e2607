"""Three ways to reach the fake IdP with the same flow, for requests and httpx alike.

- In-process, no socket: :class:`WSGIAdapter` (requests, ``in_process_session``),
  :class:`WSGITransport` and :class:`AsyncWSGITransport` (httpx): the fastest,
  the default in tests.
- :class:`LiveServer`: a real HTTP server on 127.0.0.1, port 0, in a
  background thread, for code that must see a real URL.
- :func:`intercepting`: calls through requests or httpx to a provider's real
  URLs are answered by the fake IdP, so an unmodified connector can be tested;
  any other way of reaching a provider's host is stopped by the network guard.

httpx is optional: its transports live in :mod:`.httpx_transport`, imported
only when asked for.
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

# WSGITransport and AsyncWSGITransport (httpx) are importable by name, but left out of
# __all__: a star import must not need httpx.
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


def httpx_support(what: str) -> ModuleType:
    """fakeidp's httpx module, or one clear error naming ``what`` needed it and the fix."""
    try:
        from . import httpx_transport
    except ImportError as exc:
        if (exc.name or "").split(".")[0] != "httpx":
            raise
        raise ImportError(
            f"fakeidp: {what} needs httpx, which is not installed: pip install httpx "
            "(or pip install 'fakeidp[httpx]')"
        ) from None
    return httpx_transport


def __getattr__(name: str) -> Any:
    # The httpx transports, without importing httpx for everyone who never asks for them.
    if name in ("WSGITransport", "AsyncWSGITransport"):
        return getattr(httpx_support(f"fakeidp.{name}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
