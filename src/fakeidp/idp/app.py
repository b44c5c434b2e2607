"""``create_app``: the fake IdP as a Flask application.

One blueprint per concern: the provider endpoints (OAuth 2.0, OAuth 1.0a
and the emulated APIs) and the control API under
``/_fakeidp/``. State lives in ``app.extensions["fakeidp"]`` (a Store).
"""

from __future__ import annotations

import functools
import io
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..providers.hosts import HostOverrides, override_hosts
from ..providers.loader import builtin_providers
from ..providers.model import Provider
from . import (
    api,
    limits,
    oauth1,
    oauth2_authorize,
    oauth2_token,
    oidc,
    protect,
    token_info,
    unknown,
)
from .context import RequestContext, json_response, provider_view, store
from .control import control_blueprint
from .dashboard import dashboard_blueprint
from .faults import role_of
from .landing import landing_blueprint
from .store import Exchange, Store

log = logging.getLogger("fakeidp")

# Views for protocol endpoints, by protocol and endpoint name.
_PATH_PARAM = re.compile(r"\{(\w+)\}")

VIEWS: dict[tuple[str, str], Callable[[RequestContext], Response]] = {
    ("oauth2", "authorize"): oauth2_authorize.authorize,
    ("oauth2", "token"): oauth2_token.token,
    ("oauth2", "revoke"): token_info.revoke,
    # Provider token endpoints outside RFC 6749: Twitch validate, WordPress.com token-info.
    ("oauth2", "validate"): token_info.validate,
    ("oauth2", "token_info"): token_info.wordpress_token_info,
    **{("oauth1", name): view for name, view in oauth1.VIEWS.items()},
}
METHODS: dict[tuple[str, str], list[str]] = {
    ("oauth2", "authorize"): ["GET", "POST"],
    ("oauth2", "token"): ["GET", "POST", "PUT"],
    ("oauth2", "revoke"): ["POST"],
    ("oauth2", "validate"): ["GET"],
    ("oauth2", "token_info"): ["GET"],
    # Every OAuth 1.0a endpoint takes GET and POST; an undocumented method is a warning
    # (oauth1.request.method), not a 405.
    **{("oauth1", name): ["GET", "POST"] for name in oauth1.VIEWS},
}


def _providers_blueprint(providers: Iterable[Provider]) -> Blueprint:
    bp = Blueprint("providers", __name__)
    for p in providers:
        for name, endpoint in p.endpoints.items():
            view = VIEWS.get((p.protocol, endpoint.view))
            if view is None:
                continue
            bp.add_url_rule(
                p.fake_path(endpoint),
                endpoint=f"{p.id}:{name}",
                view_func=provider_view(p, name, view),
                methods=METHODS.get((p.protocol, endpoint.view), list(endpoint.methods)),
            )
        for prof in p.profiles:
            if p.oidc is not None and prof.endpoint.name == "userinfo":
                continue  # the OIDC blueprint serves it
            bp.add_url_rule(
                # A fixture's {cloudid} segment is a Flask variable (the view reads view_args).
                _PATH_PARAM.sub(r"<\1>", p.fake_path(prof.endpoint)),
                endpoint=f"{p.id}:api:{prof.endpoint.name}",
                view_func=provider_view(
                    p, prof.endpoint.name, functools.partial(api.profile, endpoint=prof)
                ),
                methods=["GET", "POST"],
            )
    return bp


