"""The fixture keys of issue 9 part A: lifecycle facts, per-URL rules, client facts.

Each mistake is one line naming the file and the key (provider_fixtures/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fakeidp.providers import FixtureError, builtin_providers, fixtures_dir, load_provider

LIFECYCLE = """
[[lifecycle]]
applies_to = "endpoint:account"
status = "retired"
since = "2030-01-01"
source = "a notice"
replacement = "v3"
"""


def mutated(tmp_path: Path, old: str, new: str, name: str = "digitalocean") -> Path:
    source = (fixtures_dir() / f"{name}.toml").read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / f"{name}.toml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    return path


def appended(tmp_path: Path, text: str) -> Path:
    source = (fixtures_dir() / "digitalocean.toml").read_text(encoding="utf-8")
    path = tmp_path / "digitalocean.toml"
    path.write_text(source + text, encoding="utf-8")
    return path


def test_a_lifecycle_fact_loads_and_applies_to_its_endpoint(tmp_path: Path) -> None:
    p = load_provider(appended(tmp_path, LIFECYCLE))
    [fact] = p.lifecycle
    account = p.primary_profile.endpoint
    assert p.lifecycle_of(account) == (fact,)
    assert p.lifecycle_of(p.endpoint("token")) == ()
    assert (fact.answer_status, fact.answer_verified) == (410, False)  # unverified: a 410


@pytest.mark.parametrize(
    ("old", "new", "key", "says"),
    [
        ('"endpoint:account"', '"endpoint:nope"', "lifecycle[0].applies_to", "'endpoint:nope'"),
        ('"endpoint:account"', '"host:nope"', "lifecycle[0].applies_to", "'host:nope'"),
        ('status = "retired"', 'status = "dead"', "lifecycle[0].status", "'dead'"),
        ('since = "2030-01-01"\n', "", "lifecycle[0].since", "is missing"),
        ('replacement = "v3"', 'replacement = "v3"\nwhen = 1', "lifecycle[0].when", "not a known"),
    ],
)
def test_a_broken_lifecycle_fact_names_its_key(
    tmp_path: Path, old: str, new: str, key: str, says: str
) -> None:
    with pytest.raises(FixtureError) as caught:
        load_provider(appended(tmp_path, LIFECYCLE.replace(old, new)))
    assert caught.value.key == key and says in str(caught.value)
    assert str(caught.value).startswith("digitalocean.toml: key ")


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('revoke_auth = ["client", "bearer"]', 'revoke_auth = ["cookie"]', "oauth2.revoke_auth"),
        ("public_clients = true", 'public_clients = "yes"', "oauth2.public_clients"),
        ("public_clients = true", 'pkce_without_secret = "maybe"', "oauth2.pkce_without_secret"),
        (
            "public_clients = true",
            'pkce_verifier_format = "lax"',
            "oauth2.pkce_verifier_format",
        ),
    ],
)
def test_a_wrong_client_fact_names_its_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    with pytest.raises(FixtureError) as caught:
        load_provider(mutated(tmp_path, old, new))
    assert caught.value.key == key


def test_an_endpoint_override_is_read_like_the_oauth2_table(tmp_path: Path) -> None:
    path = mutated(
        tmp_path,
        'oauth2 = { refresh_requires_scope = "" }',
        'oauth2 = { refresh_requires_scopes = "" }',
        "uber",
    )
    with pytest.raises(FixtureError) as caught:
        load_provider(path)
    assert caught.value.key == "endpoints.token_legacy.oauth2.refresh_requires_scopes"


def test_uber_token_urls_have_their_own_refresh_rule() -> None:
    uber = builtin_providers()["uber"]
    assert uber.rules_at("token").refresh_requires_scope == "offline_access"  # type: ignore[union-attr]
    assert uber.rules_at("token_legacy").refresh_requires_scope == ""  # type: ignore[union-attr]
    assert uber.endpoint("token_legacy").view == "token"
    # The current profile is the reference client's; the deprecated one is not.
    assert uber.primary_profile.endpoint.path == "/v1.2/me"


def test_every_lifecycle_fact_cites_a_source_and_a_date() -> None:
    facts = [(p.id, f) for p in builtin_providers().values() for f in p.lifecycle]
    assert {pid for pid, _ in facts} >= {"twitch-kraken", "dribbble", "uber", "xing"}
    for pid, fact in facts:
        assert fact.source and fact.since, pid
        if fact.status == "retired":
            assert fact.replacement, pid
