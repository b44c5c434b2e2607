"""A conformance adapter for a connector built on requests-oauthlib's ``OAuth2Session``.

Run the conformance checks against it:

    fakeidp conformance --target examples/requests_oauthlib_adapter.py:make_adapter

or in pytest, with the conformance suite collected next to your tests:

    pytest --fakeidp-conformance \
        --fakeidp-target examples/requests_oauthlib_adapter.py:make_adapter

The adapter protocol is documented in :mod:`fakeidp.conformance.adapter`. The
connector itself is the flow requests-oauthlib's docs show; what it must know
about each provider (where client credentials go, PKCE, the profile URL and
headers) it reads from ``env.connection``, the configuration a careful
connector author would write. Swap in your own connector's configuration to
check that instead.
"""

from __future__ import annotations

import os
from typing import Any

from oauthlib.oauth2 import AccessDeniedError, MismatchingStateError, OAuth2Error
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from fakeidp.conformance import Environment


def _user_id(profile: Any, path: str) -> str | None:
    """The value at a dotted path (``data.0.id``) of the profile JSON."""
    node = profile
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return None if node is None else str(node)


class RequestsOAuthlibAdapter:
    capabilities = (
        "callback",
        "refresh",
        "scopes",
        "static_params",
        "dynamic_params",
        "custom_headers",
    )
    transport = "live"  # the fake IdP listens on 127.0.0.1; OAuth2Session uses real URLs

    def authorize(self, env: Environment) -> str:
        c = env.connection
        session = OAuth2Session(
            env.client_id,
            redirect_uri=env.redirect_uri,
            scope=list(c.scopes) or None,
            pkce="S256" if c.pkce else None,
        )
        extra = dict(c.static_params)
        extra.update(
            {
                param: env.login_params[field]
                for param, field in c.dynamic_params.items()
                if field in env.login_params
            }
        )
        url, _state = session.authorization_url(c.authorize_url, **extra)
        env.scratch["session"] = session
        return str(url)

    def _auth(self, env: Environment) -> dict[str, Any]:
        """Client credentials as the provider wants them: Basic, or in the form body."""
        if env.connection.client_auth in ("basic", "both"):
            return {"auth": HTTPBasicAuth(env.client_id, env.client_secret or "")}
        return {"client_id": env.client_id, "client_secret": env.client_secret}

    def callback(self, env: Environment, url: str) -> dict[str, Any]:
        c = env.connection
        session: OAuth2Session = env.scratch["session"]
        auth = self._auth(env)
        try:
            session.fetch_token(
                c.token_url,
                authorization_response=url,
                include_client_id="auth" not in auth,
                client_secret=env.client_secret if "auth" not in auth else None,
                auth=auth.get("auth"),
                headers={"Accept": "application/json", **c.token_headers},
            )
        except AccessDeniedError as exc:
            return {"error": "cancelled", "message": str(exc)}
        except MismatchingStateError as exc:
            return {"error": "state_mismatch", "message": str(exc)}
        except (OAuth2Error, ValueError) as exc:
            return {"error": "token_error", "message": f"{type(exc).__name__}: {exc}"}
        return self._profile(env)

    def _profile(self, env: Environment) -> dict[str, Any]:
        c = env.connection
        session: OAuth2Session = env.scratch["session"]
        headers = {
            k: v.replace("${client_id}", env.client_id) for k, v in c.profile_headers.items()
        }
        response = session.get(c.profile_url, headers=headers, params=dict(c.profile_query))
        if response.status_code != 200:
            return {"error": "profile_error", "message": f"profile answered {response.status_code}"}
        return {"user_id": _user_id(response.json(), c.user_id_path)}

    def refresh(self, env: Environment) -> dict[str, Any]:
        """Call the API; on a 401, refresh (keeping a rotated refresh token) and retry."""
        c = env.connection
        first = self._profile(env)
        if "user_id" in first:
            return first
        session: OAuth2Session = env.scratch["session"]
        auth = self._auth(env)
        try:
            session.refresh_token(
                c.token_url,
                refresh_token=session.token.get("refresh_token"),
                headers={"Accept": "application/json", **c.token_headers},
                **auth,
            )
        except (OAuth2Error, ValueError) as exc:
            return {"error": "token_error", "message": f"{type(exc).__name__}: {exc}"}
        return self._profile(env)


def make_adapter() -> RequestsOAuthlibAdapter:
    # oauthlib refuses plain http:// unless told; the fake IdP is plain HTTP on loopback.
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    return RequestsOAuthlibAdapter()
