"""Scopes the providers' APIs need ([profile.scopes]): the refusal in strict mode, the finding
in lenient mode, the answer with the right scopes, and scope-bound fields (Twitch email).

Each provider fact and its source are in provider_fixtures/<provider>.toml.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

import fakeidp

from .flow import Flow

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 Appendix B
X_FORBIDDEN = {"title": "Forbidden", "type": "about:blank", "status": 403, "detail": "Forbidden"}


@pytest.fixture
def lenient(idp: fakeidp.FakeIdP) -> fakeidp.FakeIdP:
    idp.strict = False
    return idp


def x_token(flow: Flow, scope: str) -> dict[str, Any]:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest())
    code = flow.code(
        scope=scope, code_challenge=challenge.rstrip(b"=").decode(), code_challenge_method="S256"
    )
    response = flow.token({"code": code, "code_verifier": VERIFIER}, auth="basic")
    assert response.status_code == 200, response.json
    return response.json  # type: ignore[no-any-return]


def get(flow: Flow, name: str, token: str) -> Any:
    return flow.client.get(flow.urls[name], headers={"Authorization": f"Bearer {token}"})


# -- X: GET /2/users/me needs tweet.read and users.read ---------------------------------------


def test_x_users_me_without_tweet_read_is_refused_as_x_refuses_it(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "x-oauth2")
    token = x_token(flow, "users.read offline.access")["access_token"]
    response = flow.profile(token)
    # X's answer to a users.read token (plhery/node-twitter-api-v2#265; next-auth#5838).
    assert response.status_code == 403 and response.json == X_FORBIDDEN
    [finding] = idp.findings()
    assert (finding.rule, finding.severity) == ("api.scope.missing", "error")
    assert "asked for users.read offline.access" in finding.message
    assert "/2/users/me also needs tweet.read" in finding.message
    assert finding.expected == {"all_of": ["tweet.read", "users.read"]}
    assert "next-auth#5838" in finding.source and "OpenIddict" in finding.source


def test_x_users_me_without_either_scope_names_both(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "x-oauth2")
    response = flow.profile(x_token(flow, "offline.access")["access_token"])
    assert response.status_code == 403
    [finding] = idp.findings()
    assert "also needs tweet.read and users.read" in finding.message


def test_x_users_me_lenient_answers_and_records_the_error(lenient: fakeidp.FakeIdP) -> None:
    flow = Flow(lenient, "x-oauth2")
    response = flow.profile(x_token(flow, "users.read")["access_token"])
    assert response.status_code == 200
    assert response.json["data"]["id"] == "1460123456789012480"
    assert [(f.rule, f.severity) for f in lenient.findings()] == [("api.scope.missing", "error")]


def test_x_users_me_with_both_scopes_answers(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "x-oauth2")
    response = flow.profile(x_token(flow, "users.read tweet.read")["access_token"])
    assert response.status_code == 200, response.json
    assert response.json["data"]["username"] == "fakeidptest"
    assert idp.findings() == []


def test_x_refresh_token_only_with_offline_access(idp: fakeidp.FakeIdP) -> None:
    # "If this scope is not passed, we will not generate a refresh token" (docs.x.com).
    flow = Flow(idp, "x-oauth2")
    assert "refresh_token" not in x_token(flow, "tweet.read users.read")
    assert "refresh_token" in x_token(flow, "tweet.read users.read offline.access")


def test_default_connection_asks_for_what_the_profile_needs(idp: fakeidp.FakeIdP) -> None:
    assert idp.connection("x-oauth2").scopes == ("tweet.read", "users.read", "offline.access")
    result = fakeidp.OAuth2Client(idp.connection("x-oauth2"), idp.session()).login()
    assert result.user_id == "1460123456789012480"
    assert idp.findings() == []


# -- Twitch: Helix /users releases email only with user:read:email ---------------------------


def test_twitch_email_is_left_out_without_user_read_email(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch")
    response = flow.profile(flow.login_token(scope="channel:read:subscriptions")["access_token"])
    assert response.status_code == 200
    user = response.json["data"][0]
    # "To include the user's verified email address in the response, you must use a user
    # access token that includes the user:read:email scope" (dev.twitch.tv get-users).
    assert "email" not in user and user["id"] == "739003271"
    # The answer is Twitch's own: a connector that needs the email sees what it would see.
    assert idp.findings() == []
    # The user's profile itself is untouched.
    assert idp.provider("twitch").user.profile["email"] == "fakeidptest@twitch.example"
    again = flow.profile(flow.login_token(scope="user:read:email")["access_token"])
    assert again.json["data"][0]["email"] == "fakeidptest@twitch.example"


def test_twitch_email_lenient_is_served_with_a_warning(lenient: fakeidp.FakeIdP) -> None:
    flow = Flow(lenient, "twitch")
    response = flow.profile(flow.login_token()["access_token"])
    assert response.json["data"][0]["email"] == "fakeidptest@twitch.example"
    [finding] = lenient.findings()
    assert (finding.rule, finding.severity) == ("api.scope.field", "warning")
    assert "leaves out data.0.email without the scope user:read:email" in finding.message
    assert "dev.twitch.tv/docs/api/reference#get-users" in finding.source


# -- Uber: /v1.2/me and /v1/me need profile; /v3/me one of three -------------------------------


def test_uber_me_without_profile_is_refused(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    response = flow.profile(flow.login_token(scope="history")["access_token"])
    # {"message": "Missing scope: request", "code": "unauthorized"} (uber/uber-ios-sdk#85).
    assert response.status_code == 401
    assert response.json == {"code": "unauthorized", "message": "Missing scope: profile"}
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="insufficient_scope"')
    [finding] = idp.findings()
    assert finding.rule == "api.scope.missing" and "developer.uber.com" in finding.source


def test_uber_v3_me_needs_one_of_three(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    response = get(flow, "me_v3", flow.login_token(scope="history")["access_token"])
    assert response.status_code == 401
    assert response.json["message"] == (
        "This endpoint requires at least one of the following scopes: "
        "profile, eats.pos_provisioning, profile.internal_uuid"
    )
    assert "also needs one of profile, eats.pos_provisioning" in idp.findings()[0].message
    idp.acknowledge()
    token = flow.login_token(scope="profile.internal_uuid")["access_token"]
    assert get(flow, "me_v3", token).status_code == 200
    assert idp.errors() == []


def test_uber_default_scope_is_profile(idp: fakeidp.FakeIdP) -> None:
    # No scope: "the default is the set selected in your application's dashboard" (profile).
    flow = Flow(idp, "uber")
    response = flow.profile(flow.login_token()["access_token"])
    assert response.status_code == 200 and response.json["rider_id"]
    assert idp.findings() == []


def test_uber_lenient_answers_and_records_the_error(lenient: fakeidp.FakeIdP) -> None:
    flow = Flow(lenient, "uber")
    response = flow.profile(flow.login_token(scope="history")["access_token"])
    assert response.status_code == 200
    assert [f.rule for f in lenient.findings()] == ["api.scope.missing"]


# -- DigitalOcean: /v2/account needs read or account:read --------------------------------------


def test_digitalocean_write_only_token_is_refused(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "digitalocean")
    response = flow.profile(flow.login_token(scope="write")["access_token"])
    assert response.status_code == 403
    assert response.json == {
        "id": "forbidden",
        "message": "you do not have access for the attempted action",
    }
    [finding] = idp.findings()
    assert finding.expected == {"one_of": ["read", "account:read"]}
    assert "OpenRouterLabs/spawn#1724" in finding.source


@pytest.mark.parametrize("scope", [None, "read write", "account:read"])
def test_digitalocean_read_access_answers(idp: fakeidp.FakeIdP, scope: str | None) -> None:
    flow = Flow(idp, "digitalocean")  # no scope: DigitalOcean grants read
    response = flow.profile(flow.login_token(scope=scope)["access_token"])
    assert response.status_code == 200 and response.json["account"]["uuid"]
    assert idp.findings() == []


def test_digitalocean_lenient_answers_and_records_the_error(lenient: fakeidp.FakeIdP) -> None:
    flow = Flow(lenient, "digitalocean")
    response = flow.profile(flow.login_token(scope="write")["access_token"])
    assert response.status_code == 200
    assert [f.rule for f in lenient.findings()] == ["api.scope.missing"]


def test_digitalocean_bad_token_keeps_its_answer(idp: fakeidp.FakeIdP) -> None:
    # The error body is a template now; the 401 for a dead token is unchanged.
    response = Flow(idp, "digitalocean").profile("nope")
    assert response.status_code == 401
    assert response.json == {"id": "unauthorized", "message": "Unable to authenticate you"}
    idp.acknowledge()
