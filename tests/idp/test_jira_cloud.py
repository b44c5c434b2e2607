"""JIRA Cloud over OAuth 2.0 (3LO), as auth.atlassian.com and api.atlassian.com answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

import fakeidp
from fakeidp.client.oauth2 import OAuth2Client

from .flow import REDIRECT, Flow

PID = "jira-cloud"
CLOUDID = "11223344-a1b2-3b33-c444-def123456789"
ACCOUNT_ID = "5b10ac8d82e05b22cc7d4ef5"
ATLASSIAN = {"audience": "api.atlassian.com", "prompt": "consent"}


def code(flow: Flow, scope: str = "read:me read:jira-user offline_access", **extra: Any) -> str:
    return flow.code(scope=scope, **{**ATLASSIAN, **extra})


def token(flow: Flow, scope: str = "read:me read:jira-user offline_access") -> dict[str, Any]:
    response = flow.token({"code": code(flow, scope)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json  # type: ignore[no-any-return]


def get(flow: Flow, name: str, access_token: str | None, cloudid: str = CLOUDID) -> Any:
    path = flow.urls[name].replace("{cloudid}", cloudid)
    headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
    return flow.client.get(path, headers=headers)


def test_login_as_documented_with_a_json_token_body(idp: fakeidp.FakeIdP) -> None:
    """[3lo]: authorize with audience and prompt=consent, then the JSON token POST."""
    flow = Flow(idp, PID)
    body = {
        "grant_type": "authorization_code",
        "client_id": flow.creds.client_id,
        "client_secret": flow.creds.client_secret,
        "code": code(flow),
        "redirect_uri": REDIRECT,
    }
    response = flow.client.post(
        flow.urls["token"], data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.json
    assert answer["expires_in"] == 3600 and answer["token_type"] == "Bearer"
    assert answer["scope"] == "read:me read:jira-user offline_access"
    assert answer["refresh_token"]
    assert flow.rules() == []


def test_a_form_token_body_is_read_too(idp: fakeidp.FakeIdP) -> None:
    """Auth0 underneath reads forms; psa, flask-dance and requests-oauthlib send them."""
    flow = Flow(idp, PID)
    assert token(flow)["access_token"]
    assert flow.rules() == []


def test_no_refresh_token_without_offline_access(idp: fakeidp.FakeIdP) -> None:
    assert "refresh_token" not in token(Flow(idp, PID), scope="read:me")


def test_audience_is_required(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, PID)
    answer = flow.callback(flow.authorize(scope="read:me", prompt="consent"))
    assert answer["error"] == "invalid_request" and "audience" in answer["error_description"]
    assert flow.rules() == ["oauth2.authorize.required_param"]


def test_audience_must_be_api_atlassian_com(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, PID)
    answer = flow.callback(flow.authorize(scope="read:me", audience="auth.atlassian.com"))
    assert answer["error"] == "invalid_request" and "audience" in answer["error_description"]
    [finding] = idp.findings(PID)
    assert finding.rule == "oauth2.authorize.param_value"
    assert finding.expected == {"audience": "api.atlassian.com"}


def test_lenient_wrong_audience_is_a_finding(idp: fakeidp.FakeIdP) -> None:
    idp.set_strict(PID, False)
    flow = Flow(idp, PID)
    assert flow.code(scope="read:me", audience="wrong") is not None
    assert flow.rules() == ["oauth2.authorize.param_value"]


def test_prompt_is_optional(idp: fakeidp.FakeIdP) -> None:
    """flask-dance sends prompt=consent only with reprompt_consent=True, and logs in."""
    flow = Flow(idp, PID)
    assert flow.code(scope="read:me", audience="api.atlassian.com")
    assert flow.rules() == []


def test_refresh_rotates_and_the_old_token_is_a_warning(idp: fakeidp.FakeIdP) -> None:
    """[rrt]: every refresh returns a new refresh token; the old one works inside the leeway."""
    flow = Flow(idp, PID)
    first = token(flow)["refresh_token"]
    response = flow.token({"grant_type": "refresh_token", "refresh_token": first, "code": None})
    assert response.status_code == 200, response.get_data(as_text=True)
    second = response.json["refresh_token"]
    assert second and second != first
    again = flow.token({"grant_type": "refresh_token", "refresh_token": first, "code": None})
    assert again.status_code == 200
    assert flow.rules() == ["oauth2.token.refresh_token_rotated"]


def test_reuse_after_the_leeway_kills_every_refresh_token(idp: fakeidp.FakeIdP) -> None:
    """[rrt]: "Reuse of old tokens outside the leeway interval invalidates all refresh tokens
    … The leeway interval is 10 minutes." """
    flow = Flow(idp, PID)
    first = token(flow)["refresh_token"]
    second = flow.token({"grant_type": "refresh_token", "refresh_token": first, "code": None})
    newest = second.json["refresh_token"]
    idp.advance_clock(601)
    late = flow.token({"grant_type": "refresh_token", "refresh_token": first, "code": None})
    assert late.status_code == 403 and late.json["error"] == "invalid_grant"
    [finding] = idp.findings(PID, rule="oauth2.token.refresh_token_rotated")
    assert finding.severity == "error"
    after = flow.token({"grant_type": "refresh_token", "refresh_token": newest, "code": None})
    assert after.status_code == 403  # the whole chain is gone: the user must consent again
    idp.acknowledge()


