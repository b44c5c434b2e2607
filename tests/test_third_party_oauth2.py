"""Real third-party clients, configured as their docs say, log in over the live server.

requests-oauthlib's ``OAuth2Session`` and authlib's requests ``OAuth2Session``
for every OAuth 2.0 provider: the fake IdP must accept what they send, and a
provider's quirks (Twitch's body-only credentials, its Client-Id header, X's
PKCE) are handled the way each library's docs tell a user to handle them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import fakeidp
from tests.connectors.helpers import browser, oauth2_settings
from tests.expected import EXPECTED_USER_IDS, OAUTH2_PROVIDERS, legacy, retired_seen

REDIRECT = "http://127.0.0.1:9999/callback"


@pytest.fixture(scope="module")
def live() -> Iterator[fakeidp.FakeIdP]:
    idp = fakeidp.FakeIdP()
    with idp.serve():
        yield idp


@pytest.fixture(autouse=True)
def _plain_http(monkeypatch: pytest.MonkeyPatch, live: fakeidp.FakeIdP) -> None:
    # Both libraries refuse http:// unless told it is a local test server.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    live.reset()


@pytest.mark.parametrize("pid", OAUTH2_PROVIDERS)
def test_requests_oauthlib(live: fakeidp.FakeIdP, pid: str) -> None:
    from requests_oauthlib import OAuth2Session

    legacy(live, pid)
    s = oauth2_settings(live, pid, live.urls(pid))
    session = OAuth2Session(
        s.client_id,
        redirect_uri=REDIRECT,
        scope=s.scopes or None,
        pkce="S256" if s.pkce else None,
    )
    url, _state = session.authorization_url(s.urls["authorize"], **s.params)
    callback = browser(url)
    token = session.fetch_token(
        s.urls["token"],
        authorization_response=callback,
        client_secret=s.client_secret,
        # The docs: Basic by default; include_client_id=True puts both in the body.
        include_client_id=not s.basic,
        headers={"Accept": "application/json", **s.token_headers},
    )
    assert token["access_token"]
    profile = session.get(s.profile_url, headers=s.headers).json()
    user = fakeidp.client.profile.user_id_of(profile, live.provider(pid).primary_profile.user_id)
    assert user == EXPECTED_USER_IDS[pid]
    if "refresh_token" in token:
        # requests-oauthlib's docs pass the credentials as body fields (**extra); where the
        # provider documents Basic they go in auth= instead (X answers a body secret with 401
        # unauthorized_client, PROVIDERS-AUDIT §11b).
        if s.basic:
            creds = {"auth": (s.client_id, s.client_secret)}
        else:
            creds = {"client_id": s.client_id, "client_secret": s.client_secret}
        refreshed = session.refresh_token(s.urls["token"], **creds)
        assert refreshed["access_token"] != token["access_token"]
    retired_seen(live, pid)
    assert live.errors() == [], [str(f) for f in live.errors()]


@pytest.mark.parametrize("pid", OAUTH2_PROVIDERS)
def test_authlib(live: fakeidp.FakeIdP, pid: str) -> None:
    from authlib.common.security import generate_token
    from authlib.integrations.requests_client import OAuth2Session

    legacy(live, pid)
    s = oauth2_settings(live, pid, live.urls(pid))
    session = OAuth2Session(
        s.client_id,
        s.client_secret,
        scope=" ".join(s.scopes) or None,
        redirect_uri=REDIRECT,
        token_endpoint_auth_method="client_secret_basic" if s.basic else "client_secret_post",
        code_challenge_method="S256" if s.pkce else None,
    )
    verifier = generate_token(48) if s.pkce else None
    url, _state = session.create_authorization_url(
        s.urls["authorize"], code_verifier=verifier, **s.params
    )
    callback = browser(url)
    token = session.fetch_token(
        s.urls["token"],
        authorization_response=callback,
        code_verifier=verifier,
        headers={"Accept": "application/json", **s.token_headers},
    )
    assert token["access_token"]
    profile = session.get(s.profile_url, headers=s.headers).json()
    user = fakeidp.client.profile.user_id_of(profile, live.provider(pid).primary_profile.user_id)
    assert user == EXPECTED_USER_IDS[pid]
    if token.get("refresh_token"):
        refreshed = session.refresh_token(s.urls["token"], refresh_token=token["refresh_token"])
        assert refreshed["access_token"] != token["access_token"]
    retired_seen(live, pid)
    assert live.errors() == [], [str(f) for f in live.errors()]
