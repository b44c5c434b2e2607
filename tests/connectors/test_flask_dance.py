"""flask-dance's contrib blueprints, unmodified, in a real Flask app driven by its test client.

The app is what flask-dance's docs show: the blueprint registered under ``/login``, a view
that redirects to the login when the blueprint is not authorized and otherwise calls the
provider's API. The browser step is a request to the authorization URL the app redirected
to: the provider's real URL, answered by the fake through interception. Tokens are kept in
flask-dance's own ``MemoryStorage`` (its documented storage for tests) so a test can age one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, redirect, url_for
from flask.testing import FlaskClient
from flask_dance.consumer.storage import MemoryStorage

import fakeidp
from tests.connectors.helpers import USER_IDS, assert_clean, browser

APP = "https://app.example"  # oauthlib refuses a callback on plain http


def flask_app(blueprint: Any, profile: Callable[[], str]) -> FlaskClient:
    app = Flask(__name__)
    app.secret_key = "connector-tests"
    app.testing = True  # an exception in a view reaches the test, not a 500 page
    app.register_blueprint(blueprint, url_prefix="/login")

    @app.route("/")
    def index() -> Any:
        if not blueprint.session.authorized:
            return redirect(url_for(f"{blueprint.name}.login"))
        return profile()

    return app.test_client()


def log_in(client: FlaskClient, name: str) -> str:
    """Open the app, follow it to the provider, come back, and read the page it shows."""
    start = client.get("/", base_url=APP)
    assert start.status_code == 302 and start.location.endswith(f"/login/{name}")
    to_provider = client.get(f"/login/{name}", base_url=APP)
    assert to_provider.status_code == 302, to_provider.text
    callback = browser(to_provider.location)
    assert callback.startswith(f"{APP}/login/{name}/authorized?"), callback
    back = client.get(callback.removeprefix(APP), base_url=APP)
    assert back.status_code == 302, back.text  # flask-dance stored the token
    page = client.get("/", base_url=APP)
    assert page.status_code == 200, page.text
    return page.text


def test_digitalocean(idp: fakeidp.FakeIdP) -> None:
    from flask_dance.contrib.digitalocean import digitalocean, make_digitalocean_blueprint

    creds = idp.credentials("digitalocean")
    bp = make_digitalocean_blueprint(
        creds.client_id, creds.client_secret, scope="read", storage=MemoryStorage()
    )

    def account() -> str:
        # flask-dance's base_url is cloud.digitalocean.com/v1/oauth; the API is on another host.
        response = digitalocean.get("https://api.digitalocean.com/v2/account")
        assert response.ok, response.text
        return str(response.json()["account"]["uuid"])

    client = flask_app(bp, account)
    assert log_in(client, "digitalocean") == USER_IDS["digitalocean"]
    # flask-dance exchanges the code with HTTP Basic (requests-oauthlib's default), which
    # DigitalOcean accepts besides the documented query and body (PROVIDERS.md §1): a warning
    # at most. The DigitalOcean blueprint sets no auto_refresh_url: it has no refresh.
    assert [e.endpoint for e in idp.exchanges()] == ["authorize", "token", "account"]
    assert_clean(idp)


def test_twitch_login_and_refresh(idp: fakeidp.FakeIdP) -> None:
    from flask_dance.contrib.twitch import make_twitch_blueprint, twitch

    creds = idp.credentials("twitch")
    storage = MemoryStorage()
    bp = make_twitch_blueprint(creds.client_id, creds.client_secret, storage=storage)

    def users() -> str:
        # Relative to the blueprint's base_url, https://api.twitch.tv/helix/; the session
        # adds the Client-Id header Helix requires (twitch.py ClientIdHeaderOAuth2Session).
        response = twitch.get("users")
        assert response.ok, response.text
        user = response.json()["data"][0]
        # The blueprint asks for no scope by default (make_twitch_blueprint(scope=None)), so
        # Helix sends no email: it needs user:read:email (dev.twitch.tv get-users; the
        # fixture's [profile.scopes] fields). An app that wants it passes that scope.
        assert "email" not in user
        return str(user["id"])

    client = flask_app(bp, users)
    assert log_in(client, "twitch") == USER_IDS["twitch"]
    first = dict(storage.token)
    # The access token expires: on both sides, the fake's clock and the token's expires_at.
    idp.advance_clock(first["expires_in"] + 1)
    storage.token = {**first, "expires_at": time.time() - 1}
    # flask-dance's twitch blueprint refreshes by itself: auto_refresh_url = token_url, and
    # auto_refresh_kwargs put the client id and secret in the body, as Twitch wants
    # (dev.twitch.tv refresh-tokens). Its session also passes them to requests-oauthlib,
    # which adds them as HTTP Basic (flask_dance/consumer/requests.py request(),
    # requests_oauthlib OAuth2Session.request). Twitch reads the body and does not read
    # Basic (audit §6a); nothing says a Basic copy beside body credentials is refused
    # (unverified), so it is a warning, not a refusal.
    assert client.get("/", base_url=APP).text == USER_IDS["twitch"]
    assert storage.token["access_token"] != first["access_token"]
    assert [e.endpoint for e in idp.exchanges()][-2:] == ["token", "users"]
    basic = idp.findings(rule="oauth2.token.client_auth_placement")
    assert [(f.severity, f.actual) for f in basic] == [("warning", "basic")]
    assert_clean(idp)


def test_jira(idp: fakeidp.FakeIdP) -> None:
    from flask_dance.contrib.jira import jira, make_jira_blueprint

    oauth1 = idp.provider("jira").oauth1
    assert oauth1 is not None
    bp = make_jira_blueprint(
        # The fixture's JIRA is at https://jira.example.com (provider_fixtures/jira.toml).
        base_url="https://jira.example.com",
        consumer_key=idp.credentials("jira").client_id,
        rsa_key=oauth1.test_private_key,
        storage=MemoryStorage(),
    )

    def myself() -> str:
        # flask-dance's docs read the user from /rest/api/2/myself (Jira REST API, Server and
        # Cloud); signed RSA-SHA1 in the header by the blueprint's OAuth1Session.
        response = jira.get("/rest/api/2/myself")
        assert response.ok, response.text
        return str(response.json()["name"])

    client = flask_app(bp, myself)
    assert log_in(client, "jira") == USER_IDS["jira"]
    assert_clean(idp)


def test_atlassian_jira_cloud(idp: fakeidp.FakeIdP) -> None:
    """flask-dance's atlassian blueprint against Jira Cloud's 3LO (provider_fixtures/jira_cloud.toml):
    audience=api.atlassian.com always, prompt=consent only with reprompt_consent=True."""
    from flask_dance.contrib.atlassian import atlassian, make_atlassian_blueprint

    creds = idp.credentials("jira-cloud")
    storage = MemoryStorage()
    bp = make_atlassian_blueprint(
        creds.client_id,
        creds.client_secret,
        # The docstring says "comma-separated"; requests-oauthlib joins a list with spaces, as
        # Atlassian wants. A comma string would reach Atlassian as one unknown scope.
        scope=["read:me", "read:jira-user", "offline_access"],
        storage=storage,
    )

    def myself() -> str:
        # Relative to the blueprint's base_url https://api.atlassian.com/: the site's cloudid
        # from accessible-resources, then Jira's /rest/api/3/myself through the gateway.
        sites = atlassian.get("oauth/token/accessible-resources")
        assert sites.ok, sites.text
        response = atlassian.get(f"ex/jira/{sites.json()[0]['id']}/rest/api/3/myself")
        assert response.ok, response.text
        return str(response.json()["accountId"])

    client = flask_app(bp, myself)
    assert log_in(client, "atlassian") == USER_IDS["jira-cloud"]
    sent = idp.exchanges(endpoint="authorize")[0].query
    assert sent["audience"] == "api.atlassian.com" and "prompt" not in sent
    first = dict(storage.token)
    # requests-oauthlib recomputes expires_in from expires_at: a hair under Atlassian's 3600.
    assert 3590 < first["expires_in"] <= 3600 and first["refresh_token"]
    # flask-dance's code exchange uses requests-oauthlib's default, HTTP Basic, where Atlassian
    # documents the body (unverified whether it is refused: a warning).
    basic = idp.findings(rule="oauth2.token.client_auth_undocumented")
    assert [(f.severity, f.actual) for f in basic] == [("warning", "basic")]
    assert [e.endpoint for e in idp.exchanges()] == [
        "authorize",
        "token",
        "accessible_resources",
        "myself",
    ]
    assert_clean(idp)
