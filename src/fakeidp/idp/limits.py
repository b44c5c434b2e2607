"""Limits on what the fake IdP accepts and keeps: body size, JSON nesting, live state.

Nothing the IdP receives is trusted (DESIGN.md, Invariants): a JSON body
nested 100,000 deep, a 10 MB POST or a million tokens must each get a
well-formed answer, never a 500, and must not make a server that runs for
weeks grow without bound. The sizes are documented in ``docs/limits.md``.
"""

from __future__ import annotations

import json
import urllib.parse
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, TypeVar

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


# -- live state ------------------------------------------------------------------------
# Codes and tokens that expired (by the IdP's clock) or were revoked are swept
# every SWEEP_EVERY issues; the live ones are capped, oldest evicted first. A
# code or token the IdP no longer holds is remembered (by hash, not by value)
# among the last MAX_RETIRED, so its use gets a finding that says what became
# of it: "evicted" is never a silent mystery.
MAX_CODES = 10_000
MAX_TOKENS = 20_000  # access tokens; refresh tokens and OAuth 1.0a tokens alike
MAX_RETIRED = 50_000
SWEEP_EVERY = 1_000
# Exchanges: at most this many, and this many bytes of request, oldest dropped
# first; a body over MAX_STORED_BODY is stored truncated, with its size.
MAX_EXCHANGES = 5_000
MAX_EXCHANGE_BYTES = 32 * 1024 * 1024
MAX_STORED_BODY = 8 * 1024
EXCHANGE_OVERHEAD = 600  # bytes an exchange costs besides its request's text
MAX_FINDINGS = 5_000

RetiredWhy = str  # "expired", "revoked", "rotated", "used", "evicted"


class Retired:
    """What became of codes and tokens the IdP dropped, the last ``cap`` of them."""

    def __init__(self, cap: int = MAX_RETIRED) -> None:
        self.cap = cap
        self._why: OrderedDict[int, RetiredWhy] = OrderedDict()

    def add(self, value: str, why: RetiredWhy) -> None:
        self._why[hash(value)] = why
        if len(self._why) > self.cap:
            self._why.popitem(last=False)

    def why(self, value: str | None) -> RetiredWhy | None:
        return self._why.get(hash(value)) if value else None

    def __len__(self) -> int:
        return len(self._why)


V = TypeVar("V")


class CappedDict(OrderedDict[str, V]):
    """A dict of at most ``cap`` entries: adding one more evicts the oldest, visibly."""

    def __init__(self, cap: int, retired: Retired | None = None) -> None:
        super().__init__()
        self.cap = cap
        self.retired = retired if retired is not None else Retired()
        self.evicted = 0

    def __setitem__(self, key: str, value: V) -> None:
        super().__setitem__(key, value)
        while len(self) > self.cap:
            old, _ = self.popitem(last=False)
            self.retired.add(old, "evicted")
            self.evicted += 1

    def retire(self, key: str, why: RetiredWhy) -> None:
        del self[key]
        self.retired.add(key, why)


def problem(what: str, why: RetiredWhy | None, default: str) -> str:
    """A finding's message for a code or token the IdP no longer holds."""
    if why == "evicted":
        return (
            f"{what} evicted: the IdP keeps a bounded number of live codes and tokens and "
            "this was the oldest (docs/limits.md)"
        )
    if why is not None:
        return f"{what} {why} (and since swept)"
    return default


def truncated_body(body: Mapping[str, Any], size: int) -> dict[str, str]:
    """A body over :data:`MAX_STORED_BODY`, as stored: values cut short, its size said."""
    out: dict[str, str] = {"[fakeidp]": f"body of {size} bytes, stored truncated"}
    room = MAX_STORED_BODY
    for key, value in body.items():
        text = str(value)
        if room <= 0:
            break
        out[str(key)[:256]] = text[:room] + ("…" if len(text) > room else "")
        room -= len(text) + len(key)
    return out
