"""Twitch /oauth2/validate, /oauth2/revoke and app access tokens; WordPress.com token-info:
each as the provider documents the request, answered as the provider answers it."""

from __future__ import annotations

from typing import Any

import fakeidp

from .flow import Flow


def validate(flow: Flow, header: str | None) -> Any:
    headers = {} if header is None else {"Authorization": header}
    return flow.client.get(flow.urls["validate"], headers=headers)


def test_twitch_validate_answers_as_documented(idp: fakeidp.FakeIdP) -> None:
    """dev.twitch.tv/docs/authentication/validate-tokens: GET, Authorization: OAuth <token>."""
    flow = Flow(idp, "twitch")
    token = flow.login_token(scope="user:read:email")["access_token"]
    response = validate(flow, f"OAuth {token}")
    assert response.status_code == 200
    body = response.json
    assert 14000 < body.pop("expires_in") <= 14828  # the seconds left of the token's life
    assert body == {
        "client_id": flow.creds.client_id,
        "login": "fakeidptest",
        "user_id": "739003271",
        "scopes": ["user:read:email"],
    }
    assert idp.findings() == []
    # A revoked or unknown token: 401 {"status":401,"message":"invalid access token"}.
    response = validate(flow, "OAuth not-a-token")
    assert response.status_code == 401
    assert response.json == {"status": 401, "message": "invalid access token"}
    assert idp.findings() == []  # being told a token is dead is what /validate is for


def test_twitch_validate_without_a_token_and_with_bearer(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch")
    response = validate(flow, None)
    assert response.status_code == 401
    assert flow.rules() == ["oauth2.validate.token"]
    token = flow.login_token()["access_token"]
    # Twitch documents OAuth; Bearer is a warning, not a refusal (unverified either way).
    assert validate(flow, f"Bearer {token}").status_code == 200
    assert [f.severity for f in idp.findings(rule="oauth2.validate.scheme")] == ["warning"]


def test_twitch_app_access_token(idp: fakeidp.FakeIdP) -> None:
    """Client credentials grant (dev.twitch.tv getting-tokens-oauth): an app access token."""
    flow = Flow(idp, "twitch")
    response = flow.client.post(
        flow.urls["token"],
        data={
            "client_id": flow.creds.client_id,
            "client_secret": flow.creds.client_secret,
            "grant_type": "client_credentials",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    assert "refresh_token" not in body
    info = validate(flow, f"OAuth {body['access_token']}").json
    assert info["client_id"] == flow.creds.client_id and "user_id" not in info
    assert idp.findings() == []


def test_twitch_revoke_with_client_id_only(idp: fakeidp.FakeIdP) -> None:
    """dev.twitch.tv/docs/authentication/revoke-tokens: POST client_id and token, no secret."""
    flow = Flow(idp, "twitch")
    token = flow.login_token()["access_token"]
    url = flow.urls["revoke"]
    response = flow.client.post(url, data={"client_id": flow.creds.client_id, "token": token})
    assert response.status_code == 200 and response.get_data() == b""
    assert validate(flow, f"OAuth {token}").status_code == 401
    assert idp.findings() == []
    # Again: the token is no longer valid, 400 {"status":400,"message":"Invalid token"}.
    again = flow.client.post(url, data={"client_id": flow.creds.client_id, "token": token})
    assert again.status_code == 400
    assert again.json == {"status": 400, "message": "Invalid token"}
    # An unknown client: 404 {"status":404,"message":"client does not exist"}.
    unknown = flow.client.post(url, data={"client_id": "nobody", "token": token})
    assert unknown.status_code == 404
    assert unknown.json == {"status": 404, "message": "client does not exist"}
    assert flow.rules() == ["oauth2.revoke.token", "oauth2.revoke.client_id"]


def test_wordpress_token_info(idp: fakeidp.FakeIdP) -> None:
    """GET /oauth2/token-info?client_id&token (WP docs; wpcom-connect-examples#1)."""
    flow = Flow(idp, "wordpress")
    token = flow.login_token(scope="auth")["access_token"]
    url = flow.urls["token_info"]
    ok = flow.client.get(url, query_string={"client_id": flow.creds.client_id, "token": token})
    assert ok.status_code == 200, ok.get_data(as_text=True)
    assert ok.json == {
        "client_id": flow.creds.client_id,
        "user_id": "12345678",
        "blog_id": "98765432",
        "scope": "auth",
    }
    assert idp.findings() == []
    bad = flow.client.get(url, query_string={"client_id": flow.creds.client_id, "token": "x"})
    assert bad.status_code == 400
    assert bad.json == {
        "error": "invalid_request",
        "error_description": "The specified token is invalid.",
    }
    assert flow.rules() == ["oauth2.token_info.request"]


def test_wordpress_token_info_for_another_client_is_invalid(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "wordpress")
    token = flow.login_token()["access_token"]
    response = flow.client.get(
        flow.urls["token_info"], query_string={"client_id": "another-app", "token": token}
    )
    assert response.status_code == 400
    assert flow.rules() == ["oauth2.token_info.request"]
