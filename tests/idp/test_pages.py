"""The login and consent page (interactive mode) and the dashboard, in-process.

The same pages are driven in a real Chromium in ``tests/browser/``; here the
HTML and the form's round trip are checked without a browser.
"""

from __future__ import annotations

import html.parser
import urllib.parse
from typing import Any

import pytest

import fakeidp
from fakeidp.cli import build_parser
from fakeidp.idp import pages
from fakeidp.idp.store import User

from .flow import REDIRECT, Flow

EVIL = '"><script>alert(1)</script>'


class Form(html.parser.HTMLParser):
    """The login page's form: action, hidden fields, the username field, the buttons."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.action = ""
        self.hidden: dict[str, str] = {}
        self.username: str | None = None
        self.buttons: dict[str, str] = {}
        self.scripts = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a["action"]
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a["value"]
        elif tag == "input" and a.get("id") == "username":
            self.username = a["value"]
        elif tag == "button":
            self.buttons[a["id"]] = a["value"]
        elif tag == "script":
            self.scripts += 1


@pytest.fixture
def interactive(idp: fakeidp.FakeIdP) -> fakeidp.FakeIdP:
    idp.interactive = True
    return idp


def show(flow: Flow, **params: Any) -> tuple[Any, Form]:
    page = flow.authorize(**params)
    assert page.status_code == 200, page.get_data(as_text=True)
    assert page.mimetype == "text/html"
    return page, Form(page.get_data(as_text=True))


def answer(flow: Flow, form: Form, button: str, **changes: str) -> Any:
    data = {**form.hidden, pages.DECISION_FIELD: form.buttons[button]}
    data[pages.LOGIN_FIELD] = form.username or ""
    data.update(changes)
    return flow.client.post(form.action, data=data)


def test_auto_approve_is_the_default(idp: fakeidp.FakeIdP) -> None:
    assert idp.interactive is False
    assert "code" in Flow.callback(Flow(idp, "twitch").authorize())


def test_page_shows_provider_client_scopes_and_the_login_hint(
    interactive: fakeidp.FakeIdP,
) -> None:
    flow = Flow(interactive, "twitch")
    page, form = show(flow, scope="user:read:email openid", login_hint="alice")
    text = page.get_data(as_text=True)
    assert '<h1 id="provider">Twitch</h1>' in text
    assert f'<code id="client">{flow.creds.client_id}</code>' in text
    assert "<li><code>user:read:email</code></li>" in text
    assert "<li><code>openid</code></li>" in text
    assert form.username == "alice"
    assert form.buttons == {"approve": "approve", "deny": "deny"}
    # The request's own parameters ride along, plus the one-time consent id.
    assert form.hidden["state"] == "s-123" and form.hidden["redirect_uri"] == REDIRECT
    assert pages.CONSENT_FIELD in form.hidden
    assert form.action == flow.urls["authorize"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"


def test_username_defaults_to_the_test_user(interactive: fakeidp.FakeIdP) -> None:
    _page, form = show(Flow(interactive, "twitch"))
    assert form.username == "fakeidptest"


def test_approve_redirects_with_a_code_for_the_entered_name(interactive: fakeidp.FakeIdP) -> None:
    flow = Flow(interactive, "twitch")
    _page, form = show(flow, login_hint="streamer42")
    back = Flow.callback(answer(flow, form, "approve"))
    assert back["state"] == "s-123"
    token = flow.token({"code": back["code"]}).json
    profile = flow.profile(token["access_token"]).json["data"][0]
    # The login field follows the entered name; the account (user id) stays the same.
    assert profile["login"] == "streamer42"
    assert profile["id"] == "739003271"
    assert interactive.user("twitch").login == "fakeidptest"  # the stored user is untouched
    assert interactive.errors() == []


def test_deny_redirects_with_access_denied_and_state(interactive: fakeidp.FakeIdP) -> None:
    flow = Flow(interactive, "digitalocean")
    _page, form = show(flow)
    assert Flow.callback(answer(flow, form, "deny")) == {
        "error": "access_denied",
        "error_description": "The user denied the request",
        "state": "s-123",
    }


def test_an_answer_counts_once(interactive: fakeidp.FakeIdP) -> None:
    flow = Flow(interactive, "digitalocean")
    _page, form = show(flow)
    assert "code" in Flow.callback(answer(flow, form, "approve"))
    again = answer(flow, form, "approve")
    assert again.status_code == 200 and again.mimetype == "text/html"  # the page, not a code


def test_tampered_hidden_fields_are_ignored(interactive: fakeidp.FakeIdP) -> None:
    flow = Flow(interactive, "digitalocean")
    _page, form = show(flow)
    back = answer(flow, form, "approve", redirect_uri="https://evil.example/", state="x")
    assert back.headers["Location"].startswith(REDIRECT + "?")
    assert Flow.callback(back)["state"] == "s-123"


def test_a_forged_answer_without_the_page_shows_the_page(interactive: fakeidp.FakeIdP) -> None:
    flow = Flow(interactive, "digitalocean")
    forged = flow.client.post(
        flow.urls["authorize"],
        data={
            "client_id": flow.creds.client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT,
            "state": "s",
            pages.DECISION_FIELD: "approve",
            pages.CONSENT_FIELD: "guessed",
        },
    )
    assert forged.status_code == 200 and "Location" not in forged.headers


def test_findings_are_recorded_once_across_page_and_answer(interactive: fakeidp.FakeIdP) -> None:
    flow = Flow(interactive, "digitalocean")
    _page, form = show(flow, state=None, colour="blue")
    Flow.callback(answer(flow, form, "approve"))
    assert sorted(flow.rules()) == ["oauth2.authorize.state", "oauth2.authorize.unknown_param"]


def test_strict_refusals_come_before_the_page(interactive: fakeidp.FakeIdP) -> None:
    flow = Flow(interactive, "x-oauth2")  # PKCE is required
    back = Flow.callback(flow.authorize(scope="users.read"))
    assert back["error"] == "invalid_request"


def test_everything_shown_is_escaped(interactive: fakeidp.FakeIdP) -> None:
    flow = Flow(interactive, "digitalocean")
    page, form = show(flow, state=EVIL, scope=f"read {EVIL}", login_hint=EVIL)
    text = page.get_data(as_text=True)
    # Only the page's own two scripts (the editors' data and the nonce'd picker).
    assert "<script>alert" not in text and form.scripts == 2
    assert "&lt;script&gt;" in text
    assert form.hidden["state"] == EVIL and form.username == EVIL  # intact after unescaping


def test_deny_next_still_denies_without_a_page(interactive: fakeidp.FakeIdP) -> None:
    interactive.deny_next("digitalocean")
    back = Flow.callback(Flow(interactive, "digitalocean").authorize())
    assert back["error"] == "access_denied"


def test_user_named_follows_every_copy_of_the_login() -> None:
    user = User("bob", {"login": "bob", "data": [{"username": "bob"}], "id": 7})
    renamed = pages.user_named(user, "carol")
    assert renamed.profile == {"login": "carol", "data": [{"username": "carol"}], "id": 7}
    assert user.profile["login"] == "bob"
    assert pages.user_named(user, "") is user


def test_interactive_is_a_setting_that_reset_keeps() -> None:
    idp = fakeidp.FakeIdP(["digitalocean"], interactive=True)
    assert idp.interactive
    idp.reset()
    assert idp.interactive
    idp.interactive = False
    assert Flow.callback(Flow(idp, "digitalocean").authorize())["code"]


def test_serve_takes_interactive() -> None:
    assert build_parser().parse_args(["serve", "--interactive"]).interactive is True
    assert build_parser().parse_args(["serve"]).interactive is False


# -- the dashboard -------------------------------------------------------------------


def test_dashboard_lists_exchanges_and_findings_newest_first(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch")
    flow.login_token()
    flow.authorize(state=None)  # a warning: no state
    page = idp.app.test_client().get("/_fakeidp/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    rows = text.split('<tr class="exchange"')[1:]
    assert len(rows) == 3
    assert "authorize" in rows[0] and "token" in rows[1] and "authorize" in rows[2]
    assert ">302<" in rows[0] and ">200<" in rows[1]
    assert "oauth2.authorize.state" in rows[0]
    finding = text.split('<tr class="finding">')[1]
    for part in ("warning", "twitch", "authorize", "oauth2.authorize.state", "no state parameter"):
        assert part in finding


def test_dashboard_filters_by_provider_and_escapes(idp: fakeidp.FakeIdP) -> None:
    Flow(idp, "twitch").authorize()
    Flow(idp, "digitalocean").authorize(**{EVIL: "1"})  # an unknown parameter named EVIL
    client = idp.app.test_client()
    text = client.get("/_fakeidp/?provider=digitalocean").get_data(as_text=True)
    assert text.count('<tr class="exchange"') == 1
    assert "oauth2.authorize.unknown_param" in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    twitch_only = client.get("/_fakeidp/?provider=twitch").get_data(as_text=True)
    assert twitch_only.count('<tr class="finding">') == 0


def test_dashboard_leaves_the_json_control_api_alone(idp: fakeidp.FakeIdP) -> None:
    client = idp.app.test_client()
    assert client.get("/_fakeidp/health").json["status"] == "ok"
    assert client.get("/_fakeidp/exchanges").mimetype == "application/json"
    empty = client.get("/_fakeidp/").get_data(as_text=True)
    assert "No requests yet" in empty and "No findings" in empty


def test_dashboard_can_refresh_itself(idp: fakeidp.FakeIdP) -> None:
    client = idp.app.test_client()
    refreshing = client.get("/_fakeidp/?refresh=5").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="5">' in refreshing
    assert "http-equiv" not in client.get("/_fakeidp/?refresh=x").get_data(as_text=True)


def test_form_action_is_the_authorize_path(interactive: fakeidp.FakeIdP) -> None:
    flow = Flow(interactive, "oidc")
    _page, form = show(flow, scope="openid")
    assert urllib.parse.urlsplit(form.action).query == ""


@pytest.mark.parametrize("endpoint", ["authorize", "authenticate"])
def test_x_oauth1_page_prefills_screen_name_and_logs_in_as_typed(
    interactive: fakeidp.FakeIdP, endpoint: str
) -> None:
    from .oauth1_flow import OAuth1Flow

    flow = OAuth1Flow(interactive, "x")
    temporary = flow.temporary()
    page = flow.authorize(temporary["oauth_token"], endpoint, screen_name="john")
    assert page.status_code == 200 and '<h1 id="provider">X' in page.text
    form = Form(page.text)
    assert form.username == "john"
    data = {**form.hidden, pages.DECISION_FIELD: "approve", pages.LOGIN_FIELD: "john"}
    back = flow.session.post(
        urllib.parse.urljoin(flow.urls[endpoint], form.action), data=data, allow_redirects=False
    )
    assert back.status_code == 302, back.text
    callback = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back.headers["Location"]).query))
    assert callback["oauth_token"] == temporary["oauth_token"]
    response = flow.access_token(temporary, callback["oauth_verifier"])
    assert dict(urllib.parse.parse_qsl(response.text))["screen_name"] == "john"
    # Findings were recorded once, when the page was shown, not again on the answer.
    assert interactive.findings() == []


def test_x_oauth1_page_deny_sends_denied(interactive: fakeidp.FakeIdP) -> None:
    from .oauth1_flow import OAuth1Flow

    flow = OAuth1Flow(interactive, "x")
    temporary = flow.temporary()
    form = Form(flow.authorize(temporary["oauth_token"]).text)
    data = {**form.hidden, pages.DECISION_FIELD: "deny", pages.LOGIN_FIELD: ""}
    back = flow.session.post(
        urllib.parse.urljoin(flow.urls["authorize"], form.action), data=data, allow_redirects=False
    )
    callback = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back.headers["Location"]).query))
    assert callback == {"denied": temporary["oauth_token"]}
