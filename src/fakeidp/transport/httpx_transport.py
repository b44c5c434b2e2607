"""httpx, sync and async, reaching the fake IdP in-process: transports and interception.

httpx is optional: this module imports it at the top, and is itself imported
only when an httpx client, transport or interception is asked for
(:func:`require_httpx` turns its absence into one clear error).

httpx's own ``WSGITransport`` is sync only (its ``ASGITransport`` cannot serve
a WSGI app) and knows nothing of interception, so these transports share the
requests adapter's core (:mod:`.wsgi`): the same environ, the same answers.
The WSGI app runs inline on the async path too: it does no I/O, so it never
blocks the event loop for longer than it computes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from .wsgi import IN_PROCESS_BASE, call_app, mark_intercepted, wsgi_environ

Rewrite = Callable[[str], str]


def answer(app: Any, request: httpx.Request, body: bytes, target: str, intercepted: bool) -> Any:
    """Call ``app`` for ``request`` (sent to ``target``) and build httpx's response."""
    environ = wsgi_environ(request.method, target, request.headers.raw, body)
    if intercepted:
        mark_intercepted(environ)
    result = call_app(app, environ)
    return httpx.Response(
        result.status,
        headers=result.headers,
        stream=httpx.ByteStream(result.body),
        request=request,
        extensions={
            "http_version": b"HTTP/1.1",
            "reason_phrase": result.reason.encode("latin-1", "replace"),
        },
    )


class WSGITransport(httpx.BaseTransport):
    """An httpx transport that answers from a WSGI app (the fake IdP) in this process.

    ``httpx.Client(transport=fakeidp.WSGITransport(idp.app))``; ``rewrite`` maps the
    URL asked for to the app's URL for it (interception).
    """

    def __init__(self, app: Any, rewrite: Rewrite | None = None) -> None:
        self.app = app
        self.rewrite = rewrite

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        target = self.rewrite(url) if self.rewrite else url
        return answer(self.app, request, request.read(), target, target != url)  # type: ignore[no-any-return]


class AsyncWSGITransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`WSGITransport`, for ``httpx.AsyncClient``."""

    def __init__(self, app: Any, rewrite: Rewrite | None = None) -> None:
        self.app = app
        self.rewrite = rewrite

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        target = self.rewrite(url) if self.rewrite else url
        body = await request.aread()
        return answer(self.app, request, body, target, target != url)  # type: ignore[no-any-return]


def client(app: Any, **kwargs: Any) -> httpx.Client:
    """An httpx Client whose requests to the in-process base reach ``app`` without a socket."""
    kwargs.setdefault("base_url", IN_PROCESS_BASE)
    return httpx.Client(mounts={IN_PROCESS_BASE: WSGITransport(app)}, **kwargs)


def async_client(app: Any, **kwargs: Any) -> httpx.AsyncClient:
    """The async twin of :func:`client`."""
    kwargs.setdefault("base_url", IN_PROCESS_BASE)
    return httpx.AsyncClient(mounts={IN_PROCESS_BASE: AsyncWSGITransport(app)}, **kwargs)


# -- interception ----------------------------------------------------------------
Route = Callable[[str], "tuple[Any, str] | None"]
_saved: dict[str, Any] = {}


def install_interception(route: Route) -> None:
    """Answer every httpx Client's calls that ``route`` knows, from its interception's app."""
    sync_original = httpx.HTTPTransport.handle_request
    async_original = httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        hit = route(str(request.url))
        if hit is None:
            return sync_original(self, request)
        interception, target = hit
        return answer(interception.app, request, request.read(), target, True)  # type: ignore[no-any-return]

    async def handle_async_request(
        self: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        hit = route(str(request.url))
        if hit is None:
            return await async_original(self, request)
        interception, target = hit
        body = await request.aread()
        return answer(interception.app, request, body, target, True)  # type: ignore[no-any-return]

    handle_request.__qualname__ = "fakeidp_intercepted_handle_request"
    handle_async_request.__qualname__ = "fakeidp_intercepted_handle_async_request"
    _saved.update(
        sync=(sync_original, handle_request), async_=(async_original, handle_async_request)
    )
    httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
    httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]


def uninstall_interception() -> None:
    if not _saved:
        return
    sync_original, sync_ours = _saved["sync"]
    async_original, async_ours = _saved["async_"]
    # Put back what was there, unless someone patched over us meanwhile (theirs stays).
    if httpx.HTTPTransport.handle_request is sync_ours:
        httpx.HTTPTransport.handle_request = sync_original  # type: ignore[method-assign]
    if httpx.AsyncHTTPTransport.handle_async_request is async_ours:
        httpx.AsyncHTTPTransport.handle_async_request = async_original  # type: ignore[method-assign]
    _saved.clear()
