"""The reference OAuth 1.0a client: a correct connector on requests + oauthlib.

It follows RFC 5849 §2 the way a careful connector does: temporary
credentials with an ``oauth_callback``, the user sent to the authorization
page (with the connection's static and dynamic parameters, X ``screen_name``
from ``login_hint``), a callback checked against the request token (the
OAuth 1.0a stand-in for ``state``), token credentials with the verifier, and
profile calls signed without ``oauth_callback``/``oauth_verifier`` (Xing
dislikes them). Signing is oauthlib's: HMAC-SHA1, RSA-SHA1 from a PEM private
key, PLAINTEXT; parameters in the header, the query or a form body.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from oauthlib.common import add_params_to_uri
from oauthlib.oauth1 import Client as OAuthlibClient

from ..idp.templates import get_path
from ..providers.model import Provider
from ..providers.oauth1 import OAuth1Rules
from .connection import Connection, ConnectionError
from .errors import LoginError, rate_limited
from .oauth2 import LoginResult
from .profile import read_profile, user_id_of

DEFAULT_TIMEOUT = 10.0
OOB = "oob"
_SIGNATURE_TYPES = {"auth_header": "AUTH_HEADER", "query": "QUERY", "body": "BODY"}
_PLACEMENT_TYPES = {"header": "auth_header", "query": "query", "body": "body"}
_FORM = "application/x-www-form-urlencoded"
_STEP_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


class OAuth1Client:
    def __init__(
        self,
        connection: Connection,
        session: requests.Session | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if connection.protocol != "oauth1":
            raise ValueError(
                f"{connection.name or 'connection'} is {connection.protocol}, not oauth1"
            )
        self.connection = connection
        self.session = session or requests.Session()
        self.timeout = timeout  # seconds per request; a slower answer is a network_error

    # -- signing ---------------------------------------------------------------
    # (Each signed request builds a fresh oauthlib Client; the RSA key is parsed once.)
    def _signer(self, method: str, **credentials: Any) -> OAuthlibClient:
        c = self.connection
        placement = c.signature_type
        if placement == "body" and method == "GET":
            placement = "query"  # RFC 5849 §3.5.2: a form body only on requests that have one
        return OAuthlibClient(
            c.client_id,
            client_secret=c.client_secret or None,
            signature_method=c.signature_method,
            signature_type=_SIGNATURE_TYPES[placement],
            rsa_key=_rsa_key(c.rsa_private_key) if c.rsa_private_key else None,
            **credentials,
        )

    def _signed(
        self,
        method: str,
        url: str,
        *,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        **credentials: Any,
    ) -> requests.Response:
        """Send one signed request; ``credentials`` are oauthlib Client arguments."""
        if query:
            url = add_params_to_uri(url, list(query.items()))
        send_headers = dict(headers or {})
        body: dict[str, str] | None = None
        if method == "POST":
            # node-oauth's shape: a form content type, an empty body unless params go there.
            send_headers["Content-Type"] = _FORM
            body = {}
        try:
            signer = self._signer(method, **credentials)
            uri, signed_headers, signed_body = signer.sign(url, method, body, send_headers)
        except (ValueError, jwt.PyJWTError) as exc:
            if self.connection.signature_method != "RSA-SHA1":
                raise
            raise ConnectionError("rsa_private_key", f"cannot sign with it: {exc}") from None
        try:
            return self.session.request(
                method, uri, headers=signed_headers, data=signed_body, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise LoginError("network_error", f"{method} {url} failed: {exc}") from None

    # -- RFC 5849 §2.1: temporary credentials ------------------------------------
    def fetch_request_token(self) -> dict[str, str]:
        c = self.connection
        response = self._signed("POST", c.request_token_url, callback_uri=c.redirect_uri)
        token = parse_token_response(response, "request token")
        if token.get("oauth_callback_confirmed") != "true":
            raise LoginError(
                "malformed_response",
                "the request-token response lacks oauth_callback_confirmed=true (RFC 5849 §2.1)",
                status=response.status_code,
            )
        return token

    # -- RFC 5849 §2.2: the user at the provider ---------------------------------
    def authorization_url(
        self, request_token: str, login_params: Mapping[str, str] | None = None
    ) -> str:
        c = self.connection
        params: dict[str, str] = {"oauth_token": request_token, **c.static_params}
        for param, source in c.dynamic_params.items():
            value = (login_params or {}).get(source)
            if value is not None:
                params[param] = value
        return str(add_params_to_uri(c.authorize_url, list(params.items())))

    def follow_authorization(self, url: str) -> str:
        """Act as the browser: the callback URL, or for ``oob`` the verifier typed by the user."""
        try:
            response = self.session.get(url, allow_redirects=False, timeout=self.timeout)
        except requests.RequestException as exc:
            raise LoginError("network_error", f"the authorize page failed: {exc}") from None
        if response.status_code == 429:
            raise rate_limited(429, response.headers, response.text, "the authorize page")
        location = response.headers.get("Location")
        if response.status_code in (301, 302, 303, 307) and location:
            return location
        if self.connection.redirect_uri == OOB and response.status_code == 200:
            pin = re.search(r"id='oauth_verifier'>([^<]+)<", response.text)
            if pin is None:
                raise LoginError("cancelled", "the user did not get a verifier (denied)")
            return pin.group(1)
        raise LoginError(
            "authorize_failed",
            f"the authorize page answered {response.status_code} without a redirect",
            status=response.status_code,
            body=response.text[:500],
        )

    def parse_callback(self, callback_url: str, request_token: str) -> str:
        """The verifier from the callback, after checking it belongs to this login."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback_url).query))
        # X: ?denied=<token> [psa twitter.py]; Problem Reporting: oauth_problem=user_refused;
        # Atlassian (JIRA): ?oauth_token=…&oauth_verifier=denied.
        if (
            "denied" in query
            or query.get("oauth_problem") == "user_refused"
            or query.get("oauth_verifier") == "denied"
        ):
            raise LoginError("cancelled", "the user denied access", error="access_denied")
        if "oauth_problem" in query:
            raise LoginError(
                "authorize_error", query["oauth_problem"], error=query["oauth_problem"]
            )
        if query.get("oauth_token") != request_token:
            raise LoginError("state_mismatch", "the callback's oauth_token is not this login's")
        if not query.get("oauth_verifier"):
            raise LoginError("authorize_error", "the callback carries no oauth_verifier")
        return query["oauth_verifier"]

    # -- RFC 5849 §2.3: token credentials ------------------------------------------
    def fetch_access_token(self, request_token: str, secret: str, verifier: str) -> dict[str, str]:
        response = self._signed(
            "POST",
            self.connection.access_token_url,
            resource_owner_key=request_token,
            resource_owner_secret=secret,
            verifier=verifier,
        )
        return parse_token_response(response, "access token")

    # -- the profile ---------------------------------------------------------------
    def fetch_profile(self, token: str, secret: str) -> tuple[Any, str | None]:
        """Signed GETs: the profile URL, then each further step (JIRA: session, then user)."""
        c = self.connection
        headers = {"Accept": "application/json"}
        headers.update(
            {k: v.replace("${client_id}", c.client_id) for k, v in c.profile_headers.items()}
        )
        response = self._signed(
            "GET",
            c.profile_url,
            query=c.profile_query,
            headers=headers,
            resource_owner_key=token,
            resource_owner_secret=secret,
        )
        profile, user_id = read_profile(response, c.user_id_path)
        for template, user_id_path in c.profile_steps:
            url = fill_step(template, profile)
            response = self._signed(
                "GET", url, headers=headers, resource_owner_key=token, resource_owner_secret=secret
            )
            profile, _ = read_profile(response, user_id_path)
            user_id = user_id_of(profile, user_id_path)
        return profile, user_id

    def login(self, login_params: dict[str, str] | None = None) -> LoginResult:
        """The whole flow, as a user clicking "log in with <provider>"."""
        temporary = self.fetch_request_token()
        request_token = temporary["oauth_token"]
        landing = self.follow_authorization(self.authorization_url(request_token, login_params))
        if self.connection.redirect_uri == OOB:
            verifier = landing
        else:
            verifier = self.parse_callback(landing, request_token)
        token = self.fetch_access_token(request_token, temporary["oauth_token_secret"], verifier)
        profile, user_id = self.fetch_profile(token["oauth_token"], token["oauth_token_secret"])
        if user_id is None:
            raise LoginError(
                "profile_error",
                "the profile has no user id where the connection says",
                body=profile,
            )
        return LoginResult(user_id, profile, token)


