"""The network guard: while intercepting, nothing addressed to a provider leaves the process.

requests and httpx calls to a provider's host are answered by interception;
every other way out (urllib, http.client, urllib3, aiohttp, asyncio streams, a
raw socket) has to resolve the host name or connect to it first. The guard
patches those doors, for the providers' host names only (``socket.getaddrinfo``,
``socket.socket.connect`` / ``connect_ex``, asyncio's ``loop.getaddrinfo``) and
fails at once with :class:`NetworkBlocked`, which names the host, the library
found on the caller's stack, and how to route that library to the fake IdP.
Other hosts (the live server on 127.0.0.1 too) are left alone.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Mapping
from types import FrameType
from typing import Any

from .routing import ProviderHost

# Module name prefixes of HTTP client libraries, outermost wins: urllib.request over
# http.client, aiohttp over asyncio. Plumbing only names the library when nothing else does.
LIBRARIES = (
    "requests",
    "httpx",
    "httpcore",
    "aiohttp",
    "urllib3",
    "urllib.request",
    "http.client",
    "tornado",
    "twisted",
    "websockets",
    "websocket",
    "pycurl",
    "grpc",
)
PLUMBING = ("asyncio", "socket", "ssl", "selectors", "concurrent", "threading", "contextlib")

ADVICE = {
    "requests": (
        "this requests call did not go through requests.adapters.HTTPAdapter, which fakeidp "
        "intercepts (a custom adapter is mounted?): use a plain requests.Session or idp.session()"
    ),
    "httpx": (
        "this httpx call did not go through httpx.HTTPTransport or AsyncHTTPTransport, which "
        "fakeidp intercepts (a custom transport?): use idp.httpx_client(), "
        "idp.async_httpx_client() or fakeidp.WSGITransport(idp.app)"
    ),
}
ADVICE["httpcore"] = ADVICE["httpx"]


class NetworkBlocked(RuntimeError):
    """A connection to a provider's host that interception could not answer.

    Not an OSError on purpose: client libraries retry or wrap those; this one must
    surface as it is, at once.
    """

    def __init__(self, host: str, port: Any, owner: ProviderHost, library: str, caller: str):
        self.host, self.port, self.owner, self.library, self.caller = (
            host,
            port,
            owner,
            library,
            caller,
        )
        advice = ADVICE.get(library) or (
            f"fakeidp answers requests and httpx in-process but cannot intercept {library}. "
            f"Point {library} at the fake IdP's live server instead: inside "
            f"`with idp.serve():`, idp.urls({owner.provider!r}) gives the URLs "
            f"(http://127.0.0.1:<port>/{owner.provider}/{owner.host_key}<path> answers "
            f"{owner.base}<path>), or make this call with requests or httpx"
        )
        where = f" (called from {caller})" if caller else ""
        super().__init__(
            f"fakeidp blocked a connection to {host}:{port} from {library}{where}: "
            f"{host} is {owner.provider_name}'s (provider {owner.provider!r}, host key "
            f"{owner.host_key!r}) and nothing addressed to a provider may leave the process "
            f"while intercepting. {advice}."
        )


_blocked: Mapping[str, ProviderHost] = {}  # replaced whole: readers need no lock
_saved: dict[str, Any] = {}


def block(hosts: Mapping[str, ProviderHost]) -> None:
    """Stop connections to ``hosts`` (host name -> owner); an empty mapping stops none."""
    global _blocked
    # A provider moved to this machine (host_overrides to a local server) stays reachable.
    _blocked = {h: o for h, o in hosts.items() if h != "localhost" and not _loopback(h)}


def _loopback(host: str) -> bool:
    return host.startswith("127.") or host == "::1"


def _owner(host: Any) -> ProviderHost | None:
    if not _blocked or host is None:
        return None
    if isinstance(host, bytes | bytearray):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str):
        return None
    return _blocked.get(host.lower().rstrip("."))


def who_called(frame: FrameType | None) -> tuple[str, str]:
    """(library, calling module) from the stack: the outermost HTTP library, and whoever
    called it."""
    library = fallback = ""
    while frame is not None:
        module = frame.f_globals.get("__name__", "") or ""
        frame = frame.f_back
        if module.startswith("fakeidp.transport"):
            continue
        known = next((lib for lib in LIBRARIES if _within(module, lib)), None)
        if known:
            library = known
            continue
        plumbing = next((lib for lib in PLUMBING if _within(module, lib)), None)
        if plumbing:
            fallback = fallback or plumbing
            continue
        return library or fallback or "a raw socket", module
    return library or fallback or "a raw socket", ""


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _refuse(host: Any, port: Any, owner: ProviderHost) -> NetworkBlocked:
    library, caller = who_called(sys._getframe(2))
    return NetworkBlocked(str(owner.hostname), port, owner, library, caller)


def _getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    owner = _owner(host)
    if owner is not None:
        raise _refuse(host, port, owner)
    return _saved["getaddrinfo"](host, port, *args, **kwargs)


def _connect(self: socket.socket, address: Any) -> Any:
    owner = _owner(address[0]) if isinstance(address, tuple) and address else None
    if owner is not None:
        raise _refuse(address[0], address[1], owner)
    return _saved["connect"](self, address)


def _connect_ex(self: socket.socket, address: Any) -> Any:
    owner = _owner(address[0]) if isinstance(address, tuple) and address else None
    if owner is not None:
        raise _refuse(address[0], address[1], owner)
    return _saved["connect_ex"](self, address)


async def _loop_getaddrinfo(
    self: asyncio.AbstractEventLoop, host: Any, port: Any, *args: Any, **kwargs: Any
) -> Any:
    # Checked here, in the caller's task, where the stack still shows who called: the
    # executor thread socket.getaddrinfo would run in shows nothing.
    owner = _owner(host)
    if owner is not None:
        raise _refuse(host, port, owner)
    return await _saved["loop_getaddrinfo"](self, host, port, *args, **kwargs)


_LOOP = asyncio.base_events.BaseEventLoop


def install() -> None:
    """Patch the doors (once; :func:`uninstall` puts back what was there)."""
    _saved.update(
        getaddrinfo=socket.getaddrinfo,
        connect=socket.socket.connect,
        connect_ex=socket.socket.connect_ex,
        loop_getaddrinfo=_LOOP.getaddrinfo,
    )
    socket.getaddrinfo = _getaddrinfo
    socket.socket.connect = _connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign,assignment]
    _LOOP.getaddrinfo = _loop_getaddrinfo  # type: ignore[method-assign]


def uninstall() -> None:
    block({})
    # Put back what was there, unless someone patched over us meanwhile (theirs stays).
    if socket.getaddrinfo is _getaddrinfo:
        socket.getaddrinfo = _saved["getaddrinfo"]
    if socket.socket.connect is _connect:
        socket.socket.connect = _saved["connect"]  # type: ignore[method-assign]
    if socket.socket.connect_ex is _connect_ex:
        socket.socket.connect_ex = _saved["connect_ex"]  # type: ignore[method-assign]
    if _LOOP.getaddrinfo is _loop_getaddrinfo:
        _LOOP.getaddrinfo = _saved["loop_getaddrinfo"]  # type: ignore[method-assign]
    _saved.clear()
