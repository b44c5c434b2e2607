"""Testing the Django + social-auth-app-django site with fakeidp's pytest plugin.

The backend keeps DigitalOcean's production URLs: the marker turns interception
on, and the browser helper plays the user at the fake DigitalOcean.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.fakeidp(provider="digitalocean", intercept=True)


@pytest.fixture
def client(fakeidp):
    creds = fakeidp.credentials()
    with override_settings(
        SOCIAL_AUTH_DIGITALOCEAN_KEY=creds.client_id,
        SOCIAL_AUTH_DIGITALOCEAN_SECRET=creds.client_secret,
    ):
        yield Client()


def test_login(client, fakeidp):
    response = fakeidp.browser.login(client, "/login/digitalocean/", method="POST")
    assert response.status_code == 302 and response["Location"] == "/"
    account = fakeidp.user("digitalocean").profile  # the test user's /v2/account
    assert client.get("/").json() == {
        "logged_in": True,
        "username": account["email"],  # the backend makes the e-mail the username
        "uid": account["uuid"],
        "provider": "digitalocean",
    }


def test_login_as_another_user(client, fakeidp):
    alice = {"uuid": "alice-uuid", "email": "alice@example.org"}
    fakeidp.browser.login(client, "/login/digitalocean/", method="POST", profile=alice)
    me = client.get("/").json()
    assert (me["uid"], me["username"]) == ("alice-uuid", "alice@example.org")


def test_the_user_denies(client, fakeidp):
    response = fakeidp.browser.login(client, "/login/digitalocean/", method="POST", deny=True)
    assert response.status_code == 302 and response["Location"].startswith("/login-failed/")
    assert client.get("/").json() == {"logged_in": False}


@pytest.mark.fakeidp(provider="x")
def test_login_with_oauth1(fakeidp):
    creds = fakeidp.credentials()
    with override_settings(
        SOCIAL_AUTH_TWITTER_KEY=creds.client_id, SOCIAL_AUTH_TWITTER_SECRET=creds.client_secret
    ):
        client = Client()
        response = fakeidp.browser.login(client, "/login/twitter/", method="POST", login="alice")
        assert response.status_code == 302 and response["Location"] == "/"
        me = client.get("/").json()
    assert (me["provider"], me["uid"]) == ("twitter", "1460123456789012480")
    assert me["username"] == "alice"  # X's screen_name: the name the user logged in with
    endpoints = [e.endpoint for e in fakeidp.exchanges()]
    assert endpoints == ["request_token", "authenticate", "access_token", "verify_credentials"]
