"""The control plane's protections, each refused and allowed; every HTML page unframeable."""

from __future__ import annotations

from typing import Any

import pytest

import fakeidp
from fakeidp.idp.protect import COOKIE, is_loopback, settings

from .flow import Flow

TOKEN = "s3cret-control-token"


def app(token: str | None = None, hosts: Any = "loopback") -> Any:
    return fakeidp.create_app(["uber", "x"], config=settings(token, hosts))


# -- the control token ------------------------------------------------------------------
def test_with_a_token_the_control_api_answers_401_without_it() -> None:
    client = app(TOKEN).test_client()
    for method, path in [("GET", "/_fakeidp/exchanges"), ("POST", "/_fakeidp/reset")]:
        answer = client.open(path, method=method)
        assert answer.status_code == 401, path
        assert answer.get_json()["field"] == "Authorization"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.post("/_fakeidp/reset", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    non_ascii = client.post("/_fakeidp/reset", headers={"Authorization": "Bearer ²"})
    assert non_ascii.status_code == 401  # not a TypeError from compare_digest


def test_with_a_token_the_control_api_takes_it_as_a_bearer_header() -> None:
    client = app(TOKEN).test_client()
    answer = client.post("/_fakeidp/reset", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and answer.get_json() == {"status": "reset"}


def test_health_and_the_openapi_document_stay_open_with_a_token() -> None:
    client = app(TOKEN).test_client()
    assert client.get("/_fakeidp/health").status_code == 200
    assert client.get("/_fakeidp/openapi.json").status_code == 200


def test_the_dashboard_takes_the_token_once_in_the_url_then_a_cookie() -> None:
    client = app(TOKEN).test_client()
    assert client.get("/_fakeidp/").status_code == 401
    first = client.get(f"/_fakeidp/?provider=uber&token={TOKEN}")
    assert first.status_code == 303
    assert first.headers["Location"] == "/_fakeidp/?provider=uber"  # the token leaves the URL
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/_fakeidp/?provider=uber").status_code == 200
    assert client.get("/_fakeidp/exchanges").status_code == 200  # the dashboard's JSON links
    assert app(TOKEN).test_client().get("/_fakeidp/?token=wrong").status_code == 401


def test_provider_endpoints_never_need_the_control_token() -> None:
    idp = fakeidp.FakeIdP(app=app(TOKEN))
    result = fakeidp.OAuth2Client(idp.connection("uber"), idp.session()).login()
    assert result.user_id


# -- other origins ----------------------------------------------------------------------
def test_a_cross_site_write_is_refused() -> None:
    client = app().test_client()
    client.put("/_fakeidp/mode", json={"mode": "lenient"})
    # What a page on another site can send without a preflight: text/plain, no-cors.
    answer = client.post(
        "/_fakeidp/reset",
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert answer.status_code == 403 and answer.get_json()["field"] == "Origin"
    answer = client.post("/_fakeidp/reset", headers={"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 403 and answer.get_json()["field"] == "Sec-Fetch-Site"
    answer = client.post("/_fakeidp/reset", headers={"Origin": "null"})
    assert answer.status_code == 403
    assert client.get("/_fakeidp/mode").get_json()["mode"] == "lenient"  # never reset


def test_a_same_origin_write_and_a_cross_site_navigation_are_allowed() -> None:
    client = app().test_client()
    same = client.post(
        "/_fakeidp/reset",
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert same.status_code == 200
    # A link to the dashboard from another site (a README, a chat) opens it.
    link = client.get(
        "/_fakeidp/", headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    )
    assert link.status_code == 200
    # But another site's script cannot fetch the JSON.
    fetch = client.get(
        "/_fakeidp/exchanges", headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"}
    )
    assert fetch.status_code == 403


def test_a_write_with_a_body_must_be_json() -> None:
    client = app().test_client()
    plain = client.put("/_fakeidp/mode", data='{"mode": "lenient"}', content_type="text/plain")
    assert plain.status_code == 415 and plain.get_json()["field"] == "Content-Type"
    form = client.post("/_fakeidp/faults", data={"provider": "uber"})
    assert form.status_code == 415
    ok = client.put("/_fakeidp/mode", json={"mode": "lenient"})
    assert ok.status_code == 200 and ok.get_json()["mode"] == "lenient"
    # A write without a body (curl -X POST .../reset) needs no Content-Type.
    assert client.post("/_fakeidp/reset").status_code == 200


# -- DNS rebinding ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "host",
    ["localhost", "localhost:8400", "127.0.0.1:8400", "127.9.9.9", "[::1]:8400", "a.localhost"],
)
def test_on_loopback_a_loopback_host_is_allowed(host: str) -> None:
    answer = app().test_client().get("/_fakeidp/mode", headers={"Host": host})
    assert answer.status_code == 200, answer.get_data(as_text=True)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8400", "10.0.0.5", "[::2]:80", ""])
def test_on_loopback_another_host_is_refused(host: str) -> None:
    # A page at evil.example whose name now resolves to 127.0.0.1 is same-origin to the
    # browser; only the Host header tells.
    answer = app().test_client().post("/_fakeidp/reset", headers={"Host": host})
    assert answer.status_code == 403
    assert answer.get_json()["field"] == "Host"


def test_the_host_check_is_for_the_control_plane_only() -> None:
    idp = fakeidp.FakeIdP(app=app())
    flow = Flow(idp, "uber")
    answer = flow.client.get(flow.urls["authorize"], headers={"Host": "login.uber.com"})
    assert answer.status_code != 403


def test_off_loopback_any_host_is_allowed() -> None:
    client = app(TOKEN, hosts=None).test_client()
    answer = client.get(
        "/_fakeidp/mode",
        headers={"Host": "fakeidp.ci.internal:8400", "Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 200


def test_is_loopback() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "::1", "[::1]", "localhost", "LOCALHOST."]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.2", "localhost.evil.example", ""]))


def test_the_dashboard_and_the_plugin_need_no_set_up_on_loopback() -> None:
    idp = fakeidp.FakeIdP()
    with idp.serve() as server:
        import requests

        http = requests.Session()
        http.trust_env = False
        assert http.get(f"{server.base_url}/_fakeidp/", timeout=5).status_code == 200
        assert http.post(f"{server.base_url}/_fakeidp/reset", timeout=5).status_code == 200
        assert http.put(f"{server.base_url}/_fakeidp/mode", json={"mode": "strict"}, timeout=5).ok


# -- framing ----------------------------------------------------------------------------
def test_every_html_page_is_unframeable() -> None:
    idp = fakeidp.FakeIdP(app=app())
    client = idp.app.test_client()
    pages = [
        client.get("/_fakeidp/"),
        client.get(idp.urls("uber")["authorize"].split(".invalid")[1]),  # error page
        client.post(
            idp.urls("uber")["authorize"].split(".invalid")[1], data="x" * 2_000_000
        ),  # 413 page
    ]
    for page in pages:
        assert page.mimetype == "text/html", page.status_code
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Frame-Options"] == "DENY"
