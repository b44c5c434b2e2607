"""Uber on several hosts and API versions (PROVIDERS-AUDIT §7; issue 9 item 3).

The current OAuth server is auth.uber.com/oauth/v2 (also login.uber.com/oauth/v2, as Nango
calls it), beside the legacy login.uber.com/oauth; the profile API has /v1/me (uuid,
deprecated), /v1.2/me (rider_id, no uuid) and /v3/me (sub).
"""

from __future__ import annotations

import fakeidp

from .flow import REDIRECT, Flow

UBER = "uber"


def test_reference_connection_uses_the_current_endpoints() -> None:
    with fakeidp.intercept([UBER]) as idp:
        connection = idp.connection(UBER, real_urls=True)
        assert connection.authorize_url == "https://auth.uber.com/oauth/v2/authorize"
        assert connection.token_url == "https://auth.uber.com/oauth/v2/token"
        assert connection.profile_url == "https://api.uber.com/v1.2/me"
        assert connection.user_id_path == "rider_id"
        # The v2 server gives a refresh token only with offline_access: a careful connector asks.
        assert "offline_access" in connection.scopes
        result = fakeidp.OAuth2Client(connection).login()
        assert result.user_id == idp.user(UBER).profile["rider_id"]
        assert result.token.get("refresh_token")
        assert idp.findings() == []


def test_v2_gives_no_refresh_token_without_offline_access(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, UBER)
    tokens = flow.login_token(scope="profile")
    assert "refresh_token" not in tokens
    tokens = flow.login_token(scope="profile offline_access")
    assert tokens["refresh_token"]


def test_legacy_token_url_always_gave_a_refresh_token_and_is_deprecated(
    idp: fakeidp.FakeIdP,
) -> None:
    flow = Flow(idp, UBER)
    code = flow.code(scope="profile")
    response = flow.client.post(
        flow.urls["token_legacy"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": flow.creds.client_id,
            "client_secret": flow.creds.client_secret,
        },
    )
    assert response.status_code == 200, response.json
    assert response.json["refresh_token"] and response.json["token_type"] == "Bearer"
    [finding] = idp.findings()
    assert (finding.rule, finding.severity) == ("provider.deprecated", "warning")
    assert finding.endpoint == "token"  # the same endpoint, at its legacy URL
    assert finding.actual == "https://login.uber.com/oauth/token"
    assert "auth.uber.com/oauth/v2/token" in finding.expected
    assert "riders token-post" in finding.source


def test_login_uber_com_v2_as_nango_calls_it() -> None:
    with fakeidp.intercept([UBER]) as idp:
        connection = idp.connection(
            UBER,
            real_urls=True,
            authorize_url="https://login.uber.com/oauth/v2/authorize",
            token_url="https://login.uber.com/oauth/v2/token",
        )
        result = fakeidp.OAuth2Client(connection).login()
        assert result.user_id == idp.user(UBER).profile["rider_id"]
        assert idp.findings() == []


def test_each_profile_version_has_its_shape_and_user_id(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, UBER)
    token = flow.login_token(scope="profile")["access_token"]
    profile = idp.user(UBER).profile
    headers = {"Authorization": f"Bearer {token}"}
    v1_2 = flow.client.get(flow.urls["me"], headers=headers)
    assert v1_2.status_code == 200
    assert v1_2.json["rider_id"] == profile["rider_id"] and "uuid" not in v1_2.json
    v3 = flow.client.get(flow.urls["me_v3"], headers=headers)
    assert v3.status_code == 200 and v3.json["sub"] == profile["rider_id"]
    assert idp.findings() == []
    # /v1/me: deprecated, still answering (no retirement notice): a warning, and the old shape.
    v1 = flow.client.get(flow.urls["me_v1"], headers=headers)
    assert v1.status_code == 200 and v1.json["uuid"] == profile["uuid"]
    [finding] = idp.findings()
    assert (finding.rule, finding.severity) == ("provider.deprecated", "warning")
    assert "v1-me-get" in finding.source and "/v1.2/me" in finding.expected


def test_sandbox_api_host_is_intercepted() -> None:
    # [grant] profile.json: https://[subdomain].uber.com/v1/me, subdomain sandbox-api.
    with fakeidp.intercept([UBER]) as idp:
        connection = idp.connection(
            UBER, real_urls=True, profile_url="https://sandbox-api.uber.com/v1.2/me"
        )
        assert (
            fakeidp.OAuth2Client(connection).login().user_id == idp.user(UBER).profile["rider_id"]
        )
