"""Point a provider at other hosts: a self-hosted JIRA lives at its own base URL.

``override_hosts(providers, {"jira": {"jira": "https://jira.corp.example"}})``
returns copies whose real URLs (interception, ``real_urls``) use the given
base URLs; the fake IdP's own paths do not change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from .model import Provider

HostOverrides = Mapping[str, Mapping[str, str]]


def with_hosts(provider: Provider, hosts: Mapping[str, str]) -> Provider:
    """A copy of ``provider`` with some host keys pointing at other base URLs."""
    merged = dict(provider.hosts)
    for key, base in hosts.items():
        if key not in merged:
            raise ValueError(
                f"host_overrides[{provider.id!r}]: unknown host key {key!r}; "
                f"{provider.id} has {', '.join(sorted(merged))}"
            )
        if not isinstance(base, str) or not base.startswith(("http://", "https://")):
            raise ValueError(
                f"host_overrides[{provider.id!r}][{key!r}]: expected an http(s) base URL, "
                f"got {base!r}"
            )
        merged[key] = base.rstrip("/")
    # A moved host is only at its new base: the fixture's other names for it no longer apply.
    aliases = {k: v for k, v in provider.host_aliases.items() if k not in hosts}
    return dataclasses.replace(
        provider, hosts=MappingProxyType(merged), host_aliases=MappingProxyType(aliases)
    )


def override_hosts(
    providers: Mapping[str, Provider], overrides: HostOverrides
) -> dict[str, Provider]:
    """``providers`` with ``overrides`` (provider id -> host key -> base URL) applied."""
    out = dict(providers)
    for pid, hosts in overrides.items():
        if pid not in out:
            raise ValueError(
                f"host_overrides: unknown provider {pid!r}; known: {', '.join(sorted(out))}"
            )
        out[pid] = with_hosts(out[pid], hosts)
    return out
