"""Interception: calls to the providers' real URLs are answered by a fake IdP in-process.

While an interception is active, ``requests`` (any Session: ``HTTPAdapter.send``)
and, where they are installed, ``httpx`` and ``httpx2`` (``HTTPTransport.handle_request``,
``AsyncHTTPTransport.handle_async_request``: any Client, also those libraries
make) answer every URL on a provider's host from the fake IdP, no socket. Any
other client that tries to reach a provider's host is stopped by the network
guard (:mod:`.guard`) with an error that says how to route it.

Interceptions nest and may be entered from several threads: the patches are
installed once, by the first, and removed by the last to leave; a URL is
answered by the newest active interception that knows its host.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from ..providers.loader import builtin_providers
from ..providers.model import Provider
from . import guard
from .requests_adapter import WSGIAdapter
from .routing import ProviderHost, Router, provider_hosts


class Interception:
    """One fake IdP app answering for its providers' real hosts."""

    def __init__(self, app: Any, providers: Mapping[str, Provider]) -> None:
        self.app = app
        self.router = Router(providers)
        self.adapter = WSGIAdapter(app)


_lock = threading.Lock()
_active: tuple[Interception, ...] = ()  # replaced whole under _lock: readers need no lock
_patched_send: tuple[Any, Any] = (None, None)  # (what was there, ours)


def route(url: str) -> tuple[Interception, str] | None:
    """The active interception that answers ``url``, and the fake IdP URL it maps to."""
    for interception in reversed(_active):
        target = interception.router.rewrite(url)
        if target is not None:
            return interception, target
    return None


def _install() -> None:
    global _patched_send
    original = HTTPAdapter.send

    def send(self: HTTPAdapter, request: requests.PreparedRequest, *args: Any, **kw: Any) -> Any:
        hit = route(request.url or "")
        if hit is None:
            return original(self, request, *args, **kw)
        interception, target = hit
        stream = kw.get("stream", args[0] if args else False)
        return interception.adapter.answer(request, target, True, bool(stream))

    send.__qualname__ = "fakeidp_intercepted_send"
    _patched_send = (original, send)
    HTTPAdapter.send = send  # type: ignore[method-assign]
    # Imported here, not at the top: only an interception pays for importing httpx, httpx2.
    from . import httpx_transport

    httpx_transport.install_interception(route)
    guard.install()


def _uninstall() -> None:
    global _patched_send
    original, ours = _patched_send
    # Put back what was there, unless someone patched over us meanwhile (theirs stays).
    if HTTPAdapter.send is ours:
        HTTPAdapter.send = original  # type: ignore[method-assign]
    from . import httpx_transport

    httpx_transport.uninstall_interception()
    guard.uninstall()


def _hosts() -> dict[str, ProviderHost]:
    """Every host to guard: the served providers', and every shipped provider's too (a
    connector calling one its test did not ask for must not reach the real one either)."""
    hosts = {
        name: dataclasses.replace(owner, served=False) for name, owner in _shipped_hosts().items()
    }
    for interception in _active:
        hosts.update(interception.router.hosts)
    return hosts


@functools.cache
def _shipped_hosts() -> dict[str, ProviderHost]:
    return provider_hosts(builtin_providers())


@contextmanager
def intercepting(app: Any, providers: Mapping[str, Provider]) -> Iterator[Interception]:
    """Answer calls to ``providers``' real URLs from ``app`` while the block runs."""
    global _active
    interception = Interception(app, providers)
    with _lock:
        if not _active:
            _install()
        _active = (*_active, interception)
        guard.block(_hosts())
    try:
        yield interception
    finally:
        with _lock:
            _active = tuple(i for i in _active if i is not interception)
            guard.block(_hosts())
            if not _active:
                _uninstall()


# The name before httpx, httpx2 and the guard joined: it intercepts every supported client now.
intercept_requests = intercepting
