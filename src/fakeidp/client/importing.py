"""What the connection importers share.

:class:`Options` reads a foreign config (an Auth0 connection's ``options``,
an integration.app OAuth2 mapping) key by key, and every mistake names the
full key path, such as ``options.upstream_params.screen_name.alias``.
:func:`match_profile` and :func:`match_endpoint` find the built-in provider
fixture a real URL belongs to, for what a config does not say itself.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..providers import builtin_providers
from ..providers.model import Endpoint, ProfileEndpoint, Provider
from .connection import ConnectionError

# A value the example told you to replace: "JIRA_URL/plugins/...", "YOUR_DOMAIN".
_PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_-]*[A-Z0-9](?=/|$)")


def json_type(value: Any) -> str:
    """The JSON name of a value's type, for messages (never the value: it may be a secret)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def check_url(value: str, fail: Callable[[str], ConnectionError]) -> str:
    if value.startswith(("http://", "https://")) and urllib.parse.urlsplit(value).netloc:
        return value
    placeholder = _PLACEHOLDER.match(value)
    hint = (
        f"; {placeholder.group(0)!r} looks like a placeholder from the example: replace it"
        if placeholder
        else ""
    )
    raise fail(f"expected an http(s) URL, got {value!r}{hint}")


class Options:
    """One object of a foreign config; ``path`` is its key path (``options``)."""

    def __init__(
        self,
        data: Mapping[str, Any],
        path: str,
        source: str,
        resolve: Callable[[Any, str], Any] | None = None,
    ) -> None:
        self.data, self.path, self.source = data, path, source
        self._resolve = resolve

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, message: str) -> ConnectionError:
        return ConnectionError(self.key(name), message, self.source)

    def __contains__(self, name: str) -> bool:
        return name in self.data

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def get(self, name: str) -> Any:
        value = self.data.get(name)
        return self._resolve(value, self.key(name)) if self._resolve else value

    def _typed(self, name: str, kinds: type | tuple[type, ...], expected: str) -> Any:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, kinds):
            raise self.error(name, f"expected {expected}, got {json_type(value)}")
        return value

    def string(self, name: str, *, required: bool = False) -> str | None:
        value: str | None = self._typed(name, str, "a string")
        if required and not value:
            raise self.error(name, "is missing")
        return value

    def url(self, name: str) -> str:
        value = self.string(name, required=True)
        assert value is not None
        return check_url(value, lambda message: self.error(name, message))

    def boolean(self, name: str, default: bool) -> bool:
        value: bool | None = self._typed(name, bool, "true or false")
        return default if value is None else value

    def section(self, name: str, *, required: bool = False) -> Options | None:
        value = self._typed(name, Mapping, "an object")
        if value is None and required:
            raise self.error(name, "is missing")
        return None if value is None else Options(value, self.key(name), self.source, self._resolve)

    def str_map(self, name: str, what: str = "string") -> dict[str, str]:
        """An object of strings; numbers and booleans read as their JSON text."""
        section = self.section(name)
        if section is None:
            return {}
        result: dict[str, str] = {}
        for key in section:
            value = section.get(key)
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, int | float):
                value = str(value)
            if not isinstance(value, str):
                raise section.error(str(key), f"expected a {what}, got {json_type(value)}")
            result[str(key)] = value
        return result


def _normal(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower(), parts.path.rstrip("/") or "/"


def match_profile(url: str) -> tuple[Provider, ProfileEndpoint] | None:
    """The built-in provider whose profile API is at ``url`` (query ignored)."""
    wanted = _normal(url)
    for provider in builtin_providers().values():
        for profile in provider.profiles:
            if wanted in _real_urls(provider, profile.endpoint):
                return provider, profile
    return None


def _real_urls(provider: Provider, endpoint: Endpoint) -> set[tuple[str, str]]:
    """Every real URL of ``endpoint``: under its host's primary name and its aliases."""
    return {_normal(base + endpoint.path) for base in provider.real_bases(endpoint.host)}


def match_endpoint(url: str, *names: str) -> Provider | None:
    """The built-in provider whose endpoint named one of ``names`` is at ``url``."""
    wanted = _normal(url)
    for provider in builtin_providers().values():
        for endpoint in provider.endpoints.values():
            # Any URL serving that endpoint: Uber's legacy /oauth/token is a "token" too.
            if endpoint.view in names and wanted in _real_urls(provider, endpoint):
                return provider
    return None


def profile_headers(profile: ProfileEndpoint) -> dict[str, str]:
    """The headers a correct client sends to this profile API (the fixture's examples)."""
    return {h.name: h.example for h in profile.headers if h.example}


def reraise(exc: ConnectionError, keys: Mapping[str, str], source: str) -> ConnectionError:
    """A Connection.validate() error, renamed to the dialect's key and source."""
    message = str(exc).split(f"key '{exc.key}': ", 1)[-1]
    return ConnectionError(keys.get(exc.key, exc.key), message, source)
