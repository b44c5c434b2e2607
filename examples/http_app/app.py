"""A small web app with "log in with <provider>", on Python's standard library only.

It stands for a connector written in any language: the conformance engine
starts it, drives it over HTTP, and checks what it sends to the fake IdP.

    fakeidp conformance --target "exec:python examples/http_app/app.py" --html report.html

What it exposes and how it learns the fake IdP's URLs and credentials (the
``PORT`` and ``FAKEIDP_CONFIG`` environment variables) is described in
:mod:`fakeidp.conformance.http_app`. This app speaks OAuth 2.0 only, so the
OAuth 1.0a providers are reported not applicable.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.cookies
import json
import os
import secrets
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

with open(os.environ["FAKEIDP_CONFIG"], encoding="utf-8") as config_file:
    CONFIG = json.load(config_file)
PROVIDERS: dict[str, Any] = CONFIG["providers"]
SESSIONS: dict[str, dict[str, Any]] = {}  # session cookie -> this browser's login
CAPABILITIES = [
    "callback",
    "refresh",
    "scopes",
    "static_params",
    "dynamic_params",
    "custom_headers",
]


class LoginFailed(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def http_call(
    method: str, url: str, headers: dict[str, str], form: dict[str, str] | None = None
) -> tuple[int, bytes]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def token_request(conn: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    """POST to the token endpoint with the client credentials where the provider reads them."""
    headers = {"Accept": "application/json", **conn["token_headers"]}
    if conn["client_auth"] in ("basic", "both"):
        quote = urllib.parse.quote_plus  # RFC 6749 §2.3.1: form-encode, then Base64
        pair = f"{quote(conn['client_id'])}:{quote(conn['client_secret'] or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    if conn["client_auth"] in ("body", "both"):
        form = {
            **form,
            "client_id": conn["client_id"],
            "client_secret": conn["client_secret"] or "",
        }
    status, body = http_call("POST", conn["token_url"], headers, form)
    try:
        token = json.loads(body)
    except ValueError:
        kind = "server_error" if status >= 500 else "malformed_response"
        raise LoginFailed(kind, f"the token endpoint answered {status} without JSON") from None
    if status >= 500:
        raise LoginFailed("server_error", f"the token endpoint answered {status}")
    if status != 200 or not isinstance(token, dict) or "access_token" not in token:
        raise LoginFailed("token_error", f"the token endpoint refused ({status})")
    return token


def user_id(conn: dict[str, Any], access_token: str) -> str:
    """Call the profile API in the provider's scheme; the user id at the configured path."""
    headers = {"Accept": "application/json"}
    headers.update(
        {
            k: v.replace("${client_id}", conn["client_id"])
            for k, v in conn["profile_headers"].items()
        }
    )
    query = dict(conn["profile_query"])
    scheme = conn["profile_auth"]
    if scheme == "bearer":
        headers["Authorization"] = f"Bearer {access_token}"
    elif scheme == "oauth":
        headers["Authorization"] = f"OAuth {access_token}"
    elif scheme.startswith("query:"):
        query[scheme.split(":", 1)[1]] = access_token
    url = conn["profile_url"] + ("?" + urllib.parse.urlencode(query) if query else "")
    status, body = http_call("GET", url, headers)
    # RFC 6750 says 401; Imgur answers an expired token with 403 (ShareX#1191 added the same
    # workaround), so both mean "try a refresh".
    if status in (401, 403):
        raise LoginFailed("expired", f"the profile API answered {status}")
    if status != 200:
        raise LoginFailed("profile_error", f"the profile API answered {status}")
    node: Any = json.loads(body)
    for part in conn["user_id_path"].split("."):
        node = node[int(part)] if isinstance(node, list) else node.get(part)
    return str(node)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the engine records every request at the IdP

    def reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def session(self) -> tuple[str, dict[str, Any]]:
        cookie = http.cookies.SimpleCookie(self.headers.get("Cookie", ""))
        sid = cookie["sid"].value if "sid" in cookie else ""
        if sid not in SESSIONS:
            sid = secrets.token_urlsafe(16)
            SESSIONS[sid] = {}
        return sid, SESSIONS[sid]

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        try:
            if url.path == "/capabilities":
                self.reply(200, {"capabilities": CAPABILITIES})
            elif url.path == "/login":
                self.login(query)
            elif url.path == "/callback":
                self.callback(query)
            else:
                self.reply(404, {"error": {"kind": "not_found", "message": url.path}})
        except LoginFailed as exc:
            self.reply(400, {"error": {"kind": exc.kind, "message": str(exc)}})

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/refresh":
            self.reply(404, {"error": {"kind": "not_found", "message": url.path}})
            return
        try:
            self.refresh()
        except LoginFailed as exc:
            self.reply(400, {"error": {"kind": exc.kind, "message": str(exc)}})

    def login(self, query: dict[str, str]) -> None:
        provider = PROVIDERS.get(query.get("provider", ""))
        if provider is None or provider["protocol"] != "oauth2":
            raise LoginFailed("unsupported", "this app logs in with OAuth 2.0 providers only")
        conn = provider["connection"]
        sid, session = self.session()
        session.clear()
        session.update(provider=provider["id"], state=secrets.token_urlsafe(32))
        params = {
            "response_type": "code",
            "client_id": conn["client_id"],
            "redirect_uri": provider["redirect_uri"],
            "state": session["state"],
            **conn["static_params"],
        }
        params.update({p: query[f] for p, f in conn["dynamic_params"].items() if f in query})
        if conn["scopes"]:
            params["scope"] = conn["scope_separator"].join(conn["scopes"])
        if conn["pkce"]:  # RFC 7636 §4.1-4.2: S256 of a 43+ character verifier
            session["verifier"] = secrets.token_urlsafe(48)
            digest = hashlib.sha256(session["verifier"].encode()).digest()
            params["code_challenge"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            params["code_challenge_method"] = "S256"
        location = conn["authorize_url"] + "?" + urllib.parse.urlencode(params)
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Set-Cookie", f"sid={sid}; HttpOnly; Path=/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def callback(self, query: dict[str, str]) -> None:
        _, session = self.session()
        if not session.get("state") or query.get("state") != session["state"]:
            raise LoginFailed("state_mismatch", "the state does not match this browser's login")
        if query.get("error"):
            kind = "cancelled" if query["error"] == "access_denied" else "authorize_error"
            raise LoginFailed(kind, query.get("error_description") or query["error"])
        conn = PROVIDERS[session["provider"]]["connection"]
        form = {
            "grant_type": "authorization_code",
            "code": query.get("code", ""),
            "redirect_uri": PROVIDERS[session["provider"]]["redirect_uri"],
        }
        if "verifier" in session:
            form["code_verifier"] = session["verifier"]
        session["token"] = token_request(conn, form)
        self.reply(200, {"user_id": user_id(conn, session["token"]["access_token"])})

    def refresh(self) -> None:
        """On a 401 (Imgur: 403) the token expired: refresh, keep the new refresh token, retry."""
        _, session = self.session()
        if "token" not in session:
            raise LoginFailed("not_logged_in", "no login in this session")
        conn = PROVIDERS[session["provider"]]["connection"]
        try:
            self.reply(200, {"user_id": user_id(conn, session["token"]["access_token"])})
            return
        except LoginFailed as exc:
            if exc.kind != "expired" or "refresh_token" not in session["token"]:
                raise
        old = session["token"]["refresh_token"]
        token = token_request(conn, {"grant_type": "refresh_token", "refresh_token": old})
        token.setdefault("refresh_token", old)  # RFC 6749 §6: a new one replaces the old
        session["token"] = token
        self.reply(200, {"user_id": user_id(conn, token["access_token"])})


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8000"))), Handler)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
