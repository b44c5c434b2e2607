"""X OAuth 2.0 as X answers today (PROVIDERS-AUDIT §11b; issue 9 ranked items 1, 3, 4, 8).

Every request here is one X documents or one that real connectors send; the
answer asserted is X's (status and body) as the fixture's sources record it.
"""

from __future__ import annotations

import base64
import hashlib
import urllib.parse

import fakeidp

from .flow import REDIRECT, Flow

X = "x-oauth2"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 Appendix B
MISSING_BASIC = {
    "error": "unauthorized_client",
    "error_description": "Missing valid authorization header",
}


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def x_code(flow: Flow, client_id: str | None = None, method: str = "S256") -> str:
    return flow.code(
        client_id=client_id or flow.creds.client_id,
        scope="tweet.read users.read offline.access",
        code_challenge=s256(VERIFIER),
        code_challenge_method=method,
    )


def test_confidential_client_with_basic_gets_tokens(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, X)
    response = flow.token({"code": x_code(flow), "code_verifier": VERIFIER}, auth="basic")
    assert response.status_code == 200, response.json
    assert response.json["token_type"] == "bearer" and "refresh_token" in response.json
    assert idp.findings() == []


def test_secret_in_the_body_is_refused_as_x_refuses_it(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, X)
    response = flow.token({"code": x_code(flow), "code_verifier": VERIFIER}, auth="body")
    assert response.status_code == 401
    assert response.json == MISSING_BASIC
    [finding] = idp.findings()
    assert finding.rule == "oauth2.token.client_auth_placement"
    # The rule cites X's documentation and the issue threads behind the answer.
    assert "docs.x.com user-access-token" in finding.source
    assert "laravel/socialite#576" in finding.source


def test_confidential_client_may_not_drop_its_secret_for_pkce(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, X)
    response = flow.token(
        {"code": x_code(flow), "code_verifier": VERIFIER, "client_id": flow.creds.client_id},
        auth="none",
    )
    assert response.status_code == 401 and response.json == MISSING_BASIC
    [finding] = idp.findings()
    assert finding.rule == "oauth2.token.pkce_without_secret"
    assert finding.severity == "error" and "RFC 6749 §4.1.3" in finding.source


def test_dropping_the_secret_for_pkce_is_a_warning_where_unverified(
    idp: fakeidp.FakeIdP,
) -> None:
    # DigitalOcean does not say what it does: the fake is lenient and says so.
    flow = Flow(idp, "digitalocean")
    code = flow.code(code_challenge=s256(VERIFIER), code_challenge_method="S256")
    response = flow.token(
        {"code": code, "code_verifier": VERIFIER, "client_id": flow.creds.client_id}, auth="none"
    )
    assert response.status_code == 200, response.json
    assert [(f.rule, f.severity) for f in idp.findings()] == [
        ("oauth2.token.pkce_without_secret", "warning")
    ]


def test_lenient_mode_serves_the_body_secret_and_records_it() -> None:
    idp = fakeidp.FakeIdP(strict=False)
    flow = Flow(idp, X)
    response = flow.token({"code": x_code(flow), "code_verifier": VERIFIER}, auth="body")
    assert response.status_code == 200
    assert [f.rule for f in idp.findings()] == ["oauth2.token.client_auth_placement"]


def test_lower_case_s256_is_accepted_with_a_warning(idp: fakeidp.FakeIdP) -> None:
    # X's SDK (OAuth2User.ts) and psa send "s256"; X accepts it.
    flow = Flow(idp, X)
    code = x_code(flow, method="s256")
    response = flow.token({"code": code, "code_verifier": VERIFIER}, auth="basic")
    assert response.status_code == 200, response.json
    [finding] = idp.findings()
    assert (finding.rule, finding.severity) == ("oauth2.authorize.pkce_method_case", "warning")
    # The verifier was checked with S256: a wrong one is still refused.
    code = x_code(flow, method="s256")
    wrong = flow.token({"code": code, "code_verifier": "x" * 43}, auth="basic")
    assert wrong.status_code == 400 and wrong.json["error"] == "invalid_grant"


