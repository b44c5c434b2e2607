"""What can go wrong in a login, as the reference client reports it."""

from __future__ import annotations

import datetime
import email.utils
import time
from collections.abc import Mapping
from typing import Any

# The README's fault table says which fault gives which kind.
LOGIN_ERROR_KINDS = (
    "cancelled",
    "state_mismatch",
    "authorize_failed",
    "authorize_error",
    "token_error",
    "server_error",
    "malformed_response",
    "network_error",
    "profile_error",
    "rate_limited",  # a 429 anywhere in the flow; ``retry_after`` holds its Retry-After
    # OpenID Connect (fakeidp.client.id_token):
    "id_token_invalid",  # OIDC Core §3.1.3.7; ``error`` names what: signature, iss, aud, ...
    "userinfo_mismatch",  # UserInfo's sub is not the ID token's (OIDC Core §5.3.2)
    "discovery_error",  # the discovery document is unusable or names another issuer
    "issuer_mismatch",  # RFC 9207: the authorization response's iss is another issuer
)


class LoginError(Exception):
    """A login that did not complete; ``kind`` says how (see LOGIN_ERROR_KINDS)."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        error: str | None = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind, self.status, self.error, self.body = kind, status, error, body
        self.retry_after = retry_after


def rate_limited(status: int, headers: Mapping[str, str], text: str, what: str) -> LoginError:
    """A 429 as a LoginError, with Retry-After in seconds (RFC 9110 §10.2.3; RFC 6585 §4)."""
    return LoginError(
        "rate_limited",
        f"{what} answered {status}: too many requests",
        status=status,
        body=text[:500],
        retry_after=retry_after_seconds(headers.get("Retry-After")),
    )


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)  # "-0000": GMT all the same
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
