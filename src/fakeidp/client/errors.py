"""What can go wrong in a login, as the reference client reports it."""

from __future__ import annotations

from typing import Any

# kind: cancelled, state_mismatch, authorize_failed, authorize_error, token_error,
# server_error, malformed_response, network_error, profile_error
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
    ) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind, self.status, self.error, self.body = kind, status, error, body
