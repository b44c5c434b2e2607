"""authlib's OAuth 1.0a and OAuth 2.0 clients, for requests and for httpx (sync and async),
configured as authlib's docs say, log in at every provider's real URLs through interception,
and refresh where both the provider and the client can.

authlib's "httpx" clients are httpx2 clients where httpx2 is installed, httpx ones otherwise
(authlib/integrations/httpx_client/_compat.py): these tests run the one it picks.

The browser step goes through requests (it is the user's browser, not the connector); every
call the connector makes goes through its own HTTP library.
"""

from __future__ import annotations

import importlib.util
import warnings
from typing import Any

import pytest

import fakeidp
from fakeidp.client.profile import user_id_of
from tests.connectors.helpers import (
    REDIRECT,
    USER_IDS,
    OAuth1Settings,
    OAuth2Settings,
    assert_clean,
    browser,
    oauth1_profile_urls,
    oauth1_settings,
    oauth2_settings,
    read_oauth1_user,
)
from tests.connectors.test_requests_oauthlib import LIVE_OAUTH2, OAUTH1_PROVIDERS

HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None


def httpx_clients() -> Any:
    """authlib's httpx integration; it imports httpx2 when installed and warns when it falls
    back to httpx (authlib/integrations/httpx_client/_compat.py). With httpx2 there is no
    warning to expect: the suite's warnings-as-errors shows one."""
    if HAS_HTTPX2:
        from authlib.integrations import httpx_client

        return httpx_client
    import authlib.deprecate  # noqa: F401  # its import puts an "always" filter first; ours goes after

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The httpx module is deprecated")
        from authlib.integrations import httpx_client
    return httpx_client


def oauth2_kwargs(s: OAuth2Settings) -> dict[str, Any]:
    return {
        "client_id": s.client_id,
        "client_secret": s.client_secret,
        "scope": " ".join(s.scopes) or None,
        "redirect_uri": REDIRECT,
        # authlib's docs: client_secret_basic by default, client_secret_post for the body.
        "token_endpoint_auth_method": "client_secret_basic" if s.basic else "client_secret_post",
        "code_challenge_method": "S256" if s.pkce else None,
    }


def oauth2_start(session: Any, s: OAuth2Settings) -> tuple[str, str | None]:
    from authlib.common.security import generate_token

    verifier = generate_token(48) if s.pkce else None
    url, _state = session.create_authorization_url(
        s.urls["authorize"], code_verifier=verifier, **s.params
    )
    return browser(url), verifier


def token_kwargs(s: OAuth2Settings, callback: str, verifier: str | None) -> dict[str, Any]:
    headers = {"Accept": "application/json", **s.token_headers}
    return {"authorization_response": callback, "code_verifier": verifier, "headers": headers}


def check_user(pid: str, s: OAuth2Settings, body: Any) -> None:
    assert user_id_of(body, s.user_id_path) == USER_IDS[pid]


@pytest.mark.parametrize("pid", LIVE_OAUTH2)
def test_oauth2_requests(idp: fakeidp.FakeIdP, pid: str) -> None:
    from authlib.integrations.requests_client import OAuth2Session

    s = oauth2_settings(idp, pid, idp.real_urls(pid))
    session = OAuth2Session(**oauth2_kwargs(s))
    callback, verifier = oauth2_start(session, s)
    token = session.fetch_token(s.urls["token"], **token_kwargs(s, callback, verifier))
    check_user(pid, s, session.get(s.profile_url, headers=s.headers).json())
    if token.get("refresh_token"):
        refreshed = session.refresh_token(s.urls["token"], refresh_token=token["refresh_token"])
        assert refreshed["access_token"] != token["access_token"]
        check_user(pid, s, session.get(s.profile_url, headers=s.headers).json())
    assert_clean(idp)


@pytest.mark.parametrize("pid", LIVE_OAUTH2)
def test_oauth2_httpx(idp: fakeidp.FakeIdP, pid: str) -> None:
    s = oauth2_settings(idp, pid, idp.real_urls(pid))
    with httpx_clients().OAuth2Client(**oauth2_kwargs(s)) as client:
        callback, verifier = oauth2_start(client, s)
        token = client.fetch_token(s.urls["token"], **token_kwargs(s, callback, verifier))
        check_user(pid, s, client.get(s.profile_url, headers=s.headers).json())
        if token.get("refresh_token"):
            refreshed = client.refresh_token(s.urls["token"], refresh_token=token["refresh_token"])
            assert refreshed["access_token"] != token["access_token"]
            check_user(pid, s, client.get(s.profile_url, headers=s.headers).json())
    assert_clean(idp)


@pytest.mark.anyio
@pytest.mark.parametrize("pid", LIVE_OAUTH2)
async def test_oauth2_httpx_async(idp: fakeidp.FakeIdP, pid: str) -> None:
    s = oauth2_settings(idp, pid, idp.real_urls(pid))
    async with httpx_clients().AsyncOAuth2Client(**oauth2_kwargs(s)) as client:
        callback, verifier = oauth2_start(client, s)
        token = await client.fetch_token(s.urls["token"], **token_kwargs(s, callback, verifier))
        check_user(pid, s, (await client.get(s.profile_url, headers=s.headers)).json())
        if token.get("refresh_token"):
            refreshed = await client.refresh_token(
                s.urls["token"], refresh_token=token["refresh_token"]
            )
            assert refreshed["access_token"] != token["access_token"]
            check_user(pid, s, (await client.get(s.profile_url, headers=s.headers)).json())
    assert_clean(idp)


def connector_agents(idp: fakeidp.FakeIdP) -> set[str]:
    """The HTTP libraries the connector's own calls came from (the browser's are requests')."""
    return {
        e.headers.get("User-Agent", "").split("/")[0]
        for e in idp.exchanges()
        if e.endpoint != "authorize"
    }


