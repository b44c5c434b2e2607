"""Fixtures load into Providers; a broken fixture gets one line naming file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fakeidp.providers import (
    FixtureError,
    builtin_providers,
    fixtures_dir,
    load_provider,
    load_providers,
)


def test_every_shipped_fixture_loads() -> None:
    providers = builtin_providers()
    assert {
        "digitalocean",
        "dribbble",
        "imgur",
        "twitch",
        "twitch-kraken",
        "uber",
        "vimeo",
        "wordpress",
        "x-oauth2",
    } <= set(providers)
    for p in providers.values():
        assert p.source_file == p.id.replace("-", "_") + ".toml"
        # Every profile's user id path resolves in the default user's profile.
        from fakeidp.info import user_id

        assert user_id(p), p.id


def test_providers_are_immutable() -> None:
    p = builtin_providers()["uber"]
    with pytest.raises(AttributeError):
        p.name = "Lyft"  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.hosts["api"] = "https://evil.example"  # type: ignore[index]


def write(tmp_path: Path, text: str, name: str = "demo.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def mutated(tmp_path: Path, old: str, new: str) -> Path:
    source = (fixtures_dir() / "digitalocean.toml").read_text(encoding="utf-8")
    assert old in source
    return write(tmp_path, source.replace(old, new, 1), "digitalocean.toml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'pkce = "optional"',
            'pkce = "maybe"',
            "digitalocean.toml: key 'oauth2.pkce': expected one of required, optional, unsupported; got 'maybe'",
        ),
        (
            'scope_separator = " "',
            "scope_separator = 1",
            "digitalocean.toml: key 'oauth2.scope_separator': expected str, got int 1",
        ),
        (
            'client_auth = ["query", "body", "basic"]',
            'client_auth = ["header"]',
            "digitalocean.toml: key 'oauth2.client_auth': expected values from ('basic', 'body', 'query'); got 'header'",
        ),
        (
            'token = "cloud:/v1/oauth/token"',
            'token = "cloud/v1/oauth/token"',
            "digitalocean.toml: key 'endpoints.token': expected 'hostkey:/path', got 'cloud/v1/oauth/token'",
        ),
        (
            'token = "cloud:/v1/oauth/token"',
            'token = "auth:/v1/oauth/token"',
            "digitalocean.toml: key 'endpoints.token': host key 'auth' is not in [hosts] (cloud, api)",
        ),
        (
            "access_token_lifetime = 2592000",
            "acess_token_lifetime = 2592000",
            "digitalocean.toml: key 'oauth2.acess_token_lifetime': is not a known key (see provider_fixtures/README.md)",
        ),
        (
            'user_id = "account.uuid"\n',
            "",
            "digitalocean.toml: key 'profile': no [[profile]] has a user_id; expected one that names the user",
        ),
        (
            'id = "digitalocean"',
            'id = "do"',
            "digitalocean.toml: key 'id': must match the file name ('digitalocean'), got 'do'",
        ),
        (
            'api = "https://api.digitalocean.com"',
            'api = "api.digitalocean.com"',
            "digitalocean.toml: key 'hosts.api': expected an http(s) base URL or a list of them, got 'api.digitalocean.com'",
        ),
    ],
)
def test_broken_fixture_names_file_and_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(FixtureError) as err:
        load_provider(mutated(tmp_path, old, new))
    assert str(err.value) == message


def test_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match=r"^broken.toml: key '<toml>': is not valid TOML"):
        load_provider(write(tmp_path, "id = ", "broken.toml"))


def test_missing_error_shape(tmp_path: Path) -> None:
    source = (fixtures_dir() / "digitalocean.toml").read_text(encoding="utf-8")
    # [errors.api] and its [errors.api.cases] renamed away
    path = write(tmp_path, source.replace("[errors.api", "[errors.apix"), "digitalocean.toml")
    with pytest.raises(FixtureError, match=r"key 'errors\.api': is missing"):
        load_provider(path)


def test_a_new_provider_is_a_new_file(tmp_path: Path) -> None:
    shutil.copy(fixtures_dir() / "uber.toml", tmp_path / "uber.toml")
    source = (fixtures_dir() / "digitalocean.toml").read_text(encoding="utf-8")
    (tmp_path / "acme.toml").write_text(
        source.replace('id = "digitalocean"', 'id = "acme"').replace(
            'name = "DigitalOcean"', 'name = "Acme"'
        ),
        encoding="utf-8",
    )
    providers = load_providers(tmp_path)
    assert sorted(providers) == ["acme", "uber"]
    import fakeidp

    idp = fakeidp.FakeIdP(app=fakeidp.create_app(providers))
    result = fakeidp.OAuth2Client(idp.connection("acme"), idp.session()).login()
    assert result.user_id == "b6fr89dbf6d9156cace5f3c78dc9851d957381ef"


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="holds no"):
        load_providers(tmp_path)


def test_a_host_under_several_names_is_intercepted_at_each() -> None:
    """X answers at api.twitter.com and api.x.com alike (PROVIDERS-AUDIT §11a, §11b)."""
    import fakeidp

    p = fakeidp.FakeIdP(["x-oauth2"]).provider("x-oauth2")
    assert p.real_bases("api") == ("https://api.twitter.com", "https://api.x.com")
    assert p.real_url(p.endpoint("token")) == "https://api.twitter.com/2/oauth2/token"
    import requests

    with fakeidp.intercept(["x-oauth2"]) as idp:
        for base in p.real_bases("api"):
            answer = requests.get(f"{base}/2/users/me", timeout=5)
            assert answer.status_code == 401
            assert answer.json()["title"] == "Unauthorized"
        assert [e.endpoint for e in idp.exchanges()] == ["users_me", "users_me"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'url = "api:/v2/account"',
            'url = "api:/v2/{account_id}"',
            "digitalocean.toml: key 'profile[0].path_params': has no template for {account_id}"
            " in the URL '/v2/{account_id}'",
        ),
        (
            'url = "api:/v2/account"',
            'url = "api:/v2/account"\npath_params = { cloudid = "${user.uuid}" }',
            "digitalocean.toml: key 'profile[0].path_params.cloudid': the URL '/v2/account' has"
            " no {cloudid} segment",
        ),
        (
            'url = "api:/v2/account"',
            'url = "api:/v2/x{id}"\npath_params = { id = "${user.uuid}" }',
            "digitalocean.toml: key 'profile[0].url': a path parameter must be a whole segment"
            " /{name}, got '/v2/x{id}'",
        ),
        (
            'url = "api:/v2/account"',
            'url = "api:/v2/{id}x"\npath_params = { id = "${user.uuid}" }',
            "digitalocean.toml: key 'profile[0].url': a path parameter must be a whole segment"
            " /{name}, got '/v2/{id}x'",
        ),
        (
            'url = "api:/v2/account"',
            'url = "api:/v2/{id}"\npath_params = { id = 7 }',
            "digitalocean.toml: key 'profile[0].path_params.id': expected a string, got 7",
        ),
        (
            'scope_separator = " "',
            'scope_separator = " "\nauthorize_param_values = { audience = ["a"] }',
            "digitalocean.toml: key 'oauth2.authorize_param_values.audience': expected a string,"
            " got ['a']",
        ),
        (
            'scope_separator = " "',
            'scope_separator = " "\nrotated_refresh_token_leeway = -1',
            "digitalocean.toml: key 'oauth2.rotated_refresh_token_leeway': expected seconds >= 0,"
            " and only with rotated_refresh_token_reuse = 'tolerated'",
        ),
    ],
)
def test_broken_path_params_and_param_values(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(FixtureError) as err:
        load_provider(mutated(tmp_path, old, new))
    assert str(err.value) == message


def test_a_protocol_endpoint_takes_no_path_parameter(tmp_path: Path) -> None:
    source = (fixtures_dir() / "jira_cloud.toml").read_text(encoding="utf-8")
    broken = source.replace('"auth:/oauth/token"', '"auth:/oauth/{tenant}/token"', 1)
    path = write(tmp_path, broken, "jira_cloud.toml")
    with pytest.raises(FixtureError, match=r"key 'endpoints\.token\.url': path parameters are"):
        load_provider(path)
