"""The reference OAuth 2.0 client: a correct connector on requests + oauthlib.

It does what a careful connector does (RFC 6749 §4.1, RFC 7636, RFC 6749
§10.12): an unguessable state that it checks on the callback, PKCE where
configured, client credentials in exactly one configured place, the
provider's scope separator, and the profile call in the provider's scheme.
"""

from __future__ import annotations

import base64
import secrets
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import requests
from oauthlib.common import add_params_to_uri
from oauthlib.oauth2 import WebApplicationClient

from ..idp.templates import get_path
from .connection import Connection
from .errors import LoginError, rate_limited
from .id_token import OpenIDProvider, validate_id_token
from .profile import fetch_profile

DEFAULT_TIMEOUT = 10.0


@dataclass
class AuthorizationRequest:
    url: str
    state: str
    code_verifier: str | None
    nonce: str | None = None  # OpenID Connect (OIDC Core §3.1.2.1)


@dataclass
class LoginResult:
    user_id: str | None
    profile: Any
    token: dict[str, Any]
    exchanges: list[str] = field(default_factory=list)
    id_token_claims: dict[str, Any] | None = None  # the validated ID token, for OIDC logins

    @property
    def access_token(self) -> str:
        """The OAuth 2.0 ``access_token``, or the OAuth 1.0a ``oauth_token``."""
        return str(self.token.get("access_token") or self.token["oauth_token"])


