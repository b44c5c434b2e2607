"""Testing the Flask + authlib app with fakeidp: production URLs, intercepted per test.

Run with ``pytest examples/flask_authlib``; the fakeidp plugin is installed with fakeidp.
"""

from __future__ import annotations

import pytest
import requests
from flask_app import create_app

from fakeidp import LiveServer

pytestmark = pytest.mark.fakeidp(provider="twitch", intercept=True)


@pytest.fixture
def app(fakeidp):
    creds = fakeidp.credentials()
    return create_app(
        {"TWITCH_CLIENT_ID": creds.client_id, "TWITCH_CLIENT_SECRET": creds.client_secret}
    )


@pytest.fixture
def client(app):
    return app.test_client()


def test_login(client, fakeidp):
    callback = fakeidp.browser.authorize(client.get("/login"))
    assert client.get(callback.path).status_code == 302
    assert client.get("/").json == {
        "logged_in": True,
        "user": {"id": "739003271", "login": "fakeidptest"},
    }
    assert [e.endpoint for e in fakeidp.exchanges()] == ["authorize", "token", "users"]


def test_login_as_another_user(client, fakeidp):
    fakeidp.browser.login(client, "/login", login="alice", profile={"id": "1234"})
    assert client.get("/").json["user"] == {"id": "1234", "login": "alice"}


def test_the_user_denies(client, fakeidp):
    response = fakeidp.browser.login(client, "/login", deny=True)
    assert response.status_code == 403 and response.json == {"error": "access_denied"}
    assert client.get("/").json == {"logged_in": False}


def test_login_to_the_app_on_a_real_server(app, fakeidp):
    with LiveServer(app) as server:  # any WSGI app, on 127.0.0.1 in a background thread
        user_agent = requests.Session()  # keeps the app's session cookie, as a browser does
        response = fakeidp.browser.login(user_agent, server.base_url + "/login")
        assert response.status_code == 302
        assert user_agent.get(server.base_url + "/").json()["user"]["id"] == "739003271"
