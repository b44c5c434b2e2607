"""The reference client, as a target, passes every applicable scenario for every provider."""

from __future__ import annotations

import pytest

from fakeidp.conformance import Engine, ReferenceTarget, Report, catalogue
from fakeidp.providers import builtin_providers

# Why a check may not apply to the reference client at a provider: the provider
# lacks the feature, or the suite's settings give nothing to check. Never a capability.
EXPECTED_REASONS = (
    "the connector is configured with no static params",
    "the connector maps no dynamic params",
    "has no scopes",
    "issues no refresh tokens",
    "does not speak OpenID Connect",
    "is not known to send it (shared/PROVIDERS.md)",
    "(it rotates them)",
    "token response carries no scope",
    "sends no token_type",
    "does not send iss in its authorization responses (RFC 9207)",
    # Twitch's profile is Helix /users: the reference client never needs UserInfo there.
    "the connector did not call UserInfo during the login",
    # [profile.scopes]: only some providers' profile APIs need a scope (X, Uber, DigitalOcean).
    "documents no scope its profile API needs",
)


@pytest.fixture(scope="module")
def report() -> Report:
    with Engine(ReferenceTarget()) as engine:
        return engine.run_all()


def test_every_provider_and_every_check_of_its_protocol_is_reported(report: Report) -> None:
    # A wholly retired provider (Twitch Kraken) runs only when chosen; see below.
    providers = {pid: p for pid, p in builtin_providers().items() if not p.retired}
    assert "twitch-kraken" not in providers
    assert [p.id for p in report.providers] == list(providers)
    for pid, provider in providers.items():
        wanted = [c.id for c in catalogue() if provider.protocol in c.protocols]
        assert [r.check for r in report.results if r.provider == pid] == wanted


def test_nothing_fails_or_warns_but_a_provider_closed_to_new_applications(
    report: Report,
) -> None:
    bad = [f"{r.id}: {r.message}" for r in report.results if r.status in ("fail", "warning")]
    # XING closed its API to new applications in 2017 (xing.toml [[lifecycle]]).
    [closed] = bad
    assert closed.startswith("xing/provider.lifecycle: XING is closed to new applications")
    assert "xing/xing_api#14" in closed


def test_a_retired_provider_chosen_by_name_fails_only_the_lifecycle_check() -> None:
    with Engine(ReferenceTarget(), ["twitch-kraken"]) as engine:
        report = engine.run_all()
    bad = {r.check: r for r in report.results if r.status in ("fail", "warning")}
    assert list(bad) == ["provider.lifecycle"]
    result = bad["provider.lifecycle"]
    assert result.status == "fail"
    assert result.message.startswith("uses a retired API and will fail in production")
    assert "2022-02-28" in result.message and "Helix" in result.message


def test_not_applicable_only_where_the_provider_or_settings_give_nothing_to_check(
    report: Report,
) -> None:
    for r in report.by_status("not_applicable"):
        assert r.message.endswith(EXPECTED_REASONS), r.id


def test_the_checks_that_matter_most_ran_everywhere(report: Report) -> None:
    for p in report.providers:
        for check in ("login", "callback.state", "profile.request", "authorize.denied"):
            result = report.result(p.id, check)
            assert result is not None and result.status == "pass", (p.id, check)
    # A provider feature named in the issue is checked where it exists.
    assert report.result("wordpress", "authorize.static_params").status == "pass"  # type: ignore[union-attr]
    assert report.result("twitch", "authorize.dynamic_params").status == "pass"  # type: ignore[union-attr]
    assert report.result("x-oauth2", "authorize.pkce").message.startswith("S256")  # type: ignore[union-attr]
    assert report.result("twitch", "token.refresh").message == (  # type: ignore[union-attr]
        "refreshed 2 times, keeping the rotated refresh token"
    )


def test_evidence_is_the_redacted_requests(report: Report) -> None:
    result = report.result("twitch", "token.client_auth")
    assert result is not None
    tokens = [e for e in result.evidence if e["endpoint"] == "token"]
    assert tokens and all(e["form"]["client_secret"] == "[redacted]" for e in tokens)
    text = repr(report.to_dict())
    for provider in builtin_providers().values():
        secret = provider.client.client_secret
        if secret:
            assert secret not in text
