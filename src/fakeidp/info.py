"""What a connector author needs to point a connector at the fake IdP.

One provider's endpoint URLs on a base URL, the real URLs they stand for, its
test client and test user: printed by ``fakeidp providers`` and ``fakeidp
serve --verbose``, served at ``/`` and ``/_fakeidp/providers``, and used by the
conformance engine's HTTP-app targets. The library and the command line both
use it; it imports neither.
"""

from __future__ import annotations

from typing import Any

from .providers.model import Provider
from .templating import get_path, render


def provider_info(
    p: Provider, base_url: str, login: str | None = None, profile: Any = None
) -> dict[str, Any]:
    """``p`` served on ``base_url``; ``login``/``profile`` default to the fixture's test user."""
    base = base_url.rstrip("/")
    login = p.user.login if login is None else login
    profile = p.user.profile if profile is None else profile
    client: dict[str, Any] = {
        "client_id": p.client.client_id,
        "client_secret": p.client.client_secret,
    }
    note = secret_note(p)
    if note:
        client["client_secret_note"] = note
        if p.oauth1 is not None and p.oauth1.test_private_key:
            client["rsa_private_key"] = p.oauth1.test_private_key
    return {
        "id": p.id,
        "name": p.name,
        "protocol": p.protocol,
        "endpoints": {
            e.name: {"url": base + p.fake_path(e), "real_url": p.real_url(e)}
            for e in p.all_endpoints()
        },
        "client": client,
        "user": {
            "login": login,
            "user_id_path": p.primary_profile.user_id,
            "user_id": user_id(p, login, profile),
        },
    }


def user_id(p: Provider, login: str | None = None, profile: Any = None) -> str | None:
    """The user id a login as this user shows the connector (the profile answer's id)."""
    context = {
        "profile": p.user.profile if profile is None else profile,
        "login": p.user.login if login is None else login,
    }
    body = render(p.primary_profile.body, context)
    value = get_path(body, p.primary_profile.user_id)
    return None if value is None else str(value)


def secret_note(p: Provider) -> str | None:
    """Why the test client's secret is empty, where it is."""
    if p.client.client_secret:
        return None
    methods = p.oauth1.signature_methods if p.oauth1 is not None else ()
    if "RSA-SHA1" in methods:
        # JIRA: the consumer registers an RSA public key, no secret (jira.toml [client]).
        return (
            f"{p.name} has no consumer secret: it signs with RSA-SHA1, so the consumer "
            "signs with an RSA private key (rsa_private_key; test-only and public)"
        )
    return f"{p.name}'s test client is public: it has no secret"


def format_provider(info: dict[str, Any]) -> str:
    """The human-readable form of :func:`provider_info`."""
    lines = [f"{info['name']} ({info['id']}, {info['protocol']})"]
    width = max(len(name) for name in info["endpoints"])
    for name, urls in info["endpoints"].items():
        lines.append(f"  {name:<{width}}  {urls['url']}")
        lines.append(f"  {'':<{width}}    stands for {urls['real_url']}")
    client = info["client"]
    lines.append(f"  client_id      {client['client_id']}")
    secret = client["client_secret"] or f"(none: {client.get('client_secret_note', 'empty')})"
    lines.append(f"  client_secret  {secret}")
    if client.get("rsa_private_key"):
        lines.append(f"  rsa key        `fakeidp providers {info['id']} --json`: rsa_private_key")
    lines.append(f"  test user      {info['user']['login']} (user_id {info['user']['user_id']})")
    return "\n".join(lines)
