"""The pieces behind the checks: state entropy, outcomes, the suite's settings file."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from fakeidp import LoginError
from fakeidp.conformance import Outcome
from fakeidp.conformance.checks import entropy_bits
from fakeidp.conformance.suite import default_settings, load_settings, suite_dir
from fakeidp.providers import FixtureError, builtin_providers


@pytest.mark.parametrize(
    ("make", "enough"),
    [
        (lambda: secrets.token_urlsafe(24), True),  # the reference client's
        (lambda: secrets.token_hex(16), True),  # 128 bits exactly
        (lambda: str(uuid.uuid4()), True),
        (lambda: "1234567890", False),
        (lambda: "state", False),
        (lambda: "abcdefabcdefabcd", False),  # 16 hex characters: 64 bits
        (lambda: "", False),
    ],
    ids=["token_urlsafe", "token_hex", "uuid4", "digits", "word", "short_hex", "empty"],
)
def test_state_entropy(make: Callable[[], str], enough: bool) -> None:
    assert (entropy_bits(make()) >= 128) is enough


def test_outcomes_from_what_adapters_return() -> None:
    assert Outcome.coerce("42") == Outcome(user_id="42")
    assert Outcome.coerce({"user_id": 42}) == Outcome(user_id="42")
    assert Outcome.coerce({"error": "cancelled", "message": "no"}) == Outcome(
        error="cancelled", message="no"
    )
    nested = Outcome.coerce({"error": {"kind": "state_mismatch", "message": "forged"}})
    assert (nested.error, nested.message) == ("state_mismatch", "forged")
    assert Outcome.coerce(None).error == "no_result"
    assert Outcome.from_exception(LoginError("token_error", "refused")).error == "token_error"
    assert Outcome.from_exception(ValueError("bad")).error == "ValueError"


def test_suite_settings_shape_each_provider() -> None:
    providers = builtin_providers()
    table = load_settings()
    assert set(table) - {"default"} <= set(providers)  # no settings for unknown providers
    wordpress = default_settings(providers["wordpress"], table)
    assert wordpress.static_params == {"blog": "fakeidptest.wordpress.com"}
    assert default_settings(providers["imgur"], table).scopes == ()  # Imgur has no scopes
    x = default_settings(providers["x-oauth2"], table)
    assert "offline.access" in x.scopes  # X gives refresh tokens only with it
    assert default_settings(providers["twitch"], table).expected_dynamic() == {
        "force_verify": "true"
    }
    for pid, provider in providers.items():
        rules = provider.oauth2
        if rules is not None and not rules.scope_ignored:
            assert len(default_settings(provider, table).scopes) >= 2, pid


def test_a_bad_settings_file_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[providers.uber]\nscopes = "profile history"\n')
    with pytest.raises(FixtureError, match=r"settings.toml: key 'providers.uber.scopes': expected"):
        load_settings(path)
    path.write_text("[providers.uber]\nscope = []\n")
    with pytest.raises(FixtureError, match=r"key 'providers.uber.scope': unknown key"):
        load_settings(path)


def test_the_suite_ships_its_test_module_and_settings() -> None:
    assert (suite_dir() / "test_fakeidp_conformance.py").is_file()
    assert (suite_dir() / "settings.toml").is_file()
