"""Several users per provider, with profile fields and OIDC claims, from each way in.

The same JSON shape (``{"login", "profile", "claims", "default"}``) through the
Python handle, the control API and the config file; each checked through a
real OIDC login with authlib (ID token validated, UserInfo read).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

import fakeidp
from fakeidp.config import ConfigError, load_config
from fakeidp.idp.users import UserError

from .test_oidc import authlib_login, validate_id_token

JANE = "248289761001"  # the oidc fixture's user (OIDC Core §5.3.2)


@pytest.fixture(scope="module")
def live() -> Iterator[fakeidp.FakeIdP]:
    idp = fakeidp.FakeIdP(["oidc", "uber"])
    with idp.serve():
        yield idp


@pytest.fixture
def lidp(live: fakeidp.FakeIdP, monkeypatch: pytest.MonkeyPatch) -> Iterator[fakeidp.FakeIdP]:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    live.reset()
    yield live
    live.store.setup.clear()
    live.reset()


def oidc_login(idp: fakeidp.FakeIdP, **params: str) -> tuple[Any, dict[str, Any]]:
    """The ID token's claims (validated) and the UserInfo answer."""
    result = authlib_login(idp, "oidc", "n-1", scope="openid profile email", **params)
    claims = validate_id_token(result["meta"], result["token"], "n-1", "fakeidp-oidc-client-id")
    userinfo = result["session"].get(result["meta"]["userinfo_endpoint"]).json()
    assert idp.errors() == []
    return claims, userinfo


BOB = {"login": "bob", "profile": {"name": "Bob Roe"}, "claims": {"groups": ["admins"]}}


def _by_handle(idp: fakeidp.FakeIdP, tmp: Path) -> None:
    idp.put_user("oidc", BOB)


def _by_control_api(idp: fakeidp.FakeIdP, tmp: Path) -> None:
    body = {k: v for k, v in BOB.items() if k != "login"}
    answer = requests.put(f"{idp.base_url}/_fakeidp/users/oidc/bob", json=body, timeout=5)
    assert answer.status_code == 200, answer.text


def _by_config_file(idp: fakeidp.FakeIdP, tmp: Path) -> None:
    config = tmp / "fakeidp.toml"
    config.write_text(
        '[[providers.oidc.users]]\nlogin = "bob"\n'
        '[providers.oidc.users.profile]\nname = "Bob Roe"\n'
        '[providers.oidc.users.claims]\ngroups = ["admins"]\n'
    )
    load_config(config).install(idp.store)


@pytest.mark.parametrize("way", [_by_handle, _by_control_api, _by_config_file])
def test_a_second_user_with_claims_logs_in_by_login_hint(
    lidp: fakeidp.FakeIdP, tmp_path: Path, way: Callable[[fakeidp.FakeIdP, Path], None]
) -> None:
    way(lidp, tmp_path)
    claims, userinfo = oidc_login(lidp, login_hint="bob")
    assert claims["sub"] == userinfo["sub"] == "248289761002"  # an id of its own
    assert claims["groups"] == userinfo["groups"] == ["admins"]
    assert userinfo["name"] == "Bob Roe"
    assert userinfo["preferred_username"] == "bob"  # the fixture's login followed the new one
    # Without a hint, the default user as before.
    claims, userinfo = oidc_login(lidp)
    assert (claims["sub"], userinfo["name"]) == (JANE, "Jane Doe")
    assert "groups" not in claims


def test_default_user_claims_and_switching_the_default(lidp: fakeidp.FakeIdP) -> None:
    lidp.update_user("oidc", {"claims": {"tenant": "t-1", "email": "jane@corp.example"}})
    claims, userinfo = oidc_login(lidp)
    assert claims["tenant"] == userinfo["tenant"] == "t-1"
    assert userinfo["email"] == "jane@corp.example"  # a claim overrides the mapped one
    lidp.put_user("oidc", {**BOB, "default": True})
    claims, _ = oidc_login(lidp)
    assert claims["groups"] == ["admins"]
    assert [u.login for u in lidp.users("oidc")] == ["bob", "j.doe"]
    assert claims["sub"] != JANE


def test_an_unknown_login_hint_is_the_default_user(lidp: fakeidp.FakeIdP) -> None:
    lidp.put_user("oidc", BOB)
    claims, _ = oidc_login(lidp, login_hint="nobody")
    assert claims["sub"] == JANE


def test_a_non_oidc_provider_gets_a_profile_of_its_own(idp: fakeidp.FakeIdP) -> None:
    idp.put_user("uber", {"login": "bob", "profile": {"email": "bob@example.org"}})
    connection = dataclasses.replace(idp.connection("uber"), static_params={"login_hint": "bob"})
    result = fakeidp.OAuth2Client(connection, idp.session()).login()
    assert result.profile["email"] == "bob@example.org"
    assert result.user_id not in (None, idp.user("uber").profile["uuid"])


@pytest.mark.parametrize(
    ("user", "field"),
    [
        ({"profile": {}}, "login"),
        ({"login": "bob", "profile": "Bob"}, "profile"),
        ({"login": "bob", "claims": [1]}, "claims"),
        ({"login": "bob", "default": "yes"}, "default"),
        ({"login": "bob", "name": "Bob"}, "name"),
        ({"login": ""}, "login"),
    ],
)
def test_bad_users_name_the_field(idp: fakeidp.FakeIdP, user: dict[str, Any], field: str) -> None:
    with pytest.raises(UserError) as caught:
        idp.put_user("uber", user)
    assert caught.value.field == field
    answer = idp.app.test_client().put("/_fakeidp/users/uber/bob", json=user)
    if field != "login":  # the path names the login there
        assert (answer.status_code, answer.json["field"]) == (400, field)


def test_the_default_user_stays(idp: fakeidp.FakeIdP) -> None:
    with pytest.raises(UserError, match="is the default user of uber"):
        idp.remove_user("uber", "uberdev")
    answer = idp.app.test_client().delete("/_fakeidp/users/uber/uberdev")
    assert (answer.status_code, answer.json["field"]) == (400, "login")


def test_a_config_mistake_in_users_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "fakeidp.toml"
    config.write_text('[[providers.oidc.users]]\nlogin = "bob"\nclaims = "admins"\n')
    with pytest.raises(ConfigError, match=r"key 'providers\.oidc\.users\[0\]\.claims'"):
        load_config(config)
    config.write_text("[[providers.oidc.users]]\n[providers.oidc.users.profile]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"key 'providers\.oidc\.users\[0\]\.login': is missing"):
        load_config(config)


def test_the_login_page_answer_with_bad_json_is_an_error_page(idp: fakeidp.FakeIdP) -> None:
    import re

    idp.interactive = True
    http = idp.app.test_client()
    url = idp.urls("oidc")["authorize"].removeprefix(idp.base_url)
    params = {
        "client_id": "fakeidp-oidc-client-id",
        "response_type": "code",
        "redirect_uri": "http://127.0.0.1:9/cb",
        "scope": "openid",
    }
    page = http.get(url, query_string=params).get_data(as_text=True)
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page))
    answer = http.post(
        url,
        data={**hidden, "fakeidp_decision": "approve", "fakeidp_profile": '{"profile": 1}'},
    )
    assert answer.status_code == 400
    assert "profile: expected an object, got int" in answer.get_data(as_text=True)
