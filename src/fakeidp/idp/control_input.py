"""Reading control API input: every mistake is a 400 (or 404) naming the field.

The control API is used by hand and from other languages, so a typo in a
query parameter or a body field is refused, never silently ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request

from .context import store


class BadInput(Exception):
    """Answered as ``{"error", "error_description", "field"}`` with ``status``."""

    def __init__(
        self, field: str, message: str, status: int = 400, error: str = "invalid_request"
    ) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.status, self.error = field, message, status, error

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": str(self), "field": self.field}


def query(allowed: Iterable[str]) -> dict[str, str]:
    """The query parameters, refusing any not in ``allowed`` and any given twice."""
    allowed = tuple(allowed)
    out: dict[str, str] = {}
    for name, values in request.args.lists():
        if name not in allowed:
            known = ", ".join(allowed) if allowed else "none"
            raise BadInput(name, f"is not a query parameter here (known: {known})")
        if len(values) > 1:
            raise BadInput(name, "given more than once")
        out[name] = values[0]
    return out


def json_body(allowed: Iterable[str]) -> dict[str, Any]:
    """The request body as a JSON object, refusing fields not in ``allowed``."""
    allowed = tuple(allowed)
    # force: a client that forgets Content-Type: application/json is still understood.
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise BadInput("body", "expected a JSON object")
    for key in data:
        if key not in allowed:
            raise BadInput(key, f"is not a known field (known: {', '.join(allowed)})")
    return data


def provider(value: str | None, *, in_path: bool = False) -> str | None:
    """A served provider id; unknown in the path is 404, in a query or body 400."""
    if value is not None and value not in store().providers:
        served = ", ".join(sorted(store().providers))
        raise BadInput(
            "provider",
            f"unknown provider {value!r} (served: {served})",
            404 if in_path else 400,
            "not_found" if in_path else "invalid_request",
        )
    return value


def string(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise BadInput(key, "is required")
        return None
    if not isinstance(value, str) or not value:
        raise BadInput(key, f"expected a non-empty string, got {value!r}")
    return value


def strings(data: dict[str, Any], key: str) -> list[str] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise BadInput(key, f"expected a list of non-empty strings, got {value!r}")
    return list(value)


def count(args: dict[str, str], name: str, *, minimum: int = 0) -> int | None:
    """A query parameter that is a whole number (``limit``, ``since``), or None if absent."""
    value = args.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 18 or int(value) < minimum:
        raise BadInput(name, f"expected a whole number of at least {minimum}, got {value!r}")
    return int(value)


def mode(value: Any, field: str) -> bool:
    """``"strict"`` -> True, ``"lenient"`` -> False."""
    if value not in ("strict", "lenient"):
        raise BadInput(field, f"expected 'strict' or 'lenient', got {value!r}")
    return bool(value == "strict")
