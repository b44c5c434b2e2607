"""The four OAuth 1.0a fixtures load with their facts; a broken [oauth1] table gets one line
naming file and key; host overrides move a provider's real URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from fakeidp.providers import (
    FixtureError,
    builtin_providers,
    fixtures_dir,
    load_provider,
    override_hosts,
)
from fakeidp.providers.oauth1 import OAuth1Rules


def rules(pid: str) -> OAuth1Rules:
    found = builtin_providers()[pid].oauth1
    assert isinstance(found, OAuth1Rules)
    return found


def test_the_oauth1_facts() -> None:
    """PROVIDERS.md §4, §5, §9, §11, written down independently of the fixtures."""
    assert rules("jira").signature_methods == ("RSA-SHA1",)
    assert rules("tumblr").signature_methods == ("HMAC-SHA1",)
    assert rules("tumblr").placements == ("header",)
    assert set(rules("xing").signature_methods) == {"HMAC-SHA1", "PLAINTEXT"}
    assert set(rules("xing").placements) == {"header", "query", "body"}
    assert rules("x").signature_methods == ("HMAC-SHA1",)
    assert set(rules("x").authorize_params) == {"screen_name", "force_login"}
    assert builtin_providers()["tumblr"].endpoint("access_token").methods == ("GET", "POST")
    assert "authenticate" in builtin_providers()["x"].endpoints
    assert rules("x").problem("signature_invalid").error == 32
    assert rules("xing").problem("nonce_used").error == "NONCE_ALREADY_USED"
    # Unmapped problems are their Problem Reporting names (JIRA's own vocabulary).
    assert rules("jira").problem("callback_rejected").error == "parameter_rejected"


def test_the_jira_test_keypair_matches() -> None:
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        PublicFormat,
        load_pem_private_key,
    )

    jira = rules("jira")
    assert jira.test_private_key and jira.rsa_public_key
    private = load_pem_private_key(jira.test_private_key.encode(), password=None)
    derived = private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    assert derived.decode().strip() == jira.rsa_public_key.strip()


def mutated(tmp_path: Path, old: str, new: str) -> Path:
    source = (fixtures_dir() / "jira.toml").read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "jira.toml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'signature_methods = ["RSA-SHA1"]',
            'signature_methods = ["RSA-SHA256"]',
            "jira.toml: key 'oauth1.signature_methods': expected values from "
            "HMAC-SHA1, RSA-SHA1, PLAINTEXT; got 'RSA-SHA256'",
        ),
        (
            'placements = ["header", "query"]',
            'placements = ["cookie"]',
            "jira.toml: key 'oauth1.placements': expected values from header, query, body; "
            "got 'cookie'",
        ),
        (
            'placements = ["header", "query"]',
            'placement = ["header"]',
            "jira.toml: key 'oauth1.placement': is not a known key "
            "(see provider_fixtures/README.md)",
        ),
        (
            "rsa_public_key = ",
            "rsa_public_key_ = ",
            "jira.toml: key 'oauth1.rsa_public_key': is missing; RSA-SHA1 needs the test "
            "client's public key",
        ),
        (
            'profile_steps = [{ profile = "user"',
            'profile_steps = [{ profile = "users"',
            "jira.toml: key 'oauth1.profile_steps[0].profile': names no [[profile]] "
            "(myself, session, user)",
        ),
        (
            'denial = { oauth_token = "${oauth_token}", oauth_verifier = "denied" }',
            "",
            "jira.toml: key 'oauth1.denial': is missing; what the callback carries when the "
            "user denies",
        ),
    ],
)
def test_broken_oauth1_table_names_file_and_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(FixtureError) as err:
        load_provider(mutated(tmp_path, old, new))
    assert str(err.value) == message


def test_a_public_key_that_is_not_pem(tmp_path: Path) -> None:
    path = mutated(tmp_path, "-----BEGIN PUBLIC KEY-----\nMIIB", "-----BEGIN PUBLIC KEY-----\nXXXX")
    with pytest.raises(
        FixtureError, match=r"^jira.toml: key 'oauth1.rsa_public_key': is not a PEM"
    ):
        load_provider(path)


def test_an_unknown_problem(tmp_path: Path) -> None:
    path = tmp_path / "xing.toml"
    source = (fixtures_dir() / "xing.toml").read_text(encoding="utf-8")
    path.write_text(source.replace("nonce_used =", "nonce_reused =", 1), encoding="utf-8")
    with pytest.raises(FixtureError, match=r"key 'oauth1.problems.nonce_reused': is not a known"):
        load_provider(path)


def test_override_hosts_moves_only_the_named_host() -> None:
    providers = dict(builtin_providers())
    moved = override_hosts(providers, {"jira": {"jira": "https://jira.corp.example/"}})
    jira = moved["jira"]
    assert jira.real_url(jira.endpoint("request_token")) == (
        "https://jira.corp.example/plugins/servlet/oauth/request-token"
    )
    assert jira.fake_path(jira.endpoint("request_token")) == (
        "/jira/jira/plugins/servlet/oauth/request-token"
    )
    assert builtin_providers()["jira"].hosts["jira"] == "https://jira.example.com"
    assert moved["x"] is providers["x"]