def fill_step(template: str, previous: Any) -> str:
    """A profile step URL: each ``${path}`` is that field of the previous answer, URL-quoted."""

    def value(match: re.Match[str]) -> str:
        found = get_path(previous, match.group(1))
        if found is None:
            raise LoginError(
                "profile_error", f"the previous profile answer has no {match.group(1)!r}"
            )
        return urllib.parse.quote(str(found), safe="")

    return _STEP_PLACEHOLDER.sub(value, template)


def _error_of(response: requests.Response) -> str | None:
    """The provider's error name: JSON (X code, Xing error_name, Tumblr title) or oauth_problem."""
    try:
        body = response.json()
    except ValueError:
        form = dict(urllib.parse.parse_qsl(response.text))
        return form.get("oauth_problem")
    for path in ("errors.0.code", "error_name", "error", "errors.0.title"):
        found = get_path(body, path)
        if found is not None:
            return str(found)
    return None


def parse_token_response(response: requests.Response, what: str) -> dict[str, str]:
    """A form-encoded token response (RFC 5849 §2.1, §2.3), or a LoginError saying why not."""
    if response.status_code == 429:
        raise rate_limited(429, response.headers, response.text, f"the {what} endpoint")
    if response.status_code >= 500:
        raise LoginError(
            "server_error",
            f"the {what} endpoint answered {response.status_code}",
            status=response.status_code,
            body=response.text[:500],
        )
    if response.status_code != 200:
        error = _error_of(response)
        raise LoginError(
            "token_error",
            f"the {what} endpoint refused: {error or response.status_code}",
            status=response.status_code,
            error=error,
            body=response.text[:500],
        )
    token = dict(urllib.parse.parse_qsl(response.text, keep_blank_values=True))
    if not token.get("oauth_token") or not token.get("oauth_token_secret"):
        raise LoginError(
            "malformed_response",
            f"the {what} response lacks oauth_token and oauth_token_secret",
            status=response.status_code,
            body=response.text[:500],
        )
    return token


