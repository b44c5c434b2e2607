"""The in-process transports take what a real requests adapter takes, and answer like one.

Each shape goes through ``idp.session()`` and through interception (the
``route`` fixture); the fake IdP's recorded exchange shows what arrived.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
import requests
from flask import Flask, Response
from requests_oauthlib import OAuth1, OAuth1Session

import fakeidp
from fakeidp.transport import WSGIAdapter, in_process_session

from .conftest import Route

_DO = fakeidp.builtin_providers()["digitalocean"].client
FORM = (
    "grant_type=authorization_code&code=not-a-code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
    f"&client_id={_DO.client_id}&client_secret={_DO.client_secret}"
)
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}


def token_form_arrived(route: Route, response: requests.Response) -> None:
    """DigitalOcean's token endpoint parsed the body: it refused the code, as a form field."""
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_grant"
    exchange = route.idp.exchanges("digitalocean", "token")[-1]
    assert exchange.form["grant_type"] == "authorization_code"
    assert exchange.form["redirect_uri"] == "https://app.example/cb"
    route.idp.acknowledge()


# -- headers ---------------------------------------------------------------------
def test_header_names_and_values_as_bytes(route: Route) -> None:
    response = route.session.get(
        route.url("twitch", "users"),
        headers={b"Client-Id": b"bytes-client", "X-Trace": b"caf\xe9"},
    )
    assert response.status_code == 401
    headers = route.idp.exchanges("twitch")[-1].headers
    assert headers["Client-Id"] == "bytes-client"
    assert headers["X-Trace"] == "caf\xe9"  # PEP 3333: bytes read as latin-1
    route.idp.acknowledge()


def test_a_header_value_no_real_client_could_send_is_refused_alike(route: Route) -> None:
    """http.client would raise on a non-latin-1 value against the real provider; so do we."""
    with pytest.raises(UnicodeEncodeError, match="header X-Price cannot be sent"):
        route.session.get(route.url("twitch", "users"), headers={"X-Price": "5 \u20ac"})


def test_requests_oauthlib_oauth1_sets_bytes_headers(route: Route) -> None:
    """OAuth1 (requests-oauthlib) sets its Authorization header as bytes (issue 8)."""
    creds = route.idp.credentials("tumblr")
    oauth = OAuth1Session(
        creds.client_id, creds.client_secret, callback_uri="https://app.example/cb"
    )
    oauth.mount("http://", route.session.get_adapter("http://fakeidp.invalid"))
    token = oauth.fetch_request_token(route.url("tumblr", "request_token"))
    assert token["oauth_token"]
    auth = route.session.post(
        route.url("tumblr", "request_token"),
        auth=OAuth1(creds.client_id, creds.client_secret, callback_uri="oob"),
    )
    assert auth.status_code == 200, auth.text
    assert route.idp.errors() == []


# -- bodies ----------------------------------------------------------------------
def test_body_as_bytes(route: Route) -> None:
    url = route.url("digitalocean", "token")
    token_form_arrived(route, route.session.post(url, data=FORM.encode(), headers=FORM_TYPE))


def test_body_as_str(route: Route) -> None:
    url = route.url("digitalocean", "token")
    token_form_arrived(route, route.session.post(url, data=FORM, headers=FORM_TYPE))


def test_body_as_binary_file(route: Route) -> None:
    url = route.url("digitalocean", "token")
    body = io.BytesIO(FORM.encode())
    token_form_arrived(route, route.session.post(url, data=body, headers=FORM_TYPE))


def test_body_as_text_file(route: Route) -> None:
    url = route.url("digitalocean", "token")
    token_form_arrived(route, route.session.post(url, data=io.StringIO(FORM), headers=FORM_TYPE))


def test_body_as_generator_is_sent_chunked(route: Route) -> None:
    def chunks() -> Iterator[bytes]:
        for part in FORM.split("&"):
            yield part.encode() + b"&"

    url = route.url("digitalocean", "token")
    response = route.session.post(url, data=chunks(), headers=FORM_TYPE)
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    token_form_arrived(route, response)


def test_body_as_iterable_of_str_and_bytes(route: Route) -> None:
    first, _, rest = FORM.partition("&")
    body = iter([first, "&", rest.encode()])
    url = route.url("digitalocean", "token")
    token_form_arrived(route, route.session.post(url, data=body, headers=FORM_TYPE))


def test_body_as_form_dict(route: Route) -> None:
    url = route.url("digitalocean", "token")
    data = dict(p.split("=") for p in FORM.replace("%3A", ":").replace("%2F", "/").split("&"))
    token_form_arrived(route, route.session.post(url, data=data))


def test_body_as_multipart(route: Route) -> None:
    url = route.url("digitalocean", "token")
    fields = {
        "client_id": (None, _DO.client_id),
        "client_secret": (None, _DO.client_secret),
        "grant_type": (None, "authorization_code"),
        "code": (None, "not-a-code"),
        "redirect_uri": (None, "https://app.example/cb"),
    }
    response = route.session.post(url, files=fields)
    assert response.request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    # Every field arrived, parsed; DigitalOcean's token endpoint reads forms only, so the
    # refusal is about the format, not a lost body.
    assert route.idp.exchanges("digitalocean", "token")[-1].form["grant_type"] == (
        "authorization_code"
    )
    assert [f.rule for f in route.idp.findings()] == ["oauth2.token.content_type"]
    assert response.status_code == 400
    route.idp.acknowledge()


