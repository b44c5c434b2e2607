"""Each OAuth 2.0 rule: a request that breaks it yields the finding and, in strict
mode, the provider's own error; lenient mode answers normally and records it."""

from __future__ import annotations

import base64
import hashlib

import pytest

import fakeidp
from tests.expected import legacy, retired_seen

from .flow import REDIRECT, Flow


@pytest.fixture
def lenient(idp: fakeidp.FakeIdP) -> fakeidp.FakeIdP:
    idp.strict = False
    return idp


def s256(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


# -- authorization endpoint -------------------------------------------------------


def test_unknown_client_is_an_error_page_never_a_redirect(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "digitalocean")
    response = flow.authorize(client_id="who-is-this")
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "Unknown client" in response.get_data(as_text=True)
    assert flow.rules() == ["oauth2.authorize.client_id"]


def test_redirect_uri_mismatch_is_an_error_page(idp: fakeidp.FakeIdP) -> None:
    idp.register_redirect_uri("digitalocean", REDIRECT)
    flow = Flow(idp, "digitalocean")
    response = flow.authorize(redirect_uri="https://evil.example/cb")
    assert response.status_code == 400 and "Location" not in response.headers
    assert flow.rules() == ["oauth2.authorize.redirect_uri"]
    # The registered one still works.
    assert "code" in flow.callback(flow.authorize())


def test_imgur_takes_the_registered_redirect_uri_when_none_is_sent(idp: fakeidp.FakeIdP) -> None:
    idp.register_redirect_uri("imgur", "https://app.example/imgur")
    flow = Flow(idp, "imgur")
    response = flow.authorize(redirect_uri=None)
    assert response.headers["Location"].startswith("https://app.example/imgur?code=")
    assert flow.rules() == []


def test_missing_redirect_uri_with_nothing_registered(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    response = flow.authorize(redirect_uri=None)
    assert response.status_code == 400
    assert flow.rules() == ["oauth2.authorize.redirect_uri"]


def test_state_comes_back_verbatim(idp: fakeidp.FakeIdP) -> None:
    state = "a b/c?d=e&f+g%h"
    callback = Flow.callback(Flow(idp, "uber").authorize(state=state))
    assert callback["state"] == state


def test_redirect_uri_query_is_kept(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "vimeo")
    callback = flow.callback(flow.authorize(redirect_uri=REDIRECT + "?tenant=7"))
    assert callback["tenant"] == "7" and "code" in callback


def test_response_type_must_be_code(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    callback = flow.callback(flow.authorize(response_type="token"))
    assert callback["error"] == "unsupported_response_type" and callback["state"] == "s-123"
    assert flow.rules() == ["oauth2.authorize.response_type"]


def test_missing_state_is_a_warning_where_optional(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    assert "code" in flow.callback(flow.authorize(state=None))
    [finding] = idp.findings()
    assert (finding.rule, finding.severity) == ("oauth2.authorize.state", "warning")


def test_missing_state_is_refused_where_required(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "x-oauth2")
    callback = flow.callback(
        flow.authorize(
            state=None,
            scope="users.read",
            code_challenge=s256("v" * 43),
            code_challenge_method="S256",
        )
    )
    assert callback["error"] == "invalid_request"
    assert idp.findings()[0].severity == "error"


@pytest.mark.parametrize("scope", ["read,write", "read+write", "read;write"])
def test_wrong_scope_separator_strict(idp: fakeidp.FakeIdP, scope: str) -> None:
    flow = Flow(idp, "digitalocean")
    callback = flow.callback(flow.authorize(scope=scope))
    assert callback["error"] == "invalid_scope"
    [finding] = idp.findings()
    assert finding.rule == "oauth2.authorize.scope_separator"
    assert (finding.expected, finding.actual) == ("read write", scope)


def test_wrong_scope_separator_lenient_grants_the_scopes(lenient: fakeidp.FakeIdP) -> None:
    flow = Flow(lenient, "digitalocean")
    token = flow.login_token(scope="read,write")
    assert token["scope"] == "read write"
    assert flow.rules() == ["oauth2.authorize.scope_separator"]


def test_space_separated_scopes_are_fine(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "digitalocean")
    assert flow.login_token(scope="read write")["scope"] == "read write"
    assert flow.rules() == []


def test_imgur_ignores_scope(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "imgur")
    token = flow.login_token(scope="read,write")
    assert token["scope"] is None
    assert flow.rules() == []


def test_required_param_missing(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "x-oauth2")
    callback = flow.callback(
        flow.authorize(code_challenge=s256("v" * 43), code_challenge_method="S256")
    )
    assert callback["error"] == "invalid_request"
    assert flow.rules() == ["oauth2.authorize.required_param"]


def test_pkce_required(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "x-oauth2")
    callback = flow.callback(flow.authorize(scope="users.read"))
    assert callback["error"] == "invalid_request"
    assert flow.rules() == ["oauth2.authorize.pkce_required"]


def test_pkce_unsupported_method(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "digitalocean")
    callback = flow.callback(flow.authorize(code_challenge="x" * 43, code_challenge_method="plain"))
    assert callback["error"] == "invalid_request"
    assert flow.rules() == ["oauth2.authorize.pkce_method"]


def test_pkce_plain_is_a_warning_where_accepted(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "x-oauth2")
    verifier = "p" * 43
    code = flow.code(scope="users.read", code_challenge=verifier, code_challenge_method="plain")
    response = flow.token({"code": code, "code_verifier": verifier}, auth="basic")
    assert response.status_code == 200
    assert flow.rules() == ["oauth2.authorize.pkce_plain"]


def test_pkce_ignored_where_unsupported(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch")
    code = flow.code(code_challenge=s256("v" * 43), code_challenge_method="S256")
    # Twitch ignores PKCE: no verifier needed, and a warning says the challenge did nothing.
    assert flow.token({"code": code}).status_code == 200
    assert flow.rules() == ["oauth2.authorize.pkce_unsupported"]


def test_pkce_verifier_checked(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "digitalocean")
    verifier = "right-verifier-" + "v" * 40
    code = flow.code(code_challenge=s256(verifier), code_challenge_method="S256")
    response = flow.token({"code": code, "code_verifier": "wrong-verifier-" + "w" * 40})
    assert response.status_code == 400 and response.json["error"] == "invalid_grant"
    assert flow.rules() == ["oauth2.token.code_verifier"]
    code = flow.code(code_challenge=s256(verifier), code_challenge_method="S256")
    assert flow.token({"code": code, "code_verifier": verifier}).status_code == 200


def test_public_client_with_pkce_needs_no_secret(idp: fakeidp.FakeIdP) -> None:
    # A client registered without a secret (RFC 6749 §2.1 public client).
    idp.register_client("x-oauth2", "public-app")
    flow = Flow(idp, "x-oauth2")
    verifier = "v" * 50
    code = flow.code(
        client_id="public-app",
        scope="users.read",
        code_challenge=s256(verifier),
        code_challenge_method="S256",
    )
    response = flow.token(
        {"code": code, "code_verifier": verifier, "client_id": "public-app"}, auth="none"
    )
    assert response.status_code == 200, response.json


def test_unknown_params_are_warnings_and_provider_params_are_not(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "wordpress")
    flow.code(blog="myblog.wordpress.com", access_type="offline")
    [finding] = idp.findings()
    assert (finding.rule, finding.severity, finding.actual) == (
        "oauth2.authorize.unknown_param",
        "warning",
        "access_type",
    )


def test_static_param_expectation(idp: fakeidp.FakeIdP) -> None:
    idp.expect("wordpress", authorize_params={"blog": "myblog.wordpress.com"})
    flow = Flow(idp, "wordpress")
    flow.code()
    assert flow.rules() == ["connection.authorize.static_param"]
    token = flow.login_token(blog="myblog.wordpress.com")
    assert token["blog_url"] == "myblog.wordpress.com"
    assert isinstance(token["blog_id"], str)
    assert flow.rules() == ["connection.authorize.static_param"]  # no new finding


def test_dynamic_param_expectation(idp: fakeidp.FakeIdP) -> None:
    idp.expect("twitch", dynamic_params={"force_verify": "true"})
    flow = Flow(idp, "twitch")
    flow.code(force_verify="false")
    [finding] = idp.findings()
    assert finding.rule == "connection.authorize.dynamic_param"
    assert (finding.expected, finding.actual) == (
        {"force_verify": "true"},
        {"force_verify": "false"},
    )


def test_denied_login_returns_access_denied_with_state(idp: fakeidp.FakeIdP) -> None:
    idp.deny_next("uber")
    flow = Flow(idp, "uber")
    callback = flow.callback(flow.authorize(state="keep-me"))
    assert callback == {
        "error": "access_denied",
        "error_description": "The user denied the request",
        "state": "keep-me",
    }
    assert "code" in flow.callback(flow.authorize())  # only the next one


# -- token endpoint -------------------------------------------------------------


def test_token_by_get_is_refused(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    response = flow.token({"code": flow.code()}, method="GET")
    assert response.status_code == 405
    assert flow.rules() == ["oauth2.token.method"]


def test_json_body_where_only_forms_are_read(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    creds = flow.creds
    response = flow.client.post(
        flow.urls["token"],
        json={
            "grant_type": "authorization_code",
            "code": flow.code(),
            "redirect_uri": REDIRECT,
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        },
    )
    assert response.status_code == 400 and response.json == {"error": "invalid_request"}
    assert flow.rules() == ["oauth2.token.content_type"]


def test_json_body_where_the_provider_reads_it(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "vimeo")
    response = flow.client.post(
        flow.urls["token"],
        json={"grant_type": "authorization_code", "code": flow.code(), "redirect_uri": REDIRECT},
        headers={**flow.basic(), "Accept": "application/vnd.vimeo.*+json;version=3.4"},
    )
    assert response.status_code == 200, response.json
    assert response.json["user"]["uri"] == "/users/12345"


def test_multipart_body_at_uber(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    response = flow.token({"code": flow.code()}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert flow.rules() == []


def test_grant_type_missing(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "digitalocean")
    response = flow.token({"code": flow.code(), "grant_type": None})
    assert response.status_code == 400 and response.json["error"] == "invalid_request"
    assert flow.rules() == ["oauth2.token.grant_type"]


def test_dribbble_reads_a_missing_grant_type_as_authorization_code(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "dribbble")
    response = flow.token({"code": flow.code(), "grant_type": None})
    assert response.status_code == 200 and flow.rules() == []


def test_unsupported_grant_type(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "digitalocean")
    response = flow.token({"grant_type": "client_credentials"})
    assert response.json["error"] == "unsupported_grant_type"


def test_client_credentials_where_the_provider_has_it(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    response = flow.token({"grant_type": "client_credentials", "scope": "profile"})
    assert response.status_code == 200
    token = response.json
    assert token["token_type"] == "Bearer" and "refresh_token" not in token
    # A client token has no user behind it: the profile API refuses it.
    assert flow.profile(token["access_token"]).status_code == 401


def test_wrong_client_secret(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "digitalocean")
    response = flow.token(
        {"code": flow.code(), "client_secret": "nope"},
        auth="none",
    )
    assert response.status_code == 401 and response.json["error"] == "invalid_client"
    assert flow.rules() == ["oauth2.token.client_auth"]


def test_missing_client_secret_in_twitch_shape(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch")
    response = flow.token({"code": flow.code(), "client_id": flow.creds.client_id}, auth="none")
    assert response.status_code >= 400
    assert set(response.json) == {"status", "message"}  # Twitch's own shape, not RFC 6749
    assert flow.rules() == ["oauth2.token.client_auth"]
    assert idp.findings()[0].message == "missing client secret"


def test_basic_auth_where_unsupported_strict(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch")
    response = flow.token({"code": flow.code()}, auth="basic")
    assert response.status_code == 401 and set(response.json) == {"status", "message"}
    assert flow.rules() == ["oauth2.token.client_auth_placement"]


def test_basic_auth_where_unsupported_lenient(lenient: fakeidp.FakeIdP) -> None:
    flow = Flow(lenient, "twitch")
    response = flow.token({"code": flow.code()}, auth="basic")
    assert response.status_code == 200
    assert flow.rules() == ["oauth2.token.client_auth_placement"]


def test_credentials_in_query_are_a_warning_at_digitalocean(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "digitalocean")
    response = flow.token({"code": flow.code()}, auth="query")
    assert response.status_code == 200
    assert [(f.rule, f.severity) for f in idp.findings()] == [
        ("oauth2.token.client_auth_in_query", "warning")
    ]


def test_two_methods_at_once_is_a_warning(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    response = flow.token({"code": flow.code()}, auth="body", headers=flow.basic())
    assert response.status_code == 200
    assert ("oauth2.token.client_auth_multiple", "warning") in [
        (f.rule, f.severity) for f in idp.findings()
    ]


def test_unknown_code(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "imgur")
    response = flow.token({"code": "made-up"})
    assert response.status_code == 400
    assert response.json["success"] is False and response.json["data"]["error"]  # Imgur's shape
    assert flow.rules() == ["oauth2.token.code"]


def test_expired_code(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    code = flow.code()
    idp.advance_clock(601)
    response = flow.token({"code": code})
    assert response.json["error"] == "invalid_grant"
    assert flow.rules() == ["oauth2.token.code"]


def test_replayed_code_is_refused_and_revokes_its_tokens(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    code = flow.code(scope="profile offline_access")
    first = flow.token({"code": code}).json
    assert flow.profile(first["access_token"]).status_code == 200
    replay = flow.token({"code": code})
    assert replay.status_code == 401 and replay.json["error"] == "invalid_grant"
    assert flow.rules() == ["oauth2.token.code_replay"]
    assert flow.profile(first["access_token"]).status_code == 401
    refresh = flow.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert refresh.json["error"] == "invalid_grant"


def test_redirect_uri_must_match_at_the_token_endpoint(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "uber")
    response = flow.token({"code": flow.code(), "redirect_uri": REDIRECT + "/other"})
    assert response.json["error"] == "invalid_grant"
    assert flow.rules() == ["oauth2.token.redirect_uri"]


def test_invalid_refresh_token(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "imgur")
    response = flow.token({"grant_type": "refresh_token", "refresh_token": "nope"})
    assert response.status_code == 400
    assert flow.rules() == ["oauth2.token.refresh_token"]


def test_vimeo_documents_the_versioned_accept_header(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "vimeo")
    response = flow.token({"code": flow.code()}, auth="basic")
    assert response.status_code == 200
    [finding] = idp.findings()
    assert (finding.rule, finding.severity) == ("oauth2.token.expected_header", "warning")


def test_custom_token_header_expectation(idp: fakeidp.FakeIdP) -> None:
    idp.expect("uber", token_headers={"X-Tenant": "acme"})
    flow = Flow(idp, "uber")
    flow.token({"code": flow.code()})
    assert flow.rules() == ["connection.token.custom_header"]
    flow.token({"code": flow.code()}, headers={"X-Tenant": "acme"})
    assert flow.rules() == ["connection.token.custom_header"]


@pytest.mark.parametrize(
    ("pid", "check"),
    [
        ("twitch", lambda t: isinstance(t["scope"], list) and t["token_type"] == "bearer"),
        ("twitch-kraken", lambda t: "token_type" not in t and isinstance(t["scope"], list)),
        ("imgur", lambda t: t["scope"] is None and t["account_id"] == 384077),
        (
            "uber",
            lambda t: t["token_type"] == "Bearer" and isinstance(t["last_authenticated"], int),
        ),
        ("dribbble", lambda t: "expires_in" not in t and "refresh_token" not in t),
        ("digitalocean", lambda t: t["expires_in"] == 2592000 and t["info"]["uuid"]),
        (
            "wordpress",
            lambda t: t["blog_id"] == "98765432" and t["blog_url"].startswith("https://"),
        ),
    ],
)
def test_token_response_shapes(idp: fakeidp.FakeIdP, pid: str, check: object) -> None:
    legacy(idp, pid)
    flow = Flow(idp, pid)
    token = flow.login_token()
    assert check(token), token  # type: ignore[operator]


def test_x_issues_a_refresh_token_only_with_offline_access(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "x-oauth2")
    for scope, has_refresh in (("users.read", False), ("users.read offline.access", True)):
        verifier = "v" * 50
        code = flow.code(scope=scope, code_challenge=s256(verifier), code_challenge_method="S256")
        token = flow.token({"code": code, "code_verifier": verifier}, auth="basic").json
        assert ("refresh_token" in token) is has_refresh


# -- profile API ------------------------------------------------------------------


def test_profile_auth_scheme_strict(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch")
    token = flow.login_token()["access_token"]
    response = flow.profile(token, scheme="OAuth")
    # Helix reads only a Bearer token: to it, the token is missing (node-twitch-webhook#18).
    assert response.status_code == 401 and response.json["message"] == "OAuth token is missing"
    assert flow.rules() == ["api.profile.auth_scheme"]


def test_profile_auth_scheme_lenient(lenient: fakeidp.FakeIdP) -> None:
    flow = Flow(lenient, "twitch")
    token = flow.login_token()["access_token"]
    assert flow.profile(token, scheme="OAuth").status_code == 200
    # Served, as is the email Twitch would leave out without user:read:email (a warning).
    assert flow.rules() == ["api.profile.auth_scheme", "api.scope.field"]


def test_kraken_takes_oauth_and_query_token(idp: fakeidp.FakeIdP) -> None:
    legacy(idp, "twitch-kraken")
    flow = Flow(idp, "twitch-kraken")
    token = flow.login_token()["access_token"]
    assert flow.profile(token, scheme="OAuth").json["_id"] == "22761313"
    assert flow.profile(None, query_string={"oauth_token": token}).status_code == 200
    assert set(flow.rules()) == {"provider.retired"}


def test_query_access_token_where_not_accepted(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "digitalocean")
    token = flow.login_token()["access_token"]
    response = flow.profile(None, query_string={"access_token": token})
    assert response.status_code == 401 and response.json == {
        "id": "unauthorized",
        "message": "Unable to authenticate you",
    }
    assert flow.rules() == ["api.profile.auth_scheme"]


def test_bearer_scheme_is_case_insensitive(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "wordpress")
    token = flow.login_token()["access_token"]
    assert flow.profile(token, scheme="bearer").status_code == 200
    assert flow.profile(token, scheme="BEARER").status_code == 200
    assert flow.rules() == []


def test_expired_access_token(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "x-oauth2")
    verifier = "v" * 50
    code = flow.code(
        scope="users.read", code_challenge=s256(verifier), code_challenge_method="S256"
    )
    token = flow.token({"code": code, "code_verifier": verifier}, auth="basic").json["access_token"]
    idp.advance_clock(7201)
    response = flow.profile(token)
    assert response.status_code == 401 and response.json["title"] == "Unauthorized"
    assert flow.rules()[-1] == "api.profile.token"


def test_helix_requires_the_matching_client_id_header(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch")
    token = flow.login_token()["access_token"]
    response = flow.profile(token, headers={"Client-Id": "someone-else"})
    assert response.status_code == 401
    [finding] = idp.findings()
    assert finding.rule == "api.profile.header"
    assert finding.expected == {"Client-Id": flow.creds.client_id}


def test_kraken_accept_header_is_a_warning(idp: fakeidp.FakeIdP) -> None:
    legacy(idp, "twitch-kraken")
    flow = Flow(idp, "twitch-kraken")
    token = flow.login_token()["access_token"]
    response = flow.profile(token, scheme="OAuth", headers={"Accept": "application/json"})
    assert response.status_code == 200
    retired_seen(idp, "twitch-kraken")
    assert [(f.rule, f.severity) for f in idp.findings() if not f.acknowledged] == [
        ("api.profile.expected_header", "warning")
    ]


def test_set_user_changes_the_profile(idp: fakeidp.FakeIdP) -> None:
    idp.set_user("digitalocean", "alice", uuid="alice-uuid", email="alice@example.org")
    flow = Flow(idp, "digitalocean")
    token = flow.login_token()
    assert token["info"]["email"] == "alice@example.org"
    account = flow.profile(token["access_token"]).json["account"]
    assert account["uuid"] == "alice-uuid" and account["droplet_limit"] == 25


# -- evidence ------------------------------------------------------------------------


def test_findings_carry_redacted_evidence(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch")
    code = flow.code()
    flow.token({"code": code}, auth="basic")
    [finding] = idp.findings()
    text = repr(finding.to_dict())
    secret = flow.creds.client_secret
    assert secret and secret not in text and code not in text
    assert finding.evidence["headers"]["Authorization"] == "Basic [redacted]"
    assert finding.evidence["form"]["code"] == "[redacted]"
    assert finding.evidence["method"] == "POST"
    exchange = idp.exchanges("twitch", "token")[0]
    assert exchange.findings and exchange.status == 401
