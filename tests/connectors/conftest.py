from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

import fakeidp

LOCAL = {"localhost", "127.0.0.1", "::1"}


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a connector does, no test here reaches the internet: a name lookup for any
    host but this machine fails at once, naming the host (tests must never be online)."""
    resolve = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in LOCAL:
            raise OSError(f"tests/connectors: a connection to {name} escaped interception")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def idp() -> Iterator[fakeidp.FakeIdP]:
    """A strict fake IdP answering every provider's real URLs for the test's duration."""
    with fakeidp.intercept(strict=True) as handle:
        yield handle


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
