"""Paths on a provider's host that its fixture does not emulate: never a silent 404.

Interception routes every path on a provider's host to the fake IdP (nothing
addressed to a provider leaves the process), and the live server sees the
same paths under ``/<provider>/<host key>/``. A request the fixture has no
endpoint for is answered in the provider's own error shape (``[errors.not_found]``
if the fixture has one, else its API error shape with status 404, 405 for a
known path with a method it does not take) and recorded as an error finding
that names the method and the path, so the test and the reports show it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from flask import Blueprint, Response, request
from werkzeug.exceptions import NotFound

from ..providers.model import Provider
from . import rules as R
from .context import RequestContext, json_response, provider_view, store

ENDPOINT = "unknown"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def emulated(provider: Provider, host: str) -> dict[str, tuple[str, ...]]:
    """Path -> methods of the endpoints the fake IdP serves on ``host`` (a host key)."""
    paths: dict[str, tuple[str, ...]] = {}
    for endpoint in provider.all_endpoints():
        if endpoint.host == host:
            paths[endpoint.path] = tuple(sorted({*paths.get(endpoint.path, ()), *endpoint.methods}))
    return paths


def unknown(ctx: RequestContext, host: str) -> Response:
    p = ctx.provider
    path = request.path[len(f"/{p.id}/{host}") :] or "/"
    known = emulated(p, host)
    base = p.hosts[host]
    asked = f"{request.method} {path}"
    if path in known:
        status = 405
        message = (
            f"{asked} on {base}: the fake {p.name} serves {path} with {', '.join(known[path])} only"
        )
    else:
        status = 404
        message = (
            f"{asked} on {base}: not an endpoint the fake {p.name} emulates (add it to "
            f"{p.source_file} [endpoints] if the real provider serves it)"
        )
    expected = [f"{', '.join(methods)} {known_path}" for known_path, methods in known.items()]
    ctx.flag(R.TRANSPORT_UNKNOWN_ENDPOINT, message, expected, asked)
    if "not_found" in p.errors:
        return ctx.error("not_found", "not_found", message, status)
    return ctx.error("api", "not_found", message, status)


def unknown_blueprint(providers: Iterable[Provider]) -> Blueprint:
    """A catch-all per provider host key; the endpoints' own rules, more specific, win."""
    bp = Blueprint("unknown", __name__)
    for p in providers:
        for host in p.hosts:
            view = provider_view(p, ENDPOINT, functools.partial(unknown, host=host))
            prefix = f"/{p.id}/{host}"
            for rule in (prefix, f"{prefix}/", f"{prefix}/<path:rest>"):
                bp.add_url_rule(
                    rule,
                    endpoint=f"{p.id}:{host}:unknown:{rule.count('/')}",
                    view_func=view,
                    methods=METHODS,
                )
    bp.app_errorhandler(NotFound)(no_route)
    return bp


def no_route(exc: NotFound) -> Response:
    """A path under no provider host: say what the fake IdP serves instead of a bare 404."""
    if request.url_rule is not None:  # a view's own 404 keeps its own words
        return json_response({"error": "not_found", "error_description": exc.description}, 404)
    providers = store().providers
    first = request.path.strip("/").split("/", 1)[0]
    if first in providers:
        p = providers[first]
        hint = f"{p.name}'s paths are " + ", ".join(
            f"/{p.id}/{key}/... ({base})" for key, base in p.hosts.items()
        )
    else:
        hint = (
            "provider paths are /<provider>/<host key>/<path> (providers here: "
            f"{', '.join(sorted(providers))}); the control API is under /_fakeidp/"
        )
    description = f"{request.method} {request.path} is not a path of this fake IdP: {hint}"
    return json_response({"error": "not_found", "error_description": description}, 404)
