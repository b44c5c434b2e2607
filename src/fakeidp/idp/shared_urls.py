"""One real API URL, two fixtures: the credentials on the request choose which answers.

Tumblr serves ``https://api.tumblr.com/v2/user/info`` to OAuth 1.0a signed requests and to
OAuth 2.0 Bearer tokens alike (tumblr/docs api.md, "OAuth1 Authorization" and "OAuth2
Authorization"), and fakeidp models the two flows as two fixtures (``tumblr``,
``tumblr-oauth2``). Interception maps the real URL to one of them; when the request carries the
other protocol's credentials, the profile view hands it to the sibling fixture's endpoint at the
same real URL, and the exchange is recorded under that provider.
"""

from __future__ import annotations

from flask import request

from ..providers.model import ProfileEndpoint, Provider
from .context import RequestContext


def _real_urls(p: Provider, endpoint: ProfileEndpoint) -> set[str]:
    return {
        base.rstrip("/") + endpoint.endpoint.path for base in p.real_bases(endpoint.endpoint.host)
    }


def _presented_scheme() -> str | None:
    """``oauth1`` for a signed request, ``bearer`` for a Bearer token, else None."""
    header = request.headers.get("Authorization", "")
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "oauth" and "oauth_" in rest:
        return "oauth1"
    if scheme.lower() == "bearer" and rest.strip():
        return "bearer"
    return None


def sibling(
    ctx: RequestContext, endpoint: ProfileEndpoint
) -> tuple[RequestContext, ProfileEndpoint] | None:
    """Another provider's endpoint at the same real URL that reads this request's credentials."""
    scheme = _presented_scheme()
    if scheme is None or scheme in endpoint.auth:
        return None
    mine = _real_urls(ctx.provider, endpoint)
    for other in ctx.store.providers.values():
        if other.id == ctx.provider.id:
            continue
        for prof in other.profiles:
            if scheme in prof.auth and _real_urls(other, prof) & mine:
                ctx.exchange.provider, ctx.exchange.endpoint = other.id, prof.endpoint.name
                return RequestContext(other, prof.endpoint.name, ctx.exchange), prof
    return None