def connection_settings(provider: Provider, urls: Mapping[str, str]) -> dict[str, Any]:
    """The OAuth 1.0a part of :meth:`Connection.for_provider`: what the fixture documents."""
    rules = provider.oauth1
    assert isinstance(rules, OAuth1Rules)
    method = rules.signature_methods[0]
    profiles = {p.endpoint.name: p for p in provider.profiles}
    steps = tuple(
        (_step_url(urls[step.profile], step.query), profiles[step.profile].user_id)
        for step in rules.profile_steps
    )
    return {
        "request_token_url": urls["request_token"],
        "access_token_url": urls["access_token"],
        "signature_method": method,
        "signature_type": _PLACEMENT_TYPES[rules.placements[0]],
        "rsa_private_key": rules.test_private_key if method == "RSA-SHA1" else None,
        "profile_steps": steps,
    }


def _step_url(url: str, query: Mapping[str, str]) -> str:
    """``url`` with ``query`` added, leaving ``${path}`` placeholders for :func:`fill_step`."""
    parts = []
    for name, value in query.items():
        quoted = value if _STEP_PLACEHOLDER.fullmatch(value) else urllib.parse.quote(value, safe="")
        parts.append(f"{urllib.parse.quote(name, safe='')}={quoted}")
    return url + ("&" if "?" in url else "?") + "&".join(parts) if parts else url


@functools.lru_cache(maxsize=16)
def _rsa_key(pem: str) -> Any:
    """The parsed private key: oauthlib would re-parse the PEM, ~20 ms, on every signature.

    oauthlib hands the key to PyJWT's ``prepare_key``, which takes a loaded key as is.
    """
    return serialization.load_pem_private_key(pem.encode("utf-8"), password=None)
