"""The dashboard's filters, exchange pages and reset button in a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

import fakeidp


@pytest.fixture(scope="module")
def live() -> Iterator[fakeidp.FakeIdP]:
    idp = fakeidp.FakeIdP(["twitch", "uber"])
    with idp.serve():
        yield idp


@pytest.fixture
def idp(live: fakeidp.FakeIdP) -> fakeidp.FakeIdP:
    live.reset()
    return live


def _traffic(idp: fakeidp.FakeIdP) -> None:
    """A good Uber login, and a Twitch token request with Basic auth (refused: an error)."""
    fakeidp.OAuth2Client(idp.connection("uber"), idp.session()).login()
    creds = idp.credentials("twitch")
    requests.post(
        idp.urls("twitch")["token"],
        auth=(creds.client_id, creds.client_secret),
        data={"grant_type": "authorization_code", "code": "nope", "redirect_uri": "http://l/"},
        timeout=5,
    )


def test_filters_by_endpoint_and_severity(idp: fakeidp.FakeIdP, page: Any) -> None:
    from playwright.sync_api import expect

    _traffic(idp)
    page.goto(idp.base_url + "/_fakeidp/")
    expect(page.locator("tr.exchange")).to_have_count(4)  # uber: 3, twitch: 1
    page.locator("#filters nav", has_text="Endpoint:").get_by_role("link", name="token").click()
    expect(page.locator("#filter")).to_have_text("showing endpoint token")
    expect(page.locator("tr.exchange")).to_have_count(2)
    page.locator("#filters nav", has_text="Severity:").get_by_role("link", name="error").click()
    expect(page.locator("#filter")).to_have_text("showing endpoint token, severity error")
    expect(page.locator("tr.exchange")).to_have_count(1)
    expect(page.locator("tr.exchange")).to_contain_text("twitch")
    expect(page.locator("tr.finding")).to_have_count(1)
    expect(page.locator("tr.finding")).to_contain_text("oauth2.token.client_auth_placement")
    page.locator("#filters nav", has_text="Severity:").get_by_role("link", name="warning").click()
    expect(page.locator("tr.exchange")).to_have_count(0)


def test_an_exchange_page_shows_the_whole_redacted_request(idp: fakeidp.FakeIdP, page: Any) -> None:
    from playwright.sync_api import expect

    _traffic(idp)
    page.goto(idp.base_url + "/_fakeidp/")
    page.locator("tr.exchange", has_text="twitch").get_by_role("link").click()
    assert page.url.endswith("/_fakeidp/exchange/4")
    expect(page.locator("h1")).to_have_text("Exchange #4: twitch token")
    expect(page.locator("#request-line")).to_have_text(f"POST {idp.urls('twitch')['token']}")
    expect(page.locator("#headers")).to_contain_text("Authorization: Basic [redacted]")
    expect(page.locator("#form")).to_contain_text('"code": "[redacted]"')
    expect(page.locator("#response")).to_contain_text("client authentication failed")
    expect(page.locator("#answer h2")).to_contain_text("401")
    expect(page.locator("tr.finding")).to_contain_text("oauth2.token.client_auth_placement")
    assert idp.credentials("twitch").client_secret not in page.content()
    page.click("#previous")
    assert page.url.endswith("/_fakeidp/exchange/3")


def test_reset_button_posts_json_and_empties_the_dashboard(idp: fakeidp.FakeIdP, page: Any) -> None:
    from playwright.sync_api import expect

    _traffic(idp)
    page.goto(idp.base_url + "/_fakeidp/?token=t0ken")
    expect(page.locator("tr.exchange")).to_have_count(4)
    page.on("dialog", lambda dialog: dialog.accept())
    with page.expect_request(lambda r: r.url.endswith("/_fakeidp/reset")) as sent:
        page.click("#reset")
    request = sent.value
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == "Bearer t0ken"  # the token the page was given
    assert request.post_data == "{}"
    page.wait_for_load_state()
    expect(page.locator("tr.exchange")).to_have_count(0)
    assert idp.exchanges() == [] and idp.findings() == []
