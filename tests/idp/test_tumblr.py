"""Tumblr as tumblr/docs api.md (@708be10) documents it."""

from __future__ import annotations

import re
from typing import Any

import requests

import fakeidp

from .flow import REDIRECT, Flow
from .oauth1_flow import OAuth1Flow

# "Each blog also has a unique identifier … in the `uuid` field (example:
# `t:0aY0xL2Fi1OFJg4YxpmegQ`)" (tumblr/docs api.md, "Blog Unique Identifiers").
BLOG_UUID = re.compile(r"t:[A-Za-z0-9_-]{22}")


def test_user_info_blogs_carry_their_uuid(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "tumblr")
    response = flow.profile(flow.tokens())
    assert response.status_code == 200, response.text
    user = response.json()["response"]["user"]
    assert user["name"] == "fakeidptest"
    assert all(BLOG_UUID.fullmatch(blog["uuid"]) for blog in user["blogs"])
    # python-social-auth reads the user id from the *primary* blog's uuid
    # (social_core/backends/tumblr.py get_user_id_for_key), not from blogs[0] by luck.
    primary = [blog for blog in user["blogs"] if blog["primary"]]
    assert len(primary) == 1 and len(user["blogs"]) > 1
    assert len({blog["uuid"] for blog in user["blogs"]}) == len(user["blogs"])


# -- OAuth 2.0 (tumblr/docs api.md "OAuth2 Authorization"; PROVIDERS-AUDIT §5, ranked 14) --------


def test_oauth2_authorize_requires_scope_and_state(idp: fakeidp.FakeIdP) -> None:
    """ "scope … Required: Yes", "state … Required: Yes" (api.md /oauth2/authorize)."""
    flow = Flow(idp, "tumblr-oauth2")
    no_scope = flow.callback(flow.authorize())
    assert no_scope["error"] == "invalid_request"
    assert flow.rules() == ["oauth2.authorize.required_param"]
    no_state = flow.authorize(scope="basic", state=None)
    assert no_state.status_code in (302, 400)
    assert flow.rules()[-1] == "oauth2.authorize.state"
    assert "code" in flow.callback(flow.authorize(scope="basic"))


def curl_form(flow: Flow, fields: dict[str, str]) -> Any:
    """The docs' curl -F: multipart/form-data, credentials as fields."""
    fields = {
        **fields,
        "client_id": flow.creds.client_id,
        "client_secret": flow.creds.client_secret,
    }
    return flow.client.post(flow.urls["token"], data=fields, content_type="multipart/form-data")


def test_oauth2_token_as_documented(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "tumblr-oauth2")
    code = flow.code(scope="write offline_access")
    response = curl_form(
        flow, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    # {"access_token","expires_in":2520,"id_token":false,"refresh_token","scope":"write
    #  offline_access","token_type":"bearer"} (api.md, step three).
    assert set(body) == {
        "access_token",
        "expires_in",
        "id_token",
        "refresh_token",
        "scope",
        "token_type",
    }
    assert body["id_token"] is False and body["expires_in"] == 2520
    assert (body["scope"], body["token_type"]) == ("write offline_access", "bearer")
    refreshed = curl_form(
        flow, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
    )
    assert refreshed.status_code == 200 and refreshed.json["refresh_token"]
    # "curl -H 'Authorization: Bearer {access_token}' https://api.tumblr.com/v2/user/info".
    me = flow.profile(refreshed.json["access_token"])
    assert me.status_code == 200 and me.json["response"]["user"]["name"] == "fakeidptest"
    assert idp.findings() == []


def test_oauth2_refresh_token_only_with_offline_access(idp: fakeidp.FakeIdP) -> None:
    """ "refresh_token … (if offline_access scope was requested)" (api.md)."""
    flow = Flow(idp, "tumblr-oauth2")
    token = flow.login_token(scope="basic")
    assert "refresh_token" not in token


def test_one_user_info_url_serves_both_flows(idp: fakeidp.FakeIdP) -> None:
    """api.tumblr.com/v2/user/info takes OAuth 1.0a signatures and OAuth 2.0 Bearer tokens."""
    with idp.intercepting():
        session = requests.Session()
        bearer = Flow(idp, "tumblr-oauth2").login_token(scope="basic")["access_token"]
        url = "https://api.tumblr.com/v2/user/info"
        response = session.get(url, headers={"Authorization": f"Bearer {bearer}"}, timeout=5)
        assert response.status_code == 200, response.text
        assert [e.provider for e in idp.exchanges()][-1] == "tumblr-oauth2"
        flow = OAuth1Flow(idp, "tumblr")
        assert flow.profile(flow.tokens()).status_code == 200
    assert idp.findings() == []
