"""Which real provider URL is which fake IdP URL: the map interception routes by.

Every base URL of every host key of every provider (``Provider.real_origins``,
aliases such as api.x.com beside api.twitter.com, and host overrides) is
routed: a known path to the endpoint that emulates it, any other path on that
host to the fake IdP too (which answers it in the provider's 404 shape and
records a finding), never to the real provider.
"""

from __future__ import annotations

import os.path
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..providers.model import Provider
from .wsgi import IN_PROCESS_BASE

# Lookups are cached by URL without its query; past this many distinct ones the cache starts
# over, so a client walking many URLs cannot grow it without bound.
CACHE_LIMIT = 4096


@dataclass(frozen=True)
class ProviderHost:
    """One real host name of a provider: who owns it, under which host key and base URL."""

    hostname: str
    provider: str
    provider_name: str
    host_key: str
    base: str
    # False for a shipped provider the active fake IdP does not serve: still guarded.
    served: bool = True


def real_url_map(providers: Mapping[str, Provider]) -> dict[str, list[tuple[str, str, str]]]:
    """Real origin -> [(path prefix, provider id, host key)], longest prefix first.

    Every origin of every host key is in it, even one with no endpoint, so that any
    path on it is routed to the fake IdP.
    """
    table: dict[str, list[tuple[str, str, str]]] = {}
    for p in providers.values():
        for endpoint in p.all_endpoints():
            for origin in p.real_bases(endpoint.host):
                # A path parameter ({cloudid}) matches any segment: route on what precedes it.
                prefix = endpoint.path.partition("{")[0]
                table.setdefault(_origin(origin), []).append((prefix, p.id, endpoint.host))
        for key in p.hosts:
            for origin in p.real_bases(key):
                table.setdefault(_origin(origin), [])
                if not any(e[1:] == (p.id, key) for e in table[_origin(origin)]):
                    table[_origin(origin)].append(("", p.id, key))
    for entries in table.values():
        entries.sort(key=lambda e: -len(e[0]))
    return table


def _origin(base: str) -> str:
    parts = urllib.parse.urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}".lower()


def provider_hosts(providers: Mapping[str, Provider]) -> dict[str, ProviderHost]:
    """Host name (lower case) -> who it belongs to, for every provider's every base URL."""
    hosts: dict[str, ProviderHost] = {}
    for p in providers.values():
        for key in p.hosts:
            for base in p.real_bases(key):
                name = (urllib.parse.urlsplit(base).hostname or "").lower()
                if name and name not in hosts:
                    hosts[name] = ProviderHost(name, p.id, p.name, key, base)
    return hosts


class Router:
    """Map a real provider URL to the fake IdP's URL for it, or None if it is not one."""

    def __init__(self, providers: Mapping[str, Provider], base: str = IN_PROCESS_BASE) -> None:
        self.table = real_url_map(providers)
        self.hosts = provider_hosts(providers)
        self.base = base
        self._cache: dict[str, str | None] = {}

    def rewrite(self, url: str) -> str | None:
        head = url.partition("#")[0]  # a fragment is never sent
        base, sep, query = head.partition("?")
        try:
            fake = self._cache[base]
        except KeyError:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            fake = self._cache[base] = self._lookup(base)
        if fake is None:
            return None
        return fake + sep + query

    def _lookup(self, base: str) -> str | None:
        parts = urllib.parse.urlsplit(base)
        entries = self.table.get(f"{parts.scheme}://{parts.netloc}".lower())
        if entries is None:
            return None
        path = parts.path or "/"
        for prefix, pid, host in entries:
            if prefix and (path == prefix or path.startswith(prefix.rstrip("/") + "/")):
                return f"{self.base}/{pid}/{host}{path}"

        # Same origin, unknown path: still answered by the fake (a 404 in the provider's name
        # and a finding), never sent to the real provider. On a host two fixtures share (Tumblr
        # OAuth 1.0a and 2.0), the owner of the nearest known path answers, then the family's
        # base fixture (``tumblr`` before ``tumblr-oauth2``).
        def nearness(entry: tuple[str, str, str]) -> tuple[int, int, str]:
            prefix = entry[0]
            common = len(os.path.commonpath([prefix, path])) if prefix.startswith("/") else 0
            return (-common, len(entry[1]), entry[1])

        _prefix, pid, host = min(entries, key=nearness)
        return f"{self.base}/{pid}/{host}{path}"


def make_rewriter(providers: Mapping[str, Provider]) -> Callable[[str], str | None]:
    """Map a real provider URL to the fake IdP's URL for it, or None if it is not one."""
    return Router(providers).rewrite
