"""Fault injection: every kind, as the reference client observes it (README "Fault injection")."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

import pytest
import requests

import fakeidp
from fakeidp.client.errors import LOGIN_ERROR_KINDS, LoginError, retry_after_seconds
from fakeidp.idp import oidc_faults
from fakeidp.idp.faults import FAULT_KINDS, Fault, FaultError
from tests.expected import EXPECTED_USER_IDS


def client(idp: fakeidp.FakeIdP, pid: str, **kw: Any) -> fakeidp.OAuth2Client:
    return fakeidp.OAuth2Client(idp.connection(pid), idp.session(), **kw)


def login_error(idp: fakeidp.FakeIdP, pid: str) -> LoginError:
    with pytest.raises(LoginError) as caught:
        client(idp, pid).login()
    return caught.value


# (provider, endpoint, fault fields, what the LoginError holds): the README's table.
U, T = "uber", "twitch"
OBSERVED = [
    (U, "authorize", {"kind": "oauth_error", "error": "server_error"},
     {"kind": "authorize_error", "error": "server_error"}),
    (U, "authorize", {"kind": "oauth_error", "error": "access_denied"},
     {"kind": "cancelled", "error": "access_denied"}),
    (U, "authorize", {"kind": "status", "status": 500},
     {"kind": "authorize_failed", "status": 500}),
    (U, "authorize", {"kind": "missing_field", "field": "state"}, {"kind": "state_mismatch"}),
    (U, "authorize", {"kind": "missing_field", "field": "code"}, {"kind": "authorize_error"}),
    (U, "authorize", {"kind": "rate_limit"}, {"kind": "rate_limited", "retry_after": 60}),
    (U, "token", {"kind": "oauth_error", "error": "invalid_grant"},
     {"kind": "token_error", "status": 401, "error": "invalid_grant"}),
    (U, "token", {"kind": "status", "status": 503}, {"kind": "server_error", "status": 503}),
    (U, "token", {"kind": "status", "status": 400, "error": "invalid_request"},
     {"kind": "token_error", "status": 400, "error": "invalid_request"}),
    (U, "token", {"kind": "malformed"}, {"kind": "malformed_response", "status": 200}),
    (U, "token", {"kind": "truncated"}, {"kind": "malformed_response", "status": 200}),
    (U, "token", {"kind": "missing_field", "field": "access_token"},
     {"kind": "malformed_response", "status": 200}),
    (U, "token", {"kind": "rate_limit", "retry_after": 7},
     {"kind": "rate_limited", "status": 429, "retry_after": 7}),
    (U, "me", {"kind": "oauth_error", "error": "invalid_token"},
     {"kind": "profile_error", "status": 401}),
    (U, "me", {"kind": "status", "status": 502}, {"kind": "profile_error", "status": 502}),
    (U, "me", {"kind": "malformed"}, {"kind": "malformed_response", "status": 200}),
    (U, "me", {"kind": "truncated"}, {"kind": "malformed_response", "status": 200}),
    (U, "me", {"kind": "missing_field", "field": "rider_id"}, {"kind": "profile_error", "status": 200}),
    (U, "me", {"kind": "expired_token"}, {"kind": "profile_error", "status": 401}),
    (U, "me", {"kind": "revoked_token"}, {"kind": "profile_error", "status": 401}),
    (U, "me", {"kind": "rate_limit"}, {"kind": "rate_limited", "status": 429}),
    (T, "users", {"kind": "missing_field", "field": "data.0.id"}, {"kind": "profile_error"}),
    (T, "token", {"kind": "status", "status": 503}, {"kind": "server_error", "status": 503}),
]  # fmt: skip


@pytest.mark.parametrize(("pid", "endpoint", "options", "observed"), OBSERVED)
def test_every_fault_kind_is_observed_as_the_documented_failure(
    idp: fakeidp.FakeIdP,
    pid: str,
    endpoint: str,
    options: dict[str, Any],
    observed: dict[str, Any],
) -> None:
    injected = idp.fault(pid, endpoint, **options)
    caught = login_error(idp, pid)
    assert {name: getattr(caught, name) for name in observed} == observed, caught
    assert caught.kind in LOGIN_ERROR_KINDS
    # The exchange that answered carries the fault; nothing is blamed on the connector.
    [faulted] = [e for e in idp.exchanges(pid) if e.fault is not None]
    assert faulted.endpoint == endpoint
    assert faulted.fault == {"id": injected.id, **injected.fault.to_dict()}
    assert idp.errors() == []
    # One-shot: the next login goes through.
    assert client(idp, pid).login().user_id == EXPECTED_USER_IDS[pid]


def test_the_table_covers_every_kind() -> None:
    covered = {options["kind"] for _, _, options, _ in OBSERVED} | {"delay"}
    # The OpenID Connect and answer kinds have their own table: tests/idp/test_oidc_faults.py.
    assert covered | set(oidc_faults.KINDS) == set(FAULT_KINDS)


def test_missing_refresh_token_lets_the_login_succeed_without_one(idp: fakeidp.FakeIdP) -> None:
    idp.fault("uber", "token", kind="missing_field", field="refresh_token")
    result = client(idp, "uber").login()
    assert "refresh_token" not in result.token
    assert result.user_id == EXPECTED_USER_IDS["uber"]


def test_rate_limit_gives_retry_after_and_the_code_survives_for_the_retry(
    idp: fakeidp.FakeIdP,
) -> None:
    idp.fault("uber", "token", kind="rate_limit", retry_after=7)
    c = client(idp, "uber")
    auth = c.authorization_request()
    code = c.parse_callback(c.follow_authorization(auth), auth.state)
    with pytest.raises(LoginError) as caught:
        c.fetch_token(code, auth.code_verifier)
    assert (caught.value.kind, caught.value.retry_after) == ("rate_limited", 7.0)
    [limited] = idp.exchanges("uber", "token")
    assert limited.status == 429
    assert c.fetch_token(code, auth.code_verifier)["access_token"]


def test_status_fault_answers_in_the_providers_error_shape(idp: fakeidp.FakeIdP) -> None:
    idp.fault("twitch", "token", kind="status", status=503, description="Service Unavailable")
    with pytest.raises(LoginError) as caught:
        client(idp, "twitch").login()
    # Twitch's own token error shape ({"status", "message"}), not RFC 6749's.
    assert caught.value.body["message"] == "Service Unavailable"
    assert "error" not in caught.value.body
    assert caught.value.status == 503


def test_oauth_error_at_authorize_redirects_with_error_and_state(idp: fakeidp.FakeIdP) -> None:
    idp.fault("uber", "authorize", kind="oauth_error", error="temporarily_unavailable")
    c = client(idp, "uber")
    auth = c.authorization_request()
    callback = urllib.parse.urlsplit(c.follow_authorization(auth))
    query = dict(urllib.parse.parse_qsl(callback.query))
    assert query == {"error": "temporarily_unavailable", "state": auth.state}
    assert idp.store.codes == {}  # the code the normal answer had is gone


def test_delay_then_the_normal_answer(idp: fakeidp.FakeIdP) -> None:
    idp.fault("uber", "me", kind="delay", seconds=0.05)
    started = time.monotonic()
    assert client(idp, "uber").login().user_id == EXPECTED_USER_IDS["uber"]
    assert time.monotonic() - started >= 0.05
    [delayed] = [e for e in idp.exchanges("uber") if e.fault]
    assert (delayed.endpoint, delayed.status) == ("me", 200)


def test_delay_past_the_client_timeout_is_a_network_error(idp: fakeidp.FakeIdP) -> None:
    idp.fault("uber", "token", kind="delay", seconds=0.3)
    with idp.serve():
        c = fakeidp.OAuth2Client(idp.connection("uber"), requests.Session(), timeout=0.1)
        with pytest.raises(LoginError) as caught:
            c.login()
        time.sleep(0.3)  # let the delayed answer finish before the server stops
    assert caught.value.kind == "network_error"


def test_expired_token_stays_expired_and_a_refresh_recovers(idp: fakeidp.FakeIdP) -> None:
    c = client(idp, "uber")
    token = c.login().token
    idp.fault("uber", "me", kind="expired_token")
    for _ in range(2):  # the fault marks the token: it stays expired
        with pytest.raises(LoginError, match="401"):
            c.fetch_profile(token["access_token"])
    refreshed = c.refresh(token["refresh_token"])
    assert c.fetch_profile(refreshed["access_token"])[1] == EXPECTED_USER_IDS["uber"]


def test_revoked_token_takes_its_refresh_token_along(idp: fakeidp.FakeIdP) -> None:
    c = client(idp, "uber")
    token = c.login().token
    idp.fault("uber", "me", kind="revoked_token")
    with pytest.raises(LoginError, match="401"):
        c.fetch_profile(token["access_token"])
    with pytest.raises(LoginError) as caught:
        c.refresh(token["refresh_token"])
    assert (caught.value.kind, caught.value.error) == ("token_error", "invalid_grant")
    idp.acknowledge("oauth2.token.refresh_token")


# -- how often and where ---------------------------------------------------------


def test_times_and_persistent(idp: fakeidp.FakeIdP) -> None:
    idp.fault("uber", "token", kind="status", status=503, times=2)
    assert [login_error(idp, "uber").kind for _ in range(2)] == ["server_error"] * 2
    assert client(idp, "uber").login().user_id
    [used] = idp.faults()
    assert (used.remaining, used.applied) == (0, 2)

    idp.fault("uber", "token", kind="status", status=503, persistent=True)
    assert [login_error(idp, "uber").kind for _ in range(3)] == ["server_error"] * 3
    assert idp.faults()[-1].remaining is None
    assert idp.clear_faults("uber") == 2
    assert client(idp, "uber").login().user_id


def test_without_an_endpoint_the_fault_waits_for_one_where_it_applies(
    idp: fakeidp.FakeIdP,
) -> None:
    # A malformed body cannot apply to the authorize redirect; access_token is not
    # in it either: both wait for the token endpoint.
    idp.fault("uber", kind="malformed")
    assert login_error(idp, "uber").kind == "malformed_response"
    assert [e.endpoint for e in idp.exchanges("uber") if e.fault] == ["token"]
    idp.fault("uber", kind="missing_field", field="access_token")
    assert login_error(idp, "uber").kind == "malformed_response"
    assert [(e.endpoint, e.status) for e in idp.exchanges("uber") if e.fault][-1] == ("token", 200)


def test_a_fault_touches_only_its_provider_and_endpoint(idp: fakeidp.FakeIdP) -> None:
    idp.fault("uber", "me", kind="status", status=500, persistent=True)
    assert client(idp, "twitch").login().user_id == EXPECTED_USER_IDS["twitch"]
    c = client(idp, "uber")
    auth = c.authorization_request()
    token = c.fetch_token(c.parse_callback(c.follow_authorization(auth), auth.state), None)
    assert token["access_token"]  # authorize and token answered normally


def test_marker_kwargs_and_reset(idp: fakeidp.FakeIdP) -> None:
    marker = {
        "provider": "uber",
        "endpoint": "token",
        "kind": "oauth_error",
        "error": "invalid_grant",
    }
    injected = idp.fault(**marker)
    assert Fault.from_dict(injected.fault.to_dict()) == injected.fault
    assert idp.fault(Fault("uber", "rate_limit")).fault.retry_after == 60
    idp.reset()
    assert idp.faults() == []
    assert client(idp, "uber").login().user_id


def test_faults_apply_to_oauth1_endpoints(idp: fakeidp.FakeIdP) -> None:
    p = idp.provider("x")
    idp.fault("x", "request_token", kind="status", status=503)
    response = idp.app.test_client().post(p.fake_path(p.endpoint("request_token")))
    assert response.status_code == 503
    with pytest.raises(FaultError, match="kind: oauth_error does not apply at x authorize"):
        idp.fault("x", "authorize", kind="oauth_error", error="access_denied")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "explode"}, "kind: expected one of oauth_error, status"),
        ({"kind": "status"}, "status: is required for kind 'status'"),
        ({"kind": "status", "status": 200}, "status: expected an HTTP status from 400 to 599"),
        ({"kind": "delay", "seconds": 1, "status": 500}, "status: does not apply to kind 'delay'"),
        ({"kind": "delay", "seconds": -1}, "seconds: expected more than 0"),
        ({"kind": "malformed", "times": 0}, "times: expected an integer >= 1"),
        ({"kind": "malformed", "times": True}, "times: expected an integer >= 1, got True"),
        ({"kind": "malformed", "persistant": True}, "persistant: is not a fault field"),
        ({"kind": "malformed", "endpoint": "nope"}, "endpoint: uber has no endpoint 'nope'"),
        ({"kind": "expired_token", "endpoint": "token"}, "kind: expired_token does not apply"),
        ({"kind": "missing_field", "field": ""}, "field: expected a non-empty string"),
        ({"kind": "rate_limit", "retry_after": "soon"}, "retry_after: expected a whole number"),
    ],
)
def test_a_wrong_fault_names_its_field(
    idp: fakeidp.FakeIdP, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(FaultError, match=message.replace("(", r"\(")):
        idp.fault("uber", **options)
    assert idp.faults() == []


def test_revoke_has_no_body_to_alter(idp: fakeidp.FakeIdP) -> None:
    with pytest.raises(FaultError, match="kind: truncated does not apply at digitalocean revoke"):
        idp.fault("digitalocean", "revoke", kind="truncated")
    idp.fault("digitalocean", "revoke", kind="status", status=503)


def test_unknown_provider(idp: fakeidp.FakeIdP) -> None:
    with pytest.raises(FaultError, match="provider: unknown provider 'myspace'"):
        idp.fault("myspace", kind="malformed")


def test_one_fault_via_the_control_api(idp: fakeidp.FakeIdP) -> None:
    http = idp.app.test_client()
    posted = http.post(
        "/_fakeidp/faults",
        json={
            "provider": "uber",
            "endpoint": "token",
            "kind": "oauth_error",
            "error": "invalid_grant",
        },
    )
    assert posted.status_code == 201, posted.json
    assert login_error(idp, "uber").error == "invalid_grant"
    exchanges = http.get("/_fakeidp/exchanges?provider=uber&endpoint=token").json["exchanges"]
    assert exchanges[0]["fault"]["id"] == posted.json["id"]
    assert http.get("/_fakeidp/faults").json["faults"][0]["applied"] == 1


def test_retry_after_as_an_http_date() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 10) == 10
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("soon") is None
