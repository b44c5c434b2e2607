"""fakeidp: a fake identity provider that behaves like real OAuth providers,
and a conformance kit for OAuth connectors."""

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
from .version import __version__

# WSGITransport and AsyncWSGITransport (httpx) are importable by name, but left out of
# __all__: a star import must not need httpx.
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
    # httpx's transports, imported (with httpx) only when asked for: httpx is optional.
    if name in ("WSGITransport", "AsyncWSGITransport"):
        from . import transport

        return getattr(transport, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
