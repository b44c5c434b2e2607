"""Testing your own app with the plugin (issue 8, item 5), as a user's suite sees it (pytester):
interception per test, the browser fixture, and the findings in a failed test's report."""

from __future__ import annotations

import textwrap

import pytest

pytestmark = pytest.mark.filterwarnings("error")

PLUGINS_OFF = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")

# A production-URL connector (the reference client at Twitch's real URLs), and a check that
# a request is NOT intercepted: with the network cut off below requests, it must fail to
# connect rather than be answered.
HELPERS = """
import pytest
import requests
import urllib3.util.connection
import fakeidp as lib

REAL_ACCOUNT = "https://api.digitalocean.com/v2/account"

def app_login(idp, pid=None, **overrides):
    connection = idp.connection(pid, real_urls=True, redirect_uri="https://app.example/cb", **overrides)
    client = lib.OAuth2Client(connection, requests.Session())
    auth = client.authorization_request()
    callback = idp.browser.authorize(auth.url)
    code = client.parse_callback(callback.url, auth.state)
    token = client.fetch_token(code, auth.code_verifier)
    return client.fetch_profile(token["access_token"])[1]

def assert_not_intercepted(monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("no network in this test")
    monkeypatch.setattr(urllib3.util.connection, "create_connection", offline)
    with pytest.raises(requests.ConnectionError):
        requests.get(REAL_ACCOUNT, timeout=5)
"""


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_user=HELPERS + textwrap.dedent(source))
    return pytester.runpytest_inprocess(*PLUGINS_OFF, *args)


def test_marker_intercepts_real_urls_into_the_tests_own_idp(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        @pytest.mark.fakeidp(intercept=True)
        def test_intercepted(fakeidp):
            assert app_login(fakeidp, "twitch") == "739003271"
            # the same IdP state as the handle: its exchanges, its (here: no) findings
            assert [e.endpoint for e in fakeidp.exchanges("twitch")] == ["authorize", "token", "users"]
            assert fakeidp.findings() == []
            answer = requests.get(REAL_ACCOUNT, headers={"Authorization": "Bearer nope"})
            assert answer.status_code == 401 and answer.json()["id"] == "unauthorized"
            assert fakeidp.acknowledge() and fakeidp.exchanges()[-1].endpoint == "account"

        def test_not_intercepted_without_it(fakeidp, monkeypatch):
            assert_not_intercepted(monkeypatch)
        """,
    )
    result.assert_outcomes(passed=2)


def test_the_intercept_fixture_alone_or_with_the_marker(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        @pytest.mark.fakeidp(provider="uber")
        def test_fixture(fakeidp_intercept, fakeidp):
            assert fakeidp_intercept is fakeidp
            assert app_login(fakeidp) == fakeidp.user().profile["rider_id"]

        @pytest.mark.fakeidp(intercept=True)
        def test_both(fakeidp_intercept):
            assert app_login(fakeidp_intercept, "dribbble")

        def test_off_afterwards(fakeidp, monkeypatch):
            assert_not_intercepted(monkeypatch)
        """,
    )
    result.assert_outcomes(passed=3)


