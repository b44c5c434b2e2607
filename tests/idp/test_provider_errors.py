"""Each provider's API and token errors as the real provider answers them (status and body),
and a body's own ``status`` field always agreeing with the HTTP status sent."""

from __future__ import annotations

import json
from typing import Any

import pytest

import fakeidp
from fakeidp.providers import builtin_providers

from .flow import REDIRECT, Flow


def client_id(flow: Flow) -> dict[str, str]:
    return {"Client-Id": flow.creds.client_id}


def helix(flow: Flow, headers: dict[str, str]) -> Any:
    """GET /helix/users with exactly these headers."""
    return flow.client.get(flow.urls["users"], headers=headers)


# -- Twitch Helix (PROVIDERS-AUDIT §6a, ranked 7) --------------------------------------------


def test_twitch_helix_messages_as_documented(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch")
    token = flow.login_token()["access_token"]
    # No Client-Id: 401 "Client ID is missing" (pilcrowonpaper/arctic#35).
    response = helix(flow, {"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json == {
        "error": "Unauthorized",
        "status": 401,
        "message": "Client ID is missing",
    }
    # Another app's Client-Id: "Client ID and OAuth token do not match" (hybridauth#1171).
    response = flow.profile(token, headers={"Client-Id": "someone-elses-client"})
    assert (response.status_code, response.json["message"]) == (
        401,
        "Client ID and OAuth token do not match",
    )
    # No token: "OAuth token is missing" (node-twitch-webhook#18).
    response = flow.profile(None, headers=client_id(flow))
    assert response.json == {
        "error": "Unauthorized",
        "status": 401,
        "message": "OAuth token is missing",
    }
    # An unknown token: 401 (the text "Invalid OAuth token" is unverified).
    response = flow.profile("not-a-token", headers=client_id(flow))
    assert (response.status_code, response.json["status"]) == (401, 401)
    assert flow.profile(token, headers=client_id(flow)).status_code == 200


def test_twitch_invalid_client_says_401_in_its_body(idp: fakeidp.FakeIdP) -> None:
    """A 401 whose body says "status": 400 must never happen (issue 9)."""
    flow = Flow(idp, "twitch")
    response = flow.client.post(
        flow.urls["token"],
        data={
            "grant_type": "authorization_code",
            "code": flow.code(),
            "client_id": flow.creds.client_id,
            "client_secret": "wrong",
            "redirect_uri": REDIRECT,
        },
    )
    assert response.status_code == 401
    assert response.json["status"] == 401


# -- Imgur (PROVIDERS-AUDIT §3, ranked 5 and 12) ---------------------------------------------


def test_imgur_answers_an_invalid_token_with_403(idp: fakeidp.FakeIdP) -> None:
    """ShareX#1191, #1226, #3187; jomo/imgur-screenshot#119."""
    flow = Flow(idp, "imgur")
    response = flow.profile("expired-or-invalid")
    assert response.status_code == 403
    assert response.json == {
        "data": {
            "error": "The access token provided is invalid.",
            "request": "/3/account/me",
            "method": "GET",
        },
        "success": False,
        "status": 403,
    }


@pytest.mark.parametrize("body_type", ["json", "multipart"])
def test_imgur_token_endpoint_reads_json_and_multipart(
    idp: fakeidp.FakeIdP, body_type: str
) -> None:
    """Public Imgur clients POST JSON or multipart/form-data (PROVIDERS-AUDIT §3)."""
    flow = Flow(idp, "imgur")
    form = {
        "grant_type": "authorization_code",
        "code": flow.code(),
        "redirect_uri": REDIRECT,
        "client_id": flow.creds.client_id,
        "client_secret": flow.creds.client_secret,
    }
    if body_type == "json":
        response = flow.client.post(flow.urls["token"], json=form)
    else:
        response = flow.client.post(
            flow.urls["token"], data=form, content_type="multipart/form-data"
        )
    assert response.status_code == 200, response.get_data(as_text=True)
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": response.json["refresh_token"],
        "client_id": flow.creds.client_id,
        "client_secret": flow.creds.client_secret,
    }
    again = (
        flow.client.post(flow.urls["token"], json=refresh)
        if body_type == "json"
        else flow.client.post(flow.urls["token"], data=refresh, content_type="multipart/form-data")
    )
    assert again.status_code == 200, again.get_data(as_text=True)
    assert idp.findings() == []


def test_imgur_expired_token_fault_is_imgurs_403(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "imgur")
    token = flow.login_token()["access_token"]
    idp.fault("imgur", "account_me", kind="expired_token")
    response = flow.profile(token)
    assert (response.status_code, response.json["status"]) == (403, 403)


# -- WordPress.com (PROVIDERS-AUDIT §10, ranked 13) ------------------------------------------


def test_wordpress_invalid_and_missing_token(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "wordpress")
    # An invalid token: invalid_token, "The OAuth2 token is invalid." (Automattic's
    # is-invalid-oauth-token-error fixture, code 401; Defacto2#86).
    response = flow.profile("revoked-token")
    assert response.status_code == 401
    assert response.json == {"error": "invalid_token", "message": "The OAuth2 token is invalid."}
    # No token: authorization_required (wpcom-connect-examples#1; the 403 is unverified).
    response = flow.profile(None)
    assert response.status_code == 403
    assert response.json["error"] == "authorization_required"


# -- every fixture: a body's status agrees with the HTTP status --------------------------------


def _status_fields(body: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every value under a key named ``status`` (Twitch ``status``, Tumblr ``meta.status``)."""
    found: list[tuple[str, Any]] = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "status" and not isinstance(value, (dict, list)):
                found.append((f"{path}{key}", value))
            found += _status_fields(value, f"{path}{key}.")
    elif isinstance(body, list):
        for i, value in enumerate(body):
            found += _status_fields(value, f"{path}{i}.")
    return found


@pytest.mark.parametrize("status", [400, 401, 403, 429, 503])
@pytest.mark.parametrize("pid", sorted(builtin_providers()))
def test_an_injected_status_agrees_with_the_body(
    idp: fakeidp.FakeIdP, pid: str, status: int
) -> None:
    """A fault's status and the status the provider's body states are the same number."""
    p = idp.provider(pid)
    endpoint = p.primary_profile.endpoint.name
    idp.fault(pid, endpoint, kind="status", status=status)
    url = idp.urls(pid)[endpoint]
    response = idp.session().get(url, timeout=5)
    assert response.status_code == status
    if response.headers["Content-Type"].startswith("application/json"):
        fields = _status_fields(json.loads(response.text))
        assert all(value == status for _, value in fields), (pid, fields)
