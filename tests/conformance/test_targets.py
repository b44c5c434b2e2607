"""Targets: a Python adapter, an HTTP app in a subprocess, connection configs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from fakeidp.client import from_auth0
from fakeidp.conformance import (
    AdapterTarget,
    ConnectionTarget,
    Engine,
    Environment,
    HttpAppTarget,
    Report,
    Target,
    TargetError,
    load_target,
)
from fakeidp.nodejs import find_node
from fakeidp.providers import builtin_providers

ROOT = Path(__file__).resolve().parents[2]
SEED_002 = ROOT / "tests" / "data" / "auth0_seed_002"
PROVIDERS = builtin_providers()
OAUTH1 = {pid for pid, p in PROVIDERS.items() if p.protocol == "oauth1"}


def run(target: Target, providers: list[str] | None = None) -> Report:
    with Engine(target, providers) as engine:
        return engine.run_all()


# The examples are plain OAuth 2.0 connectors: they do not check RFC 9207's iss, and the
# generic OpenID provider sends one. A warning, not a failure: RFC 9207 is optional for clients.
NO_ISS_CHECK = (
    "oidc/answer.authorization_iss: an authorization response from another issuer was "
    "accepted: the connector does not check iss, so a mix-up attack goes unnoticed (RFC 9207 §2.4)"
)


def problems(report: Report) -> list[str]:
    return [f"{r.id}: {r.message}" for r in report.results if r.status in ("fail", "warning")]


def test_requests_oauthlib_adapter_passes_and_oauth1_is_not_applicable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    target = load_target(f"{ROOT}/examples/requests_oauthlib_adapter.py:make_adapter")
    assert isinstance(target, AdapterTarget) and target.transport == "live"
    report = run(target)
    assert problems(report) == [NO_ISS_CHECK]
    for r in report.results:
        if r.provider in OAUTH1:
            assert (r.status, r.message) == (
                "not_applicable",
                "the target lacks the capability oauth1",
            )
    assert report.result("twitch", "callback.state").status == "pass"  # type: ignore[union-attr]
    assert report.result("twitch", "token.refresh").status == "pass"  # type: ignore[union-attr]


class OneShot:
    """An adapter that only logs in whole: it plays the browser itself."""

    transport = "in_process"

    def login(self, env: Environment) -> dict[str, Any]:
        from fakeidp import OAuth2Client

        result = OAuth2Client(env.connection, env.session).login(dict(env.login_params))
        return {"user_id": result.user_id}


def test_a_capability_the_adapter_lacks_is_not_applicable_never_passed() -> None:
    target = AdapterTarget(OneShot())
    assert target.capabilities == {"login"}
    report = run(target, ["wordpress", "twitch"])
    assert problems(report) == []
    for check in (
        "callback.state",
        "authorize.static_params",
        "token.refresh",
        "token.custom_headers",
    ):
        result = report.result("wordpress", check) or report.result("twitch", check)
        assert result is not None and result.status == "not_applicable", check
        assert result.message.startswith("the target lacks the capability")
    assert report.result("wordpress", "login").status == "pass"  # type: ignore[union-attr]
    assert report.result("twitch", "authorize.denied").status == "pass"  # type: ignore[union-attr]


class Careless:
    """Reports a login as successful whatever happened: every error check must catch it."""

    transport = "in_process"
    capabilities = ("callback",)

    def authorize(self, env: Environment) -> str:
        return env.urls["authorize"] + (
            f"?response_type=code&client_id={env.client_id}&redirect_uri={env.redirect_uri}"
            "&state=not-random"
        )

    def callback(self, env: Environment, url: str) -> str:
        return "739003271"


def test_a_connector_that_swallows_errors_fails_the_error_checks() -> None:
    report = run(AdapterTarget(Careless()), ["twitch"])
    failed = {r.check for r in report.by_status("fail")}
    assert failed == {
        "authorize.state",
        "callback.state",
        "authorize.denied",
        "token.invalid_grant",
        "token.server_error",
        "token.malformed_response",
        "token.client_auth",  # it never made a token request
        "login",  # a user id without a token request is no login
        "answer.error_uri",  # an error redirect reported as a success
        # no token request, so no token response to vary
        "answer.token_type_case",
        "answer.scope_format",
        "answer.extra_fields",
    }
    state = report.result("twitch", "authorize.state")
    assert state is not None and state.message == "two logins sent the same state"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module:make", "cannot import target 'no_such_module:make': ModuleNotFoundError"),
        ("json:no_such_factory", "target 'json:no_such_factory': json has no callable"),
        ("missing.py:make", "target 'missing.py:make': no file missing.py"),
        ("auth0:/no/such/file.json", "cannot read /no/such/file.json"),
        ("nonsense", "expected reference, auth0:FILE"),
    ],
)
def test_a_target_that_cannot_load_is_one_clear_line(spec: str, message: str) -> None:
    with pytest.raises(TargetError) as err:
        load_target(spec)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_http_app_example_as_a_subprocess() -> None:
    target = HttpAppTarget(f"{sys.executable} {ROOT}/examples/http_app/app.py")
    report = run(target)
    assert problems(report) == [NO_ISS_CHECK]
    assert "refresh" in target.capabilities and "oauth1" not in target.capabilities
    assert "refresh" in report.capabilities  # the report says what the running app declared
    passed = {r.check for r in report.by_status("pass") if r.provider == "x-oauth2"}
    assert {"login", "callback.state", "authorize.pkce", "token.refresh"} <= passed
    assert target._process is None  # stopped at the end


@pytest.mark.skipif(find_node() is None, reason="Node.js is not installed")
def test_http_app_example_in_node_as_a_subprocess() -> None:
    """The same contract in a second language: Node.js's built-in http and fetch."""
    target = HttpAppTarget(f"{find_node()} {ROOT}/examples/http_app_node/app.js")
    report = run(target)
    assert problems(report) == [NO_ISS_CHECK]
    assert "refresh" in target.capabilities and "oauth1" not in target.capabilities
    passed = {r.check for r in report.by_status("pass") if r.provider == "x-oauth2"}
    assert {"login", "callback.state", "authorize.pkce", "token.refresh"} <= passed
    for pid in OAUTH1:
        login = report.result(pid, "login")
        assert login is not None and login.status == "not_applicable"
    assert target._process is None


