"""The login page and the dashboard in a real headless Chromium, against the live server.

A person opens an authorize URL in interactive mode, sees the provider, the
client, the scopes and the prefilled username, and clicks Approve or Deny;
the browser lands on the application's redirect URI: a path on the live server
that nothing serves (a 404), so no application needs to run and the browser
never leaves 127.0.0.1. The dashboard then shows the exchanges and findings.
A screenshot proves the page is drawn.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import fakeidp

from .png import decode, pixel

PRIMARY = (0x5B, 0x4B, 0xD6)  # the Approve button's colour in pages.py


@pytest.fixture(scope="module")
def live() -> Iterator[fakeidp.FakeIdP]:
    idp = fakeidp.FakeIdP(["twitch", "digitalocean"], interactive=True)
    with idp.serve():
        yield idp


@pytest.fixture
def idp(live: fakeidp.FakeIdP) -> fakeidp.FakeIdP:
    live.reset()
    return live


def callback(idp: fakeidp.FakeIdP) -> str:
    return idp.base_url + "/app/callback"


def authorize_url(idp: fakeidp.FakeIdP, pid: str, **params: str) -> str:
    query = {
        "client_id": idp.credentials(pid).client_id,
        "response_type": "code",
        "redirect_uri": callback(idp),
        **params,
    }
    return idp.urls(pid)["authorize"] + "?" + urllib.parse.urlencode(query)


def landed(idp: fakeidp.FakeIdP, page: Any) -> dict[str, str]:
    page.wait_for_url(lambda url: url.startswith(callback(idp) + "?"))
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))


def test_approve_lands_on_the_redirect_uri_with_a_code(idp: fakeidp.FakeIdP, page: Any) -> None:
    from playwright.sync_api import expect

    page.goto(
        authorize_url(
            idp, "twitch", scope="user:read:email openid", state="st-1", login_hint="alice"
        )
    )
    expect(page.locator("#provider")).to_have_text("Twitch")
    expect(page.locator("#client")).to_have_text(idp.credentials("twitch").client_id)
    expect(page.locator("#scopes li")).to_have_text(["user:read:email", "openid"])
    expect(page.locator("#username")).to_have_value("alice")
    page.fill("#username", "bob")
    page.click("#approve")
    back = landed(idp, page)
    assert back["state"] == "st-1"
    # The code is real: the token endpoint takes it, and the profile has the name typed in.
    creds = idp.credentials("twitch")
    token = requests.post(
        idp.urls("twitch")["token"],
        data={
            "grant_type": "authorization_code",
            "code": back["code"],
            "redirect_uri": callback(idp),
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        },
        timeout=5,
    ).json()
    profile = requests.get(
        idp.urls("twitch")["users"],
        headers={"Authorization": f"Bearer {token['access_token']}", "Client-Id": creds.client_id},
        timeout=5,
    ).json()
    assert profile["data"][0]["login"] == "bob"
    assert idp.errors() == []


def test_deny_lands_with_access_denied_and_the_state(idp: fakeidp.FakeIdP, page: Any) -> None:
    page.goto(authorize_url(idp, "digitalocean", scope="read", state="st-2"))
    page.click("#deny")
    back = landed(idp, page)
    assert back["error"] == "access_denied"
    assert back["state"] == "st-2"
    assert "code" not in back


def test_dashboard_shows_the_exchange_and_a_finding(idp: fakeidp.FakeIdP, page: Any) -> None:
    from playwright.sync_api import expect

    page.goto(authorize_url(idp, "digitalocean", scope="read"))  # no state: a warning
    page.click("#approve")
    landed(idp, page)
    page.goto(idp.base_url + "/_fakeidp/")
    expect(page.locator("h1")).to_have_text("fakeidp dashboard")
    exchanges = page.locator("tr.exchange")
    expect(exchanges).to_have_count(2)  # the page shown, then the answer posted
    expect(exchanges.nth(0)).to_contain_text("POST")
    expect(exchanges.nth(0)).to_contain_text("302")
    expect(exchanges.nth(1)).to_contain_text("GET")
    expect(exchanges.nth(1)).to_contain_text("oauth2.authorize.state")
    finding = page.locator("tr.finding")
    expect(finding).to_have_count(1)
    expect(finding).to_contain_text("warning")
    expect(finding).to_contain_text("digitalocean")
    expect(finding).to_contain_text("no state parameter")
    # A finding links to its exchange's own page: the whole request, the answer, the finding.
    finding.locator("a").click()
    assert page.url.endswith("/_fakeidp/exchange/1")
    expect(page.locator("#request-line")).to_contain_text("GET ")
    expect(page.locator("#query")).to_contain_text('"scope": "read"')
    expect(page.locator("tr.finding")).to_contain_text("oauth2.authorize.state")


def test_screenshot_shows_a_drawn_page(idp: fakeidp.FakeIdP, page: Any) -> None:
    page.goto(authorize_url(idp, "twitch", state="st-3"))
    png = page.screenshot()
    width, height, rows = decode(png)
    assert (width, height) == (720, 720)
    assert len(png) > 5000  # a blank page compresses to far less
    samples = {pixel(rows, x, y) for x in range(0, width, 24) for y in range(0, height, 24)}
    assert len(samples) >= 4, samples  # background, card, text, button at least
    # The styles applied: the Approve button is drawn in the page's primary colour.
    button = page.locator("#approve").screenshot()
    bw, bh, brows = decode(button)
    assert pixel(brows, 4, bh // 2) == PRIMARY
    assert pixel(brows, bw - 4, 3) == PRIMARY
