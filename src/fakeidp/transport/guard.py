"""The network guard: while intercepting, nothing addressed to a provider leaves the process.

requests, httpx and httpx2 calls to a provider's host are answered by interception;
every other way out (urllib, http.client, urllib3, aiohttp, asyncio streams, a
raw socket) has to resolve the host name or connect to it first. The guard
patches those doors, for the providers' host names only (``socket.getaddrinfo``,
``socket.socket.connect`` / ``connect_ex``, asyncio's ``loop.getaddrinfo`` and
``loop.create_connection``, and TLS's ``server_hostname`` in ``SSLContext.wrap_socket``
/ ``wrap_bio``, which catches a client that resolves names its own way) and
fails at once with :class:`NetworkBlocked`, which names the host, the library
found on the caller's stack, and how to route that library to the fake IdP.
Other hosts (the live server on 127.0.0.1 too) are left alone.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
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
    "httpx2",
    "httpcore2",
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


def _httpx_advice(httpx: str) -> str:
    """For httpx and httpx2 alike (and their httpcore): the same API, the same way out."""
    return (
        f"this {httpx} call did not go through {httpx}.HTTPTransport or AsyncHTTPTransport, "
        f"which fakeidp intercepts (a custom transport?): use idp.{httpx}_client(), "
        f"idp.async_{httpx}_client() or fakeidp.WSGITransport(idp.app)"
    )


ADVICE = {
    "requests": (
        "this requests call did not go through requests.adapters.HTTPAdapter, which fakeidp "
        "intercepts (a custom adapter is mounted?): use a plain requests.Session or idp.session()"
    ),
    "httpx": _httpx_advice("httpx"),
    "httpcore": _httpx_advice("httpx"),
    "httpx2": _httpx_advice("httpx2"),
    "httpcore2": _httpx_advice("httpx2"),
}


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
        advice = ADVICE.get(library) if owner.served else None
        advice = advice or (
            f"fakeidp answers requests, httpx and httpx2 in-process but cannot intercept "
            f"{library}. "
            f"Point {library} at the fake IdP's live server instead: inside "
            f"`with idp.serve():`, idp.urls({owner.provider!r}) gives the URLs "
            f"(http://127.0.0.1:<port>/{owner.provider}/{owner.host_key}<path> answers "
            f"{owner.base}<path>), or make this call with requests, httpx or httpx2"
        )
        if not owner.served:
            advice = (
                f"No active interception serves {owner.provider!r}: add it to the providers "
                f"given to fakeidp.intercept() or FakeIdP() (or leave them out: all are served)"
            )
        where = f" (called from {caller})" if caller else ""
        super().__init__(
            f"fakeidp blocked a connection to {host}:{port} from {library}{where}: "
            f"{host} is {owner.provider_name}'s (provider {owner.provider!r}, host key "
            f"{owner.host_key!r}) and nothing addressed to a provider may leave the process "
            f"while intercepting. {advice}."
        )


_blocked: Mapping[str, ProviderHost] = {}  # replaced whole: readers need no lock


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


# Each install makes new wrappers around what is there at that moment, so one left in
# place under someone else's patch can never end up calling itself.
Door = tuple[Any, str, Any, Any]  # (owner object, attribute, original, ours)
_doors: list[Door] = []
_LOOP = asyncio.base_events.BaseEventLoop


def _wrappers() -> list[Door]:
    resolve, connect, connect_ex = (
        socket.getaddrinfo,
        socket.socket.connect,
        socket.socket.connect_ex,
    )
    loop_resolve = _LOOP.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        owner = _owner(host)
        if owner is not None:
            raise _refuse(host, port, owner)
        return resolve(host, port, *args, **kwargs)

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        owner = _owner(address[0]) if isinstance(address, tuple) and address else None
        if owner is not None:
            raise _refuse(address[0], address[1], owner)
        return connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        owner = _owner(address[0]) if isinstance(address, tuple) and address else None
        if owner is not None:
            raise _refuse(address[0], address[1], owner)
        return connect_ex(self, address)

    async def loop_getaddrinfo(
        self: asyncio.base_events.BaseEventLoop, host: Any, port: Any, *args: Any, **kwargs: Any
    ) -> Any:
        # Checked here, in the caller's task, where the stack still shows who called: the
        # executor thread socket.getaddrinfo would run in shows nothing.
        owner = _owner(host)
        if owner is not None:
            raise _refuse(host, port, owner)
        return await loop_resolve(self, host, port, *args, **kwargs)

    loop_connect = _LOOP.create_connection
    wrap_socket, wrap_bio = ssl.SSLContext.wrap_socket, ssl.SSLContext.wrap_bio

    async def loop_create_connection(
        self: asyncio.base_events.BaseEventLoop,
        protocol_factory: Any,
        host: Any = None,
        port: Any = None,
        **kwargs: Any,
    ) -> Any:
        # A client with its own resolver (aiohttp with aiodns) connects to an address, but
        # names the host for TLS: server_hostname gives it away.
        for name in (host, kwargs.get("server_hostname")):
            owner = _owner(name)
            if owner is not None:
                if kwargs.get("sock") is not None:
                    kwargs["sock"].close()  # connected already (happy eyeballs): ours to end
                raise _refuse(name, port, owner)
        return await loop_connect(self, protocol_factory, host, port, **kwargs)

    def guarded_wrap_socket(self: ssl.SSLContext, sock: Any, *args: Any, **kwargs: Any) -> Any:
        # The last door: TLS to a provider's name, however the address was found.
        owner = _owner(kwargs.get("server_hostname", args[3] if len(args) > 3 else None))
        if owner is not None:
            raise _refuse(owner.hostname, 443, owner)
        return wrap_socket(self, sock, *args, **kwargs)

    def guarded_wrap_bio(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> Any:
        owner = _owner(kwargs.get("server_hostname", args[3] if len(args) > 3 else None))
        if owner is not None:
            raise _refuse(owner.hostname, 443, owner)
        return wrap_bio(self, *args, **kwargs)

    return [
        (socket, "getaddrinfo", resolve, getaddrinfo),
        (_LOOP, "create_connection", loop_connect, loop_create_connection),
        (ssl.SSLContext, "wrap_socket", wrap_socket, guarded_wrap_socket),
        (ssl.SSLContext, "wrap_bio", wrap_bio, guarded_wrap_bio),
        (socket.socket, "connect", connect, guarded_connect),
        (socket.socket, "connect_ex", connect_ex, guarded_connect_ex),
        (_LOOP, "getaddrinfo", loop_resolve, loop_getaddrinfo),
    ]


def install() -> None:
    """Patch the doors (once; :func:`uninstall` puts back what was there)."""
    _doors[:] = _wrappers()
    for target, name, _original, ours in _doors:
        setattr(target, name, ours)


def uninstall() -> None:
    block({})
    for target, name, original, ours in _doors:
        # Put back what was there, unless someone patched over us meanwhile (theirs stays,
        # and ours under it lets everything through now that nothing is blocked).
        if getattr(target, name) is ours:
            setattr(target, name, original)
    _doors.clear()
