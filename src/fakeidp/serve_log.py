"""The standalone server's access log: one line per request, for people or machines.

A connector author watching ``fakeidp serve`` sees each request as it
arrives: the method, the provider and endpoint it reached, the status, the id
of every rule it broke and the fault that shaped its answer. ``--log-json``
writes the same as one JSON object a line.

Hooked on Flask's ``request_finished`` signal; provider views leave their
:class:`~fakeidp.idp.context.RequestContext` in ``flask.g`` (see
:func:`fakeidp.idp.context.provider_view`).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from flask import Flask, Response, g, request, request_finished

Write = Callable[[str], None]


class Facts(NamedTuple):
    """What the banner says about the server besides its URLs."""

    strict: bool
    interactive: bool
    config: str | None  # the config file and a summary of what it set
    version: str


def entry(response: Response) -> dict[str, Any]:
    """What one request did, from inside its request context."""
    ctx = g.get("fakeidp_context")
    out: dict[str, Any] = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "provider": None,
        "endpoint": None,
        "exchange": None,
        "findings": [],
        "fault": None,
    }
    if ctx is not None:
        out["provider"] = ctx.provider.id
        out["endpoint"] = ctx.endpoint
        out["exchange"] = ctx.exchange.id
        out["findings"] = [{"rule": f.rule, "severity": f.severity} for f in ctx.findings]
        out["fault"] = ctx.exchange.fault
    return out


def format_line(e: dict[str, Any]) -> str:
    """``14:02:11 POST twitch token 400 broke oauth2.token.client_auth_placement``."""
    clock = e["time"][11:19]
    if e["provider"] is None:
        return f"{clock} {e['method']} {e['path']} {e['status']}"
    parts = [clock, e["method"], e["provider"], e["endpoint"], str(e["status"])]
    if e["findings"]:
        broke = [f"{f['rule']} ({f['severity']})" for f in e["findings"]]
        parts.append("broke " + ", ".join(broke))
    if e["fault"]:
        parts.append(f"fault {e['fault'].get('kind')}")
    parts.append(f"#{e['exchange']}")
    return " ".join(parts)


def install(app: Flask, write: Write, *, as_json: bool = False) -> None:
    """Write one line per request ``app`` answers to ``write``."""
    lock = threading.Lock()  # the server is threaded: lines never interleave

    def finished(sender: Flask, response: Response, **_: Any) -> None:
        e = entry(response)
        line = json.dumps(e, default=str) if as_json else format_line(e)
        with lock:
            write(line)

    request_finished.connect(finished, app, weak=False)


def banner(
    base_url: str,
    providers: dict[str, Any],
    facts: Facts,
) -> list[str]:
    """What ``fakeidp serve`` says first: where to look, in a few lines."""
    strict, interactive, config, version = facts
    mode = ("strict" if strict else "lenient") + (", interactive login" if interactive else "")
    lines = [
        f"fakeidp {version} serving {len(providers)} provider(s) on {base_url} ({mode})",
        f"  landing page  {base_url}/  every provider's URLs, test clients and users",
        f"  dashboard     {base_url}/_fakeidp/  exchanges and findings, in a browser",
        f"  control API   {base_url}/_fakeidp/openapi.json  (OpenAPI 3.1)",
        f"  providers     {base_url}/_fakeidp/providers  (JSON, as `fakeidp providers --json`)",
    ]
    if config:
        lines.append(f"  config        {config}")
    return lines


def banner_json(
    base_url: str,
    providers: dict[str, Any],
    facts: Facts,
) -> str:
    strict, interactive, config, version = facts
    return json.dumps(
        {
            "event": "serving",
            "version": version,
            "base_url": base_url,
            "providers": sorted(providers),
            "mode": "strict" if strict else "lenient",
            "interactive": interactive,
            "landing_page": base_url + "/",
            "dashboard": base_url + "/_fakeidp/",
            "openapi": base_url + "/_fakeidp/openapi.json",
            "providers_json": base_url + "/_fakeidp/providers",
            "config": config,
        }
    )
