"""The control API under ``/_fakeidp/`` (JSON).

Exchanges, findings, users, faults, strictness, clients, reset and health;
documented by the OpenAPI 3.1 document served at ``/_fakeidp/openapi.json``
(shipped as ``fakeidp/openapi.json``). Bad input is a 400 naming the field
(:mod:`fakeidp.idp.control_input`); the Python handle offers the same
operations.
"""

from __future__ import annotations

import functools
import importlib.resources
import itertools
import json
from collections import deque
from collections.abc import Iterable
from typing import Any, TypeVar

from flask import Blueprint, Response, request

from . import control_input as read
from .context import json_response, store
from .control_input import BadInput
from .faults import FaultError, inject
from .store import Client, Exchange

SEVERITIES = ("error", "warning")


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The control API's OpenAPI 3.1 document, as shipped in the package."""
    text = importlib.resources.files("fakeidp").joinpath("openapi.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def control_blueprint() -> Blueprint:
    bp = Blueprint("control", __name__, url_prefix="/_fakeidp")

    @bp.errorhandler(BadInput)
    def bad_input(exc: BadInput) -> Response:
        return json_response(exc.body(), exc.status)

    @bp.errorhandler(FaultError)
    def bad_fault(exc: FaultError) -> Response:
        return json_response(BadInput(exc.field, exc.message).body(), 400)

    @bp.get("/health")
    def health() -> Response:
        read.query(())
        body = {"status": "ok", "providers": sorted(store().providers), "usage": store().usage()}
        return json_response(body)

    @bp.get("/openapi.json")
    def openapi() -> Response:
        read.query(())
        document = dict(openapi_document())
        document["servers"] = [{"url": request.host_url.rstrip("/")}]
        return json_response(document)

    @bp.get("/exchanges")
    def exchanges() -> Response:
        args = read.query(("provider", "endpoint", "limit", "since"))
        provider, endpoint = read.provider(args.get("provider")), args.get("endpoint")
        limit, since = read.count(args, "limit", minimum=1), read.count(args, "since") or 0
        s = store()
        # Pick under the lock, serialize outside it: a big read never holds up a login.
        with s.lock:
            dropped = s.exchanges_dropped
            picked = _first(
                (
                    e
                    for e in _after(s.exchanges, since)
                    if (provider is None or e.provider == provider)
                    and (endpoint is None or e.endpoint == endpoint)
                ),
                limit,
            )
        items = [e.to_dict() for e in picked]
        cursor = items[-1]["id"] if items else since
        return json_response({"exchanges": items, "next": cursor, "dropped": dropped})

    @bp.get("/findings")
    def findings() -> Response:
        args = read.query(("provider", "severity", "rule", "limit", "since"))
        provider, severity, rule = (
            read.provider(args.get("provider")),
            args.get("severity"),
            args.get("rule"),
        )
        if severity is not None and severity not in SEVERITIES:
            raise BadInput("severity", f"expected 'error' or 'warning', got {severity!r}")
        limit, since = read.count(args, "limit", minimum=1), read.count(args, "since")
        s = store()
        with s.lock:
            dropped = s.findings_dropped
            numbered = list(enumerate(s.findings, start=dropped))
        start = 0 if since is None else max(0, since + 1 - dropped)
        picked = _first(
            (
                (i, f)
                for i, f in numbered[start:]
                if (provider is None or f.provider == provider)
                and (severity is None or f.severity == severity)
                and (rule is None or f.rule == rule)
            ),
            limit,
        )
        items = [{"id": i, **f.to_dict()} for i, f in picked]
        cursor = items[-1]["id"] if items else (-1 if since is None else since)
        return json_response({"findings": items, "next": cursor, "dropped": dropped})

    @bp.post("/reset")
    def reset() -> Response:
        read.query(())
        store().reset()
        return json_response({"status": "reset"})

    # -- users: the profile a login returns ---------------------------------
    @bp.get("/users/<provider>")
    def get_user(provider: str) -> Response:
        read.provider(provider, in_path=True)
        user = store().user(provider)
        return json_response({"login": user.login, "profile": user.profile})

    @bp.put("/users/<provider>")
    def put_user(provider: str) -> Response:
        read.provider(provider, in_path=True)
        data = read.json_body(("login", "profile"))
        login = read.string(data, "login")
        profile = data.get("profile", {})
        if not isinstance(profile, dict):
            raise BadInput("profile", f"expected an object, got {type(profile).__name__}")
        user = store().set_user(provider, login, **profile)
        return json_response({"login": user.login, "profile": user.profile})

    # -- faults (fakeidp.idp.faults) -----------------------------------------
    @bp.get("/faults")
    def get_faults() -> Response:
        provider = read.provider(read.query(("provider",)).get("provider"))
        return json_response({"faults": [f.to_dict() for f in store().faults.all(provider)]})

    @bp.post("/faults")
    def post_fault() -> Response:
        read.query(())
        data = request.get_json(force=True, silent=True)
        if not isinstance(data, dict):
            raise BadInput("body", "expected a JSON object of fault fields")
        return json_response(inject(store(), data).to_dict(), 201)

    @bp.delete("/faults")
    def delete_faults() -> Response:
        provider = read.provider(read.query(("provider",)).get("provider"))
        return json_response({"removed": store().faults.clear(provider)})

    @bp.delete("/faults/<int:fault_id>")
    def delete_fault(fault_id: int) -> Response:
        read.query(())
        if not store().faults.remove(fault_id):
            raise BadInput("fault_id", f"no fault with id {fault_id}", 404, "not_found")
        return json_response({"removed": 1})

    # -- strictness -----------------------------------------------------------
    @bp.get("/mode")
    def get_mode() -> Response:
        read.query(())
        return json_response(_mode())

    @bp.put("/mode")
    def put_mode() -> Response:
        read.query(())
        data = read.json_body(("mode", "providers"))
        strict = None if data.get("mode") is None else read.mode(data["mode"], "mode")
        overrides = data.get("providers") or {}
        if not isinstance(overrides, dict):
            raise BadInput("providers", "expected an object of provider id -> mode")
        changes: dict[str, bool | None] = {}
        for pid, value in overrides.items():
            field = f"providers.{pid}"
            if pid not in store().providers:
                raise BadInput(field, f"unknown provider {pid!r}")
            changes[pid] = None if value is None else read.mode(value, field)
        with store().lock:
            if strict is not None:
                store().strict = strict
            for pid, value in changes.items():
                if value is None:
                    store().strict_by_provider.pop(pid, None)
                else:
                    store().strict_by_provider[pid] = value
        return json_response(_mode())

    # -- clients: registration and redirect URIs ------------------------------
    @bp.get("/clients")
    def get_clients() -> Response:
        provider = read.provider(read.query(("provider",)).get("provider"))
        with store().lock:
            items = [
                _client(pid, c)
                for pid, clients in store().clients.items()
                if provider is None or pid == provider
                for c in clients.values()
            ]
        return json_response({"clients": items})

    @bp.put("/clients/<provider>/<client_id>")
    def put_client(provider: str, client_id: str) -> Response:
        read.provider(provider, in_path=True)
        read.query(())
        data = read.json_body(("client_secret", "redirect_uris", "rsa_public_key"))
        client = Client(
            client_id,
            read.string(data, "client_secret"),
            read.strings(data, "redirect_uris") or [],
            read.string(data, "rsa_public_key"),
        )
        store().register_client(provider, client)
        return json_response(_client(provider, client))

    @bp.post("/clients/<provider>/<client_id>/redirect_uris")
    def post_redirect_uri(provider: str, client_id: str) -> Response:
        read.provider(provider, in_path=True)
        read.query(())
        uri = read.string(read.json_body(("uri",)), "uri", required=True)
        with store().lock:
            client = store().client(provider, client_id)
            if client is None:
                raise BadInput(
                    "client_id", f"no client {client_id!r} at {provider}", 404, "not_found"
                )
            if uri not in client.redirect_uris:
                client.redirect_uris.append(uri or "")
            return json_response(_client(provider, client))

    return bp


T = TypeVar("T")


def _after(exchanges: deque[Exchange], since: int) -> list[Exchange]:
    """The exchanges with an id above ``since`` (ids rise by one: found by position)."""
    if not exchanges or since <= 0:
        return list(exchanges)
    start = max(0, since - exchanges[0].id + 1)
    return list(itertools.islice(exchanges, start, None))


def _first(items: Iterable[T], limit: int | None) -> list[T]:
    return list(items if limit is None else itertools.islice(items, limit))


def _mode() -> dict[str, Any]:
    s = store()
    with s.lock:
        return {
            "mode": "strict" if s.strict else "lenient",
            "providers": {
                pid: "strict" if s.is_strict(pid) else "lenient" for pid in sorted(s.providers)
            },
            "overrides": {
                pid: "strict" if v else "lenient" for pid, v in sorted(s.strict_by_provider.items())
            },
        }


def _client(provider: str, client: Client) -> dict[str, Any]:
    """A registered client; the secret itself is never shown."""
    return {
        "provider": provider,
        "client_id": client.client_id,
        "confidential": client.client_secret is not None,
        "redirect_uris": list(client.redirect_uris),
    }
