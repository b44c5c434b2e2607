"""python-social-auth backends, unmodified, as a conformance target (issue 10, item 4)."""

from __future__ import annotations

import sys

import pytest

from fakeidp.conformance import Engine, Report, TargetError, load_target

pytest.importorskip("social_core")


def run(spec: str) -> Report:
    with Engine(load_target(spec)) as engine:
        return engine.run_all()


def problems(report: Report) -> list[str]:
    return [f"{r.id}: {r.message}" for r in report.results if r.status in ("fail", "warning")]


def test_digitalocean_backend_passes_every_check() -> None:
    report = run("social-core:digitalocean")
    assert [p.id for p in report.providers] == ["digitalocean"]
    assert problems(report) == []
    login = report.result("digitalocean", "login")
    assert login is not None and login.actual == "b6fr89dbf6d9156cace5f3c78dc9851d957381ef"
    refresh = report.result("digitalocean", "token.refresh")
    assert refresh is not None and refresh.status == "pass"
    assert "social-core backend digitalocean" in report.target


def test_uber_backend_sends_its_credentials_in_two_places() -> None:
    # psa's UberOAuth2 sends client_id/secret in the body and as HTTP Basic: Uber reads the
    # body (PROVIDERS.md §7), and RFC 6749 §2.3 says one method per request.
    report = run("social-core:uber")
    auth = report.result("uber", "token.client_auth")
    assert auth is not None and auth.status == "warning", auth
    rules = {f["rule"] for f in auth.findings}
    assert "oauth2.token.client_auth_multiple" in rules
    login = report.result("uber", "login")
    assert login is not None and login.status in ("pass", "warning")


def test_twitch_oidc_backend_logs_in_through_discovery() -> None:
    report = run("social-core:social_core.backends.twitch.TwitchOpenIdConnect")
    login = report.result("twitch", "login")
    assert login is not None and login.status == "pass", login.message
    # It asked for openid (its DEFAULT_SCOPE), and the scopes check expects what psa sends.
    scopes = report.result("twitch", "authorize.scopes")
    assert scopes is not None and scopes.status in ("pass", "not_applicable"), scopes.message


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("social-core:twitch", "several backends are named 'twitch'"),
        ("social-core:no-such-backend", "social-auth-core has no backend 'no-such-backend'"),
        ("social-core:social_core.backends.github.GithubOAuth2", "is a provider of the fake IdP"),
        ("social-core:social_core.backends.twitch.Nope", "Nope is not a social-core backend"),
    ],
)
def test_a_backend_that_cannot_be_used_is_one_clear_line(spec: str, message: str) -> None:
    with pytest.raises(TargetError) as err:
        run(spec)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_without_social_auth_core_it_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "social_core" or m.startswith("social_core.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "social_core", None)  # type: ignore[arg-type]
    with pytest.raises(TargetError) as err:
        load_target("social-core:digitalocean")
    assert str(err.value) == (
        "target 'social-core:digitalocean': social-auth-core is not installed "
        "(pip install social-auth-core)"
    )


def test_another_profile_versions_id_counts_only_where_the_connector_read_it() -> None:
    """psa's Uber backend reads /v1/me's uuid: the same account as /v1.2/me's rider_id. A
    connector that reports that uuid without calling /v1/me has not read it anywhere."""
    from fakeidp.conformance import ReferenceTarget
    from fakeidp.conformance.checks import catalogue
    from fakeidp.conformance.environment import Outcome

    class Guesser(ReferenceTarget):
        def callback(self, env, url):  # type: ignore[no-untyped-def]
            super().callback(env, url)  # logs in through /v1.2/me only
            return Outcome(user_id="f4a416e3-6016-4623-8ec9-d5ee105a6e27")  # v1's uuid

    with Engine(Guesser(), ["uber"], checks=[c for c in catalogue() if c.id == "login"]) as e:
        report = e.run_all()
    login = report.result("uber", "login")
    assert login is not None and login.status == "fail"
    assert "f4a416e3" in login.message


@pytest.mark.parametrize(
    ("backend", "provider", "uid"),
    [
        # the primary blog's uuid (social_core backends/tumblr.py), not the user name
        ("tumblr", "tumblr", "t:fAk3IdPt3sTpr1maryB1og"),
        # Vimeo's uri without "/users/", as psa and OpenIddict key Vimeo users
        ("vimeo-oauth2", "vimeo", "12345"),
    ],
)
def test_a_backend_keying_users_by_another_stable_id_logs_in_the_right_user(
    backend: str, provider: str, uid: str
) -> None:
    from fakeidp.conformance.checks import catalogue

    target = load_target(f"social-core:{backend}")
    with Engine(target, checks=[c for c in catalogue() if c.id == "login"]) as engine:
        report = engine.run_all()
    login = report.result(provider, "login")
    assert login is not None
    # The right user, whatever else the login broke (psa's vimeo joins scopes with a comma).
    assert "reported user_id" not in login.message, login.message
    assert login.status in ("pass", "warning") or "scope_separator" in login.message