def create_app(
    providers: Iterable[str] | dict[str, Provider] | None = None,
    *,
    strict: bool = True,
    interactive: bool = False,
    config: dict[str, Any] | None = None,
    host_overrides: HostOverrides | None = None,
) -> Flask:
    """A fake IdP serving ``providers`` (ids or Provider objects; default: all shipped).

    ``host_overrides`` (provider id -> host key -> base URL) moves a provider's
    real URLs, e.g. a self-hosted JIRA: ``{"jira": {"jira": "https://jira.corp.example"}}``.
    """
    every = dict(builtin_providers())
    if providers is None:
        chosen = every
    elif isinstance(providers, dict):
        chosen = dict(providers)
    else:
        chosen = {}
        for pid in providers:
            if pid not in every:
                raise ValueError(f"unknown provider {pid!r}; known: {', '.join(sorted(every))}")
            chosen[pid] = every[pid]
    if host_overrides:
        chosen = override_hosts(chosen, host_overrides)
    app = Flask(__name__)
    # A provider never redirects "//x" to "/x" or "/x" to "/x/": werkzeug's would, copying the
    # query string (a CR in it made the redirect itself a 500); unknown paths get a 404.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.request_class = limits.SafeRequest  # raw bytes in a query string are not a 500
    app.json = limits.SafeJSONProvider(app)  # JSON nested too deep is malformed, not a 500
    app.config["MAX_CONTENT_LENGTH"] = limits.DEFAULT_MAX_BODY
    app.config.update(config or {})
    app.extensions["fakeidp"] = Store(chosen, strict=strict, interactive=interactive)
    app.register_blueprint(_providers_blueprint(chosen.values()))
    app.register_blueprint(oidc.oidc_blueprint(chosen.values()))
    app.register_blueprint(unknown.unknown_blueprint(chosen.values()))
    app.register_blueprint(dashboard_blueprint())
    app.register_blueprint(landing_blueprint())
    app.register_blueprint(control_blueprint())
    protect.install(app)  # the control plane's guards; every HTML page unframeable

    @app.before_request
    def body_limit() -> Response | None:
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and (request.content_length or 0) > limit:
            return too_large(limit)
        environ = request.environ
        if limit and request.content_length is None and environ.get("wsgi.input_terminated"):
            # A chunked body, in-process (waitress gives a length): read it now, as a server would.
            data = environ["wsgi.input"].read(limit + 1)
            if len(data) > limit:
                return too_large(limit)
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(data), str(len(data))
        return None

    @app.errorhandler(RequestEntityTooLarge)
    def body_too_large(exc: RequestEntityTooLarge) -> Response:
        return too_large(app.config.get("MAX_CONTENT_LENGTH") or 0)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return json_response(
            {"error": exc.name.lower().replace(" ", "_"), "error_description": exc.description},
            exc.code or 400,
        )

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:  # pragma: no cover - a bug of ours
        log.exception("fakeidp: unexpected error")
        return json_response({"error": "server_error", "error_description": repr(exc)}, 500)

    return app


def too_large(limit: int) -> Response:
    """413 for a body over ``limit`` bytes, in the provider's shape at a provider endpoint."""
    description = f"the request body is over the limit of {limit} bytes"
    # Provider endpoints are named "<blueprint>.<provider>:<endpoint>" (api: in between).
    name = (request.endpoint or "").partition(".")[2]
    provider = store().providers.get(name.split(":")[0]) if ":" in name else None
    if provider is None:
        body = {"error": "request_too_large", "error_description": description, "field": "body"}
        return json_response(body, 413)
    parts = name.split(":")  # "<provider>:<host>:unknown:<n>": a path the provider lacks
    endpoint = unknown.ENDPOINT if unknown.ENDPOINT in parts[1:] else parts[-1]
    exchange = Exchange(0, store().now(), provider.id, endpoint, request.method, request.base_url)
    ctx = RequestContext(provider, endpoint, store().record_exchange(exchange))
    if role_of(provider, endpoint) == "authorize":
        response = ctx.error_page("Request too large", description, 413)
    else:
        kind = "api" if role_of(provider, endpoint) == "api" else "oauth"
        response = ctx.error(kind, "invalid_request", description, 413)
    exchange.status = 413
    exchange.response = description
    return response


def store_of(app: Flask) -> Store:
    return app.extensions["fakeidp"]  # type: ignore[no-any-return]
