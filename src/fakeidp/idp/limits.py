"""Limits on what the fake IdP accepts and keeps: body size, JSON nesting, live state.

Nothing the IdP receives is trusted (DESIGN.md, Invariants): a JSON body
nested 100,000 deep, a 10 MB POST or a million tokens must each get a
well-formed answer, never a 500, and must not make a server that runs for
weeks grow without bound. The sizes are documented in ``docs/limits.md``.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from flask import Request
from flask.json.provider import DefaultJSONProvider

# Request bodies over this many bytes get 413 in the provider's shape.
# Configurable: ``create_app(config={"MAX_CONTENT_LENGTH": n})``, ``serve --max-body``.
DEFAULT_MAX_BODY = 1024 * 1024
# JSON nested deeper than this is refused as malformed (no real token request
# or control API call nests beyond a handful of levels).
MAX_JSON_DEPTH = 64


class TooDeep(ValueError):
    """A JSON document nested deeper than :data:`MAX_JSON_DEPTH`."""


def loads(data: str | bytes | bytearray) -> Any:
    """``json.loads``, but any failure (too deep, bad UTF-8, bad syntax) is a ValueError."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise TooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    opening = _count_openings(data)
    if opening > MAX_JSON_DEPTH and depth(value) > MAX_JSON_DEPTH:
        raise TooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _count_openings(data: str | bytes | bytearray) -> int:
    # An upper bound of the depth, counted in C: most bodies never need the walk.
    if isinstance(data, str):
        return data.count("[") + data.count("{")
    return data.count(b"[") + data.count(b"{")


def depth(value: Any) -> int:
    """How deeply ``value`` nests lists and dicts, without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, reading request bodies through :func:`loads`.

    ``request.get_json(silent=True)`` then answers None for a body nested too
    deep, as for any malformed JSON, instead of raising RecursionError.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)


class SafeRequest(Request):
    """Flask's request, with raw non-ASCII bytes in the query string percent-encoded.

    A query string is ASCII (RFC 3986 §3.4); a raw ``\x80`` in it made
    Werkzeug's ``args`` raise UnicodeDecodeError. Percent-encoded, an invalid
    byte stays visible in the value (Werkzeug keeps it percent-encoded).
    """

    def __init__(self, environ: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(environ, *args, **kwargs)
        if not self.query_string.isascii():
            self.query_string = urllib.parse.quote_from_bytes(
                self.query_string, safe="/?:@!$&'()*+,;=%"
            ).encode("ascii")
