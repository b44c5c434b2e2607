"""DigitalOcean: revoke as real clients do, public clients, info.name (PROVIDERS-AUDIT §1)."""

from __future__ import annotations

import base64
import hashlib

import fakeidp

from .flow import Flow

DO = "digitalocean"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_revoke_with_the_bearer_token_and_no_client_credentials(idp: fakeidp.FakeIdP) -> None:
    # Authorization: Bearer <token> and token=<token>: DigitalOcean answers 200.
    flow = Flow(idp, DO)
    token = flow.login_token()["access_token"]
    response = flow.client.post(
        flow.urls["revoke"],
        data={"token": token},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert flow.profile(token).status_code == 401
    assert [f.rule for f in idp.findings()] == ["api.profile.token"]


def test_revoke_with_a_bad_bearer_token_is_refused(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, DO)
    token = flow.login_token()["access_token"]
    response = flow.client.post(
        flow.urls["revoke"], data={"token": token}, headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401
    assert flow.profile(token).status_code == 200
    assert flow.rules() == ["oauth2.token.client_auth"]


def test_public_client_refreshes_and_revokes_without_a_secret(idp: fakeidp.FakeIdP) -> None:
    # "Public clients … have no client secret" and use PKCE (docs.digitalocean.com/.../oauth).
    idp.register_client(DO, "do-public")
    flow = Flow(idp, DO)
    code = flow.code(
        client_id="do-public", code_challenge=s256(VERIFIER), code_challenge_method="S256"
    )
    tokens = flow.token(
        {"code": code, "code_verifier": VERIFIER, "client_id": "do-public"}, auth="none"
    ).json
    refreshed = flow.token(
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "do-public",
            "redirect_uri": None,
        },
        auth="none",
    )
    assert refreshed.status_code == 200, refreshed.json
    revoke = flow.client.post(
        flow.urls["revoke"],
        data={"token": refreshed.json["refresh_token"], "client_id": "do-public"},
    )
    assert revoke.status_code == 200
    assert idp.findings() == []


def test_a_public_client_may_not_skip_pkce(idp: fakeidp.FakeIdP) -> None:
    idp.register_client(DO, "do-public")
    flow = Flow(idp, DO)
    code = flow.code(client_id="do-public")
    response = flow.token({"code": code, "client_id": "do-public"}, auth="none")
    assert response.status_code == 401 and response.json["error"] == "invalid_client"


def test_token_info_name_is_the_display_name(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, DO)
    info = flow.login_token()["info"]
    assert info == {
        "name": "Sammy the Shark",
        "email": "sammy@digitalocean.example",
        "uuid": "b6fr89dbf6d9156cace5f3c78dc9851d957381ef",
    }


def test_old_refresh_token_reuse_is_a_warning_where_rotation_is_unverified(
    idp: fakeidp.FakeIdP,
) -> None:
    flow = Flow(idp, DO)
    first = flow.login_token()
    body = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    second = flow.token({**body, "redirect_uri": None})
    assert second.status_code == 200 and second.json["refresh_token"] != first["refresh_token"]
    again = flow.token({**body, "redirect_uri": None})
    assert again.status_code == 200
    [finding] = idp.findings()
    assert (finding.rule, finding.severity) == ("oauth2.token.refresh_token_rotated", "warning")
