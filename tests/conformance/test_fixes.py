"""Every failed check ends with the fix, in the terms of the connector under test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fakeidp.conformance import Engine, Report
from fakeidp.conformance.checks import catalogue
from fakeidp.conformance.fixes import ANSWER_FIXES, DIALECTS, HINTS, fix_for
from fakeidp.conformance.loading import load_target
from fakeidp.providers import builtin_providers

from . import broken

PROVIDERS = builtin_providers()
SEED_002 = Path(__file__).resolve().parents[1] / "data" / "auth0_seed_002"

# (check, provider, dialect, the rule broken or None, expected) -> what the fix must say.
# Auth0 terms: shared/seeds/000-002 (options.*, the "Separate scopes using a space" toggle);
# integration.app's getOAuthConfig keys: seeds 003-004.
CASES = [
    (
        "authorize.scopes",
        "digitalocean",
        "auth0",
        "oauth2.authorize.scope_separator",
        None,
        ['"Separate scopes using a space"', "options.useOauthSpecScope: true"],
    ),
    ("authorize.scopes", "digitalocean", "integration-app", None, None, ["`scopes`", "a space"]),
    ("authorize.scopes", "digitalocean", "reference", None, None, ["scope_separator=' '"]),
    ("authorize.scopes", "uber", "code", None, None, ["join the scope", "a space"]),
    (
        "authorize.scopes",
        "uber",
        "auth0",
        "connection.authorize.scope",
        ["profile", "email"],
        ['options.scope: ["profile", "email"]'],
    ),
    (
        "authorize.static_params",
        "wordpress",
        "auth0",
        None,
        {"blog": "b"},
        ['{"blog": "b"} to options.authParams'],
    ),
    ("authorize.static_params", "wordpress", "integration-app", None, {"blog": "b"}, ["`extra`"]),
    ("authorize.static_params", "wordpress", "reference", None, {"blog": "b"}, ["static_params="]),
    ("authorize.dynamic_params", "wordpress", "auth0", None, {"blog": "b"}, ["authParamsMap"]),
    ("authorize.dynamic_params", "wordpress", "reference", None, None, ["dynamic_params="]),
    ("authorize.state", "uber", "code", None, None, ["128 bits"]),
    ("callback.state", "uber", "code", None, None, ["state", "before calling the token"]),
    ("callback.state", "x", "code", None, None, ["oauth_token"]),
    ("authorize.pkce", "x-oauth2", "auth0", None, None, ["options.pkce_enabled: true"]),
    ("authorize.pkce", "x-oauth2", "integration-app", None, None, ["`skipPkce`"]),
    ("authorize.pkce", "x-oauth2", "reference", None, None, ['pkce_method="S256"']),
    ("authorize.pkce", "x-oauth2", "code", "oauth2.token.code_verifier", None, ["code_verifier"]),
    ("token.client_auth", "twitch", "integration-app", None, None, ["clientAuthLocation: body"]),
    ("token.client_auth", "vimeo", "auth0", None, None, ["HTTP Basic", "options.customHeaders"]),
    ("token.client_auth", "vimeo", "reference", None, None, ['client_auth="basic"']),
    ("token.client_auth", "twitch", "code", None, None, ["the form body only"]),
    (
        "token.custom_headers",
        "uber",
        "auth0",
        None,
        {"X-Api": "1"},
        ['{"X-Api": "1"} to options.customHeaders'],
    ),
    ("token.custom_headers", "uber", "reference", None, {"X-Api": "1"}, ["token_headers="]),
    ("profile.request", "twitch", "auth0", None, None, ["scripts.fetchUserProfile", "Client-Id"]),
    ("profile.scopes", "x-oauth2", "auth0", None, None, ['["tweet.read", "users.read"]', "scope"]),
    ("profile.scopes", "digitalocean", "code", None, None, ["read", "another of read, account"]),
    ("profile.scopes", "uber", "reference", None, None, ["Connection(scopes=...)", "profile"]),
    ("login", "twitch", "reference", None, None, ['user_id_path="data.0.id"']),
    ("login", "twitch", "auth0", None, None, ["scripts.fetchUserProfile", "'data.0.id'"]),
    (
        "login",
        "vimeo",
        "auth0",
        "oauth2.token.expected_header",
        "application/vnd.vimeo.*+json",
        ["options.customHeaders", "oauth2.token.expected_header"],
    ),
    ("authorize.denied", "uber", "code", None, None, ["access_denied", "cancelled"]),
    ("token.invalid_grant", "uber", "code", None, None, ["failed login"]),
    ("token.server_error", "uber", "code", None, None, ["status"]),
    ("token.malformed_response", "uber", "code", None, None, ["JSON"]),
    ("token.refresh", "twitch", "integration-app", None, None, ["`noRefreshToken`"]),
    ("token.refresh", "twitch", "reference", None, None, ["Connection(refresh=True)"]),
    ("token.refresh", "twitch", "code", None, None, ["grant_type=refresh_token"]),
    ("oauth1.signature", "jira", "auth0", None, None, ['signatureMethod: "RSA-SHA1"']),
    ("oauth1.signature", "jira", "reference", None, None, ['signature_method="RSA-SHA1"']),
    ("oauth1.signature", "x", "code", "oauth1.signature.invalid", None, ["base string"]),
    ("oauth1.verifier", "x", "code", None, None, ["oauth_verifier"]),
    ("oauth1.nonce", "x", "code", None, None, ["oauth_nonce"]),
    ("provider.lifecycle", "dribbble", "auth0", None, None, ["options.authorizationURL"]),
    ("provider.lifecycle", "dribbble", "integration-app", None, None, ["`tokenUri`"]),
]


@pytest.mark.parametrize(("check", "pid", "dialect", "rule", "expected", "says"), CASES)
def test_the_fix_in_the_connectors_terms(
    check: str, pid: str, dialect: str, rule: str | None, expected: object, says: list[str]
) -> None:
    findings = [{"rule": rule, "severity": "error"}] if rule else []
    fix = fix_for(check, PROVIDERS[pid], dialect, findings, expected)  # type: ignore[arg-type]
    for words in says:
        assert words in fix, fix


def test_every_check_has_a_fix_in_every_dialect() -> None:
    checks = {c.id for c in catalogue()}
    assert checks <= set(HINTS), checks - set(HINTS)
    assert checks <= {case[0] for case in CASES} | set(ANSWER_FIXES)  # each one tested
    for check in checks:
        for dialect in DIALECTS:
            fix = fix_for(check, PROVIDERS["twitch"], dialect)
            assert fix and not fix.startswith("make the connector do"), (check, dialect)


@pytest.mark.parametrize("check", sorted(ANSWER_FIXES))
def test_a_connector_that_misreads_an_answer_is_told_how_to_read_it(check: str) -> None:
    fix = fix_for(check, PROVIDERS["oidc"], "code")
    assert fix == ANSWER_FIXES[check]
    assert "Auth0 does this" in fix_for(check, PROVIDERS["oidc"], "auth0")


def run(target_spec: str | broken.ReferenceTarget, providers: list[str] | None = None) -> Report:
    target = load_target(target_spec) if isinstance(target_spec, str) else target_spec
    with Engine(target, providers) as engine:
        return engine.run_all()


def test_a_failed_result_ends_with_its_fix_and_keeps_it_in_json() -> None:
    report = run(broken.CommaScopes(), ["digitalocean"])
    [result] = report.problems()
    assert result.message.endswith(". Fix: Connection(scope_separator=' ')")
    assert result.fix == "Connection(scope_separator=' ')"
    again = Report.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again.problems()[0].fix == result.fix
    assert all(r.fix == "" for r in report.results if r.status == "pass")


def test_an_auth0_connection_with_comma_scopes_is_told_the_toggle(tmp_path: Path) -> None:
    # Auth0 joins scopes with a comma unless "Separate scopes using a space" is on (seed 000).
    body = {
        "name": "digitalocean",
        "strategy": "oauth2",
        "options": {
            "authorizationURL": "https://cloud.digitalocean.com/v1/oauth/authorize",
            "tokenURL": "https://cloud.digitalocean.com/v1/oauth/token",
            "scope": ["read", "write"],
            "client_id": "id",
            "client_secret": "secret",
        },
    }
    path = tmp_path / "auth0.json"
    path.write_text(json.dumps(body))
    report = run(f"auth0:{path}")
    [result] = [r for r in report.problems() if r.check == "authorize.scopes"]
    assert result.status == "fail"
    assert (result.expected, result.actual) == ("read write", "read,write")
    assert result.message.endswith(
        'Fix: turn on "Separate scopes using a space" (options.useOauthSpecScope: true)'
    )
    assert report.notes == []  # valid JSON: nothing repaired


def test_a_repaired_auth0_file_says_what_was_repaired() -> None:
    report = run(f"auth0:{SEED_002 / 'digitalocean.har.json'}")
    repairs = [
        "repaired: postData.text: line 1 column 73: ',' where ':' belongs after \"client_id\"",
        "repaired: postData.text: line 1 column 707: the text ends inside a string with "
        "3 brackets still open ('\"}}}' is missing)",
    ]
    assert report.notes[:2] == repairs
    assert Report.from_dict(report.to_dict()).notes == report.notes