def test_an_http_app_that_exits_is_one_clear_line() -> None:
    target = HttpAppTarget(f"{sys.executable} -c \"raise SystemExit('no config for me')\"")
    with pytest.raises(TargetError, match="exited with status 1: no config for me"):
        run(target, ["uber"])


def seed_connection(name: str) -> ConnectionTarget:
    text = (SEED_002 / f"{name}.har.json").read_text()
    secret = None
    if name == "jira":  # the example's placeholders, replaced as its text says to
        text = text.replace("JIRA_URL", "https://jira.example.com")
        secret = PROVIDERS["jira"].oauth1.test_private_key  # type: ignore[union-attr]
    connection = from_auth0(text, forgiving=True, client_id="from-seed", client_secret=secret)
    return ConnectionTarget(connection, name=f"seed 002 {name}")


@pytest.mark.parametrize("name", sorted(p.name.split(".")[0] for p in SEED_002.glob("*.har.json")))
def test_seed_002_auth0_connections_produce_a_report(name: str) -> None:
    target = seed_connection(name)
    report = run(target)
    [provider] = report.providers
    assert provider.id == ("twitch-kraken" if name == "twitch" else name)
    assert report.results and all(r.provider == provider.id for r in report.results)
    login = report.result(provider.id, "login")
    assert login is not None and login.status in ("pass", "warning"), login.message
    # Auth0 joins scopes with a comma and sends credentials in the body: judged, not assumed.
    assert report.result(provider.id, "callback.state").status == "pass"  # type: ignore[union-attr]
    if name == "vimeo":  # Vimeo documents Basic; Auth0 posts the secret in the body
        warned = {r.check for r in report.by_status("warning")}
        assert "token.client_auth" in warned


def test_integration_app_config_via_load_target(tmp_path: Path) -> None:
    config = {
        "clientId": {"$var": "connectorParameters.clientId"},
        "clientSecret": {"$var": "connectorParameters.clientSecret"},
        "authorizeUri": "https://cloud.digitalocean.com/v1/oauth/authorize",
        "tokenUri": "https://cloud.digitalocean.com/v1/oauth/token",
        "scopes": ["read", "write"],
        "clientAuthLocation": "body",
        "extra": {"prompt": "consent"},
    }
    path = tmp_path / "oauth.json"
    path.write_text(json.dumps(config))
    report = run(load_target(f"integration-app:{path}"))
    assert [p.id for p in report.providers] == ["digitalocean"]
    assert problems(report) == []
    static = report.result("digitalocean", "authorize.static_params")
    assert static is not None and static.actual == {"prompt": "consent"}
    scopes = report.result("digitalocean", "authorize.scopes")
    assert scopes is not None and scopes.actual == "read write"


def test_a_connection_for_no_known_provider_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "auth0.json"
    path.write_text(
        json.dumps(
            {
                "name": "elsewhere",
                "strategy": "oauth2",
                "options": {
                    "client_id": "x",
                    "authorizationURL": "https://auth.example.com/authorize",
                    "tokenURL": "https://auth.example.com/token",
                    "scripts": {"fetchUserProfile": "function(a,c,cb){}"},
                },
            }
        )
    )
    with pytest.raises(TargetError) as err:
        run(load_target(f"auth0:{path}"))
    assert "\n" not in str(err.value)