def test_the_ini_option_intercepts_every_test_unless_the_marker_says_no(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\nfakeidp_intercept = true\n")
    result = run(
        pytester,
        """
        def test_intercepted_by_default(fakeidp):
            assert app_login(fakeidp, "vimeo")

        @pytest.mark.fakeidp(intercept=False)
        def test_not_here(fakeidp, monkeypatch):
            assert_not_intercepted(monkeypatch)

        def test_nor_without_the_fixture(monkeypatch):
            assert_not_intercepted(monkeypatch)
        """,
    )
    result.assert_outcomes(passed=3)


def test_the_browser_fixture_plays_the_user(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        @pytest.mark.fakeidp(provider="twitch", intercept=True)
        def test_deny(fakeidp_browser, fakeidp):
            connection = fakeidp.connection(real_urls=True, redirect_uri="https://app.example/cb")
            auth = lib.OAuth2Client(connection).authorization_request()
            callback = fakeidp_browser.authorize(auth.url, deny=True)
            assert callback.error == "access_denied" and callback.params["state"] == auth.state
            assert fakeidp.exchanges()[0].url.endswith("/twitch/id/oauth2/authorize")
        """,
    )
    result.assert_outcomes(passed=1)


def test_an_oidc_app_configured_from_discovery_alone(pytester: pytest.Pytester) -> None:
    # authlib reads the discovery document at the provider's real URL; under interception the
    # fake's document names the real endpoints, so every later call is intercepted too.
    result = run(
        pytester,
        """
        from authlib.integrations.flask_client import OAuth
        from flask import Flask, url_for

        @pytest.mark.fakeidp(provider="oidc", intercept=True)
        def test_oidc(fakeidp):
            app = Flask(__name__)
            app.secret_key = "test"
            creds = fakeidp.credentials()
            oauth = OAuth(app)
            oauth.register(
                "op",
                client_id=creds.client_id,
                client_secret=creds.client_secret,
                server_metadata_url=fakeidp.real_urls()["discovery"],
                client_kwargs={"scope": "openid profile"},
            )

            @app.get("/login")
            def login():
                return oauth.op.authorize_redirect(url_for("callback", _external=True))

            @app.get("/callback")
            def callback():
                return {"sub": oauth.op.authorize_access_token()["userinfo"]["sub"]}

            response = fakeidp.browser.login(app.test_client(), "/login", profile={"sub": "42"})
            assert response.json == {"sub": "42"}
            assert fakeidp.exchanges()[0].endpoint == "discovery"
        """,
    )
    result.assert_outcomes(passed=1)


# -- findings in the report of a failed test ------------------------------------------------
BASIC_TO_TWITCH = """
        @pytest.mark.fakeidp(intercept=True)
        def test_app_breaks(fakeidp):
            try:
                app_login(fakeidp, "twitch", client_auth="basic")
            except lib.LoginError as exc:
                raise RuntimeError("the app's own error: " + exc.kind) from None
"""


def test_a_failed_test_shows_the_findings_it_recorded(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        BASIC_TO_TWITCH
        + """
        def test_fails_without_findings(fakeidp):
            assert 1 == 2
        """,
    )
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*RuntimeError: the app's own error: token_error",
            "*- fakeidp findings -*",
            "1 finding(s) recorded during this test, oldest first:",
            "[error] oauth2.token.client_auth_placement: twitch token: "
            "Twitch does not read client credentials from basic",
            "    expected: ['body', 'query']",
            "    actual:   'basic'",
            "    request:  POST https://id.twitch.tv/oauth2/token",
            "    source:   *",
            "*_ test_fails_without_findings _*",
        ]
    )
    # the section belongs to the test that recorded findings only
    assert result.stdout.str().count("fakeidp findings") == 1


def test_an_authlib_error_in_the_app_comes_with_the_finding_that_explains_it(
    pytester: pytest.Pytester,
) -> None:
    # The case: authlib's default client auth is HTTP Basic, which Twitch does not
    # read (dev.twitch.tv getting-tokens-oauth: credentials in the body); Twitch's error body
    # has no access_token, and authlib fails later with UnsupportedTokenTypeError.
    result = run(
        pytester,
        """
        from authlib.integrations.flask_client import OAuth
        from flask import Flask, url_for

        @pytest.mark.fakeidp(provider="twitch", intercept=True)
        def test_app(fakeidp):
            app = Flask(__name__)
            app.config.update(SECRET_KEY="test", TESTING=True)  # exceptions reach the test
            creds = fakeidp.credentials()
            oauth = OAuth(app)
            oauth.register(
                "twitch",
                client_id=creds.client_id,
                client_secret=creds.client_secret,
                authorize_url="https://id.twitch.tv/oauth2/authorize",
                access_token_url="https://id.twitch.tv/oauth2/token",
                api_base_url="https://api.twitch.tv/helix/",
            )

            @app.get("/login")
            def login():
                return oauth.twitch.authorize_redirect(url_for("callback", _external=True))

            @app.get("/callback")
            def callback():
                token = oauth.twitch.authorize_access_token()
                return oauth.twitch.get("users", token=token).json()

            fakeidp.browser.login(app.test_client(), "/login")
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E *.UnsupportedTokenTypeError: unsupported_token_type: *",
            "*- fakeidp findings -*",
            "[[]error[]] oauth2.token.client_auth_placement: twitch token: "
            "Twitch does not read client credentials from basic",
            "    expected: ['body', 'query']",
            "    actual:   'basic'",
        ]
    )


def test_acknowledged_findings_are_shown_marked(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        @pytest.mark.fakeidp(intercept=True)
        def test_ack(fakeidp):
            with pytest.raises(lib.LoginError):
                app_login(fakeidp, "twitch", client_auth="basic")
            fakeidp.acknowledge("oauth2.token.client_auth_placement")
            assert False, "something else"
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["[[]error[]] oauth2.token.client_auth_placement (acknowledged): twitch token: *"]
    )


def test_a_passing_test_with_findings_still_fails_at_teardown_once(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        @pytest.mark.fakeidp(intercept=True)
        def test_leaves_findings(fakeidp):
            with pytest.raises(lib.LoginError):
                app_login(fakeidp, "twitch", client_auth="basic")
        """,
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaves_findings*",
            "*unacknowledged error finding(s)*",
            "*oauth2.token.client_auth_placement (twitch token)*",
            "      POST https://id.twitch.tv/oauth2/token",  # the URL the app called
        ]
    )
    assert "fakeidp findings" not in result.stdout.str()  # the teardown error lists them


# -- bad marker options ---------------------------------------------------------------------
def test_wrong_marker_options_are_one_clear_line(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        @pytest.mark.fakeidp(intercept="yes")
        def test_intercept(fakeidp):
            pass

        @pytest.mark.fakeidp(strict="no")
        def test_strict(fakeidp):
            pass

        @pytest.mark.fakeidp(provider=["twitch"])
        def test_provider(fakeidp):
            pass

        @pytest.mark.fakeidp(intercepts=True)
        def test_typo(fakeidp_intercept):
            pass
        """,
        "-rE",
    )
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_intercept*",
            "@pytest.mark.fakeidp: intercept: expected True or False, got 'yes'",
            "*ERROR at setup of test_strict*",
            "@pytest.mark.fakeidp: strict: expected True or False, got 'no'",
            "*ERROR at setup of test_provider*",
            "@pytest.mark.fakeidp: provider: expected a provider id such as 'twitch', "
            "got ['twitch']",
            "*ERROR at setup of test_typo*",
            "@pytest.mark.fakeidp: unknown option 'intercepts'; "
            "known: provider, strict, faults, allow_findings, intercept",
            "*short test summary info*",
        ]
    )
    assert "During handling" not in result.stdout.str()
