"""The control API under ``/_fakeidp/`` (JSON): exchanges, findings, users, reset."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from .context import json_response, store


def control_blueprint() -> Blueprint:
    bp = Blueprint("control", __name__, url_prefix="/_fakeidp")

    @bp.get("/health")
    def health() -> Response:
        return json_response({"status": "ok", "providers": sorted(store().providers)})

    @bp.get("/exchanges")
    def exchanges() -> Response:
        provider, endpoint = request.args.get("provider"), request.args.get("endpoint")
        with store().lock:
            items = [
                e.to_dict()
                for e in store().exchanges
                if (provider is None or e.provider == provider)
                and (endpoint is None or e.endpoint == endpoint)
            ]
        return json_response({"exchanges": items})

    @bp.get("/findings")
    def findings() -> Response:
        provider, severity = request.args.get("provider"), request.args.get("severity")
        with store().lock:
            items = [
                f.to_dict()
                for f in store().findings
                if (provider is None or f.provider == provider)
                and (severity is None or f.severity == severity)
            ]
        return json_response({"findings": items})

    @bp.post("/reset")
    def reset() -> Response:
        store().reset()
        return json_response({"status": "reset"})

    @bp.get("/users/<provider>")
    def get_user(provider: str) -> Response:
        if provider not in store().providers:
            return _unknown(provider)
        user = store().user(provider)
        return json_response({"login": user.login, "profile": user.profile})

    @bp.put("/users/<provider>")
    def put_user(provider: str) -> Response:
        if provider not in store().providers:
            return _unknown(provider)
        data: Any = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("profile", {}), dict):
            return json_response(
                {
                    "error": "invalid_request",
                    "error_description": "body must be {login?, profile?}",
                },
                400,
            )
        user = store().set_user(provider, data.get("login"), **data.get("profile", {}))
        return json_response({"login": user.login, "profile": user.profile})

    return bp


def _unknown(provider: str) -> Response:
    return json_response(
        {"error": "not_found", "error_description": f"unknown provider {provider!r}"}, 404
    )