def test_unknown_refresh_token_is_auth0s_403(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, PID)
    response = flow.token({"grant_type": "refresh_token", "refresh_token": "nope", "code": None})
    assert response.status_code == 403 and response.json["error"] == "invalid_grant"


def test_accessible_resources_me_and_myself(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, PID)
    bearer = token(flow)["access_token"]
    [site] = get(flow, "accessible_resources", bearer).json
    assert site["id"] == CLOUDID and site["url"] == "https://fakeidp-test.atlassian.net"
    assert site["scopes"] == ["read:me", "read:jira-user", "offline_access"]
    me = get(flow, "me", bearer).json
    assert (me["account_id"], me["email"], me["name"], me["nickname"]) == (
        ACCOUNT_ID,
        "fakeidptest@fakeidp-test.example",
        "FakeIdP Test",
        "fakeidptest",
    )
    for name in ("myself", "myself_v2"):
        myself = get(flow, name, bearer, site["id"]).json
        assert myself["accountId"] == ACCOUNT_ID and myself["accountType"] == "atlassian"
        assert myself["active"] is True and myself["timeZone"] == "Europe/Berlin"
        assert myself["emailAddress"] == "fakeidptest@fakeidp-test.example"
    assert flow.rules() == []


@pytest.mark.parametrize("name", ["myself", "myself_v2"])
def test_unknown_cloudid_is_refused(idp: fakeidp.FakeIdP, name: str) -> None:
    flow = Flow(idp, PID)
    response = get(flow, name, token(flow)["access_token"], "00000000-0000-0000-0000-000000000000")
    assert response.status_code == 401
    assert response.json == {"code": 401, "message": "Unauthorized"}
    assert flow.rules() == ["api.profile.path_param"]


def test_lenient_unknown_cloudid_is_a_finding(idp: fakeidp.FakeIdP) -> None:
    idp.set_strict(PID, False)
    flow = Flow(idp, PID)
    response = get(flow, "myself", token(flow)["access_token"], "another-site")
    assert response.status_code == 200 and response.json["accountId"] == ACCOUNT_ID
    assert flow.rules() == ["api.profile.path_param"]


@pytest.mark.parametrize("bearer", [None, "not-a-token"])
def test_missing_or_invalid_token_is_the_gateways_401(
    idp: fakeidp.FakeIdP, bearer: str | None
) -> None:
    flow = Flow(idp, PID)
    for name in ("me", "accessible_resources", "myself"):
        response = get(flow, name, bearer)
        assert response.status_code == 401
        assert response.json == {"code": 401, "message": "Unauthorized"}
    idp.acknowledge()


def test_expired_access_token_after_an_hour(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, PID)
    bearer = token(flow)["access_token"]
    idp.advance_clock(3601)
    assert get(flow, "me", bearer).status_code == 401
    idp.acknowledge()


def test_reference_client_logs_in_with_the_account_id(idp: fakeidp.FakeIdP) -> None:
    result = OAuth2Client(idp.connection(PID), idp.session()).login()
    assert result.token["refresh_token"]  # the connection asks for offline_access
    assert result.user_id == ACCOUNT_ID
    assert idp.findings(PID) == []


def test_scopes_each_api_needs_are_the_gateways_scope_check(idp: fakeidp.FakeIdP) -> None:
    """/me needs read:me, myself read:jira-user (or granular read:user:jira); the gateway's
    401 "Unauthorized; scope does not match" otherwise (raycast/extensions#11212)."""
    flow = Flow(idp, PID)
    jira_only = token(flow, "read:jira-user")["access_token"]
    refused = get(flow, "me", jira_only)
    assert refused.status_code == 401
    assert refused.json == {"code": 401, "message": "Unauthorized; scope does not match"}
    assert get(flow, "myself", jira_only).status_code == 200
    me_only = token(flow, "read:me")["access_token"]
    assert get(flow, "me", me_only).status_code == 200
    assert get(flow, "myself_v2", me_only).status_code == 401
    granular = token(flow, "read:me read:user:jira")["access_token"]
    assert get(flow, "myself", granular).status_code == 200
    assert get(flow, "accessible_resources", me_only).status_code == 200  # needs no scope
    assert flow.rules() == ["api.scope.missing", "api.scope.missing"]