class OAuth2Client:
    def __init__(
        self,
        connection: Connection,
        session: requests.Session | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        openid: OpenIDProvider | None = None,
    ) -> None:
        if connection.protocol != "oauth2":
            raise ValueError(
                f"{connection.name or 'connection'} is {connection.protocol}, not oauth2"
            )
        self.connection = connection
        self.session = session or requests.Session()
        self.timeout = timeout  # seconds per request; a slower answer is a network_error
        self._oauthlib = WebApplicationClient(connection.client_id)
        # The provider's discovery document and JWKS, kept across logins when passed in.
        self.openid = openid
        if self.openid is None and connection.openid:
            self.openid = OpenIDProvider(connection.oidc_issuer, self.session, timeout)

    # -- step 1: the authorization request ---------------------------------
    def authorization_request(
        self, login_params: dict[str, str] | None = None
    ) -> AuthorizationRequest:
        c = self.connection
        state = secrets.token_urlsafe(24)  # RFC 6749 §10.10: unguessable
        extra: dict[str, str] = dict(c.static_params)
        for param, source in c.dynamic_params.items():
            value = (login_params or {}).get(source)
            if value is not None:
                extra[param] = value
        nonce = None
        if c.openid and self.openid is not None:
            self.openid.metadata()  # Discovery §4.3: refuse a wrong issuer before anything
            nonce = secrets.token_urlsafe(24)  # OIDC Core §3.1.2.1, §15.5.2: unguessable
        verifier = challenge = None
        if c.pkce:
            # RFC 7636 §4.1: 43-128 unreserved characters of high entropy; 64 here.
            # (oauthlib's create_code_verifier draws them one by one, ~10x slower.)
            verifier = secrets.token_urlsafe(48)
            challenge = self._oauthlib.create_code_challenge(verifier, c.pkce_method)
        params = {
            "response_type": "code",
            "client_id": c.client_id,
            "redirect_uri": c.redirect_uri,
            "scope": c.scope_separator.join(c.scopes) if c.scopes else None,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": c.pkce_method if challenge else None,
            "nonce": nonce,
            **extra,
        }
        # Built by hand rather than with oauthlib's prepare_grant_uri, which refuses
        # http:// URLs, and the fake IdP is served over plain HTTP on loopback.
        url = add_params_to_uri(
            c.authorize_url, [(k, v) for k, v in params.items() if v is not None]
        )
        return AuthorizationRequest(url, state, verifier, nonce)

    # -- step 2: the user agent at the provider ----------------------------
    def follow_authorization(self, auth: AuthorizationRequest) -> str:
        """Act as the browser: fetch the authorize URL, return the callback URL it redirects to."""
        try:
            response = self.session.get(auth.url, allow_redirects=False, timeout=self.timeout)
        except requests.RequestException as exc:
            raise LoginError("network_error", f"authorize request failed: {exc}") from None
        if response.status_code == 429:
            raise rate_limited(429, response.headers, response.text, "the authorize endpoint")
        location = response.headers.get("Location")
        if response.status_code not in (301, 302, 303, 307) or not location:
            raise LoginError(
                "authorize_failed",
                f"the authorize endpoint answered {response.status_code} without a redirect",
                status=response.status_code,
                body=response.text[:500],
            )
        return location

    # -- step 3: the callback -------------------------------------------------
    def parse_callback(self, callback_url: str, expected_state: str) -> str:
        """The code from the callback, after checking state (RFC 6749 §10.12) and errors."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback_url).query))
        if query.get("state") != expected_state:
            raise LoginError("state_mismatch", "the callback's state is not the one sent")
        self._check_iss(query.get("iss"))
        if "error" in query:
            kind = "cancelled" if query["error"] == "access_denied" else "authorize_error"
            raise LoginError(
                kind, query.get("error_description") or query["error"], error=query["error"]
            )
        if not query.get("code"):
            raise LoginError("authorize_error", "the callback carries no code")
        return query["code"]

    def _check_iss(self, iss: str | None) -> None:
        """RFC 9207 §2.4: an iss in the authorization response must be the issuer the request
        went to; where the provider advertises iss, a response without one is refused too."""
        issuer = self.connection.oidc_issuer
        if not issuer:
            return  # no issuer configured: nothing to compare with
        if iss is None:
            if self.openid is not None and self.openid.advertises_authorization_iss():
                raise LoginError("issuer_mismatch", "the authorization response has no iss")
            return
        if iss != issuer:
            raise LoginError(
                "issuer_mismatch",
                f"the authorization response comes from {iss!r}, not {issuer!r} (RFC 9207)",
            )

    # -- step 4: the token request --------------------------------------------
    def _token_request(self, params: dict[str, str]) -> dict[str, Any]:
        c = self.connection
        headers = {"Accept": "application/json", **c.token_headers}
        query: dict[str, str] = {}
        if c.client_auth in ("basic", "both"):
            # RFC 6749 §2.3.1: form-urlencode id and secret before Base64.
            quote = urllib.parse.quote_plus
            pair = f"{quote(c.client_id)}:{quote(c.client_secret or '')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        if c.client_auth in ("body", "both"):
            params["client_id"] = c.client_id
            if c.client_secret:
                params["client_secret"] = c.client_secret
        if c.client_auth == "query":
            query = {"client_id": c.client_id, "client_secret": c.client_secret or ""}
        if c.client_auth == "basic" and c.client_secret is None:
            params["client_id"] = c.client_id  # a public client identifies itself
        try:
            response = self.session.post(
                c.token_url, data=params, params=query, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise LoginError("network_error", f"token request failed: {exc}") from None
        return parse_token_response(response)

    def fetch_token(self, code: str, code_verifier: str | None) -> dict[str, Any]:
        params = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.connection.redirect_uri,
        }
        if code_verifier:
            params["code_verifier"] = code_verifier
        return self._token_request(params)

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        """RFC 6749 §6; keeps the old refresh token when the response has none."""
        token = self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})
        token.setdefault("refresh_token", refresh_token)
        return token

    def id_token_claims(self, token: dict[str, Any], nonce: str | None) -> dict[str, Any] | None:
        """The validated ID token of an OpenID Connect login (OIDC Core §3.1.3.7), else None."""
        if not self.connection.openid or self.openid is None:
            return None
        return validate_id_token(
            token.get("id_token"), self.openid, self.connection.client_id, nonce
        )

    # -- step 5: the profile ------------------------------------------------------
    def fetch_profile(
        self, access_token: str, id_claims: dict[str, Any] | None = None
    ) -> tuple[Any, str | None]:
        """The profile and user id; with ``id_claims`` a UserInfo ``sub`` must match them."""
        profile, user_id = fetch_profile(self.session, self.connection, access_token, self.timeout)
        if id_claims is not None and self.openid is not None:
            userinfo = self.openid.metadata().get("userinfo_endpoint")
            sub = profile.get("sub") if isinstance(profile, dict) else None
            # OIDC Core §5.3.2: "MUST be verified to exactly match the sub Claim in the ID
            # Token; if they do not match, the UserInfo Response values MUST NOT be used".
            if self.connection.profile_url == userinfo and sub != id_claims["sub"]:
                raise LoginError(
                    "userinfo_mismatch",
                    f"UserInfo's sub {sub!r} is not the ID token's {id_claims['sub']!r}",
                    status=200,
                    body=profile,
                )
        return profile, user_id

    def login(self, login_params: dict[str, str] | None = None) -> LoginResult:
        """The whole flow, as a user clicking "log in with <provider>"."""
        auth = self.authorization_request(login_params)
        callback = self.follow_authorization(auth)
        code = self.parse_callback(callback, auth.state)
        token = self.fetch_token(code, auth.code_verifier)
        claims = self.id_token_claims(token, auth.nonce)
        profile, user_id = self.fetch_profile(token["access_token"], claims)
        if user_id is None:
            raise LoginError(
                "profile_error",
                f"the profile has no user id at {self.connection.user_id_path!r}",
                status=200,
                body=profile,
            )
        return LoginResult(user_id, profile, token, id_token_claims=claims)


def parse_token_response(response: requests.Response) -> dict[str, Any]:
    """A token response, or a LoginError saying what was wrong with it (RFC 6749 §5.2)."""
    if response.status_code == 429:
        raise rate_limited(429, response.headers, response.text, "the token endpoint")
    try:
        body = response.json()
    except ValueError:
        kind = "server_error" if response.status_code >= 500 else "malformed_response"
        raise LoginError(
            kind,
            f"the token endpoint answered {response.status_code} with a body that is not JSON",
            status=response.status_code,
            body=response.text[:500],
        ) from None
    if response.status_code >= 500:
        raise LoginError(
            "server_error",
            f"the token endpoint answered {response.status_code}",
            status=response.status_code,
            body=body,
        )
    if response.status_code == 200 and (not isinstance(body, dict) or "access_token" not in body):
        raise LoginError(
            "malformed_response",
            "the token response has no access_token (RFC 6749 §5.1)",
            status=200,
            body=body,
        )
    if response.status_code != 200 or not isinstance(body, dict):
        error = get_path(body, "error") if isinstance(body, dict) else None
        raise LoginError(
            "token_error",
            f"the token endpoint refused: {error or response.status_code}",
            status=response.status_code,
            error=error if isinstance(error, str) else None,
            body=body,
        )
    return body
