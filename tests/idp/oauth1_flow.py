"""Drive the fake IdP's OAuth 1.0a endpoints by hand, one signed request at a time."""

from __future__ import annotations

import urllib.parse
from typing import Any

import requests
from oauthlib.oauth1 import Client

import fakeidp
from fakeidp.providers.oauth1 import OAuth1Rules

CALLBACK = "https://app.example/callback"
TYPES = {"header": "AUTH_HEADER", "query": "QUERY", "body": "BODY"}


class OAuth1Flow:
    """Signed requests for one provider; ``method``/``placement`` default to the fixture's."""

    def __init__(
        self,
        idp: fakeidp.FakeIdP,
        pid: str,
        *,
        method: str | None = None,
        placement: str | None = None,
    ) -> None:
        self.idp, self.pid = idp, pid
        self.p = idp.provider(pid)
        rules = self.p.oauth1
        assert isinstance(rules, OAuth1Rules)
        self.rules = rules
        self.method = method or rules.signature_methods[0]
        self.placement = placement or rules.placements[0]
        self.session = idp.session()
        self.urls = idp.urls(pid)
        self.creds = idp.credentials(pid)

    def signer(self, **kw: Any) -> Client:
        return Client(
            kw.pop("client_key", self.creds.client_id),
            client_secret=kw.pop("client_secret", self.creds.client_secret),
            signature_method=self.method,
            signature_type=TYPES[kw.pop("placement", self.placement)],
            rsa_key=kw.pop(
                "rsa_key", self.rules.test_private_key if self.method == "RSA-SHA1" else None
            ),
            **kw,
        )

    def send(self, http_method: str, url: str, **kw: Any) -> requests.Response:
        """Sign with oauthlib (``kw`` are Client arguments: nonce, timestamp, verifier, …)."""
        tamper = kw.pop("tamper", None)
        query = kw.pop("query", None)
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers: dict[str, str] = {}
        body: Any = None
        if http_method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = {}
        placement = kw.get("placement", self.placement)
        if placement == "body" and http_method == "GET":
            kw["placement"] = "query"
        uri, headers, body = self.signer(**kw).sign(url, http_method, body, headers)
        if tamper:
            uri, headers, body = tamper(uri, headers, body)
        return self.session.request(http_method, uri, headers=headers, data=body)

    def request_token(self, **kw: Any) -> requests.Response:
        kw.setdefault("callback_uri", CALLBACK)
        return self.send(kw.pop("http_method", "POST"), self.urls["request_token"], **kw)

    def temporary(self, **kw: Any) -> dict[str, str]:
        response = self.request_token(**kw)
        assert response.status_code == 200, response.text
        return dict(urllib.parse.parse_qsl(response.text))

    def authorize(
        self, token: str, endpoint: str = "authorize", **params: str
    ) -> requests.Response:
        return self.session.get(
            self.urls[endpoint], params={"oauth_token": token, **params}, allow_redirects=False
        )

    def callback(self, token: str, **params: str) -> dict[str, str]:
        response = self.authorize(token, **params)
        assert response.status_code == 302, response.text
        location = response.headers["Location"]
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))

    def access_token(
        self, temporary: dict[str, str], verifier: str | None, **kw: Any
    ) -> requests.Response:
        return self.send(
            kw.pop("http_method", "POST"),
            self.urls["access_token"],
            resource_owner_key=temporary["oauth_token"],
            resource_owner_secret=temporary["oauth_token_secret"],
            verifier=verifier,
            **kw,
        )

    def authorized(self) -> tuple[dict[str, str], str]:
        """Temporary credentials the user approved, and the verifier."""
        temporary = self.temporary()
        return temporary, self.callback(temporary["oauth_token"])["oauth_verifier"]

    def tokens(self) -> dict[str, str]:
        temporary, verifier = self.authorized()
        response = self.access_token(temporary, verifier)
        assert response.status_code == 200, response.text
        return dict(urllib.parse.parse_qsl(response.text))

    def profile(
        self, tokens: dict[str, str], name: str | None = None, **kw: Any
    ) -> requests.Response:
        endpoint = self.p.primary_profile.endpoint.name if name is None else name
        kw.setdefault("resource_owner_key", tokens["oauth_token"])
        kw.setdefault("resource_owner_secret", tokens["oauth_token_secret"])
        return self.send("GET", self.urls[endpoint], **kw)

    def rules_hit(self) -> list[str]:
        return [f.rule for f in self.idp.findings(self.pid)]
