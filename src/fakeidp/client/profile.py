"""Fetch the user's profile the way the connection says, and map it to a user id."""

from __future__ import annotations

from typing import Any

import requests

from ..templating import get_path
from .connection import Connection
from .errors import LoginError, rate_limited

DEFAULT_TIMEOUT = 10.0


def bearer_request(
    connection: Connection, url: str, access_token: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and query that present ``access_token`` in the connection's scheme."""
    headers = {"Accept": "application/json"}
    headers.update(
        {
            k: v.replace("${client_id}", connection.client_id)
            for k, v in connection.profile_headers.items()
        }
    )
    query: dict[str, str] = {}
    scheme = connection.profile_auth
    if scheme == "bearer":
        headers["Authorization"] = f"Bearer {access_token}"
    elif scheme == "oauth":  # Twitch Kraken (v5): "Authorization: OAuth <token>"
        headers["Authorization"] = f"OAuth {access_token}"
    elif scheme.startswith("query:"):
        query[scheme.split(":", 1)[1]] = access_token
    return headers, query


def user_id_of(profile: Any, path: str) -> str | None:
    value = get_path(profile, path)
    return None if value is None else str(value)


def fetch_profile(
    session: requests.Session,
    connection: Connection,
    access_token: str,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[Any, str | None]:
    headers, query = bearer_request(connection, connection.profile_url, access_token)
    try:
        response = session.get(
            connection.profile_url, headers=headers, params=query, timeout=timeout
        )
    except requests.RequestException as exc:
        raise LoginError("network_error", f"profile request failed: {exc}") from None
    return read_profile(response, connection.user_id_path)


def read_profile(response: requests.Response, user_id_path: str) -> tuple[Any, str | None]:
    if response.status_code == 429:
        raise rate_limited(429, response.headers, response.text, "the profile API")
    if response.status_code != 200:
        raise LoginError(
            "profile_error",
            f"the profile API answered {response.status_code}",
            status=response.status_code,
            body=response.text[:500],
        )
    try:
        profile = response.json()
    except ValueError:
        raise LoginError(
            "malformed_response",
            "the profile API answered with a body that is not JSON",
            status=response.status_code,
            body=response.text[:500],
        ) from None
    return profile, user_id_of(profile, user_id_path)