# With httpx2 installed, authlib's clients are httpx2's, and interception answers them as it
# answers httpx: the same login, nothing escaping to the network guard.
HTTPX2_PROVIDERS = ["digitalocean", "twitch"]


@pytest.mark.skipif(not HAS_HTTPX2, reason="needs httpx2")
@pytest.mark.parametrize("pid", HTTPX2_PROVIDERS)
def test_oauth2_httpx_picks_httpx2_and_logs_in(idp: fakeidp.FakeIdP, pid: str) -> None:
    import httpx2

    s = oauth2_settings(idp, pid, idp.real_urls(pid))
    with httpx_clients().OAuth2Client(**oauth2_kwargs(s)) as client:
        assert isinstance(client, httpx2.Client)
        callback, verifier = oauth2_start(client, s)
        token = client.fetch_token(s.urls["token"], **token_kwargs(s, callback, verifier))
        check_user(pid, s, client.get(s.profile_url, headers=s.headers).json())
        refreshed = client.refresh_token(s.urls["token"], refresh_token=token["refresh_token"])
        assert refreshed["access_token"] != token["access_token"]
    profile = idp.provider(pid).primary_profile.endpoint.name
    assert [e.endpoint for e in idp.exchanges()] == ["authorize", "token", profile, "token"]
    assert connector_agents(idp) == {"python-httpx2"}
    assert_clean(idp)


@pytest.mark.anyio
@pytest.mark.skipif(not HAS_HTTPX2, reason="needs httpx2")
@pytest.mark.parametrize("pid", HTTPX2_PROVIDERS)
async def test_oauth2_httpx_async_picks_httpx2_and_logs_in(idp: fakeidp.FakeIdP, pid: str) -> None:
    import httpx2

    s = oauth2_settings(idp, pid, idp.real_urls(pid))
    async with httpx_clients().AsyncOAuth2Client(**oauth2_kwargs(s)) as client:
        assert isinstance(client, httpx2.AsyncClient)
        callback, verifier = oauth2_start(client, s)
        token = await client.fetch_token(s.urls["token"], **token_kwargs(s, callback, verifier))
        check_user(pid, s, (await client.get(s.profile_url, headers=s.headers)).json())
        refreshed = await client.refresh_token(
            s.urls["token"], refresh_token=token["refresh_token"]
        )
        assert refreshed["access_token"] != token["access_token"]
    assert connector_agents(idp) == {"python-httpx2"}
    assert_clean(idp)


def oauth1_kwargs(s: OAuth1Settings) -> dict[str, Any]:
    return {
        "client_id": s.key,
        "client_secret": s.secret,
        "redirect_uri": REDIRECT,
        "signature_method": s.method,
        "rsa_key": s.rsa_key,
    }


def oauth1_authorize(client: Any, s: OAuth1Settings, temporary: dict[str, str]) -> None:
    assert temporary["oauth_callback_confirmed"] == "true"
    callback = browser(client.create_authorization_url(s.urls["authorize"]))
    client.parse_authorization_response(callback)


def oauth1_done(idp: fakeidp.FakeIdP, pid: str, tokens: dict[str, str]) -> None:
    assert tokens["oauth_token"] and tokens["oauth_token_secret"]
    # authlib keeps signing oauth_callback into API calls, which XING dislikes (psa's
    # clean_oauth_auth): a warning, XING answers (PROVIDERS.md §9).
    assert_clean(idp)


@pytest.mark.parametrize("pid", OAUTH1_PROVIDERS)
def test_oauth1_requests(idp: fakeidp.FakeIdP, pid: str) -> None:
    from authlib.integrations.requests_client import OAuth1Session

    s = oauth1_settings(idp, pid, idp.real_urls(pid))
    session = OAuth1Session(**oauth1_kwargs(s))
    oauth1_authorize(session, s, session.fetch_request_token(s.urls["request_token"]))
    tokens = session.fetch_access_token(s.urls["access_token"])
    assert read_oauth1_user(lambda url: session.get(url).json(), s) == USER_IDS[pid]
    oauth1_done(idp, pid, tokens)


@pytest.mark.parametrize("pid", OAUTH1_PROVIDERS)
def test_oauth1_httpx(idp: fakeidp.FakeIdP, pid: str) -> None:
    s = oauth1_settings(idp, pid, idp.real_urls(pid))
    with httpx_clients().OAuth1Client(**oauth1_kwargs(s)) as client:
        oauth1_authorize(client, s, client.fetch_request_token(s.urls["request_token"]))
        tokens = client.fetch_access_token(s.urls["access_token"])
        assert read_oauth1_user(lambda url: client.get(url).json(), s) == USER_IDS[pid]
    oauth1_done(idp, pid, tokens)


@pytest.mark.anyio
@pytest.mark.parametrize("pid", OAUTH1_PROVIDERS)
async def test_oauth1_httpx_async(idp: fakeidp.FakeIdP, pid: str) -> None:
    s = oauth1_settings(idp, pid, idp.real_urls(pid))
    async with httpx_clients().AsyncOAuth1Client(**oauth1_kwargs(s)) as client:
        oauth1_authorize(client, s, await client.fetch_request_token(s.urls["request_token"]))
        tokens = await client.fetch_access_token(s.urls["access_token"])
        profile = (await client.get(s.urls[s.profile.endpoint.name])).json()
        user_id = user_id_of(profile, s.profile.user_id)
        for url in oauth1_profile_urls(s, user_id):
            user_id = user_id_of((await client.get(url)).json(), "name")
    assert user_id == USER_IDS[pid]
    oauth1_done(idp, pid, tokens)
