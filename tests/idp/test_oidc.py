"""OpenID Connect: authlib's OIDC client logs in from the discovery document alone.

For the generic ``oidc`` provider and Twitch, over the live server: discovery,
JWKS, an RS256 ID token validated the way authlib's own integrations validate
it (joserfc + ``CodeIDToken``, nonce checked), and UserInfo. Then the spec's
edges: a wrong nonce, no openid scope, the claims parameter, prompt=none.
"""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

import fakeidp
from fakeidp.providers import FixtureError, fixtures_dir, load_provider

from .flow import Flow

CALLBACK = "http://127.0.0.1:9/callback"  # never reached: the test reads the redirect
DISCOVERY = {
    "oidc": "/oidc/op/.well-known/openid-configuration",
    "twitch": "/twitch/id/oauth2/.well-known/openid-configuration",
}
# What each provider's docs tell a connector to ask for.
LOGIN = {
    "oidc": {"scope": "openid profile email"},
    "twitch": {
        "scope": "openid user:read:email",
        "claims": json.dumps({"id_token": {"email": None, "preferred_username": None}}),
    },
}
SUBJECTS = {"oidc": "248289761001", "twitch": "739003271"}


@pytest.fixture(scope="module")
def live() -> Iterator[fakeidp.FakeIdP]:
    idp = fakeidp.FakeIdP(["oidc", "twitch"])
    with idp.serve():
        yield idp


@pytest.fixture
def lidp(live: fakeidp.FakeIdP, monkeypatch: pytest.MonkeyPatch) -> fakeidp.FakeIdP:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # http:// on loopback
    live.reset()
    return live


def follow(url: str) -> str:
    """The user agent: the authorize URL answers with a redirect back to the app."""
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def authlib_login(idp: fakeidp.FakeIdP, pid: str, nonce: str, **params: str) -> dict[str, Any]:
    """What an authlib-based connector does, configured with the discovery URL only."""
    from authlib.integrations.requests_client import OAuth2Session

    meta = requests.get(idp.base_url + DISCOVERY[pid], timeout=5).json()
    creds = idp.credentials(pid)
    session = OAuth2Session(
        creds.client_id,
        creds.client_secret,
        redirect_uri=CALLBACK,
        token_endpoint_auth_method=meta["token_endpoint_auth_methods_supported"][0],
    )
    url, _state = session.create_authorization_url(
        meta["authorization_endpoint"], nonce=nonce, **params
    )
    token = session.fetch_token(meta["token_endpoint"], authorization_response=follow(url))
    return {"meta": meta, "session": session, "token": token}


def validate_id_token(
    meta: dict[str, Any], token: dict[str, Any], nonce: str, client_id: str
) -> Any:
    """authlib's OpenIDMixin.parse_id_token, step by step: JWKS from discovery, then claims."""
    from authlib.oidc.core import CodeIDToken
    from joserfc import jwt as jose_jwt
    from joserfc.jwk import KeySet
    from joserfc.jws import JWSRegistry

    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=5).json())
    decoded = jose_jwt.decode(
        token["id_token"],
        key=keys,
        registry=JWSRegistry(algorithms=meta["id_token_signing_alg_values_supported"]),
    )
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {"iss": {"values": [meta["issuer"]]}},
        {"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
    )
    claims.validate(leeway=120)
    return claims


@pytest.mark.parametrize("pid", ["oidc", "twitch"])
def test_authlib_logs_in_from_discovery_alone(lidp: fakeidp.FakeIdP, pid: str) -> None:
    result = authlib_login(lidp, pid, "n-0S6_WzA2Mj", **LOGIN[pid])
    meta, token = result["meta"], result["token"]
    # Every URL a client learns from discovery leads back to this fake IdP.
    for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        assert meta[key].startswith(lidp.base_url + f"/{pid}/"), (key, meta[key])
    claims = validate_id_token(meta, token, "n-0S6_WzA2Mj", lidp.credentials(pid).client_id)
    assert claims["sub"] == SUBJECTS[pid]
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["aud"] == lidp.credentials(pid).client_id
    assert isinstance(claims["auth_time"], int)
    userinfo = result["session"].get(meta["userinfo_endpoint"]).json()
    assert userinfo["sub"] == claims["sub"]
    if pid == "twitch":
        # Asked for with the claims parameter, and user:read:email was granted.
        assert claims["email"] == "fakeidptest@twitch.example"
        assert claims["preferred_username"] == "FakeIdPTest"
    else:
        # OIDC Core §5.4: with the code flow, scope claims come from UserInfo only.
        assert "email" not in claims
        assert userinfo["email"] == "janedoe@example.com"
        assert userinfo["name"] == "Jane Doe"
    assert lidp.errors() == [], [str(f) for f in lidp.errors()]


