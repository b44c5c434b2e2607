"""The ``fakeidp`` fixture and marker, as a user's test suite sees them (pytester)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("error")


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_user=source)
    return pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-p", "no:hypothesispytest", *args
    )


def test_fixture_gives_urls_credentials_exchanges_and_a_working_login(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import requests
        import fakeidp as lib

        def test_login(fakeidp):
            urls = fakeidp.urls("twitch")
            assert urls["token"].startswith("http://127.0.0.1:")
            assert fakeidp.credentials("twitch").client_id == "fakeidp-twitch-client-id"
            # any HTTP client reaches the live URLs
            assert requests.get(fakeidp.base_url + "/_fakeidp/health", timeout=5).ok
            result = lib.OAuth2Client(fakeidp.connection("twitch"), fakeidp.session()).login()
            assert result.user_id == "739003271"
            assert [e.endpoint for e in fakeidp.exchanges("twitch")] == ["authorize", "token", "users"]
            assert fakeidp.findings() == []
        """,
    )
    result.assert_outcomes(passed=1)


def test_each_test_starts_from_a_reset_idp(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import fakeidp as lib

        def test_one(fakeidp):
            fakeidp.set_user("uber", "alice", rider_id="alice-rider-id")
            fakeidp.strict = False
            client = lib.OAuth2Client(fakeidp.connection("uber"), fakeidp.session())
            assert client.login().user_id == "alice-rider-id"

        def test_two(fakeidp):
            assert fakeidp.user("uber").login == "uberdev"
            assert fakeidp.strict is True
            assert fakeidp.exchanges() == []
        """,
    )
    result.assert_outcomes(passed=2)


BASIC_TO_TWITCH = """
        import fakeidp as lib
        import pytest

        def login(idp):
            connection = idp.connection("twitch", client_auth="basic")
            with pytest.raises(lib.LoginError):
                lib.OAuth2Client(connection, idp.session()).login()
"""


def test_unacknowledged_error_findings_fail_at_teardown_listing_them(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        BASIC_TO_TWITCH
        + """
        def test_leaves_findings(fakeidp):
            login(fakeidp)
        """,
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaves_findings*",
            "*unacknowledged error finding(s)*",
            "*oauth2.token.client_auth_placement (twitch token)*",
            "*POST http://127.0.0.1:*/twitch/id/oauth2/token*",
            "*fakeidp.acknowledge*",
        ]
    )


def test_acknowledged_or_allowed_findings_pass(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        BASIC_TO_TWITCH
        + """
        def test_acknowledges(fakeidp):
            login(fakeidp)
            assert fakeidp.acknowledge("oauth2.token.client_auth_placement")

        @pytest.mark.fakeidp(allow_findings=True)
        def test_opts_out(fakeidp):
            login(fakeidp)
        """,
    )
    result.assert_outcomes(passed=2)


def test_a_failing_test_gets_no_second_error_at_teardown(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        BASIC_TO_TWITCH
        + """
        def test_fails(fakeidp):
            login(fakeidp)
            assert False, "the test's own failure"
        """,
    )
    result.assert_outcomes(failed=1)


def test_marker_picks_provider_strictness_and_faults(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import fakeidp as lib
        import pytest

        @pytest.mark.fakeidp(provider="uber", strict=False)
        def test_default_provider_and_lenient(fakeidp):
            assert fakeidp.provider_id == "uber" and fakeidp.strict is False
            assert fakeidp.urls()["token"].endswith("/uber/auth/oauth/v2/token")
            client = lib.OAuth2Client(
                fakeidp.connection(scope_separator=",", scopes=("profile",)), fakeidp.session()
            )
            assert client.login().user_id  # lenient: answered normally ...
            assert fakeidp.findings(rule="oauth2.authorize.scope_separator") == []  # one scope

        @pytest.mark.fakeidp(provider="uber", faults=[{"endpoint": "token", "kind": "status", "status": 503}])
        def test_faults(fakeidp):
            client = lib.OAuth2Client(fakeidp.connection(), fakeidp.session())
            with pytest.raises(lib.LoginError) as err:
                client.login()
            assert err.value.kind == "server_error"

        @pytest.mark.fakeidp(provider="nope")
        def test_unknown_provider(fakeidp):
            pass

        @pytest.mark.fakeidp(provider="uber", faults=[{"endpoint": "token", "kind": "bogus"}])
        def test_bad_fault(fakeidp):
            pass
        """,
        "-rE",
    )
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.fakeidp: *unknown provider 'nope'*", "*@pytest.mark.fakeidp: kind: *"]
    )


def test_ini_makes_the_fixture_lenient_by_default(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfakeidp_strict = false\n")
    result = run(
        pytester,
        """
        def test_lenient(fakeidp):
            assert fakeidp.strict is False
        """,
    )
    result.assert_outcomes(passed=1)


def test_under_xdist_each_worker_has_its_own_idp(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user="""
        import os
        import pytest
        import requests
        import fakeidp as lib

        INTERCEPT = pytest.mark.fakeidp(intercept=True)

        @pytest.mark.parametrize("n", [0, 1, 2, pytest.param(3, marks=INTERCEPT),
                                       pytest.param(4, marks=INTERCEPT), 5])
        def test_login(fakeidp, n, tmp_path_factory):
            real = n in (3, 4)  # the providers' real URLs, intercepted in this worker
            connection = fakeidp.connection("digitalocean", real_urls=real)
            client = lib.OAuth2Client(connection, requests.Session() if real else fakeidp.session())
            assert client.login().user_id
            assert len(fakeidp.exchanges()) == 3  # reset per test, whatever ran before
            out = tmp_path_factory.getbasetemp().parent / f"url-{os.environ['PYTEST_XDIST_WORKER']}"
            out.write_text(fakeidp.base_url)

        @pytest.mark.fakeidp(intercept=True)
        def test_fails_with_findings(fakeidp):
            connection = fakeidp.connection("twitch", real_urls=True, client_auth="basic")
            with pytest.raises(lib.LoginError):
                lib.OAuth2Client(connection, requests.Session()).login()
            raise RuntimeError("the app's own error")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6, failed=1)
    urls = {p.read_text() for p in pytester.path.parent.glob("**/url-gw*")}
    assert len(urls) == 2  # two workers, two servers
    # the findings section travels from the worker with the report
    result.stdout.fnmatch_lines(
        [
            "*RuntimeError: the app's own error",
            "*- fakeidp findings -*",
            "[[]error[]] oauth2.token.client_auth_placement: twitch token: *",
            "    request:  POST https://id.twitch.tv/oauth2/token",
        ]
    )


def test_the_readme_example_passes(pytester: pytest.Pytester) -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### pytest plugin", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    pytester.makepyfile(test_readme=example)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=1)
