"""Drive the fake IdP's endpoints by hand, one request at a time, for rule tests."""

from __future__ import annotations

import base64
import urllib.parse
from typing import Any

import fakeidp
from fakeidp.providers import Provider

REDIRECT = "https://app.example/callback"


class Flow:
    def __init__(self, idp: fakeidp.FakeIdP, pid: str) -> None:
        self.idp, self.pid = idp, pid
        self.p: Provider = idp.provider(pid)
        self.client = idp.app.test_client()
        self.urls = {k: urllib.parse.urlsplit(v).path for k, v in idp.urls(pid).items()}
        self.creds = idp.credentials(pid)

    def authorize(self, **params: Any) -> Any:
        query = {
            "client_id": self.creds.client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT,
            "state": "s-123",
            **params,
        }
        query = {k: v for k, v in query.items() if v is not None}
        return self.client.get(self.urls["authorize"], query_string=query)

    @staticmethod
    def callback(response: Any) -> dict[str, str]:
        assert response.status_code == 302, response.get_data(as_text=True)
        return dict(
            urllib.parse.parse_qsl(urllib.parse.urlsplit(response.headers["Location"]).query)
        )

    def code(self, **params: Any) -> str:
        return self.callback(self.authorize(**params))["code"]

    def basic(self, client_id: str | None = None, secret: str | None = None) -> dict[str, str]:
        pair = f"{client_id or self.creds.client_id}:{secret or self.creds.client_secret}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}

    def token(self, data: dict[str, Any] | None = None, *, auth: str = "body", **kw: Any) -> Any:
        """POST to the token endpoint; ``auth`` is body, basic, query or none."""
        body = {"grant_type": "authorization_code", "redirect_uri": REDIRECT, **(data or {})}
        body = {k: v for k, v in body.items() if v is not None}
        headers = dict(kw.pop("headers", {}))
        query: dict[str, str] = {}
        if auth == "body":
            body.update(client_id=self.creds.client_id, client_secret=self.creds.client_secret)
        elif auth == "basic":
            headers.update(self.basic())
        elif auth == "query":
            query.update(
                client_id=self.creds.client_id, client_secret=self.creds.client_secret or ""
            )
        method = kw.pop("method", "POST")
        return self.client.open(
            self.urls["token"], method=method, data=body, headers=headers, query_string=query, **kw
        )

    def login_token(self, **authorize: Any) -> dict[str, Any]:
        response = self.token({"code": self.code(**authorize)})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json  # type: ignore[no-any-return]

    def profile(self, access_token: str | None, *, scheme: str = "Bearer", **kw: Any) -> Any:
        endpoint = self.p.primary_profile
        headers = dict(kw.pop("headers", {}))
        if access_token is not None:
            headers["Authorization"] = f"{scheme} {access_token}"
        for rule in endpoint.headers:
            if rule.example and rule.name not in headers:
                headers[rule.name] = rule.example.replace("${client_id}", self.creds.client_id)
        return self.client.get(self.urls[endpoint.endpoint.name], headers=headers, **kw)

    def rules(self) -> list[str]:
        return [f.rule for f in self.idp.findings(self.pid)]