def test_the_generic_oidc_provider_keeps_rfc_7636_case(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "oidc")
    response = flow.authorize(
        scope="openid", code_challenge=s256(VERIFIER), code_challenge_method="s256"
    )
    assert Flow.callback(response)["error"] == "invalid_request"
    [finding] = idp.findings()
    assert (finding.rule, finding.severity) == ("oauth2.authorize.pkce_method_case", "error")


def test_public_client_refreshes_with_client_id_alone(idp: fakeidp.FakeIdP) -> None:
    # docs.x.com: refresh_token, grant_type=refresh_token, client_id; no secret.
    idp.register_client(X, "public-app")
    flow = Flow(idp, X)
    code = x_code(flow, client_id="public-app")
    tokens = flow.token(
        {"code": code, "code_verifier": VERIFIER, "client_id": "public-app"}, auth="none"
    ).json
    response = flow.token(
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "public-app",
            "redirect_uri": None,
        },
        auth="none",
    )
    assert response.status_code == 200, response.json
    assert response.json["access_token"] != tokens["access_token"]
    assert idp.findings() == []


def test_confidential_client_refresh_without_basic_gets_x_answer(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, X)
    tokens = flow.token({"code": x_code(flow), "code_verifier": VERIFIER}, auth="basic").json
    response = flow.token(
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": flow.creds.client_id,
            "redirect_uri": None,
        },
        auth="none",
    )
    assert response.status_code == 401 and response.json == MISSING_BASIC


def test_token_params_in_the_query_as_x_sdk_sends_them(idp: fakeidp.FakeIdP) -> None:
    # twitter-api-typescript-sdk request.ts: url.search = buildQueryString(params), no body.
    flow = Flow(idp, X)
    query = {
        "code": x_code(flow),
        "grant_type": "authorization_code",
        "code_verifier": VERIFIER,
        "client_id": flow.creds.client_id,
        "redirect_uri": REDIRECT,
    }
    response = flow.client.post(
        flow.urls["token"],
        query_string=query,
        headers={**flow.basic(), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.json


def test_revoke_as_x_sdk_does(idp: fakeidp.FakeIdP) -> None:
    # revokeAccessToken: POST /2/oauth2/revoke, token + token_type_hint + client_id, Basic.
    flow = Flow(idp, X)
    tokens = flow.token({"code": x_code(flow), "code_verifier": VERIFIER}, auth="basic").json
    params = {
        "token_type_hint": "access_token",
        "token": tokens["access_token"],
        "client_id": flow.creds.client_id,
    }
    response = flow.client.post(flow.urls["revoke"], query_string=params, headers=flow.basic())
    assert response.status_code == 200 and response.json == {"revoked": True}
    assert flow.profile(tokens["access_token"]).status_code == 401


def test_public_client_revokes_with_client_id(idp: fakeidp.FakeIdP) -> None:
    idp.register_client(X, "public-app")
    flow = Flow(idp, X)
    code = x_code(flow, client_id="public-app")
    tokens = flow.token(
        {"code": code, "code_verifier": VERIFIER, "client_id": "public-app"}, auth="none"
    ).json
    response = flow.client.post(
        flow.urls["revoke"],
        data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        query_string={"client_id": "public-app"},
    )
    assert response.status_code == 200 and response.json == {"revoked": True}
    refresh = flow.token(
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "public-app",
            "redirect_uri": None,
        },
        auth="none",
    )
    assert refresh.status_code == 400 and refresh.json["error"] == "invalid_grant"


def test_x_com_hosts_are_intercepted() -> None:
    with fakeidp.intercept([X]) as idp:
        connection = idp.connection(X, real_urls=True).replace(
            authorize_url="https://x.com/i/oauth2/authorize",
            token_url="https://api.x.com/2/oauth2/token",
            profile_url="https://api.x.com/2/users/me",
        )
        result = fakeidp.OAuth2Client(connection).login()
        assert result.user_id == idp.user(X).profile["id"]
        assert idp.errors() == []
        urls = {urllib.parse.urlsplit(e.url).path for e in idp.exchanges(X)}
        assert "/x-oauth2/twitter/i/oauth2/authorize" in urls
