"""Real OpenID Connect relying parties through the OIDC checks, their results pinned.

authlib's Flask client (``OAuth.register(server_metadata_url=...)`` and
``authorize_access_token()``, as its docs say) and python-social-auth's
``TwitchOpenIdConnect`` run over the live server; whatever each accepts or
refuses is pinned here, with a comment where a library is lax. A change in a
pin means the library (or fakeidp) changed: look before updating it.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest

from fakeidp.conformance import AdapterTarget, Engine, Environment, Report, load_target
from fakeidp.conformance.checks import catalogue
from fakeidp.conformance.checks_oidc import ID_TOKEN, OTHER

OIDC_CHECKS = [c for c in catalogue() if c.group in (ID_TOKEN, OTHER)]


@pytest.fixture(autouse=True)
def _plain_http(monkeypatch: pytest.MonkeyPatch) -> None:
    # authlib refuses http:// unless told it is a local test server.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


def run(adapter: Any, providers: list[str]) -> Report:
    with Engine(AdapterTarget(adapter), providers, checks=OIDC_CHECKS) as engine:
        return engine.run_all()


def statuses(report: Report) -> dict[tuple[str, str], str]:
    return {(r.provider, r.check): r.status for r in report.results}


# -- authlib -------------------------------------------------------------------------
class AuthlibFlaskApp:
    """A Flask app logging in with authlib's OIDC client, one app per scenario."""

    capabilities = ("callback", "oidc")

    def _app(self, env: Environment) -> Any:
        if "app" in env.scratch:
            return env.scratch["app"]
        from authlib.integrations.flask_client import OAuth
        from flask import Flask, jsonify

        app = Flask("authlib_rp")
        app.secret_key = "test"
        oauth = OAuth(app)
        methods = {"twitch": "client_secret_post"}
        oauth.register(
            "idp",
            client_id=env.client_id,
            client_secret=env.client_secret,
            server_metadata_url=env.urls["discovery"],
            client_kwargs={
                "scope": " ".join(env.settings.scopes),
                "token_endpoint_auth_method": methods.get(env.provider, "client_secret_basic"),
            },
        )

        @app.route("/login")
        def login() -> Any:
            return oauth.idp.authorize_redirect(env.redirect_uri)

        @app.route("/callback")
        def callback() -> Any:
            try:
                token = oauth.idp.authorize_access_token()
            except Exception as exc:
                return jsonify(error=type(exc).__name__, message=str(exc))
            return jsonify(user_id=token["userinfo"]["sub"])

        env.scratch["app"] = app.test_client()
        return env.scratch["app"]

    def authorize(self, env: Environment) -> str:
        return str(self._app(env).get("/login").headers["Location"])

    def callback(self, env: Environment, url: str) -> dict[str, Any]:
        query = urllib.parse.urlsplit(url).query
        answer: dict[str, Any] = self._app(env).get("/callback?" + query).get_json()
        return answer


# What authlib 1.9 does at each check (oidc and twitch alike).
AUTHLIB = {
    "id_token.signature": "pass",
    "id_token.alg_none": "pass",
    "id_token.issuer": "pass",
    "id_token.audience": "pass",
    "id_token.audiences_without_azp": "pass",  # refused: azp is missing
    "id_token.expired": "pass",
    "id_token.iat_future": "pass",
    "id_token.sub": "pass",
    "id_token.nonce": "pass",
    "id_token.nonce_missing": "pass",
    "id_token.kid_absent_single_key": "pass",
    "id_token.kid_absent_several_keys": "pass",
    "id_token.key_rotation": "pass",
    # authlib's flow reads the user from the ID token and never calls UserInfo.
    "userinfo.sub": "not_applicable",
    # Lax: authlib does not check the discovery document's issuer (Discovery §4.3). It takes
    # the wrong one as the ID token's expected iss, so that login fails by accident, and it
    # keeps the document: every later login fails too.
    "discovery.issuer": "fail",
}


def test_authlib_oidc_client_results_are_pinned() -> None:
    report = run(AuthlibFlaskApp(), ["oidc", "twitch"])
    got = statuses(report)
    for pid in ("oidc", "twitch"):
        for check, status in AUTHLIB.items():
            result = report.result(pid, check)
            assert result is not None
            assert (check, got[(pid, check)]) == (check, status), result.message


# -- python-social-auth ----------------------------------------------------------------
# The social-core target (fakeidp.conformance.social_core) runs the backend unmodified.
# What social-auth-core 7.0's TwitchOpenIdConnect does at each check.
SOCIAL = {
    "id_token.signature": "pass",
    "id_token.alg_none": "pass",
    "id_token.issuer": "pass",
    "id_token.audience": "pass",
    "id_token.audiences_without_azp": "pass",
    "id_token.expired": "pass",
    "id_token.iat_future": "pass",
    "id_token.sub": "pass",
    "id_token.nonce": "pass",
    "id_token.nonce_missing": "pass",
    "id_token.kid_absent_single_key": "pass",
    "id_token.kid_absent_several_keys": "pass",
    "id_token.key_rotation": "pass",
    "userinfo.sub": "pass",  # psa's user_data compares UserInfo's sub with the ID token's
    # psa caches the discovery document for a day, process-wide (social_core.utils.cache):
    # fetched by the first scenario, never again, so the wrong one is never seen. It does not
    # compare the issuer with the URL either (OpenIdConnectAuth.oidc_config).
    "discovery.issuer": "not_applicable",
}


# social_core's OpenID 2.0 module imports python3-openid, which imports a deprecated module.
@pytest.mark.filterwarnings("ignore:defusedxml.cElementTree is deprecated:DeprecationWarning")
def test_social_auth_twitch_results_are_pinned() -> None:
    target = load_target("social-core:social_core.backends.twitch.TwitchOpenIdConnect")
    assert "oidc" in target.capabilities
    with Engine(target, ["twitch"], checks=OIDC_CHECKS) as engine:
        report = engine.run_all()
    got = {r.check: r.status for r in report.results}
    assert got == SOCIAL, {r.check: r.message for r in report.results}


@pytest.mark.filterwarnings("ignore:defusedxml.cElementTree is deprecated:DeprecationWarning")
def test_a_plain_oauth2_backend_is_not_judged_on_id_tokens() -> None:
    target = load_target("social-core:social_core.backends.twitch.TwitchOAuth2")
    assert "oidc" not in target.capabilities
