"""The login page's user picker and profile/claims editor, in a real headless Chromium.

A tester picks one of the provider's users, edits the profile and claims for
this login as JSON, and approves; the ID token and UserInfo carry the edits.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests

import fakeidp

CALLBACK_PATH = "/app/callback"


@pytest.fixture(scope="module")
def live() -> Iterator[fakeidp.FakeIdP]:
    idp = fakeidp.FakeIdP(["oidc"], interactive=True)
    with idp.serve():
        yield idp


@pytest.fixture
def idp(live: fakeidp.FakeIdP) -> fakeidp.FakeIdP:
    live.reset()
    live.put_user("oidc", {"login": "bob", "profile": {"name": "Bob Roe"}, "claims": {"x": 1}})
    return live


def _authorize(idp: fakeidp.FakeIdP) -> str:
    query = {
        "client_id": idp.credentials("oidc").client_id,
        "response_type": "code",
        "redirect_uri": idp.base_url + CALLBACK_PATH,
        "scope": "openid profile",
        "state": "s-1",
        "nonce": "n-1",
    }
    return idp.urls("oidc")["authorize"] + "?" + urllib.parse.urlencode(query)


def _tokens(idp: fakeidp.FakeIdP, page: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ID token's claims and UserInfo for the code the browser landed with."""
    page.wait_for_url(lambda url: url.startswith(idp.base_url + CALLBACK_PATH + "?"))
    back = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))
    creds = idp.credentials("oidc")
    token = requests.post(
        idp.urls("oidc")["token"],
        auth=(creds.client_id, creds.client_secret),
        data={
            "grant_type": "authorization_code",
            "code": back["code"],
            "redirect_uri": idp.base_url + CALLBACK_PATH,
        },
        timeout=5,
    ).json()
    claims = jwt.decode(token["id_token"], options={"verify_signature": False})
    userinfo = requests.get(
        idp.urls("oidc")["userinfo"],
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=5,
    ).json()
    return claims, userinfo


def test_pick_a_user_and_edit_its_claims(idp: fakeidp.FakeIdP, page: Any) -> None:
    from playwright.sync_api import expect

    page.goto(_authorize(idp))
    expect(page.locator("#user option")).to_have_text(["j.doe", "bob"])
    expect(page.locator("#username")).to_have_value("j.doe")
    # The editor starts with the default user's profile, in the provider's own shape.
    assert json.loads(page.locator("#profile-json").input_value())["profile"]["sub"] == (
        "248289761001"
    )
    page.select_option("#user", "bob")
    expect(page.locator("#username")).to_have_value("bob")
    data = json.loads(page.locator("#profile-json").input_value())
    assert data["profile"]["name"] == "Bob Roe" and data["claims"] == {"x": 1}
    data["profile"]["name"] = "Robert Roe"
    data["claims"] = {"groups": ["testers"]}
    page.click("#edit summary")
    page.fill("#profile-json", json.dumps(data))
    page.click("#approve")
    claims, userinfo = _tokens(idp, page)
    assert claims["sub"] == userinfo["sub"] == "248289761002"  # bob's own id
    assert claims["groups"] == userinfo["groups"] == ["testers"]
    assert "x" not in claims
    assert userinfo["name"] == "Robert Roe"
    # For this login only: bob is as he was.
    assert [u.claims for u in idp.users("oidc")] == [{}, {"x": 1}]
    assert idp.errors() == []


def test_json_that_does_not_parse_is_refused_in_the_page(idp: fakeidp.FakeIdP, page: Any) -> None:
    from playwright.sync_api import expect

    page.goto(_authorize(idp))
    page.click("#edit summary")
    page.fill("#profile-json", '{"profile": {')
    page.click("#approve")
    expect(page.locator("#json-error")).to_be_visible()
    expect(page.locator("#json-error")).to_contain_text("not valid JSON")
    assert page.url.startswith(idp.urls("oidc")["authorize"])  # still on the page
    page.fill("#profile-json", '{"profile": {"name": "Jane Q"}}')
    page.click("#approve")
    _, userinfo = _tokens(idp, page)
    assert userinfo["name"] == "Jane Q"
