"""fakeidp: a fake identity provider that behaves like real OAuth providers,
and a conformance kit for OAuth connectors."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .version import __version__

if TYPE_CHECKING:
    from .browser import Browser, BrowserError, Callback
    from .client import (
        Connection,
        ConnectionError,
        LoginError,
        LoginResult,
        OAuth1Client,
        OAuth2Client,
    )
    from .handle import Credentials, FakeIdP, intercept
    from .idp.app import create_app
    from .idp.faults import Fault, FaultError
    from .idp.rules import RULES, Finding
    from .providers import FixtureError, Provider, builtin_providers, load_providers
    from .transport import LiveServer, NetworkBlocked, WSGIAdapter, in_process_session

# Each public name and the module it lives in, imported on first use (PEP 562): the
# pytest plugin loads in every pytest run and `fakeidp serve` needs no client, so
# neither pays for requests, oauthlib or the browser until something asks for them.
_WHERE = {
    "Browser": "browser",
    "BrowserError": "browser",
    "Callback": "browser",
    "Connection": "client",
    "ConnectionError": "client",
    "LoginError": "client",
    "LoginResult": "client",
    "OAuth1Client": "client",
    "OAuth2Client": "client",
    "Credentials": "handle",
    "FakeIdP": "handle",
    "intercept": "handle",
    "create_app": "idp.app",
    "Fault": "idp.faults",
    "FaultError": "idp.faults",
    "RULES": "idp.rules",
    "Finding": "idp.rules",
    "FixtureError": "providers",
    "Provider": "providers",
    "builtin_providers": "providers",
    "load_providers": "providers",
    "LiveServer": "transport",
    "NetworkBlocked": "transport",
    "WSGIAdapter": "transport",
    "in_process_session": "transport",
    # httpx's and httpx2's transports, importable by name but left out of __all__: a star import
    # must not need either (optional).
    "WSGITransport": "transport",
    "AsyncWSGITransport": "transport",
}

__all__ = [
    "RULES",
    "Browser",
    "BrowserError",
    "Callback",
    "Connection",
    "ConnectionError",
    "Credentials",
    "FakeIdP",
    "Fault",
    "FaultError",
    "Finding",
    "FixtureError",
    "LiveServer",
    "LoginError",
    "LoginResult",
    "NetworkBlocked",
    "OAuth1Client",
    "OAuth2Client",
    "Provider",
    "WSGIAdapter",
    "__version__",
    "builtin_providers",
    "create_app",
    "in_process_session",
    "intercept",
    "load_providers",
]


def __getattr__(name: str) -> object:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{where}", __name__), name)
    globals()[name] = value  # found once; later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
