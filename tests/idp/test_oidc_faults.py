"""OpenID Connect faults and answer variants (fakeidp.idp.oidc_faults), as the reference
client observes them: README "Fault injection", the OpenID Connect rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jwt
import pytest

import fakeidp
from fakeidp.client.errors import LOGIN_ERROR_KINDS, LoginError
from fakeidp.client.id_token import OpenIDProvider
from fakeidp.config import load_config
from fakeidp.idp import oidc_faults
from fakeidp.idp.faults import FaultError
from tests.expected import EXPECTED_USER_IDS

SCOPES = {"oidc": ("openid", "profile"), "twitch": ("openid", "user:read:email")}


def client(idp: fakeidp.FakeIdP, pid: str, **kw: Any) -> fakeidp.OAuth2Client:
    return fakeidp.OAuth2Client(idp.connection(pid, scopes=SCOPES[pid]), idp.session(), **kw)


def invalid(error: str) -> dict[str, Any]:
    return {"kind": "id_token_invalid", "error": error}


# kind -> what the LoginError holds: the README's table.
REFUSED = {
    "id_token_bad_signature": invalid("signature"),
    "id_token_alg_none": invalid("alg"),
    "id_token_issuer": invalid("iss"),
    "id_token_audience": invalid("aud"),
    "id_token_audiences": invalid("aud"),
    "id_token_expired": invalid("exp"),
    "id_token_iat_future": invalid("iat"),
    "id_token_no_sub": invalid("sub"),
    "id_token_nonce": invalid("nonce"),
    "id_token_no_nonce": invalid("nonce"),
    # A fresh client fetches the JWKS after the rotation: two keys, and no kid to choose.
    "id_token_no_kid_several_keys": invalid("kid"),
    "discovery_issuer": {"kind": "discovery_error"},
}
ACCEPTED = ("id_token_no_kid", "id_token_key_rotated")


@pytest.mark.parametrize("pid", ["oidc", "twitch"])
@pytest.mark.parametrize(("kind", "observed"), REFUSED.items(), ids=list(REFUSED))
def test_each_broken_answer_is_refused_as_documented(
    idp: fakeidp.FakeIdP, pid: str, kind: str, observed: dict[str, Any]
) -> None:
    injected = idp.fault(pid, kind=kind)
    with pytest.raises(LoginError) as caught:
        client(idp, pid).login()
    error = caught.value
    assert {name: getattr(error, name) for name in observed} == observed, error
    assert error.kind in LOGIN_ERROR_KINDS
    [faulted] = [e for e in idp.exchanges(pid) if e.fault is not None]
    assert faulted.fault == {"id": injected.id, **injected.fault.to_dict()}
    assert idp.errors() == []
    # One-shot: the next login goes through.
    assert client(idp, pid).login().user_id == EXPECTED_USER_IDS[pid]


def test_a_userinfo_sub_that_is_not_the_id_tokens_is_refused(idp: fakeidp.FakeIdP) -> None:
    idp.fault("oidc", kind="userinfo_sub")
    with pytest.raises(LoginError) as caught:
        client(idp, "oidc").login()
    assert caught.value.kind == "userinfo_mismatch"
    assert "fakeidp-another-subject" in str(caught.value)


@pytest.mark.parametrize("kind", ACCEPTED)
def test_legal_id_tokens_are_accepted(idp: fakeidp.FakeIdP, kind: str) -> None:
    idp.fault("oidc", kind=kind)
    result = client(idp, "oidc").login()
    assert result.user_id == EXPECTED_USER_IDS["oidc"]
    assert result.id_token_claims is not None
    assert result.id_token_claims["sub"] == EXPECTED_USER_IDS["oidc"]
    header = jwt.get_unverified_header(result.token["id_token"])
    assert ("kid" in header) == (kind == "id_token_key_rotated")


def test_a_rotation_publishes_the_new_key_and_a_cached_jwks_is_refetched(
    idp: fakeidp.FakeIdP,
) -> None:
    session = idp.session()
    keys = session.get(idp.urls("oidc")["jwks"]).json()["keys"]
    assert len(keys) == 1
    c = client(idp, "oidc")
    c.login()  # caches the discovery document and the JWKS
    idp.fault("oidc", kind="id_token_key_rotated")
    assert c.login().user_id == EXPECTED_USER_IDS["oidc"]
    # The client's fetches: one for the first login, one again on the unknown kid.
    assert [e.endpoint for e in idp.exchanges("oidc")].count("jwks") == 1 + 2
    rotated = session.get(idp.urls("oidc")["jwks"]).json()["keys"]
    assert rotated[0] == keys[0] and len(rotated) == 2
    idp.reset()  # the rotation is forgotten; the keys are kept
    assert session.get(idp.urls("oidc")["jwks"]).json()["keys"] == keys


def test_a_client_that_never_refetches_the_jwks_refuses_a_rotated_key(
    idp: fakeidp.FakeIdP,
) -> None:
    conn = idp.connection("oidc")
    stale = OpenIDProvider(conn.oidc_issuer, idp.session(), refetch_unknown_kid=False)
    c = fakeidp.OAuth2Client(conn, idp.session(), openid=stale)
    c.login()
    idp.fault("oidc", kind="id_token_key_rotated")
    with pytest.raises(LoginError) as caught:
        c.login()
    assert (caught.value.kind, caught.value.error) == ("id_token_invalid", "kid")


def test_without_the_openid_scope_an_id_token_fault_waits_for_one(idp: fakeidp.FakeIdP) -> None:
    idp.fault("twitch", kind="id_token_expired")
    plain = fakeidp.OAuth2Client(idp.connection("twitch"), idp.session())
    assert plain.login().user_id == EXPECTED_USER_IDS["twitch"]  # no ID token to break
    [armed] = idp.faults("twitch")
    assert armed.remaining == 1
    with pytest.raises(LoginError):
        client(idp, "twitch").login()


# -- legal but unusual answers ----------------------------------------------------------
@pytest.mark.parametrize(
    ("pid", "kind", "key", "value"),
    [
        ("twitch", "token_type_case", "token_type", "Bearer"),
        ("uber", "token_type_case", "token_type", "bearer"),
        ("twitch", "scope_format", "scope", "user:read:email"),
        ("digitalocean", "scope_format", "scope", ["read"]),
        ("oidc", "expires_in_string", "expires_in", "3600"),
        ("uber", "extra_fields", "fakeidp_unknown", "a field no connector knows"),
    ],
)
def test_answer_variants_are_legal_and_the_reference_client_logs_in(
    idp: fakeidp.FakeIdP, pid: str, kind: str, key: str, value: Any
) -> None:
    idp.fault(pid, kind=kind)
    connection = idp.connection(pid)
    if pid == "twitch":
        connection = connection.replace(scopes=("user:read:email",))
    result = fakeidp.OAuth2Client(connection, idp.session()).login()
    assert result.user_id == EXPECTED_USER_IDS[pid]
    assert result.token[key] == value


def test_a_refresh_answer_without_a_refresh_token_keeps_the_old_one_valid(
    idp: fakeidp.FakeIdP,
) -> None:
    c = fakeidp.OAuth2Client(idp.connection("uber"), idp.session())
    first = c.login().token
    idp.fault("uber", kind="no_new_refresh_token")
    refreshed = c.refresh(first["refresh_token"])
    assert "refresh_token" not in idp.exchanges("uber", "token")[-1].response
    assert refreshed["refresh_token"] == first["refresh_token"]  # the client keeps it
    again = c.refresh(refreshed["refresh_token"])  # and the provider still takes it
    assert again["access_token"] != refreshed["access_token"]
    assert idp.errors() == []


def test_a_rotating_provider_keeps_the_old_refresh_token_when_the_new_one_is_left_out(
    idp: fakeidp.FakeIdP,
) -> None:
    c = fakeidp.OAuth2Client(idp.connection("twitch"), idp.session())
    first = c.login().token
    idp.fault("twitch", kind="no_new_refresh_token")
    c.refresh(first["refresh_token"])
    assert c.refresh(first["refresh_token"])["access_token"]
    assert idp.errors() == []


def test_rfc_9207_iss_is_sent_and_advertised_and_another_one_refused(
    idp: fakeidp.FakeIdP,
) -> None:
    doc = idp.session().get(idp.urls("oidc")["discovery"]).json()
    assert doc["authorization_response_iss_parameter_supported"] is True
    c = client(idp, "oidc")
    c.login()
    redirect = idp.exchanges("oidc", "authorize")[-1].response["redirect"]
    assert "iss=http%3A%2F%2Ffakeidp.invalid%2Foidc%2Fop" in redirect
    idp.fault("oidc", kind="authorization_iss_wrong")
    with pytest.raises(LoginError) as caught:
        c.login()
    assert caught.value.kind == "issuer_mismatch"
    assert idp.exchanges("oidc", "token")[-1].id < idp.exchanges("oidc", "authorize")[-1].id
    # Twitch does not send iss: neither the parameter nor the fault.
    assert "iss=" not in fakeidp_login_redirect(idp, "twitch")
    with pytest.raises(FaultError):
        idp.fault("twitch", kind="authorization_iss_wrong")


def fakeidp_login_redirect(idp: fakeidp.FakeIdP, pid: str) -> str:
    fakeidp.OAuth2Client(idp.connection(pid), idp.session()).login()
    return str(idp.exchanges(pid, "authorize")[-1].response["redirect"])


def test_an_error_redirect_may_carry_error_uri(idp: fakeidp.FakeIdP) -> None:
    uri = "https://uber.example/help"
    idp.fault("uber", "authorize", kind="oauth_error", error="access_denied", error_uri=uri)
    with pytest.raises(LoginError) as caught:
        fakeidp.OAuth2Client(idp.connection("uber"), idp.session()).login()
    assert caught.value.kind == "cancelled"
    redirect = idp.exchanges("uber", "authorize")[-1].response["redirect"]
    assert "error_uri=https%3A%2F%2Fuber.example%2Fhelp" in redirect


def test_error_uri_joins_an_rfc_6749_error_body(idp: fakeidp.FakeIdP) -> None:
    idp.fault(
        "oidc", "token", kind="oauth_error", error="invalid_grant", error_uri="https://x.example"
    )
    with pytest.raises(LoginError) as caught:
        client(idp, "oidc").login()
    assert caught.value.body["error_uri"] == "https://x.example"


# -- where the kinds apply, and how they arrive ---------------------------------------------
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"provider": "uber", "kind": "id_token_expired"},
            "kind",
            "applies at no endpoint of uber",
        ),
        (
            {"provider": "oidc", "endpoint": "authorize", "kind": "id_token_no_sub"},
            "kind",
            "it applies at token",
        ),
        (
            {"provider": "oidc", "endpoint": "token", "kind": "userinfo_sub"},
            "kind",
            "it applies at userinfo",
        ),
        (
            {"provider": "oidc", "kind": "id_token_issuer", "error": "x"},
            "error",
            "does not apply to kind 'id_token_issuer' (it takes no options)",
        ),
        (
            {"provider": "oidc", "kind": "oauth_error", "error": "x", "error_uri": 5},
            "error_uri",
            "a string",
        ),
    ],
)
def test_a_misplaced_fault_is_one_clear_error(
    idp: fakeidp.FakeIdP, fields: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(FaultError) as caught:
        idp.fault(**fields)
    assert caught.value.field == field
    assert message in caught.value.message


def test_the_control_api_injects_them(idp: fakeidp.FakeIdP) -> None:
    session = idp.session()
    answer = session.post(
        idp.base_url + "/_fakeidp/faults", json={"provider": "oidc", "kind": "id_token_no_sub"}
    )
    assert answer.status_code == 201, answer.text
    with pytest.raises(LoginError) as caught:
        client(idp, "oidc").login()
    assert caught.value.error == "sub"


def test_a_config_file_injects_them(tmp_path: Path) -> None:
    path = tmp_path / "fakeidp.toml"
    path.write_text('[[faults]]\nprovider = "oidc"\nkind = "id_token_expired"\npersistent = true\n')
    config = load_config(path)
    assert [f.kind for f in config.faults] == ["id_token_expired"]
    path.write_text('[[faults]]\nprovider = "oidc"\nkind = "id_token_wrong"\n')
    with pytest.raises(Exception, match="kind"):
        load_config(path)


@pytest.mark.fakeidp(provider="oidc", faults=[{"provider": "oidc", "kind": "id_token_audience"}])
def test_a_pytest_marker_injects_them(fakeidp: Any) -> None:
    c = fakeidp_client(fakeidp)
    with pytest.raises(LoginError) as caught:
        c.login()
    assert caught.value.error == "aud"


def fakeidp_client(handle: Any) -> fakeidp.OAuth2Client:
    import fakeidp as lib

    return lib.OAuth2Client(handle.connection(), handle.session())


def test_every_kind_of_the_module_is_covered_here() -> None:
    covered = set(REFUSED) | set(ACCEPTED) | {"userinfo_sub", "no_new_refresh_token"}
    covered |= {"authorization_iss_wrong"}
    covered |= {"token_type_case", "scope_format", "expires_in_string", "extra_fields"}
    assert covered == set(oidc_faults.KINDS)
