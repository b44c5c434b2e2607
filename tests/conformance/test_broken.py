"""Connectors broken on purpose each fail exactly the checks they break."""

from __future__ import annotations

import pytest

import fakeidp
from fakeidp.conformance import Engine, Report, Target
from fakeidp.conformance.suite import default_settings
from fakeidp.providers import builtin_providers

from . import broken

PROVIDERS = builtin_providers()
# Wholly retired providers (Twitch Kraken) fail provider.lifecycle for every connector: the
# broken connectors here are judged where a correct one can pass.
OAUTH2 = [pid for pid, p in PROVIDERS.items() if p.protocol == "oauth2" and not p.retired]
OAUTH1 = [pid for pid, p in PROVIDERS.items() if p.protocol == "oauth1"]


def run(target: Target, providers: list[str]) -> Report:
    with Engine(target, providers) as engine:
        return engine.run_all()


def statuses(report: Report, status: str) -> set[tuple[str, str]]:
    return {(r.provider, r.check) for r in report.by_status(status)}  # type: ignore[arg-type]


def scope_checked(pid: str) -> bool:
    rules = PROVIDERS[pid].oauth2
    assert rules is not None
    return not rules.scope_ignored and len(default_settings(PROVIDERS[pid]).scopes) >= 2


def test_comma_separator_fails_the_scope_check_where_providers_want_spaces() -> None:
    report = run(broken.CommaScopes(), OAUTH2)
    space = {pid for pid in OAUTH2 if PROVIDERS[pid].oauth2.scope_separator == " "}  # type: ignore[union-attr]
    assert statuses(report, "fail") == {
        (pid, "authorize.scopes") for pid in space if scope_checked(pid)
    }
    assert statuses(report, "warning") == set()
    result = report.result("digitalocean", "authorize.scopes")
    assert result is not None
    assert (result.expected, result.actual) == ("read write", "read,write")


def test_basic_auth_fails_where_the_provider_reads_only_the_body() -> None:
    report = run(broken.BasicEverywhere(), OAUTH2)
    rules = {pid: PROVIDERS[pid].oauth2 for pid in OAUTH2}
    refused = {pid for pid, r in rules.items() if "basic" not in r.client_auth}  # type: ignore[union-attr]
    tolerated = {
        pid
        for pid, r in rules.items()
        if "basic" in r.client_auth and "basic" not in r.client_auth_documented  # type: ignore[union-attr]
    }
    assert "twitch" in refused
    assert statuses(report, "fail") == {(pid, "token.client_auth") for pid in refused}
    assert statuses(report, "warning") == {(pid, "token.client_auth") for pid in tolerated}


def test_a_missing_blog_fails_the_static_params_check_only() -> None:
    report = run(broken.NoStaticParams(), ["wordpress", "uber"])
    assert statuses(report, "fail") == {("wordpress", "authorize.static_params")}
    result = report.result("wordpress", "authorize.static_params")
    assert result is not None
    assert result.expected == {"blog": "fakeidptest.wordpress.com"}
    assert result.actual == {"blog": None}


def test_no_state_check_fails_the_callback_check_at_every_provider() -> None:
    # jira's RSA signing is slow; a retired provider fails provider.lifecycle too
    providers = [pid for pid, p in PROVIDERS.items() if pid != "jira" and not p.retired]
    report = run(broken.NoStateCheck(), providers)
    assert statuses(report, "fail") == {(pid, "callback.state") for pid in providers}
    # XING is closed to new applications: a warning for any connector (xing.toml).
    assert statuses(report, "warning") == {("xing", "provider.lifecycle")}


@pytest.mark.skipif(not hasattr(fakeidp, "OAuth1Client"), reason="OAuth 1.0a has not landed")
def test_hmac_sha1_to_jira_fails_the_signature_check_only() -> None:
    report = run(broken.HmacToJira(), ["jira", "tumblr"])
    assert statuses(report, "fail") == {("jira", "oauth1.signature")}
    result = report.result("jira", "oauth1.signature")
    assert result is not None and result.actual == "HMAC-SHA1"
    assert "RSA-SHA1" in str(result.expected)


def test_no_refresh_handling_fails_the_refresh_check_where_providers_refresh() -> None:
    report = run(broken.NoRefresh(), OAUTH2)
    refreshing = {
        pid
        for pid in OAUTH2
        if PROVIDERS[pid].oauth2.refresh and "refresh_token" in PROVIDERS[pid].oauth2.grants  # type: ignore[union-attr]
    }
    assert {"twitch", "x-oauth2", "digitalocean"} <= refreshing
    # Where refresh tokens do not rotate, the check that the old one is kept fails too.
    keeping = {pid for pid in refreshing if not PROVIDERS[pid].oauth2.rotate_refresh_token}  # type: ignore[union-attr]
    assert statuses(report, "fail") == {(pid, "token.refresh") for pid in refreshing} | {
        (pid, "answer.refresh_keeps_refresh_token") for pid in keeping
    }
    result = report.result("twitch", "token.refresh")
    assert result is not None
    assert "no refresh_token grant reached the token endpoint" in result.message


def test_too_few_scopes_fails_where_the_profile_api_needs_them() -> None:
    needs = {pid for pid in OAUTH2 if (PROVIDERS[pid].primary_profile.scopes or None)}
    needs = {pid for pid in needs if PROVIDERS[pid].primary_profile.scopes.asked()}  # type: ignore[union-attr]
    assert {"x-oauth2", "uber", "digitalocean"} <= needs
    report = run(broken.TooFewScopes(), sorted(needs))
    failed = statuses(report, "fail")
    assert {(pid, "profile.scopes") for pid in needs} <= failed, failed
    result = report.result("x-oauth2", "profile.scopes")
    assert result is not None
    assert result.message.startswith(
        "the connector asked for users.read offline.access, but X (OAuth 2.0)'s /2/users/me "
        "also needs tweet.read [api.scope.missing]"
    ), result.message
    assert 'include ["tweet.read", "users.read"]' in result.fix, result.fix
