"""How a client presented its credentials at the token endpoint (RFC 6749 §2.3)."""

from __future__ import annotations

import base64
import binascii
import hmac
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class PresentedCredentials:
    """Every place credentials turned up, in the order the RFC lists them."""

    placements: list[str] = field(default_factory=list)  # "basic", "body", "query"
    client_id: str | None = None
    secret: str | None = None
    malformed_basic: bool = False
    conflicting_ids: bool = False


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """RFC 6749 §2.3.1: client_id and secret, form-urlencoded, then Basic-encoded."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("Authorization: Basic value is not valid base64") from None
    user, sep, password = decoded.partition(":")
    if not sep:
        raise ValueError("Authorization: Basic value has no ':' between client_id and secret")
    return urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password)


def presented(
    authorization: str | None, body: Mapping[str, str], query: Mapping[str, str]
) -> PresentedCredentials:
    creds = PresentedCredentials()
    try:
        basic = parse_basic(authorization)
    except ValueError:
        creds.malformed_basic = True
        basic = None
    ids: list[str] = []
    if basic:
        creds.placements.append("basic")
        ids.append(basic[0])
        creds.secret = basic[1]
    for place, params in (("body", body), ("query", query)):
        if params.get("client_secret"):
            creds.placements.append(place)
            creds.secret = creds.secret or params["client_secret"]
        if params.get("client_id"):
            ids.append(params["client_id"])
    if ids:
        creds.client_id = ids[0]
        creds.conflicting_ids = len(set(ids)) > 1
    return creds


def secrets_match(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; nothing matches a missing secret."""
    if given is None or expected is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())