@pytest.mark.parametrize("pid", ["oidc", "twitch"])
def test_authlib_flask_client_with_server_metadata_url(lidp: fakeidp.FakeIdP, pid: str) -> None:
    """authlib's own OpenID client (the Flask integration): discovery URL, nothing else."""
    from authlib.integrations.flask_client import OAuth
    from flask import Flask, jsonify

    app = Flask("relying_party")
    app.secret_key = "test"
    oauth = OAuth(app)
    creds = lidp.credentials(pid)
    oauth.register(
        pid,
        client_id=creds.client_id,
        client_secret=creds.client_secret,
        server_metadata_url=lidp.base_url + DISCOVERY[pid],
        client_kwargs={"scope": LOGIN[pid]["scope"]},
        authorize_params={k: v for k, v in LOGIN[pid].items() if k != "scope"},
    )
    client = oauth.create_client(pid)
    # Which auth method the client uses at the token endpoint comes from discovery too.
    meta = client.load_server_metadata()
    client.client_kwargs["token_endpoint_auth_method"] = meta[
        "token_endpoint_auth_methods_supported"
    ][0]

    @app.get("/login")
    def login() -> Any:
        return client.authorize_redirect(CALLBACK)

    @app.get("/callback")
    def callback() -> Any:
        token = client.authorize_access_token()  # checks state, nonce and the ID token
        return jsonify(token["userinfo"])

    browser = app.test_client()
    authorize = browser.get("/login").headers["Location"]
    back = urllib.parse.urlsplit(follow(authorize))
    user = browser.get("/callback?" + back.query).get_json()
    assert user["sub"] == SUBJECTS[pid]
    assert user["iss"] == meta["issuer"]
    assert lidp.errors() == [], [str(f) for f in lidp.errors()]


def test_a_wrong_nonce_fails_validation(lidp: fakeidp.FakeIdP) -> None:
    from joserfc.errors import InvalidClaimError

    result = authlib_login(lidp, "oidc", "the-nonce-sent", scope="openid")
    client_id = lidp.credentials("oidc").client_id
    with pytest.raises(InvalidClaimError):
        validate_id_token(result["meta"], result["token"], "another-nonce", client_id)


def test_no_nonce_sent_means_no_nonce_claim(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "oidc")
    token = flow.login_token(scope="openid")
    claims = jwt.decode(token["id_token"], options={"verify_signature": False})
    assert "nonce" not in claims


