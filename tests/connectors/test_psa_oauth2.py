"""python-social-auth's OAuth 2.0 backends, unmodified, log in at the providers' real URLs.

Each backend is social-core's own class with its own URLs; only the framework glue
(``tests/connectors/psa.py``) is ours. The fake is strict and answers through interception.
Judged against shared/PROVIDERS.md and shared/PROVIDERS-AUDIT.md (cited as "audit §n").
"""

from __future__ import annotations

import pytest
import requests
from social_core.backends.atlassian import AtlassianOAuth2
from social_core.backends.digitalocean import DigitalOceanOAuth
from social_core.backends.dribbble import DribbbleOAuth2
from social_core.backends.twitch import TwitchOAuth2, TwitchOpenIdConnect
from social_core.backends.twitter_oauth2 import TwitterOAuth2
from social_core.backends.uber import UberOAuth2
from social_core.backends.vimeo import VimeoOAuth2
from social_core.exceptions import AuthCanceled, SocialAuthBaseException

import fakeidp
from tests.connectors.helpers import (
    USER_IDS,
    assert_clean,
    browser,
    query_of,
    show,
)
from tests.connectors.psa import App


def app_for(idp: fakeidp.FakeIdP, pid: str, backend: type, **settings: object) -> App:
    creds = idp.credentials(pid)
    return App(backend, creds.client_id, creds.client_secret, **settings)


def test_digitalocean_login_and_refresh(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "digitalocean", DigitalOceanOAuth)
    user = app.login()
    assert user.uid == USER_IDS["digitalocean"]  # psa: response["account"]["uuid"]
    assert [e.endpoint for e in idp.exchanges()] == ["authorize", "token", "account"]
    # psa refreshes at ACCESS_TOKEN_URL with client_id and client_secret in the form body,
    # which DigitalOcean accepts (PROVIDERS.md §1 token endpoint).
    refreshed = app.backend().refresh_token(user.response["refresh_token"])
    assert refreshed["access_token"] != user.response["access_token"]
    assert_clean(idp)


def test_atlassian_jira_cloud_login_and_rotating_refresh(idp: fakeidp.FakeIdP) -> None:
    """psa's atlassian backend (provider_fixtures/jira_cloud.toml): audience and prompt=consent
    on the authorize URL, a form token body (Atlassian documents JSON; Auth0 reads both), then
    accessible-resources and /ex/jira/{cloudid}/rest/api/2/myself; uid = accountId."""
    app = app_for(idp, "jira-cloud", AtlassianOAuth2)
    url = app.start()
    sent = query_of(url)
    assert (sent["audience"], sent["prompt"]) == ("api.atlassian.com", "consent")
    assert sent["scope"] == "read:jira-user offline_access"  # psa's DEFAULT_SCOPE
    user = app.complete(browser(url))
    assert user.uid == USER_IDS["jira-cloud"]
    assert user.details["email"] == "fakeidptest@fakeidp-test.example"
    assert [e.endpoint for e in idp.exchanges()] == [
        "authorize",
        "token",
        "accessible_resources",
        "myself_v2",
    ]
    # Rotating refresh tokens (Atlassian, "Deprecating persistent refresh tokens"): each
    # refresh returns a new refresh token, which the app must keep.
    first = user.response["refresh_token"]
    refreshed = app.backend().refresh_token(first)
    assert refreshed["refresh_token"] and refreshed["refresh_token"] != first
    assert refreshed["access_token"] != user.response["access_token"]
    assert_clean(idp)


def test_twitch_oauth2_login_and_refresh(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "twitch", TwitchOAuth2)
    user = app.login()
    # psa reads data[0] of Helix /users, sent with Bearer and the Client-Id Twitch requires.
    assert user.uid == USER_IDS["twitch"]
    refreshed = app.backend().refresh_token(user.response["refresh_token"])
    assert refreshed["access_token"] != user.response["access_token"]
    assert_clean(idp)


def test_twitch_openid_connect_login_and_refresh(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "twitch", TwitchOpenIdConnect)
    url = app.start()
    # psa's TwitchOpenIdConnect passes the claims request as a parameter, as Twitch wants it
    # (psa twitch.py: "non-compliant OpenID implementation").
    assert "claims" in query_of(url)
    user = app.complete(browser(url))
    # The ID token was fetched, its signature checked against Twitch's JWKS (discovery at
    # https://id.twitch.tv/oauth2/.well-known/openid-configuration) and its sub read.
    assert user.uid == USER_IDS["twitch"]
    # Twitch's preferred_username claim is the display name (dev.twitch.tv OIDC claims).
    assert user.details["username"] == "FakeIdPTest"
    endpoints = [e.endpoint for e in idp.exchanges()]
    # psa caches the discovery document for a day, process-wide (open_id_connect.py
    # oidc_config), so it is fetched only by the first OIDC test in the process.
    assert {"authorize", "token", "jwks"} <= set(endpoints)
    refreshed = app.backend().refresh_token(user.response["refresh_token"])
    assert refreshed["access_token"] != user.response["access_token"]
    assert_clean(idp)


