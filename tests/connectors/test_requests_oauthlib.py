"""requests-oauthlib's ``OAuth2Session`` and ``OAuth1Session``, configured as its docs say,
log in at every provider's real URLs through interception, and refresh where both can.

tests/test_third_party_oauth2.py and tests/test_oauth1_third_party.py run the same
libraries over the live server at the fake's own URLs; these reach the real URLs.
"""

from __future__ import annotations

import pytest
import requests

import fakeidp
from fakeidp.client.profile import user_id_of
from fakeidp.providers import builtin_providers
from tests.connectors.helpers import (
    REDIRECT,
    USER_IDS,
    assert_clean,
    browser,
    lifecycle,
    newest_urls,
    oauth1_session_login,
    oauth2_settings,
    query_of,
    renamed,
    show,
)
from tests.expected import OAUTH2_PROVIDERS

OAUTH1_PROVIDERS = sorted(p.id for p in builtin_providers().values() if p.protocol == "oauth1")
# A provider retired as a whole (Twitch Kraken: v5 shut down on 2022-02-28, audit §6b) gets
# no login: its test asserts the refusal. Every other provider logs in with every library.
RETIRED = [pid for pid in OAUTH2_PROVIDERS if lifecycle(pid, "retired", "provider")]
LIVE_OAUTH2 = [pid for pid in OAUTH2_PROVIDERS if pid not in RETIRED]


@pytest.mark.parametrize("pid", LIVE_OAUTH2)
def test_oauth2_session(idp: fakeidp.FakeIdP, pid: str) -> None:
    oauth2_session_login(idp, pid, idp.real_urls(pid))


@pytest.mark.parametrize("pid", [pid for pid in LIVE_OAUTH2 if renamed(pid)])
def test_oauth2_session_on_current_host_names(idp: fakeidp.FakeIdP, pid: str) -> None:
    # X's docs and n8n use x.com/i/oauth2/authorize and api.x.com/2/oauth2/token (audit §11b).
    oauth2_session_login(idp, pid, newest_urls(idp, pid))


def oauth2_session_login(idp: fakeidp.FakeIdP, pid: str, urls: dict[str, str]) -> None:
    from requests_oauthlib import OAuth2Session

    s = oauth2_settings(idp, pid, urls)
    session = OAuth2Session(
        s.client_id,
        redirect_uri=REDIRECT,
        scope=s.scopes or None,
        pkce="S256" if s.pkce else None,
    )
    url, _state = session.authorization_url(s.urls["authorize"], **s.params)
    token = session.fetch_token(
        s.urls["token"],
        authorization_response=browser(url),
        client_secret=s.client_secret,
        # The docs: HTTP Basic by default; include_client_id=True puts both in the body,
        # for providers that document the body (Twitch: dev.twitch.tv refresh-tokens).
        include_client_id=not s.basic,
        headers={"Accept": "application/json", **s.token_headers},
    )
    response = session.get(s.profile_url, headers=s.headers)
    assert response.ok, response.text
    assert user_id_of(response.json(), s.user_id_path) == USER_IDS[pid]
    if token.get("refresh_token"):
        # The docs pass the credentials as body fields (**extra), or as auth= where the
        # provider documents Basic (X answers a body secret with 401: audit §11b).
        if s.basic:
            creds: dict[str, object] = {"auth": (s.client_id, s.client_secret)}
        else:
            creds = {"client_id": s.client_id, "client_secret": s.client_secret}
        refreshed = session.refresh_token(s.urls["token"], **creds)
        assert refreshed["access_token"] != token["access_token"]
        assert session.get(s.profile_url, headers=s.headers).ok
    assert_clean(idp)


@pytest.mark.parametrize("pid", OAUTH1_PROVIDERS)
def test_oauth1_session(idp: fakeidp.FakeIdP, pid: str) -> None:
    oauth1_session_login(idp, pid, idp.real_urls(pid))


@pytest.mark.parametrize("pid", [pid for pid in OAUTH1_PROVIDERS if renamed(pid)])
def test_oauth1_session_on_current_host_names(idp: fakeidp.FakeIdP, pid: str) -> None:
    # X's developer docs now name the API host api.x.com (PROVIDERS.md §11).
    oauth1_session_login(idp, pid, newest_urls(idp, pid))


@pytest.mark.parametrize("pid", RETIRED)
def test_retired_provider_is_refused(idp: fakeidp.FakeIdP, pid: str) -> None:
    from requests_oauthlib import OAuth2Session

    s = oauth2_settings(idp, pid, idp.real_urls(pid))
    session = OAuth2Session(s.client_id, redirect_uri=REDIRECT, scope=s.scopes or None)
    url, _state = session.authorization_url(s.urls["authorize"])
    response = requests.get(url, allow_redirects=False, timeout=5)
    # Strict: answered as the provider answers today, never with a code to the app.
    assert "code" not in query_of(response.headers.get("Location", ""))
    found = idp.acknowledge("provider.retired")
    assert found and {f.severity for f in found} == {"error"}, show(idp.findings())
    assert_clean(idp)


def test_jira_cloud_site_and_myself(idp: fakeidp.FakeIdP) -> None:
    """Jira Cloud as Atlassian's 3LO guide tells a requests-oauthlib user: audience on the
    authorize URL, credentials in the body, then the site's cloudid and Jira's myself."""
    from requests_oauthlib import OAuth2Session

    creds = idp.credentials("jira-cloud")
    session = OAuth2Session(
        creds.client_id, redirect_uri=REDIRECT, scope=["read:jira-user", "offline_access"]
    )
    url, _state = session.authorization_url(
        "https://auth.atlassian.com/authorize", audience="api.atlassian.com", prompt="consent"
    )
    token = session.fetch_token(
        "https://auth.atlassian.com/oauth/token",
        authorization_response=browser(url),
        client_secret=creds.client_secret,
        include_client_id=True,
    )
    assert token["expires_in"] == 3600 and token["refresh_token"]
    [site] = session.get("https://api.atlassian.com/oauth/token/accessible-resources").json()
    base = f"https://api.atlassian.com/ex/jira/{site['id']}"
    me = session.get(f"{base}/rest/api/3/myself").json()
    assert me["accountId"] == USER_IDS["jira-cloud"]
    # Another site's cloudid is refused as the gateway answers a token without access to it.
    other = session.get("https://api.atlassian.com/ex/jira/not-my-site/rest/api/3/myself")
    assert other.status_code == 401 and other.json()["code"] == 401
    idp.acknowledge("api.profile.path_param")
    assert_clean(idp)


def test_jira_cloud_without_audience_is_refused(idp: fakeidp.FakeIdP) -> None:
    """requests-oauthlib adds no audience by itself: Atlassian's authorize needs
    audience=api.atlassian.com (developer.atlassian.com 3LO guide: "(required)"; without it
    the token is unusable, IBM/mcp-context-forge#3499)."""
    from requests_oauthlib import OAuth2Session

    creds = idp.credentials("jira-cloud")
    session = OAuth2Session(creds.client_id, redirect_uri=REDIRECT, scope=["read:me"])
    url, _state = session.authorization_url("https://auth.atlassian.com/authorize")
    callback = query_of(browser(url))
    assert callback["error"] == "invalid_request" and "audience" in callback["error_description"]
    assert [f.rule for f in idp.acknowledge()] == ["oauth2.authorize.required_param"]
