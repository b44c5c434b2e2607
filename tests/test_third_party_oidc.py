"""Real OpenID Connect relying parties through the OIDC checks, their results pinned.

authlib's Flask client (``OAuth.register(server_metadata_url=...)`` and
``authorize_access_token()``, as its docs say) and python-social-auth's
``TwitchOpenIdConnect`` run over the live server; whatever each accepts or
refuses is pinned here, with a comment where a library is lax. A change in a
pin means the library (or fakeidp) changed: look before updating it.
"""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

import pytest

from fakeidp.conformance import AdapterTarget, Engine, Environment, Report
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
class _Associations:
    """psa's association storage (where OpenIdConnectAuth keeps nonces), in memory."""

    def __init__(self) -> None:
        self.items: dict[int, tuple[str, Any]] = {}

    def store(self, server_url: str, association: Any) -> None:
        association.id = len(self.items) + 1
        association.is_expired = lambda: association.issued + association.lifetime < time.time()
        self.items[association.id] = (server_url, association)

    def get(self, server_url: str | None = None, handle: str | None = None) -> list[Any]:
        return [
            a
            for url, a in self.items.values()
            if (server_url is None or url == server_url) and (handle is None or a.handle == handle)
        ]

    def remove(self, ids: list[int]) -> None:
        for i in ids:
            self.items.pop(i, None)


def _psa_strategy(env: Environment) -> Any:
    from social_core.strategy import BaseStrategy

    class Nonces:
        """psa's NonceMixin: a state is issued once (use) and claimed once (consume)."""

        issued: set[tuple[str, float, str]] = set()
        claimed: set[tuple[str, float, str]] = set()

        @classmethod
        def use(cls, server_url: str, timestamp: float, salt: str) -> bool:
            key = (server_url, timestamp, salt)
            fresh = key not in cls.issued
            cls.issued.add(key)
            return fresh

        @classmethod
        def consume(cls, server_url: str, timestamp: float, salt: str) -> bool:
            key = (server_url, timestamp, salt)
            if key not in cls.issued or key in cls.claimed:
                return False
            cls.claimed.add(key)
            return True

    class Storage:
        association = _Associations()
        nonce = Nonces

    settings = {
        "SOCIAL_AUTH_TWITCH_KEY": env.client_id,
        "SOCIAL_AUTH_TWITCH_SECRET": env.client_secret,
        # The issuer, on the fake: psa reads discovery at OIDC_ENDPOINT + /.well-known/...
        "SOCIAL_AUTH_TWITCH_OIDC_ENDPOINT": env.urls["discovery"].removesuffix(
            "/.well-known/openid-configuration"
        ),
    }

    class Strategy(BaseStrategy):  # type: ignore[type-arg]
        """What a web framework integration provides: settings, a session, the request."""

        def __init__(self) -> None:
            super().__init__(Storage)  # type: ignore[arg-type]
            self.session: dict[str, Any] = {}
            self.data: dict[str, Any] = {}

        def get_setting(self, name: str) -> Any:
            return settings[name]

        def request_data(self, merge: bool = True) -> dict[str, Any]:
            return self.data

        def get_request_data(self, merge: bool = True) -> dict[str, Any]:
            return self.data

        def session_get(self, name: str, default: Any = None) -> Any:
            return self.session.get(name, default)

        def session_set(self, name: str, value: Any) -> None:
            self.session[name] = value

        def session_pop(self, name: str) -> Any:
            return self.session.pop(name, None)

        def build_absolute_uri(self, path: str | None = None) -> str:
            return env.redirect_uri

        def redirect(self, url: str) -> str:
            return url

        def authenticate(self, backend: Any, *args: Any, **kwargs: Any) -> Any:
            # The app's side: no user database, the user id is what psa would store.
            response = kwargs["response"]
            return backend.get_user_id(backend.get_user_details(response), response)

    return Strategy()


class SocialTwitch:
    """python-social-auth's TwitchOpenIdConnect, as a Django or Flask app would drive it."""

    capabilities = ("callback", "oidc")
    providers = ("twitch",)

    def _backend(self, env: Environment) -> Any:
        if "backend" not in env.scratch:
            from social_core.backends.twitch import TwitchOpenIdConnect

            env.scratch["backend"] = TwitchOpenIdConnect(
                _psa_strategy(env), redirect_uri=env.redirect_uri
            )
        return env.scratch["backend"]

    def authorize(self, env: Environment) -> str:
        return str(self._backend(env).auth_url())

    def callback(self, env: Environment, url: str) -> Any:
        backend = self._backend(env)
        backend.strategy.data = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        backend.data = backend.strategy.data
        return {"user_id": backend.auth_complete()}


# What social-auth-core 7.0 does at each check.
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
    report = run(SocialTwitch(), ["twitch"])
    got = {check: status for (_, check), status in statuses(report).items()}
    messages = {r.check: r.message for r in report.results}
    assert got == SOCIAL, messages
