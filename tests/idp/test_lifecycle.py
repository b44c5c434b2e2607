"""Retired APIs answer as the provider does today (strict), or serve the legacy answer
(lenient); both record a provider.retired error naming when, the source and what instead."""

from __future__ import annotations

import base64
import hashlib

import pytest

import fakeidp

from .flow import Flow


@pytest.fixture
def lenient() -> fakeidp.FakeIdP:
    return fakeidp.FakeIdP(strict=False)


DRIBBBLE_V1 = {
    "message": "This version of the API is deprecated. This application must use v2: "
    "http://developer.dribbble.com/v2/"
}


def test_dribbble_v1_strict_answers_as_dribbble_does_today(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "dribbble")
    token = flow.login_token()["access_token"]
    response = flow.client.get(flow.urls["user_v1"], headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json == DRIBBBLE_V1
    [finding] = idp.findings()
    assert (finding.rule, finding.severity) == ("provider.retired", "error")
    assert finding.actual == "https://api.dribbble.com/v1/user"
    assert finding.expected.startswith("GET https://api.dribbble.com/v2/user")
    assert "since 2018" in finding.message and "tylergaw/jribbble#18" in finding.source
    # The current URL is untouched.
    assert flow.profile(token).status_code == 200 and len(idp.findings()) == 1


def test_dribbble_v1_lenient_serves_the_legacy_answer_and_records_it(
    lenient: fakeidp.FakeIdP,
) -> None:
    flow = Flow(lenient, "dribbble")
    token = flow.login_token()["access_token"]
    response = flow.client.get(flow.urls["user_v1"], query_string={"access_token": token})
    assert response.status_code == 200 and response.json["username"] == "jrivera"
    [finding] = lenient.errors()
    assert finding.rule == "provider.retired"


def test_kraken_strict_is_gone_everywhere(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch-kraken")
    response = flow.authorize(scope="user_read")
    assert response.status_code == 410
    assert response.json == {
        "error": "Gone",
        "status": 410,
        "message": "this API has been removed.",
    }
    [finding] = idp.findings()
    assert finding.rule == "provider.retired" and finding.endpoint == "authorize"
    assert "2022-02-28" in finding.message and "Helix" in finding.message
    # The answer's body has no source from after the shutdown: the finding says so.
    assert "unverified" in finding.message
    token = flow.token({"code": "anything"})
    assert token.status_code == 410


def test_kraken_lenient_still_logs_in_with_an_error_per_request(
    lenient: fakeidp.FakeIdP,
) -> None:
    flow = Flow(lenient, "twitch-kraken")
    token = flow.login_token()["access_token"]
    assert flow.profile(token, scheme="OAuth").json["_id"] == "22761313"
    assert [f.endpoint for f in lenient.errors()] == ["authorize", "token", "user"]


def test_deprecated_is_a_warning_in_strict_mode_too(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    token = flow.login_token(scope="profile")["access_token"]
    response = flow.client.get(flow.urls["me_v1"], headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [(f.rule, f.severity) for f in idp.findings()] == [("provider.deprecated", "warning")]


def test_a_closed_provider_serves_existing_applications_without_findings(
    idp: fakeidp.FakeIdP,
) -> None:
    # XING closed to new applications (2017); what existing keys get is unverified: lenient.
    xing = idp.provider("xing")
    [fact] = xing.lifecycle
    assert (fact.status, fact.applies_to) == ("closed", "provider")
    result = fakeidp.OAuth1Client(idp.connection("xing"), idp.session()).login()
    assert result.user_id == "123456_abcdef" and idp.findings() == []


# -- RFC 7636 §4.1 code_verifier format ----------------------------------------------


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_short_verifier_is_a_warning_where_the_provider_is_unverified(
    idp: fakeidp.FakeIdP,
) -> None:
    flow = Flow(idp, "digitalocean")
    verifier = "short-verifier"
    code = flow.code(code_challenge=s256(verifier), code_challenge_method="S256")
    response = flow.token({"code": code, "code_verifier": verifier})
    assert response.status_code == 200
    [finding] = idp.findings()
    assert (finding.rule, finding.severity) == ("oauth2.token.code_verifier_format", "warning")
    assert finding.actual == "14 characters" and "RFC 7636 §4.1" in finding.source


def test_verifier_outside_the_unreserved_set_is_refused_by_the_spec_provider(
    idp: fakeidp.FakeIdP,
) -> None:
    flow = Flow(idp, "oidc")
    verifier = "v" * 42 + "/+"  # long enough, but '/' and '+' are not unreserved
    code = flow.code(scope="openid", code_challenge=s256(verifier), code_challenge_method="S256")
    response = flow.token({"code": code, "code_verifier": verifier})
    assert response.status_code == 400 and response.json["error"] == "invalid_grant"
    [finding] = idp.findings()
    assert (finding.rule, finding.severity) == ("oauth2.token.code_verifier_format", "error")
    assert "outside the unreserved set" in finding.message


def test_too_long_verifier_is_refused_by_the_spec_provider(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "oidc")
    verifier = "a" * 129
    code = flow.code(scope="openid", code_challenge=s256(verifier), code_challenge_method="S256")
    assert flow.token({"code": code, "code_verifier": verifier}).status_code == 400
    ok = "a" * 128
    code = flow.code(scope="openid", code_challenge=s256(ok), code_challenge_method="S256")
    assert flow.token({"code": code, "code_verifier": ok}).status_code == 200