def test_json_body(route: Route) -> None:
    response = route.session.post(
        route.url("digitalocean", "token"), json={"grant_type": "authorization_code"}
    )
    assert response.status_code == 400
    assert route.idp.exchanges("digitalocean", "token")[-1].form == {
        "grant_type": "authorization_code"
    }
    route.idp.acknowledge()


# -- the response --------------------------------------------------------------
def test_stream_true_reads_through_iter_content(route: Route) -> None:
    response = route.session.get(route.url("digitalocean", "account"), stream=True)
    assert response.status_code == 401
    assert not response._content_consumed  # type: ignore[attr-defined]
    body = b"".join(response.iter_content(chunk_size=7))
    assert json.loads(body) == {"id": "unauthorized", "message": "Unable to authenticate you"}
    route.idp.acknowledge()


def test_stream_true_reads_through_raw(route: Route) -> None:
    response = route.session.get(route.url("digitalocean", "account"), stream=True)
    assert response.raw.status == 401
    assert response.raw.headers["Content-Type"] == "application/json"
    assert json.loads(response.raw.read())["id"] == "unauthorized"
    assert response.raw.read() == b""
    route.idp.acknowledge()


def test_without_stream_the_body_is_read(route: Route) -> None:
    response = route.session.get(route.url("digitalocean", "account"))
    assert response.json()["id"] == "unauthorized"
    assert response.raw.read() == b""  # consumed, as by a real adapter
    assert list(response.iter_content(4))  # iter_content replays the read body
    route.idp.acknowledge()


def test_response_knows_its_url_request_and_elapsed_time(route: Route) -> None:
    url = route.url("digitalocean", "account") + "?page=1"
    response = route.session.get(url)
    assert response.url == url  # the URL the client asked for, not the fake's
    assert response.request.url == url
    assert response.elapsed.total_seconds() > 0
    assert response.history == []
    assert response.reason == "UNAUTHORIZED"
    route.idp.acknowledge()


def test_redirect_followed_by_the_session_fills_history(route: Route) -> None:
    creds = route.idp.credentials("digitalocean")
    # The callback is another URL on the same transport, so the whole chain stays in-process.
    callback = route.url("digitalocean", "account")
    params = {
        "client_id": creds.client_id,
        "response_type": "code",
        "redirect_uri": callback,
        "state": "s-123456789",
        "scope": "read",
    }
    response = route.session.get(route.url("digitalocean", "authorize"), params=params)
    assert [r.status_code for r in response.history] == [302]
    assert response.history[0].headers["Location"].startswith(callback + "?code=")
    assert response.url.startswith(callback + "?code=")
    assert response.status_code == 401  # the profile endpoint, without a token
    route.idp.acknowledge()


def test_redirect_left_to_the_caller(route: Route) -> None:
    creds = route.idp.credentials("digitalocean")
    params = {
        "client_id": creds.client_id,
        "response_type": "code",
        "redirect_uri": "https://app.example/cb",
        "state": "s-123456789",
        "scope": "read",
    }
    url = route.url("digitalocean", "authorize")
    response = route.session.get(url, params=params, allow_redirects=False)
    assert response.status_code == 302
    assert response.is_redirect
    assert response.next is not None
    assert response.next.url.startswith("https://app.example/cb?code=")
    assert response.history == []
    # The adapter itself never follows: it answers exactly one request.
    assert len(route.idp.exchanges("digitalocean", "authorize")) == 1


# -- cookies, on a small app of our own ------------------------------------------
def cookie_app() -> Flask:
    app = Flask(__name__)

    @app.get("/set")
    def set_cookies() -> Response:
        response = Response("ok")
        response.set_cookie("first", "1")
        response.set_cookie("second", "2", path="/")
        return response

    @app.get("/echo")
    def echo() -> Response:
        from flask import request

        return Response(request.headers.get("Cookie", ""))

    return app


def test_cookies_are_extracted_and_sent_back() -> None:
    session = in_process_session(cookie_app())
    response = session.get("http://fakeidp.invalid/set")
    assert response.cookies.get_dict() == {"first": "1", "second": "2"}
    assert "first=1" in session.get("http://fakeidp.invalid/echo").text
    assert "second=2" in session.get("http://fakeidp.invalid/echo").text


def test_adapter_send_alone_answers_one_request() -> None:
    """Used directly, as HTTPAdapter can be: a full response, the body already read."""
    adapter = WSGIAdapter(cookie_app())
    request = requests.Request("GET", "http://fakeidp.invalid/set").prepare()
    response = adapter.send(request)
    assert response.status_code == 200
    assert response.text == "ok"
    assert response.connection is adapter
    assert set(response.cookies.keys()) == {"first", "second"}


@pytest.mark.parametrize("body", [object(), 42])
def test_a_body_no_client_could_send_is_one_clear_error(body: object) -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    request = requests.Request("POST", idp.urls("digitalocean")["token"]).prepare()
    request.body = body  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"cannot send a request body of type (object|int)"):
        idp.session().send(request)
