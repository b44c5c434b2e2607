"""Testing the Flask + authlib app with fakeidp: production URLs, intercepted per test.

Run with ``pytest examples/flask_authlib``; the fakeidp plugin is installed with fakeidp.
"""

from __future__ import annotations

import pytest
from flask_app import create_app

pytestmark = pytest.mark.fakeidp(provider="twitch", intercept=True)


@pytest.fixture
def client(fakeidp):
    creds = fakeidp.credentials()
    app = create_app(
        {"TWITCH_CLIENT_ID": creds.client_id, "TWITCH_CLIENT_SECRET": creds.client_secret}
    )
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