def test_without_openid_scope_it_is_plain_oauth(idp: fakeidp.FakeIdP) -> None:
    """OIDC Core §3.1.2.1: no openid scope, no ID token; UserInfo refuses the token."""
    flow = Flow(idp, "oidc")
    token = flow.login_token(scope="profile email", nonce="n")
    assert "id_token" not in token
    answer = flow.client.get(
        flow.urls["userinfo"], headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert answer.status_code == 403
    assert answer.json["error"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in answer.headers["WWW-Authenticate"]
    assert flow.rules() == ["oidc.userinfo.scope"]


def test_lenient_userinfo_answers_without_openid_but_records_it(idp: fakeidp.FakeIdP) -> None:
    idp.strict = False
    flow = Flow(idp, "oidc")
    token = flow.login_token(scope="email")
    answer = flow.client.get(
        flow.urls["userinfo"], headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert answer.status_code == 200
    assert answer.json["email"] == "janedoe@example.com"
    assert flow.rules() == ["oidc.userinfo.scope"]


def test_userinfo_without_a_valid_token_is_401(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "oidc")
    assert flow.client.get(flow.urls["userinfo"]).status_code == 401
    bad = flow.client.get(flow.urls["userinfo"], headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"].startswith("Bearer")
    assert flow.rules() == ["api.profile.auth_scheme", "api.profile.token"]


def test_userinfo_accepts_the_token_in_a_form_body(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "oidc")
    token = flow.login_token(scope="openid")
    answer = flow.client.post(flow.urls["userinfo"], data={"access_token": token["access_token"]})
    assert answer.json == {"sub": "248289761001"}  # RFC 6750 §2.2; no scope claims asked for
    assert idp.findings() == []


def test_twitch_releases_email_only_with_its_scope(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch")
    claims_param = json.dumps({"id_token": {"email": None}, "userinfo": {"email": None}})
    token = flow.login_token(scope="openid", claims=claims_param)
    claims = jwt.decode(token["id_token"], options={"verify_signature": False})
    assert "email" not in claims
    with_scope = flow.login_token(scope="openid user:read:email", claims=claims_param)
    claims = jwt.decode(with_scope["id_token"], options={"verify_signature": False})
    assert claims["email"] == "fakeidptest@twitch.example"
    info = flow.client.get(
        flow.urls["userinfo"], headers={"Authorization": f"Bearer {with_scope['access_token']}"}
    )
    assert info.json == {"sub": "739003271", "email": "fakeidptest@twitch.example"}


def test_twitch_discovery_is_faithful(idp: fakeidp.FakeIdP) -> None:
    doc = idp.app.test_client().get(DISCOVERY["twitch"]).json
    base = "http://localhost/twitch/id/oauth2"
    assert doc["issuer"] == base
    assert doc["jwks_uri"] == base + "/keys"
    assert doc["userinfo_endpoint"] == base + "/userinfo"
    assert doc["token_endpoint_auth_methods_supported"] == ["client_secret_post"]
    assert doc["claims_parameter_supported"] is True
    assert "code_challenge_methods_supported" not in doc  # Twitch has no PKCE
    assert set(doc["claims_supported"]) >= {"sub", "email", "preferred_username", "picture"}


def test_generic_discovery_has_what_discovery_requires(idp: fakeidp.FakeIdP) -> None:
    doc = idp.app.test_client().get(DISCOVERY["oidc"]).json
    # Discovery §3: REQUIRED members, and what this fixture promises.
    assert doc["issuer"] == "http://localhost/oidc/op"
    assert doc["response_types_supported"] == ["code"]
    assert doc["subject_types_supported"] == ["public"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["code_challenge_methods_supported"] == ["S256", "plain"]
    assert "openid" in doc["scopes_supported"]
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert doc[key].startswith("http://localhost/oidc/op/")


def test_jwks_kid_is_the_rfc7638_thumbprint_and_survives_reset(idp: fakeidp.FakeIdP) -> None:
    client = idp.app.test_client()
    (key,) = client.get("/oidc/op/jwks").json["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    # RFC 7638 §3.1, written out independently of the implementation.
    canonical = f'{{"e":"{key["e"]}","kty":"RSA","n":"{key["n"]}"}}'
    digest = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest())
    assert key["kid"] == digest.rstrip(b"=").decode()
    idp.reset()
    assert client.get("/oidc/op/jwks").json["keys"] == [key]


def test_id_token_signature_and_issuer_follow_the_base_it_was_asked_on(
    idp: fakeidp.FakeIdP,
) -> None:
    flow = Flow(idp, "oidc")
    token = flow.login_token(scope="openid", nonce="abc")
    (jwk,) = flow.client.get(flow.urls["jwks"]).json["keys"]
    public = jwt.PyJWK(jwk).key
    claims = jwt.decode(
        token["id_token"], public, algorithms=["RS256"], audience=flow.creds.client_id
    )
    assert claims["iss"] == "http://localhost/oidc/op"
    assert jwt.get_unverified_header(token["id_token"])["kid"] == jwk["kid"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token["id_token"] + "A", public, algorithms=["RS256"], audience=flow.creds.client_id
        )


def test_a_malformed_claims_parameter_is_refused(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "oidc")
    answer = Flow.callback(flow.authorize(scope="openid", claims="{not json"))
    assert answer == {
        "error": "invalid_request",
        "error_description": "claims must be a JSON object",
        "state": "s-123",
        "iss": "http://localhost/oidc/op",  # RFC 9207 §2: error responses carry it too
    }
    assert flow.rules() == ["oidc.authorize.claims"]


def test_prompt_none_in_interactive_mode_is_login_required(idp: fakeidp.FakeIdP) -> None:
    idp.interactive = True
    flow = Flow(idp, "oidc")
    answer = Flow.callback(flow.authorize(scope="openid", prompt="none"))
    assert answer["error"] == "login_required"
    assert answer["state"] == "s-123"


def test_refresh_does_not_issue_a_new_id_token(idp: fakeidp.FakeIdP) -> None:
    """OIDC Core §12.2: the refresh response "might not contain an id_token"; ours does not."""
    flow = Flow(idp, "oidc")
    token = flow.login_token(scope="openid")
    refreshed = flow.token(
        {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    ).json
    assert "access_token" in refreshed and "id_token" not in refreshed


def test_discovery_and_userinfo_are_recorded_exchanges(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "twitch")
    flow.client.get(DISCOVERY["twitch"])
    flow.client.get(flow.urls["jwks"])
    assert [e.endpoint for e in idp.exchanges("twitch")] == ["discovery", "jwks"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'issuer = "op:"',
            'issuer = "op:/"',
            "oidc.toml: key 'oidc.issuer': expected 'hostkey:' or 'hostkey:/path' (no final /); "
            "got 'op:/'",
        ),
        (
            'issuer = "op:"',
            'issuer = "idp:"',
            "oidc.toml: key 'oidc.issuer': host key 'idp' is not in [hosts] (op)",
        ),
        (
            'sub = "${user.sub}"\n',
            "",
            "oidc.toml: key 'oidc.claims.sub': is missing; every OpenID provider returns sub",
        ),
        (
            'email = ["email", "email_verified"]',
            'email = ["email", "mail"]',
            "oidc.toml: key 'oidc.scope_claims.email': claim 'mail' is not in oidc.claims",
        ),
        (
            "id_token_lifetime = 3600",
            "id_token_lifetime = 3600\nissuer_path = 1",
            "oidc.toml: key 'oidc.issuer_path': is not a known key",
        ),
        (
            'revoke = "op:/revoke"',
            'revoke = "op:/revoke"\njwks = "op:/keys"',
            "oidc.toml: key 'endpoints.jwks': is defined by the [oidc] table",
        ),
    ],
)
def test_a_broken_oidc_table_names_file_and_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    source = (fixtures_dir() / "oidc.toml").read_text(encoding="utf-8")
    assert old in source
    (tmp_path / "oidc.toml").write_text(source.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FixtureError) as err:
        load_provider(tmp_path / "oidc.toml")
    assert str(err.value).startswith(message)


def test_the_generic_provider_needs_no_profile_of_its_own() -> None:
    p = load_provider(fixtures_dir() / "oidc.toml")
    assert [e.endpoint.name for e in p.profiles] == ["userinfo"]
    assert p.primary_profile.user_id == "sub"
    twitch = load_provider(fixtures_dir() / "twitch.toml")
    assert [e.endpoint.name for e in twitch.profiles] == ["users", "userinfo"]  # Helix first
    assert twitch.real_url(twitch.endpoint("discovery")) == (
        "https://id.twitch.tv/oauth2/.well-known/openid-configuration"
    )


def test_discovery_under_interception_names_the_real_urls() -> None:
    import requests

    import fakeidp

    with fakeidp.intercept(["twitch"]):
        doc = requests.get(
            "https://id.twitch.tv/oauth2/.well-known/openid-configuration", timeout=5
        ).json()
    # A connector that hard-codes Twitch's issuer still validates the fake's id_token.
    assert doc["issuer"] == "https://id.twitch.tv/oauth2"
    assert doc["token_endpoint"] == "https://id.twitch.tv/oauth2/token"
    assert doc["jwks_uri"].startswith("https://id.twitch.tv/")
