"""[profile.scopes] in provider fixtures: what loads, and one clear error for what does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from fakeidp.providers import load_provider
from fakeidp.providers.loader import FixtureError, builtin_providers, fixtures_dir

X_SCOPES = 'required = ["tweet.read", "users.read"]'


def mutated(tmp_path: Path, name: str, old: str, new: str) -> Path:
    source = (fixtures_dir() / name).read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / name
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    return path


def test_shipped_scope_facts() -> None:
    providers = builtin_providers()
    x = providers["x-oauth2"].primary_profile.scopes
    assert x is not None and x.required == ("tweet.read", "users.read")
    assert x.missing(["users.read"]) == ("tweet.read",)
    twitch = providers["twitch"].primary_profile.scopes
    assert twitch is not None and dict(twitch.fields) == {"data.0.email": "user:read:email"}
    assert twitch.missing([]) == ()
    do = providers["digitalocean"].primary_profile.scopes
    assert do is not None and do.missing(["account:read"]) == ()
    assert do.missing(["write"]) == ("read", "account:read")
    assert do.asked() == ("read",)
    # Every fact cites where the provider says so.
    for p in providers.values():
        for profile in p.profiles:
            assert profile.scopes is None or profile.scopes.source, (p.id, profile)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            X_SCOPES,
            'required = "tweet.read"',
            "key 'profile[0].scopes.required': expected a list of strings, got str 'tweet.read'",
        ),
        (
            X_SCOPES,
            'required = ["tweet.read users.read"]',
            "key 'profile[0].scopes.required': expected scope names without spaces, "
            "got ['tweet.read users.read']",
        ),
        (
            X_SCOPES,
            'any_of = ["tweet.read"]',
            "key 'profile[0].scopes.any_of': one scope is not a choice; "
            "put 'tweet.read' in required",
        ),
        (
            X_SCOPES,
            'requried = ["tweet.read"]',
            "key 'profile[0].scopes.requried': is not a known key (see "
            "provider_fixtures/README.md)",
        ),
        (
            X_SCOPES,
            'fields = { "data.email" = 3 }',
            "key 'profile[0].scopes.fields.data.email': expected one scope name, got 3",
        ),
        (
            X_SCOPES,
            'fields = { "data..email" = "users.read" }',
            "key 'profile[0].scopes.fields.data..email': expected a dotted path into the "
            "answer (data.0.email)",
        ),
        (
            X_SCOPES,
            "",
            "key 'profile[0].scopes.required': is missing; expected required, any_of or fields",
        ),
        (
            "scope_missing = { status = 403 }",
            "scope_mising = { status = 403 }",
            "key 'errors.api.cases.scope_mising': expected one of token_missing, token_invalid, "
            "header_missing, header_wrong, scope_missing, path_wrong",
        ),
    ],
)
def test_bad_scope_keys_name_file_and_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(FixtureError) as err:
        load_provider(mutated(tmp_path, "x_oauth2.toml", old, new))
    assert str(err.value) == "x_oauth2.toml: " + message


def test_scope_fact_needs_a_source(tmp_path: Path) -> None:
    old = 'source = "X API v2 GET /2/users/me needs'
    path = mutated(tmp_path, "x_oauth2.toml", old, 'sauce = "X API v2 GET /2/users/me needs')
    with pytest.raises(FixtureError) as err:
        load_provider(path)
    assert str(err.value) == (
        "x_oauth2.toml: key 'profile[0].scopes.source': is missing; "
        "expected where the provider says so"
    )


def test_scopes_where_the_provider_has_none(tmp_path: Path) -> None:
    # Imgur has no scopes (oauth2.scope_ignored): a scope fact there is a mistake.
    old = 'user_id = "data.id"\n'
    path = mutated(tmp_path, "imgur.toml", old, old + 'scopes = { required = ["read"] }\n')
    with pytest.raises(FixtureError) as err:
        load_provider(path)
    assert str(err.value) == (
        "imgur.toml: key 'profile[0].scopes': the provider has no scopes "
        "(oauth2.scope_ignored = true)"
    )


def test_scopes_on_an_oauth1_provider(tmp_path: Path) -> None:
    source = (fixtures_dir() / "xing.toml").read_text(encoding="utf-8")
    marker = "[[profile]]\n"
    assert marker in source
    path = tmp_path / "xing.toml"
    path.write_text(
        source.replace(marker, marker + 'scopes = { required = ["read"] }\n', 1), encoding="utf-8"
    )
    with pytest.raises(FixtureError) as err:
        load_provider(path)
    assert str(err.value) == (
        "xing.toml: key 'profile[0].scopes': needs protocol = \"oauth2\" (OAuth 1.0a has no scopes)"
    )
