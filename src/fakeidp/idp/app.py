"""``create_app``: the fake IdP as a Flask application.

One blueprint per concern: the provider endpoints (OAuth 2.0 and, where
registered, OAuth 1.0a and the emulated APIs) and the control API under
``/_fakeidp/``. State lives in ``app.extensions["fakeidp"]`` (a Store).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Response
from werkzeug.exceptions import HTTPException

from ..providers.hosts import HostOverrides, override_hosts
from ..providers.loader import builtin_providers
from ..providers.model import Provider
from . import api, oauth2_authorize, oauth2_token, oidc, pages, unknown
from .context import RequestContext, json_response, provider_view
from .control import control_blueprint
from .store import Store

log = logging.getLogger("fakeidp")

# Views for protocol endpoints, by protocol and endpoint name. The OAuth 1.0a
# module adds its own when imported.
VIEWS: dict[tuple[str, str], Callable[[RequestContext], Response]] = {
    ("oauth2", "authorize"): oauth2_authorize.authorize,
    ("oauth2", "token"): oauth2_token.token,
    ("oauth2", "revoke"): oauth2_token.revoke,
}
METHODS: dict[tuple[str, str], list[str]] = {
    ("oauth2", "authorize"): ["GET", "POST"],
    ("oauth2", "token"): ["GET", "POST", "PUT"],
    ("oauth2", "revoke"): ["POST"],
}


def _providers_blueprint(providers: Iterable[Provider]) -> Blueprint:
    bp = Blueprint("providers", __name__)
    for p in providers:
        for name, endpoint in p.endpoints.items():
            view = VIEWS.get((p.protocol, name))
            if view is None:
                continue
            bp.add_url_rule(
                p.fake_path(endpoint),
                endpoint=f"{p.id}:{name}",
                view_func=provider_view(p, name, view),
                methods=METHODS.get((p.protocol, name), list(endpoint.methods)),
            )
        for prof in p.profiles:
            if p.oidc is not None and prof.endpoint.name == "userinfo":
                continue  # the OIDC blueprint serves it
            bp.add_url_rule(
                p.fake_path(prof.endpoint),
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
    from .. import oauth1_support  # noqa: F401  (registers OAuth 1.0a views if present)

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
    app.config.update(config or {})
    app.extensions["fakeidp"] = Store(chosen, strict=strict, interactive=interactive)
    app.register_blueprint(_providers_blueprint(chosen.values()))
    app.register_blueprint(oidc.oidc_blueprint(chosen.values()))
    app.register_blueprint(unknown.unknown_blueprint(chosen.values()))
    app.register_blueprint(pages.pages_blueprint())
    app.register_blueprint(control_blueprint())

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


def store_of(app: Flask) -> Store:
    return app.extensions["fakeidp"]  # type: ignore[no-any-return]
