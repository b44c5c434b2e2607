"""httpx and httpx2, sync and async, reaching the fake IdP in-process: transports and interception.

httpx2 (PyPI ``httpx2``, httpx's successor; authlib and Starlette prefer it when
installed) keeps httpx's transport API: ``BaseTransport.handle_request`` and
``AsyncBaseTransport.handle_async_request`` take a ``Request`` (``.url``,
``.headers.raw``, ``.read()`` / ``.aread()``) and return a ``Response`` built with
``stream=ByteStream(...)`` and ``extensions``; every Client, also those libraries
build, sends through ``HTTPTransport`` / ``AsyncHTTPTransport`` unless given another
(httpx2/_transports/base.py and default.py mirror httpx's line for line, over
httpcore2). So one implementation serves both, parameterised by the module: a
request is answered with the Response class of the library it came from.

Both are optional: this module imports whichever is installed (``LIBRARIES``), and is
itself imported only when an httpx client, transport or interception is asked for
(:func:`fakeidp.transport.httpx_support` turns an absence into one clear error).
After ``httpx2.alias_httpx()`` ``httpx`` *is* ``httpx2``: one library, served once.

httpx's own ``WSGITransport`` is sync only (its ``ASGITransport`` cannot serve
a WSGI app) and knows nothing of interception, so these transports share the
requests adapter's core (:mod:`.wsgi`): the same environ, the same answers.
The WSGI app runs inline on the async path too: it does no I/O, so it never
blocks the event loop for longer than it computes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .wsgi import IN_PROCESS_BASE, call_app, mark_intercepted, wsgi_environ

NAMES = ("httpx", "httpx2")


def _installed(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        if (exc.name or "").split(".")[0] != name:
            raise  # installed, but broken: say so, do not pretend it is absent
        return None


MODULES = {name: module for name in NAMES if (module := _installed(name)) is not None}
LIBRARIES = tuple(dict.fromkeys(MODULES.values()))  # distinct modules (alias_httpx: one)
_BY_REQUEST = {library.Request: library for library in LIBRARIES}

Rewrite = Callable[[str], str]


def library_of(request: Any) -> ModuleType:
    """The library (httpx or httpx2) whose ``Request`` this is."""
    library = _BY_REQUEST.get(type(request))
    if library is None:  # a subclass of a library's Request
        library = next(lib for lib in LIBRARIES if isinstance(request, lib.Request))
    return library


def answer(
    library: ModuleType, app: Any, request: Any, body: bytes, target: str, intercepted: bool
) -> Any:
    """Call ``app`` for ``request`` (sent to ``target``) and build ``library``'s response."""
    environ = wsgi_environ(request.method, target, request.headers.raw, body)
    if intercepted:
        mark_intercepted(environ)
    result = call_app(app, environ)
    return library.Response(
        result.status,
        headers=result.headers,
        stream=library.ByteStream(result.body),
        request=request,
        extensions={
            "http_version": b"HTTP/1.1",
            "reason_phrase": result.reason.encode("latin-1", "replace"),
        },
    )


if TYPE_CHECKING:
    import httpx
    import httpx2

    # What the transports are to a type checker: a transport of either library. ("misc": the
    # two bases' handle_request name their own Request; unused where httpx2 is missing.)
    class _Transport(httpx.BaseTransport, httpx2.BaseTransport):  # type: ignore[misc, unused-ignore]
        pass

    class _AsyncTransport(httpx.AsyncBaseTransport, httpx2.AsyncBaseTransport):  # type: ignore[misc, unused-ignore]
        pass

else:
    # At run time: a transport of each library installed, so either's Client takes it.
    _Transport = type("_Transport", tuple(lib.BaseTransport for lib in LIBRARIES) or (object,), {})
    _AsyncTransport = type(
        "_AsyncTransport", tuple(lib.AsyncBaseTransport for lib in LIBRARIES) or (object,), {}
    )


class WSGITransport(_Transport):
    """An httpx or httpx2 transport that answers from a WSGI app (the fake IdP) in this process.

    ``httpx.Client(transport=fakeidp.WSGITransport(idp.app))``, or the same with
    ``httpx2.Client``; ``rewrite`` maps the URL asked for to the app's URL for it
    (interception).
    """

    def __init__(self, app: Any, rewrite: Rewrite | None = None) -> None:
        self.app = app
        self.rewrite = rewrite

    def handle_request(self, request: Any) -> Any:
        url = str(request.url)
        target = self.rewrite(url) if self.rewrite else url
        return answer(library_of(request), self.app, request, request.read(), target, target != url)


class AsyncWSGITransport(_AsyncTransport):
    """The async twin of :class:`WSGITransport`, for ``httpx.AsyncClient`` and
    ``httpx2.AsyncClient``."""

    def __init__(self, app: Any, rewrite: Rewrite | None = None) -> None:
        self.app = app
        self.rewrite = rewrite

    async def handle_async_request(self, request: Any) -> Any:
        url = str(request.url)
        target = self.rewrite(url) if self.rewrite else url
        body = await request.aread()
        return answer(library_of(request), self.app, request, body, target, target != url)


def client(name: str, app: Any, **kwargs: Any) -> Any:
    """A Client of library ``name`` whose requests to the in-process base reach ``app``
    without a socket."""
    kwargs.setdefault("base_url", IN_PROCESS_BASE)
    return MODULES[name].Client(mounts={IN_PROCESS_BASE: WSGITransport(app)}, **kwargs)


def async_client(name: str, app: Any, **kwargs: Any) -> Any:
    """The async twin of :func:`client`."""
    kwargs.setdefault("base_url", IN_PROCESS_BASE)
    return MODULES[name].AsyncClient(mounts={IN_PROCESS_BASE: AsyncWSGITransport(app)}, **kwargs)


# -- interception ----------------------------------------------------------------
Route = Callable[[str], "tuple[Any, str] | None"]
Patch = tuple[Any, str, Any, Any]  # (class, attribute, what was there, ours)
_patches: list[Patch] = []


def install_interception(route: Route) -> None:
    """Answer every httpx and httpx2 Client's calls that ``route`` knows, from its
    interception's app."""
    for library in LIBRARIES:
        _patches.extend(_patch(library, route))
    for cls, attribute, _original, ours in _patches:
        setattr(cls, attribute, ours)


def _patch(library: ModuleType, route: Route) -> list[Patch]:
    sync_cls, async_cls = library.HTTPTransport, library.AsyncHTTPTransport
    sync_original, async_original = sync_cls.handle_request, async_cls.handle_async_request

    def handle_request(self: Any, request: Any) -> Any:
        hit = route(str(request.url))
        if hit is None:
            return sync_original(self, request)
        interception, target = hit
        return answer(library, interception.app, request, request.read(), target, True)

    async def handle_async_request(self: Any, request: Any) -> Any:
        hit = route(str(request.url))
        if hit is None:
            return await async_original(self, request)
        interception, target = hit
        body = await request.aread()
        return answer(library, interception.app, request, body, target, True)

    handle_request.__qualname__ = "fakeidp_intercepted_handle_request"
    handle_async_request.__qualname__ = "fakeidp_intercepted_handle_async_request"
    return [
        (sync_cls, "handle_request", sync_original, handle_request),
        (async_cls, "handle_async_request", async_original, handle_async_request),
    ]


def uninstall_interception() -> None:
    for cls, attribute, original, ours in _patches:
        # Put back what was there, unless someone patched over us meanwhile (theirs stays).
        if getattr(cls, attribute) is ours:
            setattr(cls, attribute, original)
    _patches.clear()