def test_vimeo_oauth2_login(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "vimeo", VimeoOAuth2)
    user = app.login()
    # psa strips "/users/" from the profile's uri (vimeo.py get_user_id).
    assert user.uid == USER_IDS["vimeo"].rsplit("/", 1)[-1]
    # Vimeo issues no refresh token (audit §8, Nango docs), so there is nothing to refresh.
    assert "refresh_token" not in user.response
    # psa sends the version in Accept (version=3.0) and the token as ?access_token=, which
    # Vimeo accepts (audit §8 profile).
    assert_clean(idp)


def test_uber_login_and_refresh(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "uber", UberOAuth2)
    user = app.login()
    # psa reads the legacy https://api.uber.com/v1/me and its "uuid" (uber.py ID_KEY); the
    # current /v1.2/me has no uuid, its id is rider_id (audit §7). The test user's v1 uuid,
    # read off provider_fixtures/uber.toml by hand:
    assert user.uid == "f4a416e3-6016-4623-8ec9-d5ee105a6e27"
    # psa's uber backend sends the client credentials twice: HTTP Basic
    # (auth_complete_credentials returns the key and secret) and the form body
    # (auth_complete_params, USE_BASIC_AUTH false). RFC 6749 §2.3 says one method per
    # request; Uber answers it (PROVIDERS.md §7: "psa also sends Basic"): warnings.
    assert [f.severity for f in idp.findings(rule="oauth2.token.client_auth_multiple")] == [
        "warning"
    ], show(idp.findings())
    refreshed = app.backend().refresh_token(user.response["refresh_token"])
    assert refreshed["access_token"] != user.response["access_token"]
    # login.uber.com/oauth/* and /v1/me are deprecated, still answering (audit §7; the
    # fixture's [[lifecycle]] cites developer.uber.com): warnings that say what to use.
    deprecated = {f.actual for f in idp.findings(rule="provider.deprecated")}
    assert deprecated == {
        "https://login.uber.com/oauth/authorize",
        "https://login.uber.com/oauth/token",
        "https://api.uber.com/v1/me",
    }, show(idp.findings())
    assert_clean(idp)


def test_twitter_oauth2_login(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "x-oauth2", TwitterOAuth2, SCOPE=["offline.access"])
    url = app.start()
    # psa sends the PKCE method in lower case (twitter_oauth2.py
    # PKCE_DEFAULT_CODE_CHALLENGE_METHOD = "s256"), as X's own SDK does; X accepts it
    # (audit §11b, ranked item 3).
    assert query_of(url)["code_challenge_method"] == "s256"
    user = app.complete(browser(url))
    assert user.uid == USER_IDS["x-oauth2"]
    token = idp.exchanges(endpoint="token")
    assert token and token[0].status == 200
    # A 32-character verifier (PKCE_DEFAULT_CODE_VERIFIER_LENGTH = 32) is shorter than
    # RFC 7636 §4.1's 43, yet X accepts psa's logins: warnings, both.
    assert {(f.rule, f.severity) for f in idp.findings()} == {
        ("oauth2.authorize.pkce_method_case", "warning"),
        ("oauth2.token.code_verifier_format", "warning"),
    }, show(idp.findings())


def test_twitter_oauth2_refresh_without_basic_is_refused(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "x-oauth2", TwitterOAuth2, SCOPE=["offline.access"])
    user = app.login()
    assert "refresh_token" in user.response  # offline.access asked for (PROVIDERS.md §11)
    # psa uses Basic for the code exchange (USE_BASIC_AUTH) but its refresh_token() puts
    # client_id and client_secret in the form body with no Basic header
    # (oauth.py refresh_token_params / refresh_token_auth). X refuses a confidential
    # client that does not use Basic: 401 unauthorized_client "Missing valid authorization
    # header" (docs.x.com user-access-token; audit §11b, ranked item 1).
    with pytest.raises((requests.HTTPError, SocialAuthBaseException)):
        app.backend().refresh_token(user.response["refresh_token"])
    refresh = idp.exchanges(endpoint="token")[-1]
    assert refresh.status == 401
    assert refresh.response["error"] == "unauthorized_client"
    found = idp.acknowledge("oauth2.token.client_auth_placement")
    assert [f.severity for f in found] == ["error"], show(idp.findings())
    assert_clean(idp)


def test_dribbble_profile_at_retired_v1_is_refused(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "dribbble", DribbbleOAuth2)
    # psa's dribbble backend still reads https://api.dribbble.com/v1/user (dribbble.py
    # user_data). Dribbble shut API v1 down in 2018; it answers 401 "This version of the API
    # is deprecated" (audit §2, devxoul/Drrrible#14).
    with pytest.raises((requests.HTTPError, SocialAuthBaseException)):
        app.login()
    profile = idp.exchanges(provider="dribbble")[-1]
    assert profile.url.endswith("/v1/user") and profile.status == 401
    assert idp.exchanges(endpoint="token")[0].status == 200  # the token exchange was right
    retired = idp.acknowledge("provider.retired")
    assert [f.severity for f in retired] == ["error"], show(idp.findings())
    assert_clean(idp)


def test_twitch_denial_is_a_cancel(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "twitch", TwitchOAuth2)
    idp.deny_next("twitch")
    callback = browser(app.start())
    # RFC 6749 §4.1.2.1: error=access_denied with the state; psa raises AuthCanceled.
    assert query_of(callback)["error"] == "access_denied"
    with pytest.raises(AuthCanceled):
        app.complete(callback)
    assert [e.endpoint for e in idp.exchanges()] == ["authorize"]
    assert_clean(idp)
